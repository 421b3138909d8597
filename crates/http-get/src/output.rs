//! Where the body goes: stdout, nowhere (`--json` without `-o`), or a file.
//!
//! A regular file target is written through a temporary file in the same
//! directory and renamed over the target only when the body is complete, so an
//! interrupted or truncated download never leaves a file that looks complete.
//! A target that is not a regular file (`/dev/null`, a FIFO, a terminal) is
//! written directly and never replaced.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::Error;

/// Size of the write buffer in front of a file: few system calls per MiB.
const FILE_BUFFER: usize = 256 * 1024;

/// The body's destination.
pub enum Output {
    /// The context's stdout.
    Stdout,
    /// Nowhere (the body is read and counted, not kept).
    Discard(io::Sink),
    /// A file that is not a regular file, written in place.
    Direct {
        /// The path, for messages.
        path: PathBuf,
        /// The open file.
        file: BufWriter<File>,
    },
    /// A temporary file renamed over `path` by [`Output::finish`].
    Temp {
        /// The final path.
        path: PathBuf,
        /// The temporary file, removed when dropped unfinished.
        file: BufWriter<NamedTempFile>,
    },
}

impl Output {
    /// Prepare to write to `path`.
    pub fn file(path: &Path) -> Result<Output, Error> {
        let fail = |source| Error::Output {
            path: path.display().to_string(),
            source,
        };
        let is_special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
        if is_special {
            let file = OpenOptions::new().write(true).open(path).map_err(fail)?;
            return Ok(Output::Direct {
                path: path.to_path_buf(),
                file: BufWriter::with_capacity(FILE_BUFFER, file),
            });
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // 0666 less the umask, as any new file: the temporary file becomes the result.
        let temp = tempfile::Builder::new()
            .permissions(std::fs::Permissions::from_mode(0o666))
            .prefix(&format!(".{name}."))
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(fail)?;
        Ok(Output::Temp {
            path: path.to_path_buf(),
            file: BufWriter::with_capacity(FILE_BUFFER, temp),
        })
    }

    /// The writer for the body, given the context's stdout.
    pub fn writer<'a>(&'a mut self, stdout: &'a mut dyn Write) -> &'a mut dyn Write {
        match self {
            Output::Stdout => stdout,
            Output::Discard(sink) => sink,
            Output::Direct { file, .. } => file,
            Output::Temp { file, .. } => file,
        }
    }

    /// The path shown in messages.
    pub fn name(&self) -> String {
        match self {
            Output::Stdout => "stdout".to_string(),
            Output::Discard(_) => "nowhere".to_string(),
            Output::Direct { path, .. } | Output::Temp { path, .. } => path.display().to_string(),
        }
    }

    /// The body is complete: flush, and rename a temporary file into place.
    pub fn finish(self) -> Result<(), Error> {
        let name = self.name();
        let fail = |source| Error::Output {
            path: name.clone(),
            source,
        };
        match self {
            Output::Stdout | Output::Discard(_) => Ok(()),
            Output::Direct { mut file, .. } => file.flush().map_err(fail),
            Output::Temp { path, file } => {
                let temp = file.into_inner().map_err(|e| fail(e.into_error()))?;
                temp.as_file().sync_all().map_err(fail)?;
                temp.persist(&path).map_err(|e| fail(e.error))?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_file_appears_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        let mut out = Output::file(&path).unwrap();
        let mut stdout = Vec::new();
        out.writer(&mut stdout).write_all(b"half").unwrap();
        assert!(!path.exists());
        drop(out);
        assert!(!path.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "temp file left behind"
        );

        let mut out = Output::file(&path).unwrap();
        out.writer(&mut stdout).write_all(b"whole").unwrap();
        out.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"whole");
        // A downloaded file gets the mode of any new file (0666 less the umask).
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&path), mode(&plain));
        assert!(stdout.is_empty());
    }

    #[test]
    fn special_files_are_written_in_place() {
        let mut out = Output::file(Path::new("/dev/null")).unwrap();
        assert!(matches!(out, Output::Direct { .. }));
        let mut stdout = Vec::new();
        out.writer(&mut stdout).write_all(b"x").unwrap();
        out.finish().unwrap();
    }
}
