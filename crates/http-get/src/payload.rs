//! Request bodies: `-d`/`--data-binary` text or files, `--data-urlencode`
//! (curl's rules), `-F` multipart/form-data parts, `-T` a file to PUT. A
//! body is a list of segments — bytes in memory or a file read in chunks as
//! it is sent — so a large file streams in constant memory, and its length
//! is known before sending (`Content-Length`).
//!
//! See: RFC 7578 (multipart/form-data), WHATWG URL §5.2
//! (application/x-www-form-urlencoded).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::str::FromStr;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

use crate::error::Error;

/// Size of each read from a file being sent.
const FILE_CHUNK: usize = 64 * 1024;

/// What `--data-urlencode` leaves as it is: the unreserved characters (curl's rule).
const URLENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One piece of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Bytes in memory.
    Bytes(Bytes),
    /// A file, `len` bytes long when the body was made.
    File { path: PathBuf, len: u64 },
}

/// A request body and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Payload {
    segments: Vec<Segment>,
    /// The `Content-Type` it goes with, if any.
    pub content_type: Option<String>,
}

impl Payload {
    /// A body of `bytes`.
    pub fn bytes(bytes: impl Into<Bytes>, content_type: Option<&str>) -> Payload {
        Payload {
            segments: vec![Segment::Bytes(bytes.into())],
            content_type: content_type.map(str::to_string),
        }
    }

    /// A body that is the file at `path` (`-T`), with no type.
    pub fn file(path: &Path) -> Result<Payload, Error> {
        Ok(Payload {
            segments: vec![file_segment(path)?],
            content_type: None,
        })
    }

    /// The body's length in bytes.
    pub fn len(&self) -> u64 {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Bytes(b) => b.len() as u64,
                Segment::File { len, .. } => *len,
            })
            .sum()
    }

    /// The whole body in memory (for `--offline`).
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        for segment in &self.segments {
            match segment {
                Segment::Bytes(b) => out.extend_from_slice(b),
                Segment::File { path, .. } => out.extend(read_file(path)?),
            }
        }
        Ok(out)
    }

    /// The body as hyper sends it, files opened now.
    pub fn stream(&self) -> Result<Streamed, Error> {
        Ok(Streamed {
            segments: self.segments.iter().rev().cloned().collect(),
            open: None,
            left: self.len(),
        })
    }
}

fn file_segment(path: &Path) -> Result<Segment, Error> {
    let meta = std::fs::metadata(path).map_err(|source| Error::ReadFile {
        path: path.into(),
        source,
    })?;
    Ok(Segment::File {
        path: path.to_path_buf(),
        len: meta.len(),
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::ReadFile {
        path: path.into(),
        source,
    })
}

/// The form body of the `-d`, `--data-binary` and `--data-urlencode`
/// values, joined with `&` in that order (`@FILE` read, `@-` from `stdin`).
pub(crate) fn form(
    data: &[String],
    binary: &[String],
    urlencode: &[String],
    stdin: &mut dyn FnMut() -> io::Result<Vec<u8>>,
) -> Result<Option<Payload>, Error> {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for value in data.iter().chain(binary) {
        parts.push(match value.strip_prefix('@') {
            Some("-") => stdin()?,
            Some(path) => read_file(Path::new(path))?,
            None => value.as_bytes().to_vec(),
        });
    }
    for value in urlencode {
        parts.push(encode_data(value, stdin)?.into_bytes());
    }
    if parts.is_empty() {
        return Ok(None);
    }
    let body = parts.join(&b'&');
    Ok(Some(Payload::bytes(
        body,
        Some("application/x-www-form-urlencoded"),
    )))
}

/// One `--data-urlencode` value, by curl's rules: `content`, `=content`,
/// `name=content`, `@file`, `name@file` (the first `=` or `@` decides).
fn encode_data(
    value: &str,
    stdin: &mut dyn FnMut() -> io::Result<Vec<u8>>,
) -> Result<String, Error> {
    let encode = |bytes: &[u8]| percent_encoding::percent_encode(bytes, URLENCODE).to_string();
    let (name, content) = match value.find(['=', '@']) {
        Some(at) if value.as_bytes()[at] == b'@' => {
            let path = &value[at + 1..];
            let bytes = match path {
                "-" => stdin()?,
                _ => read_file(Path::new(path))?,
            };
            (&value[..at], encode(&bytes))
        }
        Some(at) => (&value[..at], encode(&value.as_bytes()[at + 1..])),
        None => ("", encode(value.as_bytes())),
    };
    Ok(match name {
        "" => content,
        name => format!("{name}={content}"),
    })
}

/// A `-F NAME=VALUE`, `-F NAME=@FILE` or `-F NAME=<FILE` part, with
/// `;type=MIME` and `;filename=NAME` after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPart {
    name: String,
    value: PartValue,
    content_type: Option<String>,
    filename: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PartValue {
    Text(String),
    /// `@FILE`: the file, sent as a file (with a file name).
    File(PathBuf),
}

impl FromStr for FormPart {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| format!("form part {s:?}: {why}");
        let (name, rest) = s
            .split_once('=')
            .ok_or_else(|| bad("expected NAME=VALUE or NAME=@FILE"))?;
        if name.is_empty() || name.contains(['"', '\r', '\n']) {
            return Err(bad("invalid name"));
        }
        let mut params = rest.split(';');
        let value = params.next().unwrap_or_default();
        let mut part = FormPart {
            name: name.to_string(),
            value: match value.strip_prefix('@') {
                Some("") => return Err(bad("no file after @")),
                Some(path) => PartValue::File(path.into()),
                None => PartValue::Text(value.to_string()),
            },
            content_type: None,
            filename: None,
        };
        for param in params {
            match param.trim().split_once('=') {
                Some(("type", t)) if t.contains('/') && !t.contains(['\r', '\n']) => {
                    part.content_type = Some(t.to_string());
                }
                Some(("filename", f)) if !f.contains(['"', '\r', '\n']) => {
                    part.filename = Some(f.to_string());
                }
                _ => return Err(bad(&format!("unknown or bad parameter {param:?}"))),
            }
        }
        Ok(part)
    }
}

/// The multipart/form-data body of `parts`, separated by `boundary`.
///
/// See: RFC 7578 §4 (each part's Content-Disposition, name and filename).
pub(crate) fn multipart(parts: &[FormPart], boundary: &str) -> Result<Payload, Error> {
    let mut segments = Vec::new();
    for part in parts {
        let mut head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
            part.name
        );
        let file_name = match &part.value {
            PartValue::File(path) => part
                .filename
                .clone()
                .or_else(|| path.file_name().map(|n| n.to_string_lossy().into_owned())),
            PartValue::Text(_) => part.filename.clone(),
        };
        if let Some(file_name) = &file_name {
            head.push_str(&format!("; filename=\"{file_name}\""));
        }
        let guessed = match &part.value {
            PartValue::File(path) => Some(guess_type(path)),
            PartValue::Text(_) => None,
        };
        if let Some(t) = part.content_type.as_deref().or(guessed) {
            head.push_str(&format!("\r\nContent-Type: {t}"));
        }
        head.push_str("\r\n\r\n");
        segments.push(Segment::Bytes(head.into()));
        segments.push(match &part.value {
            PartValue::Text(text) => Segment::Bytes(Bytes::from(text.clone())),
            PartValue::File(path) => file_segment(path)?,
        });
        segments.push(Segment::Bytes(Bytes::from_static(b"\r\n")));
    }
    segments.push(Segment::Bytes(format!("--{boundary}--\r\n").into()));
    Ok(Payload {
        segments,
        content_type: Some(format!("multipart/form-data; boundary={boundary}")),
    })
}

/// A random boundary, as curl makes them: dashes and 16 hex digits.
pub(crate) fn boundary() -> String {
    format!("------------------------{:016x}", rand::random::<u64>())
}

/// A file's type from its extension (what browsers and curl send for the common ones).
fn guess_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("txt") => "text/plain",
        Some("html" | "htm") => "text/html",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// A body on its way out: segments in reverse order (the next one last),
/// the file being read, and the bytes still to send.
pub(crate) struct Streamed {
    segments: Vec<Segment>,
    open: Option<(File, u64)>,
    left: u64,
}

impl Streamed {
    /// No body.
    pub fn empty() -> Streamed {
        Streamed {
            segments: Vec::new(),
            open: None,
            left: 0,
        }
    }

    /// The next chunk, if any. Files are read in chunks on the runtime's
    /// thread: local reads of 64 KiB are short.
    fn next_chunk(&mut self) -> io::Result<Option<Bytes>> {
        loop {
            if let Some((file, left)) = &mut self.open {
                let want = (*left).min(FILE_CHUNK as u64) as usize;
                let mut buf = vec![0; want];
                let got = if want == 0 { 0 } else { file.read(&mut buf)? };
                if got == 0 {
                    if *left > 0 {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "file shrank while being sent",
                        ));
                    }
                    self.open = None;
                    continue;
                }
                *left -= got as u64;
                buf.truncate(got);
                return Ok(Some(Bytes::from(buf)));
            }
            match self.segments.pop() {
                None => return Ok(None),
                Some(Segment::Bytes(b)) if b.is_empty() => {}
                Some(Segment::Bytes(b)) => return Ok(Some(b)),
                Some(Segment::File { path, len }) => self.open = Some((File::open(path)?, len)),
            }
        }
    }
}

impl hyper::body::Body for Streamed {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let next = self.next_chunk().map(|chunk| {
            chunk.map(|bytes| {
                self.left = self.left.saturating_sub(bytes.len() as u64);
                Frame::data(bytes)
            })
        });
        Poll::Ready(next.transpose())
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
            && self.open.is_none()
            && self.segments.iter().all(|s| match s {
                Segment::Bytes(b) => b.is_empty(),
                Segment::File { len, .. } => *len == 0,
            })
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_stdin() -> io::Result<Vec<u8>> {
        Ok(Vec::new())
    }

    fn collect(payload: &Payload) -> Vec<u8> {
        let mut streamed = payload.stream().unwrap();
        let mut out = Vec::new();
        while let Some(chunk) = streamed.next_chunk().unwrap() {
            out.extend_from_slice(&chunk);
        }
        out
    }

    #[test]
    fn urlencodes_like_curl() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("v");
        std::fs::write(&file, "a b&c").unwrap();
        let values = [
            "hello world".to_string(),
            "=x=y".to_string(),
            "name=a+b é".to_string(),
            format!("f@{}", file.display()),
        ];
        let body = form(&[], &[], &values, &mut no_stdin).unwrap().unwrap();
        assert_eq!(
            body.to_vec().unwrap(),
            b"hello%20world&x%3Dy&name=a%2Bb%20%C3%A9&f=a%20b%26c"
        );
        assert_eq!(
            body.content_type.as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        let joined = form(&["a=1".into()], &["b=2".into()], &[], &mut no_stdin)
            .unwrap()
            .unwrap();
        assert_eq!(joined.to_vec().unwrap(), b"a=1&b=2");
        assert!(form(&[], &[], &[], &mut no_stdin).unwrap().is_none());
    }

    #[test]
    fn form_parts_parse_and_refuse_bad_specs() {
        let part: FormPart = "f=@a.txt;type=text/x-foo;filename=b.txt".parse().unwrap();
        assert_eq!(part.value, PartValue::File("a.txt".into()));
        assert_eq!(part.content_type.as_deref(), Some("text/x-foo"));
        assert_eq!(part.filename.as_deref(), Some("b.txt"));
        for bad in [
            "novalue",
            "=x",
            "f=@",
            "f=x;type=nonsense",
            "f=x;colour=red",
        ] {
            let e = bad.parse::<FormPart>().unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn multipart_streams_files_and_knows_its_length() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.txt");
        std::fs::write(&file, vec![b'x'; 200_000]).unwrap();
        let parts: Vec<FormPart> = ["a=1".to_string(), format!("up=@{}", file.display())]
            .iter()
            .map(|p| p.parse().unwrap())
            .collect();
        let payload = multipart(&parts, "BOUNDARY").unwrap();
        let body = collect(&payload);
        assert_eq!(body.len() as u64, payload.len());
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.starts_with(
                "--BOUNDARY\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
            )
        );
        assert!(
            text.contains(
                "name=\"up\"; filename=\"data.txt\"\r\nContent-Type: text/plain\r\n\r\nxxx"
            )
        );
        assert!(text.ends_with("xxx\r\n--BOUNDARY--\r\n"));
        assert_eq!(body, payload.to_vec().unwrap());
        let b = boundary();
        assert_eq!(b.len(), 40);
        assert_ne!(b, boundary());
    }
}
