//! The body on its way out: content decoding (`--compressed`: gzip, deflate,
//! br), the `--max-filesize` limit on the decoded size, and byte counting.
//!
//! Decoders are write-side (flate2 and brotli writers), so the body streams
//! through in constant memory: each chunk read from the socket is pushed in,
//! slice by slice, and what a slice decodes to goes on to the output (given
//! at each push, so that the caller keeps its context between chunks).

use std::io::{self, Write};

use crate::error::Error;

/// Size of brotli's internal buffer.
const BROTLI_BUFFER: usize = 64 * 1024;

/// A content coding http-get can decode.
///
/// See: RFC 9110 §8.4.1 (gzip, deflate) and RFC 7932 (br).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coding {
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
    pub(crate) fn from_header(value: Option<&str>) -> Option<Coding> {
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

/// Counts what reaches the output and enforces the size limit.
pub(crate) struct Counted {
    name: String,
    limit: Option<u64>,
    /// Bytes written to the output (decoded).
    written: u64,
}

impl Counted {
    /// Count what goes to the output called `name`, refusing to go past `limit`.
    pub fn new(name: String, limit: Option<u64>) -> Counted {
        Counted {
            name,
            limit,
            written: 0,
        }
    }

    /// Write `buf` to `out`, within the limit.
    fn deliver(&mut self, out: &mut dyn Write, buf: &[u8]) -> Result<(), Error> {
        if let Some(limit) = self.limit
            && self.written + buf.len() as u64 > limit
        {
            return Err(Error::TooLarge { limit });
        }
        out.write_all(buf).map_err(|source| Error::Output {
            path: self.name.clone(),
            source,
        })?;
        self.written += buf.len() as u64;
        Ok(())
    }
}

/// The decoding stage: decoders write into a buffer that is handed on to
/// the output after every slice of input.
enum Stage {
    /// Bytes pass through.
    Identity,
    /// gzip.
    Gzip(flate2::write::GzDecoder<Vec<u8>>),
    /// zlib-wrapped deflate.
    Deflate(flate2::write::ZlibDecoder<Vec<u8>>),
    /// Brotli.
    Brotli(Box<brotli::DecompressorWriter<Vec<u8>>>),
}

/// Input slice fed to a decoder at once: what one slice decodes to is held
/// in memory before it is written, so it is kept small (deflate expands at
/// most about 1000 times).
const SLICE: usize = 8 * 1024;

/// The body's way to the output: decoding, then counting.
pub(crate) struct Decoder {
    stage: Stage,
    counted: Counted,
}

impl Decoder {
    /// A decoder for `coding` in front of `counted`.
    pub fn new(coding: Coding, counted: Counted) -> Decoder {
        let stage = match coding {
            Coding::Identity => Stage::Identity,
            Coding::Gzip => Stage::Gzip(flate2::write::GzDecoder::new(Vec::new())),
            Coding::Deflate => Stage::Deflate(flate2::write::ZlibDecoder::new(Vec::new())),
            Coding::Brotli => Stage::Brotli(Box::new(brotli::DecompressorWriter::new(
                Vec::new(),
                BROTLI_BUFFER,
            ))),
        };
        Decoder { stage, counted }
    }

    fn buffer(&mut self) -> Option<&mut Vec<u8>> {
        match &mut self.stage {
            Stage::Identity => None,
            Stage::Gzip(d) => Some(d.get_mut()),
            Stage::Deflate(d) => Some(d.get_mut()),
            Stage::Brotli(d) => Some(d.get_mut()),
        }
    }

    /// Hand what has been decoded so far to `out`.
    fn drain(&mut self, out: &mut dyn Write) -> Result<(), Error> {
        let Some(buffer) = self.buffer() else {
            return Ok(());
        };
        let decoded = std::mem::take(buffer);
        self.counted.deliver(out, &decoded)?;
        // The buffer's allocation is kept for the next slice.
        if let Some(buffer) = self.buffer() {
            *buffer = decoded;
            buffer.clear();
        }
        Ok(())
    }

    /// Push a chunk of the body as received, writing what it decodes to into `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut dyn Write) -> Result<(), Error> {
        if let Stage::Identity = self.stage {
            return self.counted.deliver(out, chunk);
        }
        for slice in chunk.chunks(SLICE) {
            let result = match &mut self.stage {
                Stage::Identity => Ok(()),
                Stage::Gzip(d) => d.write_all(slice),
                Stage::Deflate(d) => d.write_all(slice),
                Stage::Brotli(d) => d.write_all(slice),
            };
            result.map_err(corrupt)?;
            self.drain(out)?;
        }
        Ok(())
    }

    /// The body has ended: flush the decoder, checking that its stream is
    /// complete, and the output; returns the decoded size.
    pub fn finish(mut self, out: &mut dyn Write) -> Result<u64, Error> {
        let result = match &mut self.stage {
            Stage::Identity => Ok(()),
            Stage::Gzip(d) => d.try_finish(),
            Stage::Deflate(d) => d.try_finish(),
            Stage::Brotli(d) => d.close().map_err(io::Error::other),
        };
        result.map_err(corrupt)?;
        self.drain(out)?;
        out.flush().map_err(|source| Error::Output {
            path: self.counted.name.clone(),
            source,
        })?;
        Ok(self.counted.written)
    }
}

/// A decoding error: the server's fault (exit 4).
fn corrupt(error: io::Error) -> Error {
    Error::Protocol(format!("decoding the body: {error}"))
}

#[cfg(test)]
mod tests {
    use flate2::Compression;

    use super::*;

    fn decode(coding: Coding, data: &[u8], limit: Option<u64>) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        let mut decoder = Decoder::new(coding, Counted::new("test".into(), limit));
        for chunk in data.chunks(7) {
            decoder.push(chunk, &mut out)?;
        }
        let written = decoder.finish(&mut out)?;
        assert_eq!(written, out.len() as u64);
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
