//! HTTP/2 frames as the tap sees them: a reader that follows the frame
//! headers in a byte stream (either direction, the client's connection
//! preface skipped), and how `-v` names a frame, its flags and error codes.
//!
//! Only the 9-byte frame header is decoded, plus the error code of GOAWAY and
//! RST_STREAM; payloads are hyper's (and h2's) business.
//!
//! See: RFC 9113 §4.1 (frame format), §6 (frame definitions), §7 (error codes).

use std::fmt;

/// The client connection preface. See: RFC 9113 §3.4.
pub(crate) const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Frame types. See: RFC 9113 §6.
const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const PING: u8 = 0x6;
const GOAWAY: u8 = 0x7;
const CONTINUATION: u8 = 0x9;

/// Flags.
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const PADDED: u8 = 0x8;
const PRIORITY: u8 = 0x20;

/// One frame header, and the error code for GOAWAY and RST_STREAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Frame {
    /// The frame type.
    pub kind: u8,
    /// The flags.
    pub flags: u8,
    /// The stream identifier.
    pub stream: u32,
    /// The payload's length.
    pub len: u32,
    /// The error code of a GOAWAY or RST_STREAM.
    pub error: Option<u32>,
}

impl Frame {
    /// Whether the frame carries (part of) a header block on a stream.
    pub fn is_header_block(&self) -> bool {
        matches!(self.kind, HEADERS | CONTINUATION) && self.stream > 0
    }

    /// Whether the frame ends its stream's message (HEADERS or DATA with END_STREAM).
    pub fn ends_message(&self) -> bool {
        matches!(self.kind, HEADERS | DATA) && self.flags & END_STREAM != 0 && self.stream > 0
    }

    fn name(&self) -> String {
        let name = match self.kind {
            DATA => "DATA",
            HEADERS => "HEADERS",
            0x2 => "PRIORITY",
            RST_STREAM => "RST_STREAM",
            SETTINGS => "SETTINGS",
            0x5 => "PUSH_PROMISE",
            PING => "PING",
            GOAWAY => "GOAWAY",
            0x8 => "WINDOW_UPDATE",
            CONTINUATION => "CONTINUATION",
            other => return format!("UNKNOWN(0x{other:02x})"),
        };
        name.to_string()
    }

    fn flag_names(&self) -> Vec<&'static str> {
        let ack = matches!(self.kind, SETTINGS | PING);
        let carries = matches!(self.kind, DATA | HEADERS);
        let mut names = Vec::new();
        if self.flags & 0x1 != 0 {
            names.push(if ack {
                "ACK"
            } else if carries {
                "END_STREAM"
            } else {
                "0x1"
            });
        }
        if self.flags & END_HEADERS != 0 && matches!(self.kind, HEADERS | CONTINUATION | 0x5) {
            names.push("END_HEADERS");
        }
        if self.flags & PADDED != 0 && matches!(self.kind, DATA | HEADERS | 0x5) {
            names.push("PADDED");
        }
        if self.flags & PRIORITY != 0 && self.kind == HEADERS {
            names.push("PRIORITY");
        }
        names
    }
}

impl fmt::Display for Frame {
    /// `HEADERS stream 1, flags 0x05 (END_STREAM END_HEADERS), 31 bytes`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} stream {}, flags 0x{:02x}",
            self.name(),
            self.stream,
            self.flags
        )?;
        let names = self.flag_names();
        if !names.is_empty() {
            write!(f, " ({})", names.join(" "))?;
        }
        write!(f, ", {} bytes", self.len)?;
        if let Some(code) = self.error {
            write!(f, ", error {}", error_name(code))?;
        }
        Ok(())
    }
}

/// The name of an HTTP/2 error code (`PROTOCOL_ERROR`). See: RFC 9113 §7.
pub(crate) fn error_name(code: u32) -> String {
    // h2 names the codes RFC 9113 defines (0 to 0xd); others are shown in hex.
    match code {
        0..=0xd => format!("{:?}", h2::Reason::from(code)),
        _ => format!("0x{code:x}"),
    }
}

/// Follows frame headers through a byte stream fed in pieces of any size.
#[derive(Debug, Clone, Default)]
pub(crate) struct FrameReader {
    /// Preface bytes still to skip (the client's side starts with it).
    preface_left: usize,
    /// The frame header read so far.
    header: Vec<u8>,
    /// The frame whose payload is being read.
    current: Option<Frame>,
    /// Payload bytes of `current` still to come.
    payload_left: usize,
    /// The first payload bytes of a GOAWAY or RST_STREAM (up to 8).
    code: Vec<u8>,
}

impl FrameReader {
    /// A reader for what the client writes (the preface first).
    pub fn client() -> FrameReader {
        FrameReader {
            preface_left: PREFACE.len(),
            ..FrameReader::default()
        }
    }

    /// A reader for what the server writes.
    pub fn server() -> FrameReader {
        FrameReader::default()
    }

    /// Read `bytes`, calling `each` with every frame completed in them.
    pub fn feed(&mut self, mut bytes: &[u8], each: &mut impl FnMut(Frame)) {
        let skip = self.preface_left.min(bytes.len());
        self.preface_left -= skip;
        bytes = &bytes[skip..];
        while !bytes.is_empty() {
            match self.current {
                None => {
                    let take = (9 - self.header.len()).min(bytes.len());
                    self.header.extend_from_slice(&bytes[..take]);
                    bytes = &bytes[take..];
                    if self.header.len() == 9 {
                        self.start_frame();
                    }
                }
                Some(_) => {
                    let take = self.payload_left.min(bytes.len());
                    let room = 8usize.saturating_sub(self.code.len()).min(take);
                    self.code.extend_from_slice(&bytes[..room]);
                    self.payload_left -= take;
                    bytes = &bytes[take..];
                }
            }
            if self.payload_left == 0
                && let Some(frame) = self.current.take()
            {
                each(self.finish_frame(frame));
            }
        }
    }

    fn start_frame(&mut self) {
        let h = std::mem::take(&mut self.header);
        let len = u32::from_be_bytes([0, h[0], h[1], h[2]]);
        let stream = u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & 0x7fff_ffff;
        self.current = Some(Frame {
            kind: h[3],
            flags: h[4],
            stream,
            len,
            error: None,
        });
        self.payload_left = len as usize;
        self.code.clear();
    }

    fn finish_frame(&mut self, mut frame: Frame) -> Frame {
        let at = match frame.kind {
            GOAWAY => Some(4),
            RST_STREAM => Some(0),
            _ => None,
        };
        if let Some(at) = at
            && let Some(code) = self.code.get(at..at + 4)
        {
            frame.error = Some(u32::from_be_bytes([code[0], code[1], code[2], code[3]]));
        }
        frame
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let len = payload.len() as u32;
        let mut out = len.to_be_bytes()[1..].to_vec();
        out.extend_from_slice(&[kind, flags]);
        out.extend_from_slice(&stream.to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    fn read(reader: &mut FrameReader, bytes: &[u8], piece: usize) -> Vec<Frame> {
        let mut frames = Vec::new();
        for chunk in bytes.chunks(piece) {
            reader.feed(chunk, &mut |f| frames.push(f));
        }
        frames
    }

    #[test]
    fn follows_frames_across_pieces_after_the_preface() {
        let mut bytes = PREFACE.to_vec();
        bytes.extend(frame(SETTINGS, 0, 0, &[0; 12]));
        bytes.extend(frame(HEADERS, END_STREAM | END_HEADERS, 1, b"abc"));
        bytes.extend(frame(DATA, 0, 1, &[]));
        for piece in [1, 5, 100] {
            let frames = read(&mut FrameReader::client(), &bytes, piece);
            assert_eq!(frames.len(), 3, "piece {piece}");
            assert_eq!(
                frames[0].to_string(),
                "SETTINGS stream 0, flags 0x00, 12 bytes"
            );
            assert_eq!(
                frames[1].to_string(),
                "HEADERS stream 1, flags 0x05 (END_STREAM END_HEADERS), 3 bytes"
            );
            assert!(frames[1].ends_message() && frames[1].is_header_block());
            assert_eq!(frames[2].len, 0);
        }
    }

    #[test]
    fn names_error_codes_of_goaway_and_rst_stream() {
        let mut bytes = frame(GOAWAY, 0, 0, &[0, 0, 0, 1, 0, 0, 0, 0xb, b'x']);
        bytes.extend(frame(RST_STREAM, 0, 3, &[0, 0, 0, 2]));
        bytes.extend(frame(SETTINGS, 1, 0, &[]));
        let frames = read(&mut FrameReader::server(), &bytes, 3);
        assert_eq!(
            frames[0].to_string(),
            "GOAWAY stream 0, flags 0x00, 9 bytes, error ENHANCE_YOUR_CALM"
        );
        assert_eq!(frames[1].error, Some(2));
        assert_eq!(
            frames[2].to_string(),
            "SETTINGS stream 0, flags 0x01 (ACK), 0 bytes"
        );
        assert_eq!(error_name(0x42), "0x42");
    }
}
