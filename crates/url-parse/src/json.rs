//! The JSON line of a report, written by hand into a reused buffer.
//!
//! This is the batch hot path (SPEC §8: a million URLs to JSON Lines at 2 M/s
//! or more). It writes the same object as `Report`'s `Serialize` (a test holds
//! them equal) without serde's per-field calls: keys are constant bytes, and
//! the parts of href are copied as they are once one pass over href has found
//! nothing to escape, which is the common case (ASCII, percent-encoded).
//!
//! See: RFC 8259 §7 (strings)

use std::borrow::Cow;

use crate::decode::decode_into;
use crate::report::{Origin, Report};

/// Writes JSON lines, reusing its buffers from one report to the next.
#[derive(Default)]
pub struct LineWriter {
    buf: Vec<u8>,
    scratch: Vec<u8>,
}

impl LineWriter {
    /// A writer with empty buffers.
    pub fn new() -> LineWriter {
        LineWriter::default()
    }

    /// The report as one JSON object and a newline.
    pub fn line(&mut self, report: &Report<'_>) -> &[u8] {
        self.buf.clear();
        write_line(report, &mut self.buf, &mut self.scratch);
        &self.buf
    }

    /// Append the report's JSON object and a newline to `out`: the batch path,
    /// which writes every line of a chunk straight into one buffer (no copy).
    pub fn append(&mut self, report: &Report<'_>, out: &mut Vec<u8>) {
        write_line(report, out, &mut self.scratch);
    }
}

/// Append `report` as one JSON object and a newline to `buf`; `scratch` holds
/// decoded values on their way.
fn write_line(r: &Report<'_>, buf: &mut Vec<u8>, scratch: &mut Vec<u8>) {
    // Keys take about 300 bytes, and href's parts add up to a few times its length.
    buf.reserve(320 + 6 * r.href.len());
    // Every getter is a piece of href, so one look at href tells whether any of
    // them needs escaping: Ada's href is ASCII with C0 controls percent-encoded,
    // but an opaque path may keep a quote or a backslash.
    let mut w = Writer {
        clean: !needs_escape(r.href.as_bytes()),
        buf,
        scratch,
    };
    // The ten getters that are always strings: quotes folded into the keys.
    w.raw(b"{\"href\":\"");
    w.body(r.href);
    w.raw(b"\",\"protocol\":\"");
    w.body(r.protocol);
    w.raw(b"\",\"username\":\"");
    w.body(r.username);
    w.raw(b"\",\"password\":\"");
    w.body(r.password);
    w.raw(b"\",\"host\":\"");
    w.body(r.host);
    w.raw(b"\",\"hostname\":\"");
    w.body(r.hostname);
    w.raw(b"\",\"port\":\"");
    w.body(r.port);
    w.raw(b"\",\"pathname\":\"");
    w.body(r.pathname);
    w.raw(b"\",\"search\":\"");
    w.body(r.search);
    w.raw(b"\",\"hash\":\"");
    w.body(r.hash);
    w.raw(b"\"");
    w.raw(b",\"origin\":");
    match &r.origin {
        Origin::Tuple(protocol, host) => w.pieces(&[protocol, "//", host]),
        Origin::Opaque => w.raw(b"\"null\""),
        Origin::Owned(origin) => w.text(origin),
    }
    w.raw(b",\"scheme\":\"");
    w.body(r.scheme);
    w.raw(b"\"");
    w.raw(b",\"effective_port\":");
    match r.effective_port {
        Some(port) => number(w.buf, port),
        None => w.raw(b"null"),
    }
    w.raw(b",\"host_kind\":");
    w.optional(r.host_kind.map(|k| k.name()));
    w.raw(b",\"host_unicode\":");
    match &r.host_unicode {
        // Borrowed: the hostname itself, a piece of href.
        Some(Cow::Borrowed(host)) => w.piece(host),
        Some(Cow::Owned(host)) => w.text(host),
        None => w.raw(b"null"),
    }
    w.raw(b",\"directory\":");
    w.optional(r.directory);
    w.raw(b",\"file\":");
    w.optional(r.file);
    w.raw(if r.default_document {
        b",\"default_document\":true,\"segments\":["
    } else {
        b",\"default_document\":false,\"segments\":["
    });
    if let Some(path) = r.segments.path() {
        w.segments(path);
    }
    w.raw(b"],\"query\":[");
    w.query(r.query.text());
    w.raw(b"],\"request_target\":");
    match &r.request_target {
        Some(target) => w.pieces(&target.parts()),
        None => w.raw(b"null"),
    }
    w.raw(b",\"registrable_domain\":");
    w.optional(r.registrable_domain);
    w.raw(b",\"subdomain\":");
    w.optional(r.subdomain);
    w.raw(b"}\n");
}

/// Writes JSON pieces; `clean` says that pieces of href need no escaping.
struct Writer<'b> {
    buf: &'b mut Vec<u8>,
    scratch: &'b mut Vec<u8>,
    clean: bool,
}

impl Writer<'_> {
    #[inline]
    fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The inside of a string that is a piece of href.
    #[inline]
    fn body(&mut self, piece: &str) {
        if piece.is_empty() {
            return;
        }
        if self.clean {
            self.buf.extend_from_slice(piece.as_bytes());
        } else {
            escaped(self.buf, piece.as_bytes());
        }
    }

    /// An optional piece of href (or a constant).
    #[inline]
    fn optional(&mut self, value: Option<&str>) {
        match value {
            Some(value) => self.piece(value),
            None => self.raw(b"null"),
        }
    }

    /// One string that is a piece of href (or a constant).
    #[inline]
    fn piece(&mut self, piece: &str) {
        self.buf.push(b'"');
        self.body(piece);
        self.buf.push(b'"');
    }

    /// One string made of pieces of href (or constants).
    fn pieces(&mut self, pieces: &[&str]) {
        self.buf.push(b'"');
        for piece in pieces {
            self.body(piece);
        }
        self.buf.push(b'"');
    }

    /// The path's segments (split on `/`), decoded, comma-separated: one pass
    /// over the path finds both the cuts and whether a segment has a `%`.
    fn segments(&mut self, path: &str) {
        let bytes = path.as_bytes();
        let mut start = 0;
        let mut escapes = false;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'/' {
                self.segment(&path[start..i], escapes);
                self.buf.push(b',');
                start = i + 1;
                escapes = false;
            } else if b == b'%' {
                escapes = true;
            }
        }
        self.segment(&path[start..], escapes);
    }

    #[inline]
    fn segment(&mut self, segment: &str, escapes: bool) {
        if escapes {
            self.decode(segment, false);
        } else {
            self.piece(segment);
        }
    }

    /// The query's `[name, value]` pairs, decoded, comma-separated, as
    /// [`Query::raw`](crate::report::Query::raw) splits them: one pass finds the
    /// `&` and the first `=` of each pair and whether a part has a `%` or a `+`.
    fn query(&mut self, query: &str) {
        let bytes = query.as_bytes();
        let mut first = true;
        let mut start = 0;
        // Where the first `=` of the current pair is, and whether the name
        // (before it) or the value (after it) needs decoding.
        let mut equals = None;
        let mut name_escapes = false;
        let mut value_escapes = false;
        for i in 0..=bytes.len() {
            let b = bytes.get(i).copied().unwrap_or(b'&');
            match b {
                b'&' => {
                    if i > start {
                        self.raw(if first { b"[" } else { b",[" });
                        first = false;
                        let (name, value) = match equals {
                            Some(e) => (&query[start..e], &query[e + 1..i]),
                            None => (&query[start..i], ""),
                        };
                        self.pair_part(name, name_escapes);
                        self.buf.push(b',');
                        self.pair_part(value, value_escapes);
                        self.buf.push(b']');
                    }
                    start = i + 1;
                    equals = None;
                    name_escapes = false;
                    value_escapes = false;
                }
                b'=' if equals.is_none() => equals = Some(i),
                b'%' | b'+' => {
                    if equals.is_some() {
                        value_escapes = true;
                    } else {
                        name_escapes = true;
                    }
                }
                _ => {}
            }
        }
    }

    #[inline]
    fn pair_part(&mut self, part: &str, escapes: bool) {
        if escapes {
            self.decode(part, true);
        } else {
            self.piece(part);
        }
    }

    /// A segment, name or value that has something to decode.
    fn decode(&mut self, raw: &str, plus_is_space: bool) {
        self.scratch.clear();
        decode_into(raw, plus_is_space, self.scratch);
        self.buf.push(b'"');
        match std::str::from_utf8(self.scratch) {
            Ok(text) => escaped(self.buf, text.as_bytes()),
            Err(_) => escaped(self.buf, String::from_utf8_lossy(self.scratch).as_bytes()),
        }
        self.buf.push(b'"');
    }

    /// Any text: checked for what needs escaping.
    fn text(&mut self, text: &str) {
        self.buf.push(b'"');
        escaped(self.buf, text.as_bytes());
        self.buf.push(b'"');
    }
}

fn escaped(buf: &mut Vec<u8>, bytes: &[u8]) {
    if !needs_escape(bytes) {
        buf.extend_from_slice(bytes);
        return;
    }
    for &b in bytes {
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0x00..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[usize::from(b >> 4)]);
                buf.push(HEX[usize::from(b & 0xf)]);
            }
            _ => buf.push(b),
        }
    }
}

/// Whether any byte is a quote, a backslash or a control character (< 0x20): eight
/// bytes at a time, with the classic "has a zero byte" bit trick.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let word_needs = |w: u64| {
        // A byte below 0x20: (w - 0x20 each) borrows into a high bit that w lacks.
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        control | has_zero(w ^ (ONES * u64::from(b'"'))) | has_zero(w ^ (ONES * u64::from(b'\\')))
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if word_needs(u64::from_le_bytes(word)) != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

fn number(buf: &mut Vec<u8>, n: u16) {
    let mut digits = [0u8; 5];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    /// The hand-written line and serde's serialization of the same report agree.
    fn same_as_serde(input: &str, base: Option<&str>) {
        let Ok(url) = parse(input, base) else {
            return;
        };
        let report = Report::new(&url);
        let mut writer = LineWriter::new();
        let buf = writer.line(&report).to_vec();
        assert_eq!(buf.last(), Some(&b'\n'));
        assert_eq!(buf.iter().filter(|&&b| b == b'\n').count(), 1, "{input}");
        let ours: serde_json::Value = serde_json::from_slice(&buf)
            .unwrap_or_else(|e| panic!("{input}: {e}: {}", String::from_utf8_lossy(&buf)));
        let theirs = serde_json::to_value(&report).unwrap();
        assert_eq!(ours, theirs, "{input}");
        // Same keys in the same order, too.
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text.trim_end(),
            serde_json::to_string(&report).unwrap(),
            "{input}"
        );
    }

    #[test]
    fn matches_serde_on_the_conformance_inputs() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/urltestdata.json");
        let text = std::fs::read_to_string(path).unwrap();
        let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        let mut checked = 0;
        for case in cases.iter().filter(|c| c.is_object()) {
            same_as_serde(case["input"].as_str().unwrap(), case["base"].as_str());
            checked += 1;
        }
        assert!(checked > 800);
    }

    #[test]
    fn escapes_and_numbers() {
        same_as_serde("foo:\"quoted\"\\%0A%01?q=%22&%5C=%0D#\u{7f}", None);
        same_as_serde("blob:https://a.example:65535/x", None);
        same_as_serde("http://h.example:0/", None);
        same_as_serde("http://h.example:1/%E2%82%AC?%E2%82%AC=%FF", None);
        for text in [
            "",
            "abcdefgh",
            "abcdefghi",
            "é€𝄞 plain/%20?&=",
            "\u{7f}\u{80}\u{ff}",
        ] {
            assert!(!needs_escape(text.as_bytes()), "{text:?}");
        }
        for text in [
            "\"",
            "abcdefg\\",
            "abcdefgh\n",
            "\u{1f}xxxxxxxxxx",
            "xxxxxxxx\0",
        ] {
            assert!(needs_escape(text.as_bytes()), "{text:?}");
        }
        let mut buf = Vec::new();
        number(&mut buf, 0);
        number(&mut buf, 65535);
        assert_eq!(buf, b"065535");
    }
}
