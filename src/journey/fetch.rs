//! Step 5: socket, connect, write, read, close, with http-get's exchange:
//! its Happy Eyeballs connect from an ephemeral port, hyper's HTTP/1.1
//! framing over a tap that sees every byte, and its phase marks. The body is
//! counted and dropped; the connection is closed and who closed it noted.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_get::exchange::{self, Settings};
use http_get::render::Phases;
use http_get::request::RequestSpec;
use http_get::target::Target;
use http_get::tls::TlsInfo;
use netlens_core::Ctx;
use netlens_core::timing::millis;
use serde::Serialize;

use crate::journey::error::Error;

/// The connection: its two ends, its phases and the bytes each way.
#[derive(Debug, Serialize)]
pub struct Connection {
    /// The server's end of the socket.
    pub remote_addr: SocketAddr,
    /// Our end: the kernel picked its ephemeral port.
    pub local_addr: SocketAddr,
    /// The ephemeral port alone.
    pub local_port: u16,
    /// Each phase's duration, in milliseconds (`dns` is 0: resolved before).
    pub timings_ms: Timings,
    /// When each phase ended, from the moment the socket was opened.
    pub offsets_ms: Timings,
    /// The request's size as written.
    pub bytes_written: u64,
    /// Every byte read: the response head, the body and its framing.
    pub bytes_read: u64,
    /// `client` (we closed after the body) or `server` (it closed first).
    pub closed_by: &'static str,
    /// The TLS session, for https.
    pub tls: Option<TlsInfo>,
}

/// http-get's phases, and the close.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Timings {
    /// Socket and TCP connect (the three-way handshake).
    pub connect: f64,
    /// TLS handshake (null for http).
    pub tls: Option<f64>,
    /// Writing the request.
    pub request: f64,
    /// Waiting for the first byte of the response.
    pub first_byte: f64,
    /// Reading the rest of the response.
    pub body: f64,
    /// Closing the connection.
    pub close: f64,
    /// Everything, from the socket to the close.
    pub total: f64,
}

impl Timings {
    fn of(phases: Phases, close: f64, total: f64) -> Timings {
        Timings {
            connect: phases.connect,
            tls: phases.tls,
            request: phases.request,
            first_byte: phases.first_byte,
            body: phases.body,
            close,
            total,
        }
    }
}

/// The response, as received.
#[derive(Debug, Serialize)]
pub struct Response {
    /// The status line as received (`HTTP/1.1 200 OK`).
    pub status_line: String,
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: String,
    /// The header fields, names as received, in order.
    pub headers: Vec<[String; 2]>,
    /// The response head's size on the wire.
    pub head_bytes: usize,
    /// The body's size as received.
    pub body_bytes: u64,
    /// The Content-Type, if any.
    pub content_type: Option<String>,
}

/// Open the connection for `target` (addresses from `settings.overrides` or
/// the address literal), send the request, read the response to its end
/// and close; all of it within `limit`.
pub async fn fetch(
    ctx: &mut Ctx,
    target: &Target,
    spec: &RequestSpec,
    settings: &Settings,
    limit: Duration,
) -> Result<(Connection, Response), Error> {
    let timed_out = || Error::Timeout {
        what: "connection",
        secs: limit.as_secs_f64(),
    };
    let deadline = tokio::time::Instant::now() + limit;
    let mut ex = tokio::time::timeout_at(
        deadline,
        exchange::exchange(ctx, target, spec, None, settings),
    )
    .await
    .map_err(|_| timed_out())??;
    let body_bytes = tokio::time::timeout_at(deadline, ex.drain())
        .await
        .map_err(|_| timed_out())??;
    let seen = Arc::clone(&ex.seen);
    let marks = ex.marks;
    let (remote_addr, local_addr) = (ex.remote, ex.local);
    let tls = ex.tls.clone();
    let status = ex.head.status.as_u16();
    let reason = ex.reason();
    let headers: Vec<[String; 2]> = ex
        .head
        .headers
        .iter()
        .map(|(n, v)| [n.to_string(), text(v.as_bytes())])
        .collect();
    let content_type = ex
        .head
        .headers
        .get("content-type")
        .map(|v| text(v.as_bytes()));
    let closing = Instant::now();
    // Bounded inside: hyper is given a second to finish with the connection.
    ex.close(ctx, false).await;
    let closed = Instant::now();
    let seen = http_get::tap::snapshot(&seen);

    let close_ms = millis(closed - closing);
    let total = millis(closed.saturating_duration_since(marks.start));
    let durations = Phases::durations(&marks, marks.start);
    let offsets = Phases::offsets(&marks, marks.start);
    let raw_head = seen.head.get(seen.head_start..).unwrap_or_default();
    let head_text = String::from_utf8_lossy(raw_head);
    let connection = Connection {
        remote_addr,
        local_addr,
        local_port: local_addr.port(),
        timings_ms: Timings::of(durations, close_ms, total),
        offsets_ms: Timings::of(offsets, total, total),
        bytes_written: seen.written_total,
        bytes_read: seen.read_total,
        closed_by: if seen.peer_closed { "server" } else { "client" },
        tls,
    };
    let response = Response {
        status_line: head_text.lines().next().unwrap_or_default().to_string(),
        status,
        reason,
        headers,
        head_bytes: raw_head.len(),
        body_bytes,
        content_type,
    };
    Ok((connection, response))
}

/// Header bytes as text (anything not UTF-8 replaced).
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use std::cell::OnceCell;

    use http_get::net::Family;
    use http_get::tls::Trust;
    use netlens_core::{CommonArgs, Failure};

    use super::*;
    use crate::journey::message;

    fn settings(timeout: Duration) -> Settings {
        Settings {
            overrides: Vec::new(),
            family: Family::Any,
            trust: Trust::System,
            tls: OnceCell::new(),
            connect_timeout: timeout,
            verbose: false,
        }
    }

    fn run(url: &str, limit: Duration) -> Result<(Connection, Response), Error> {
        let request = message::build(url).unwrap();
        let (mut ctx, _) = Ctx::capture("journey", &CommonArgs::default(), "");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(fetch(
            &mut ctx,
            &request.target,
            &request.spec,
            &settings(limit),
            limit,
        ))
    }

    #[test]
    fn every_byte_each_way_is_counted() {
        let server = netlens_sandbox::web::serve("127.0.0.1".parse().unwrap()).unwrap();
        let url = server.url("/bytes/5000");
        let (connection, response) = run(&url, Duration::from_secs(5)).unwrap();
        let request = message::build(&url).unwrap();
        assert_eq!(connection.bytes_written, request.message.len() as u64);
        assert_eq!(response.body_bytes, 5000);
        assert_eq!(
            connection.bytes_read,
            response.head_bytes as u64 + response.body_bytes
        );
        assert_eq!(response.status_line, "HTTP/1.1 200 OK");
        assert_eq!(connection.remote_addr, server.addr());
        assert_eq!(connection.closed_by, "client");
        assert!(connection.offsets_ms.total >= connection.offsets_ms.first_byte);
    }

    #[test]
    fn a_silent_server_is_given_up_on_in_time() {
        let silent =
            netlens_sandbox::web::scripted::blackhole("127.0.0.1:0".parse().unwrap()).unwrap();
        let error = run(&format!("http://{silent}/"), Duration::from_millis(200)).unwrap_err();
        assert_eq!(error.exit_code().code(), 3, "{error}");
    }
}
