//! Output of `http-get` other than the body: the [`Printer`] (every verbose
//! line, and the `-w` timing table), the `--json` summary, and the response
//! head for `-i` / `-I`.

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use netlens_core::Ctx;
use netlens_core::timing::millis;
use serde::Serialize;

use crate::exchange::{Exchange, Marks};
use crate::net::{Failed, Resolved};
use crate::proxy::Proxy;
use crate::request::{RequestHead, redact};
use crate::retry::Attempt;
use crate::tap::{Dir, Seen};
use crate::tls::TlsInfo;

/// Everything http-get tells on stderr besides errors: one method per
/// section, `-v` and `-w` decided once here rather than at every call.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Printer {
    verbose: bool,
    timing: bool,
}

impl Printer {
    /// A printer for `-v` and `-w`.
    pub fn new(verbose: bool, timing: bool) -> Printer {
        Printer { verbose, timing }
    }

    /// The same printer without the `-w` table (`-n` shows statistics instead).
    pub fn without_timing(self) -> Printer {
        Printer {
            timing: false,
            ..self
        }
    }

    /// With `-v`, write `* message` on stderr.
    fn say(&self, ctx: &mut Ctx, message: fmt::Arguments<'_>) {
        if self.verbose {
            // Stderr failing is no reason to fail the request.
            let _ = writeln!(ctx.err(), "* {message}");
        }
    }

    /// Write verbose lines as they are (already prefixed).
    fn lines(&self, ctx: &mut Ctx, lines: &str) {
        if self.verbose {
            let _ = ctx.err().write_all(lines.as_bytes());
        }
    }

    /// The addresses found for `host`, and the connection attempts to come.
    pub fn resolved(&self, ctx: &mut Ctx, host: &str, resolved: &Resolved, took: Duration) {
        let list = resolved
            .addrs
            .iter()
            .map(|a| a.ip().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let source = resolved.source.describe();
        let ms = millis(took);
        self.say(
            ctx,
            format_args!("resolve {host}: {list} ({source}, {ms:.3} ms)"),
        );
        if let [only] = resolved.addrs.as_slice() {
            self.say(ctx, format_args!("connect to {only} ..."));
        }
        if resolved.addrs.len() > 1 {
            let n = resolved.addrs.len();
            self.say(
                ctx,
                format_args!(
                    "happy eyeballs: {n} addresses, a new attempt every 250 ms until one connects"
                ),
            );
        }
    }

    /// The attempts that failed, then the socket that connected.
    pub fn connected(
        &self,
        ctx: &mut Ctx,
        failed: &[Failed],
        (local, remote): (SocketAddr, SocketAddr),
        took: Duration,
    ) {
        for f in failed {
            self.say(
                ctx,
                format_args!("connect to {} failed: {}", f.addr, f.reason),
            );
        }
        let ms = millis(took);
        self.say(
            ctx,
            format_args!("socket {local} -> {remote}: connected in {ms:.3} ms"),
        );
    }

    /// A connection kept from an earlier request used again.
    pub fn reuse(&self, ctx: &mut Ctx, id: u32, authority: &str) {
        self.say(ctx, format_args!("reusing connection #{id} to {authority}"));
    }

    /// A kept connection found closed by the server: a new one is opened.
    pub fn stale(&self, ctx: &mut Ctx, id: u32) {
        self.say(
            ctx,
            format_args!("connection #{id} was closed by the server meanwhile: opening a new one"),
        );
    }

    /// The proxy gone through.
    pub fn proxy(&self, ctx: &mut Ctx, proxy: &Proxy) {
        let (url, from) = (proxy.target.display(), proxy.from);
        self.say(ctx, format_args!("proxy {url} (from {from})"));
    }

    /// The CONNECT request to the proxy.
    pub fn tunnel(&self, ctx: &mut Ctx, authority: &str) {
        self.say(
            ctx,
            format_args!("CONNECT {authority} HTTP/1.1 (through the proxy)"),
        );
    }

    /// The proxy's answer to CONNECT.
    pub fn tunnel_answer(&self, ctx: &mut Ctx, status: http::StatusCode) {
        self.say(ctx, format_args!("proxy answered {status}"));
    }

    /// The TLS session and the server's certificate.
    pub fn tls(&self, ctx: &mut Ctx, info: &TlsInfo, took: Duration) {
        let alpn = info.alpn.as_deref().unwrap_or("none");
        let ms = millis(took);
        self.say(
            ctx,
            format_args!(
                "tls {} {}, alpn {alpn} ({ms:.3} ms)",
                info.version, info.cipher
            ),
        );
        self.say(
            ctx,
            format_args!(
                "certificate subject {}; issuer {}; expires {}",
                info.peer_subject.as_deref().unwrap_or("?"),
                info.peer_issuer.as_deref().unwrap_or("?"),
                info.not_after.as_deref().unwrap_or("?")
            ),
        );
    }

    /// The request head as written, credentials masked, and the body's size.
    pub fn request(&self, ctx: &mut Ctx, head: &RequestHead, written: u64) {
        let mut text = String::new();
        for line in head.lines() {
            text.push_str(&format!("> {line}\n"));
        }
        text.push_str(">\n");
        let body_len = written.saturating_sub(head.wire_len() as u64);
        if body_len > 0 {
            text.push_str(&format!("* request body: {body_len} bytes\n"));
        }
        self.lines(ctx, &text);
    }

    /// The HTTP/2 request fields (pseudo-header fields first), credentials masked.
    pub fn request_h2(&self, ctx: &mut Ctx, fields: &[(String, String)]) {
        let mut text = String::new();
        for (name, value) in fields {
            text.push_str(&format!("> {}\n", redact(&format!("{name}: {value}"))));
        }
        text.push_str(">\n");
        self.lines(ctx, &text);
    }

    /// The HTTP/2 response fields as hyper decoded them, `:status` first.
    pub fn response_h2(&self, ctx: &mut Ctx, head: &http::response::Parts) {
        let mut text = format!("< :status: {}\n", head.status.as_u16());
        for (name, value) in &head.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            text.push_str(&format!("< {name}: {value}\n"));
        }
        text.push_str("<\n");
        self.lines(ctx, &text);
    }

    /// The HTTP/2 frames each way, and the header blocks' sizes: as sent
    /// (HPACK-compressed) and plain (`plain`: the request's and the
    /// response's names and values, in bytes).
    pub fn frames(&self, ctx: &mut Ctx, seen: &Seen, plain: (usize, usize)) {
        if !self.verbose {
            return;
        }
        let mut text = String::from("* http/2 frames (> sent, < received):\n");
        let mut compressed = (0, 0);
        for (dir, frame) in &seen.frames {
            let (mark, size) = match dir {
                Dir::Sent => ('>', &mut compressed.0),
                Dir::Received => ('<', &mut compressed.1),
            };
            if frame.is_header_block() {
                *size += frame.len;
            }
            text.push_str(&format!("* {mark} {frame}\n"));
        }
        if seen.frames_left_out > 0 {
            text.push_str(&format!("* ... {} more frames\n", seen.frames_left_out));
        }
        text.push_str(&format!(
            "* header blocks: request {} bytes HPACK-compressed, {} plain; \
             response {} bytes HPACK-compressed, {} plain\n",
            compressed.0, plain.0, compressed.1, plain.1
        ));
        self.lines(ctx, &text);
    }

    /// The response head (interim ones included) exactly as received.
    pub fn response(&self, ctx: &mut Ctx, seen: &Seen) {
        let text = String::from_utf8_lossy(&seen.head);
        let mut lines = String::new();
        for line in text.trim_end_matches("\r\n").split("\r\n") {
            lines.push_str(&format!("< {line}\n"));
        }
        lines.push_str("<\n");
        self.lines(ctx, &lines);
    }

    /// An attempt that failed, and the retry to come.
    pub fn retrying(&self, ctx: &mut Ctx, attempt: usize, why: &str, wait: Duration, left: u32) {
        let secs = wait.as_secs_f64();
        self.say(
            ctx,
            format_args!(
                "attempt {attempt} failed: {why}; retrying in {secs:.3} s ({left} retries left)"
            ),
        );
    }

    /// A redirect about to be followed.
    pub fn redirect(&self, ctx: &mut Ctx, status: u16, next: &str) {
        self.say(ctx, format_args!("{status} redirect to {next}"));
    }

    /// A content coding that `--compressed` cannot decode.
    pub fn not_decoded(&self, ctx: &mut Ctx, encoding: Option<&str>) {
        self.say(
            ctx,
            format_args!("content encoding {encoding:?} not decoded: written as received"),
        );
    }

    /// A trailer field received after the body.
    pub fn trailer(&self, ctx: &mut Ctx, name: &http::HeaderName, value: &http::HeaderValue) {
        let value = String::from_utf8_lossy(value.as_bytes());
        self.say(ctx, format_args!("trailer {name}: {value}"));
    }

    /// The body's size and how long it took.
    pub fn body(&self, ctx: &mut Ctx, bytes: u64, took: Duration) {
        let ms = millis(took);
        self.say(ctx, format_args!("body: {bytes} bytes in {ms:.3} ms"));
    }

    /// Who closed the connection.
    pub fn closed(&self, ctx: &mut Ctx, by_server: bool, read_total: u64) {
        let who = if by_server {
            "the server closed the connection"
        } else {
            "http-get closed the connection"
        };
        self.say(ctx, format_args!("{who} ({read_total} bytes read in all)"));
    }

    /// With `-w`, the timing table.
    pub fn timing(&self, ctx: &mut Ctx, marks: &Marks, run_start: Instant) -> std::io::Result<()> {
        if !self.timing {
            return Ok(());
        }
        let table = timing_table(marks, run_start, ctx.color_err());
        writeln!(ctx.err(), "{table}")
    }
}

/// Milliseconds per phase (durations, or offsets from the start of the run).
///
/// `tls` is null for plain http; `dns`, `connect` and `tls` are null on a
/// reused connection.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Phases {
    /// Name resolution.
    pub dns: Option<f64>,
    /// TCP connect (and proxy tunnel).
    pub connect: Option<f64>,
    /// TLS handshake.
    pub tls: Option<f64>,
    /// Writing the request.
    pub request: f64,
    /// Waiting for the first response byte.
    pub first_byte: f64,
    /// Reading the body.
    pub body: f64,
    /// The whole run.
    pub total: f64,
}

impl Phases {
    /// The phases' names, in order.
    pub(crate) const NAMES: [&'static str; 7] = [
        "dns",
        "connect",
        "tls",
        "request",
        "first_byte",
        "body",
        "total",
    ];

    /// Durations of each phase of the last exchange, and the whole run's total.
    pub(crate) fn durations(marks: &Marks, run_start: Instant) -> Phases {
        let d = |from: Instant, to: Instant| millis(to.saturating_duration_since(from));
        Phases {
            dns: marks.dns.map(|t| d(marks.start, t)),
            connect: marks.dns.zip(marks.connect).map(|(a, b)| d(a, b)),
            tls: marks.connect.zip(marks.tls).map(|(a, b)| d(a, b)),
            request: d(marks.secure(), marks.request),
            first_byte: d(marks.request, marks.first_byte),
            body: d(marks.first_byte, marks.body),
            total: d(run_start, marks.body),
        }
    }

    /// When each phase ended, from the start of the run (curl's cumulative timers).
    pub(crate) fn offsets(marks: &Marks, run_start: Instant) -> Phases {
        let at = |to: Instant| millis(to.saturating_duration_since(run_start));
        Phases {
            dns: marks.dns.map(at),
            connect: marks.connect.map(at),
            tls: marks.tls.map(at),
            request: at(marks.request),
            first_byte: at(marks.first_byte),
            body: at(marks.body),
            total: at(marks.body),
        }
    }

    /// When each phase started, from the start of the run.
    pub(crate) fn starts(marks: &Marks, run_start: Instant) -> Phases {
        let at = |to: Instant| millis(to.saturating_duration_since(run_start));
        Phases {
            dns: marks.dns.map(|_| at(marks.start)),
            connect: marks.dns.map(at),
            tls: marks.tls.and(marks.connect).map(at),
            request: at(marks.secure()),
            first_byte: at(marks.request),
            body: at(marks.first_byte),
            total: 0.0,
        }
    }

    /// The value of the phase called `name`, if it took place.
    pub(crate) fn get(&self, name: &str) -> Option<f64> {
        self.rows()
            .into_iter()
            .find_map(|(n, v)| (n == name).then_some(v).flatten())
    }

    /// The table's rows: a reused connection has no dns, connect and tls phases.
    fn rows(&self) -> Vec<(&'static str, Option<f64>)> {
        let opened = self.dns.is_some();
        let opening = [
            ("dns", self.dns),
            ("connect", self.connect),
            ("tls", self.tls),
        ];
        let exchange = [
            ("request", Some(self.request)),
            ("first_byte", Some(self.first_byte)),
            ("body", Some(self.body)),
            ("total", Some(self.total)),
        ];
        let opening = opening.into_iter().filter(|_| opened);
        opening.chain(exchange).collect()
    }
}

/// The `-w` table: each phase's own duration, and when it started and
/// ended, counted from the start of the run.
pub(crate) fn timing_table(marks: &Marks, run_start: Instant, color: bool) -> String {
    let mut table =
        netlens_core::table::new(&["phase", "duration ms", "start ms", "end ms"], color);
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"));
    let durations = Phases::durations(marks, run_start).rows();
    let starts = Phases::starts(marks, run_start).rows();
    let ends = Phases::offsets(marks, run_start).rows();
    for i in 0..durations.len() {
        table.add_row(vec![
            durations[i].0.to_string(),
            fmt(durations[i].1),
            fmt(starts[i].1),
            fmt(ends[i].1),
        ]);
    }
    for column in 1..4 {
        if let Some(c) = table.column_mut(column) {
            c.set_cell_alignment(comfy_table::CellAlignment::Right);
        }
    }
    table.to_string()
}

/// One followed redirect in the JSON summary.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Redirect {
    /// The URL that answered with a redirect (password masked).
    pub url: String,
    /// Its status.
    pub status: u16,
}

/// The `--json` summary object.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The URL as given (password masked).
    pub url: String,
    /// The URL of the last request (after redirects).
    pub effective_url: String,
    /// The method of the last request.
    pub method: String,
    /// The status code.
    pub status: u16,
    /// The reason phrase as sent.
    pub reason: String,
    /// `HTTP/1.1`, `HTTP/1.0` or `HTTP/2`.
    pub http_version: String,
    /// Response header fields, `[name, value]`, names in lower case.
    pub headers: Vec<[String; 2]>,
    /// The address connected to.
    pub remote_addr: SocketAddr,
    /// The local address and port of the socket.
    pub local_addr: SocketAddr,
    /// Redirects followed.
    pub redirects: Vec<Redirect>,
    /// Phase durations.
    pub timings_ms: Phases,
    /// Phase end offsets from the start of the run.
    pub offsets_ms: Phases,
    /// Body bytes delivered (after decoding).
    pub body_bytes: u64,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The TLS session, null for http.
    pub tls: Option<TlsInfo>,
    /// The connection the (last) request went on.
    pub connection: ConnectionUse,
    /// With `--retry`: every attempt, the last one included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<Vec<Attempt>>,
}

/// Which connection of the run a request went on.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct ConnectionUse {
    /// Its number in the run, from 0.
    pub id: u32,
    /// Whether an earlier request of the run had opened it.
    pub reused: bool,
}

impl Summary {
    /// The summary of `ex`, whose body (`body_bytes` delivered) has been
    /// read: `urls` are the URL as given and the one fetched last.
    pub(crate) fn of(
        ex: &Exchange,
        (url, effective_url): (String, String),
        redirects: Vec<Redirect>,
        body_bytes: u64,
        run_start: Instant,
    ) -> Summary {
        let text = |v: &http::HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned();
        let headers = &ex.head.headers;
        Summary {
            url,
            effective_url,
            method: ex.method.to_string(),
            status: ex.head.status.as_u16(),
            reason: ex.reason(),
            http_version: version_text(ex.head.version).to_string(),
            headers: headers
                .iter()
                .map(|(n, v)| [n.to_string(), text(v)])
                .collect(),
            remote_addr: ex.conn.remote,
            local_addr: ex.conn.local,
            redirects,
            timings_ms: Phases::durations(&ex.marks, run_start),
            offsets_ms: Phases::offsets(&ex.marks, run_start),
            body_bytes,
            content_type: headers.get(http::header::CONTENT_TYPE).map(text),
            tls: ex.conn.tls.clone(),
            connection: ConnectionUse {
                id: ex.conn.id,
                reused: ex.conn.reused,
            },
            attempts: None,
        }
    }
}

/// The response head for `-i` / `-I`: the final head as received when the
/// tap kept it whole, else status line and header lines as hyper parsed them.
pub(crate) fn head_text(seen: &Seen, fallback: &http::response::Parts, reason: &str) -> Vec<u8> {
    if let Some(head) = seen.final_head() {
        return head.to_vec();
    }
    let (version, status) = (version_text(fallback.version), fallback.status.as_u16());
    // HTTP/2 has no reason phrase. See: RFC 9113 §8.3.2.
    let mut out = match fallback.version {
        http::Version::HTTP_2 => format!("{version} {status}\r\n"),
        _ => format!("{version} {status} {reason}\r\n"),
    }
    .into_bytes();
    for (name, value) in &fallback.headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// How a version is written in JSON and `-i`: `HTTP/1.1`, `HTTP/2`.
pub(crate) fn version_text(version: http::Version) -> &'static str {
    match version {
        http::Version::HTTP_09 => "HTTP/0.9",
        http::Version::HTTP_10 => "HTTP/1.0",
        http::Version::HTTP_2 => "HTTP/2",
        http::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
}

/// The plain size of header fields: names and values, in bytes.
pub(crate) fn plain_size<'a>(fields: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> usize {
    fields.into_iter().map(|(n, v)| n.len() + v.len()).sum()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn marks(tls: bool) -> (Marks, Instant) {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        (
            Marks {
                start: ms(10),
                dns: Some(ms(12)),
                connect: Some(ms(15)),
                tls: tls.then(|| ms(25)),
                request: ms(26),
                first_byte: ms(30),
                body: ms(40),
            },
            t0,
        )
    }

    #[test]
    fn durations_and_offsets_agree() {
        let (m, t0) = marks(true);
        let d = Phases::durations(&m, t0);
        let o = Phases::offsets(&m, t0);
        assert_eq!(
            (d.dns, d.connect, d.tls, d.request),
            (Some(2.0), Some(3.0), Some(10.0), 1.0)
        );
        assert_eq!((d.first_byte, d.body, d.total), (4.0, 10.0, 40.0));
        assert_eq!(
            (o.dns, o.tls, o.first_byte, o.total),
            (Some(12.0), Some(25.0), 30.0, 40.0)
        );
        let (m, t0) = marks(false);
        let d = Phases::durations(&m, t0);
        assert_eq!((d.tls, d.request), (None, 11.0));
        let s = Phases::starts(&m, t0);
        assert_eq!(
            (s.dns, s.connect, s.tls, s.request, s.body),
            (Some(10.0), Some(12.0), None, 15.0, 30.0)
        );
        let table = timing_table(&m, t0, false);
        assert!(table.contains("first_byte") && table.contains("tls"));
        assert!(table.contains("start ms"));
        // A reused connection: the exchange starts with the request.
        let reused = Marks {
            dns: None,
            connect: None,
            tls: None,
            ..m
        };
        let d = Phases::durations(&reused, t0);
        assert_eq!(
            (d.dns, d.connect, d.tls, d.request),
            (None, None, None, 16.0)
        );
        let table = timing_table(&reused, t0, false);
        assert!(!table.contains("dns") && !table.contains("connect") && !table.contains("tls"));
        assert!(table.contains("request"));
    }

    #[test]
    fn head_text_is_the_final_head_or_is_built() {
        let raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\n";
        let seen = Seen {
            head: raw.to_vec(),
            head_complete: true,
            head_start: 25,
            ..Seen::default()
        };
        let parts = http::Response::new(()).into_parts().0;
        assert_eq!(
            head_text(&seen, &parts, "OK"),
            b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"
        );
        let built = head_text(&Seen::default(), &parts, "OK");
        assert!(built.starts_with(b"HTTP/1.1 200 OK\r\n"));
    }
}
