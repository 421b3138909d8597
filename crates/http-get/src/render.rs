//! Output of `http-get` other than the body: verbose lines, the `-w` timing
//! table, the `--json` summary, and the response head for `-i` / `-I`.

use std::fmt;
use std::time::Instant;

use netlens_core::Ctx;
use netlens_core::timing::millis;
use serde::Serialize;

use crate::exchange::Marks;
use crate::tls::TlsInfo;

/// With `-v`, write `* message` on stderr.
pub fn say(ctx: &mut Ctx, verbose: bool, message: fmt::Arguments<'_>) {
    if verbose {
        // Stderr failing is no reason to fail the request.
        let _ = writeln!(ctx.err(), "* {message}");
    }
}

/// Milliseconds per phase (durations, or offsets from the start of the run).
///
/// `tls` is null for plain http.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Phases {
    /// Name resolution.
    pub dns: f64,
    /// TCP connect (and proxy tunnel).
    pub connect: f64,
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
    /// Durations of each phase of the last exchange, and the whole run's total.
    pub fn durations(marks: &Marks, run_start: Instant) -> Phases {
        let d = |from: Instant, to: Instant| millis(to.saturating_duration_since(from));
        let secure = marks.tls.unwrap_or(marks.connect);
        Phases {
            dns: d(marks.start, marks.dns),
            connect: d(marks.dns, marks.connect),
            tls: marks.tls.map(|t| d(marks.connect, t)),
            request: d(secure, marks.request),
            first_byte: d(marks.request, marks.first_byte),
            body: d(marks.first_byte, marks.body),
            total: d(run_start, marks.body),
        }
    }

    /// When each phase ended, from the start of the run (curl's cumulative timers).
    pub fn offsets(marks: &Marks, run_start: Instant) -> Phases {
        let at = |to: Instant| millis(to.saturating_duration_since(run_start));
        Phases {
            dns: at(marks.dns),
            connect: at(marks.connect),
            tls: marks.tls.map(at),
            request: at(marks.request),
            first_byte: at(marks.first_byte),
            body: at(marks.body),
            total: at(marks.body),
        }
    }

    /// When each phase started, from the start of the run.
    pub fn starts(marks: &Marks, run_start: Instant) -> Phases {
        let at = |to: Instant| millis(to.saturating_duration_since(run_start));
        Phases {
            dns: at(marks.start),
            connect: at(marks.dns),
            tls: marks.tls.map(|_| at(marks.connect)),
            request: at(marks.tls.unwrap_or(marks.connect)),
            first_byte: at(marks.request),
            body: at(marks.first_byte),
            total: 0.0,
        }
    }

    fn rows(&self) -> [(&'static str, Option<f64>); 7] {
        [
            ("dns", Some(self.dns)),
            ("connect", Some(self.connect)),
            ("tls", self.tls),
            ("request", Some(self.request)),
            ("first_byte", Some(self.first_byte)),
            ("body", Some(self.body)),
            ("total", Some(self.total)),
        ]
    }
}

/// The `-w` table: each phase's own duration, and when it started and
/// ended, counted from the start of the run.
pub fn timing_table(marks: &Marks, run_start: Instant, color: bool) -> String {
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
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub http_version: String,
    /// Response header fields, `[name, value]`, names in lower case.
    pub headers: Vec<[String; 2]>,
    /// The address connected to.
    pub remote_addr: String,
    /// The local address and port of the socket.
    pub local_addr: String,
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
}

/// The response head for `-i` / `-I`: status line and header lines as hyper
/// parsed them, header names as sent when the raw head is available.
pub fn head_text(
    raw_head: &[u8],
    complete: bool,
    fallback: &http::response::Parts,
    reason: &str,
) -> Vec<u8> {
    if complete && !raw_head.is_empty() {
        // Skip interim 1xx heads: -i shows the final response.
        let text = raw_head;
        let mut start = 0;
        while let Some(end) = find(&text[start..], b"\r\n\r\n") {
            let next = start + end + 4;
            if next >= text.len() {
                break;
            }
            start = next;
        }
        return text[start..].to_vec();
    }
    let mut out = format!(
        "{:?} {} {reason}\r\n",
        fallback.version,
        fallback.status.as_u16()
    )
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

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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
                dns: ms(12),
                connect: ms(15),
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
            (2.0, 3.0, Some(10.0), 1.0)
        );
        assert_eq!((d.first_byte, d.body, d.total), (4.0, 10.0, 40.0));
        assert_eq!(
            (o.dns, o.tls, o.first_byte, o.total),
            (12.0, Some(25.0), 30.0, 40.0)
        );
        let (m, t0) = marks(false);
        let d = Phases::durations(&m, t0);
        assert_eq!((d.tls, d.request), (None, 11.0));
        let s = Phases::starts(&m, t0);
        assert_eq!(
            (s.dns, s.connect, s.tls, s.request, s.body),
            (10.0, 12.0, None, 15.0, 30.0)
        );
        let table = timing_table(&m, t0, false);
        assert!(table.contains("first_byte"));
        assert!(table.contains("start ms"));
    }

    #[test]
    fn head_text_skips_interim_responses() {
        let raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\n";
        let parts = http::Response::new(()).into_parts().0;
        assert_eq!(
            head_text(raw, true, &parts, "OK"),
            b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"
        );
        let built = head_text(b"", false, &parts, "OK");
        assert!(built.starts_with(b"HTTP/1.1 200 OK\r\n"));
    }
}
