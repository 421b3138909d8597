//! The body on its way out: content decoding (`--compressed`: gzip, deflate,
//! br), the `--max-filesize` limit on the decoded size, and byte counting.
//!
//! Decoders are write-side (flate2 and brotli writers), so the body streams
//! through in constant memory: each chunk read from the socket is pushed in,
//! and what it decodes to goes straight to the output.

use std::io::{self, Write};

use crate::error::Error;

/// Size of brotli's internal buffer.
const BROTLI_BUFFER: usize = 64 * 1024;

/// A content coding http-get can decode.
///
/// See: RFC 9110 §8.4.1 (gzip, deflate) and RFC 7932 (br).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    /// No decoding.
    Identity,
    /// gzip (RFC 1952).
    Gzip,
    /// deflate: the zlib format (RFC 1950), as RFC 9110 §8.4.1.2 says.
    Deflate,
    /// Brotli (RFC 7932).
    Brotli,
}

impl Coding {
    /// The coding named by a `Content-Encoding` value; `None` for one that
    /// cannot be decoded (several codings, or an unknown one).
    pub fn from_header(value: Option<&str>) -> Option<Coding> {
        let Some(value) = value.map(str::trim) else {
            return Some(Coding::Identity);
        };
        match value.to_ascii_lowercase().as_str() {
            "" | "identity" => Some(Coding::Identity),
            "gzip" | "x-gzip" => Some(Coding::Gzip),
            "deflate" => Some(Coding::Deflate),
            "br" => Some(Coding::Brotli),
            _ => None,
        }
    }
}

/// Counts what reaches the output and enforces the size limit; remembers its
/// own failure so that a decoder's error can be told apart from the output's.
pub struct Counted<'a> {
    out: &'a mut dyn Write,
    name: String,
    limit: Option<u64>,
    /// Bytes written to the output (decoded).
    pub written: u64,
    failure: Option<Error>,
}

impl<'a> Counted<'a> {
    /// Count writes to `out` (called `name` in messages), refusing to go past `limit`.
    pub fn new(out: &'a mut dyn Write, name: String, limit: Option<u64>) -> Counted<'a> {
        Counted {
            out,
            name,
            limit,
            written: 0,
            failure: None,
        }
    }
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(limit) = self.limit
            && self.written + buf.len() as u64 > limit
        {
            self.failure = Some(Error::TooLarge { limit });
            return Err(io::Error::other("body larger than the limit"));
        }
        match self.out.write(buf) {
            Ok(n) => {
                self.written += n as u64;
                Ok(n)
            }
            Err(e) => {
                self.failure = Some(Error::Output {
                    path: self.name.clone(),
                    source: io::Error::new(e.kind(), e.to_string()),
                });
                Err(e)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The decoding stage in front of the output.
pub enum Decoder<'a> {
    /// Bytes pass through.
    Identity(Counted<'a>),
    /// gzip.
    Gzip(flate2::write::GzDecoder<Counted<'a>>),
    /// zlib-wrapped deflate.
    Deflate(flate2::write::ZlibDecoder<Counted<'a>>),
    /// Brotli.
    Brotli(Box<brotli::DecompressorWriter<Counted<'a>>>),
}

impl<'a> Decoder<'a> {
    /// A decoder for `coding` writing into `out`.
    pub fn new(coding: Coding, out: Counted<'a>) -> Decoder<'a> {
        match coding {
            Coding::Identity => Decoder::Identity(out),
            Coding::Gzip => Decoder::Gzip(flate2::write::GzDecoder::new(out)),
            Coding::Deflate => Decoder::Deflate(flate2::write::ZlibDecoder::new(out)),
            Coding::Brotli => Decoder::Brotli(Box::new(brotli::DecompressorWriter::new(
                out,
                BROTLI_BUFFER,
            ))),
        }
    }

    fn counted(&mut self) -> &mut Counted<'a> {
        match self {
            Decoder::Identity(c) => c,
            Decoder::Gzip(d) => d.get_mut(),
            Decoder::Deflate(d) => d.get_mut(),
            Decoder::Brotli(d) => d.get_mut(),
        }
    }

    /// Decoded bytes written so far.
    pub fn written(&mut self) -> u64 {
        self.counted().written
    }

    /// Push a chunk of the body as received.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Error> {
        let result = match self {
            Decoder::Identity(c) => c.write_all(chunk),
            Decoder::Gzip(d) => d.write_all(chunk),
            Decoder::Deflate(d) => d.write_all(chunk),
            Decoder::Brotli(d) => d.write_all(chunk),
        };
        result.map_err(|e| self.classify(e))
    }

    /// The body has ended: flush the decoder, checking that its stream is complete.
    pub fn finish(mut self) -> Result<u64, Error> {
        let result = match &mut self {
            Decoder::Identity(c) => c.flush(),
            Decoder::Gzip(d) => d.try_finish(),
            Decoder::Deflate(d) => d.try_finish(),
            Decoder::Brotli(d) => d.close().map_err(io::Error::other),
        };
        match result {
            Ok(()) => Ok(self.written()),
            Err(e) => Err(self.classify(e)),
        }
    }

    /// The output's own failure if it had one, else a decoding error (the
    /// server's fault: exit 4).
    fn classify(&mut self, error: io::Error) -> Error {
        match self.counted().failure.take() {
            Some(failure) => failure,
            None => Error::Protocol(format!("decoding the body: {error}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use flate2::Compression;

    use super::*;

    fn decode(coding: Coding, data: &[u8], limit: Option<u64>) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        let mut decoder = Decoder::new(coding, Counted::new(&mut out, "test".into(), limit));
        for chunk in data.chunks(7) {
            decoder.push(chunk)?;
        }
        decoder.finish()?;
        Ok(out)
    }

    fn text() -> Vec<u8> {
        b"<p>hello, loopback</p>\n".repeat(200)
    }

    #[test]
    fn decodes_gzip_deflate_and_brotli_in_chunks() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&text()).unwrap();
        assert_eq!(
            decode(Coding::Gzip, &gz.finish().unwrap(), None).unwrap(),
            text()
        );
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
        z.write_all(&text()).unwrap();
        assert_eq!(
            decode(Coding::Deflate, &z.finish().unwrap(), None).unwrap(),
            text()
        );
        let mut br = Vec::new();
        brotli::BrotliCompress(&mut &text()[..], &mut br, &Default::default()).unwrap();
        assert_eq!(decode(Coding::Brotli, &br, None).unwrap(), text());
    }

    #[test]
    fn corrupt_or_truncated_streams_are_protocol_errors() {
        let e = decode(Coding::Gzip, b"definitely not gzip", None).unwrap_err();
        assert!(matches!(e, Error::Protocol(_)), "{e}");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&text()).unwrap();
        let whole = gz.finish().unwrap();
        let e = decode(Coding::Gzip, &whole[..whole.len() / 2], None).unwrap_err();
        assert!(matches!(e, Error::Protocol(_)), "{e}");
    }

    #[test]
    fn the_limit_applies_to_the_decoded_size() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&text()).unwrap();
        let small = gz.finish().unwrap();
        let e = decode(Coding::Gzip, &small, Some(small.len() as u64 + 10)).unwrap_err();
        assert!(matches!(e, Error::TooLarge { .. }), "{e}");
        assert!(decode(Coding::Identity, b"12345", Some(5)).is_ok());
        assert!(decode(Coding::Identity, b"123456", Some(5)).is_err());
    }

    #[test]
    fn names_codings() {
        assert_eq!(Coding::from_header(None), Some(Coding::Identity));
        assert_eq!(Coding::from_header(Some(" GZIP ")), Some(Coding::Gzip));
        assert_eq!(Coding::from_header(Some("br")), Some(Coding::Brotli));
        assert_eq!(Coding::from_header(Some("gzip, br")), None);
    }
}
