//! Reading inputs one per line: blank lines and `#` comments skipped.
//!
//! Lines are read as bytes into one reused buffer; a line that is not UTF-8 is
//! decoded lossily (and will then fail to parse as whatever the tool expects,
//! with an error that names it) rather than ending the run.

use std::borrow::Cow;
use std::io::{self, BufRead};

/// Input lines of a reader, with blanks and comments skipped and whitespace trimmed.
pub struct Lines<'r, R: ?Sized> {
    reader: &'r mut R,
    buf: Vec<u8>,
}

impl<'r, R: BufRead + ?Sized> Lines<'r, R> {
    /// Read inputs from `reader`.
    pub fn new(reader: &'r mut R) -> Self {
        Lines {
            reader,
            buf: Vec::with_capacity(256),
        }
    }

    /// The next input line, or `None` at the end. Borrowed when the line is valid UTF-8.
    pub fn next_input(&mut self) -> io::Result<Option<Cow<'_, str>>> {
        loop {
            self.buf.clear();
            if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
                return Ok(None);
            }
            let line = self.buf.trim_ascii();
            if !is_input(line) {
                continue;
            }
            // Re-slice after the loop's checks so the borrow is returned once.
            let start = line.as_ptr() as usize - self.buf.as_ptr() as usize;
            let end = start + line.len();
            let line = &self.buf[start..end];
            // The plain check is faster than the lossy decoder's chunk walk, and
            // nearly every line passes it.
            return Ok(Some(match std::str::from_utf8(line) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(line),
            }));
        }
    }
}

/// The input lines of a buffer read whole (see `Ctx::read_stdin`): trimmed,
/// blank lines and `#` comments skipped, borrowed from the buffer.
pub fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|line| is_input(line))
}

/// Whether a trimmed line is an input: not blank, not a `#` comment.
fn is_input(line: &[u8]) -> bool {
    !line.is_empty() && !line.starts_with(b"#")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &[u8]) -> Vec<String> {
        let mut reader = io::Cursor::new(text.to_vec());
        let mut lines = Lines::new(&mut reader);
        let mut out = Vec::new();
        while let Some(line) = lines.next_input().unwrap() {
            out.push(line.into_owned());
        }
        out
    }

    #[test]
    fn skips_blank_and_comment_lines_and_trims() {
        assert_eq!(
            all(b"a\n\n  # c\n b \r\n\tc"),
            vec!["a".to_string(), "b".into(), "c".into()]
        );
    }

    #[test]
    fn whole_buffer_lines_match_the_reader() {
        let text = b"a\n\n  # c\n b \r\n\tc";
        let whole: Vec<String> = lines(text)
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect();
        assert_eq!(whole, all(text));
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        assert_eq!(all(b"x\xffy\n"), vec!["x\u{fffd}y".to_string()]);
    }
}
