//! Step 5: socket, connect, write, read, close, with http-get's exchange:
//! its Happy Eyeballs connect from an ephemeral port, hyper's HTTP/1.1
//! framing over a tap that sees every byte, and its phase marks. The body is
//! counted and dropped; the connection is closed and who closed it noted.

use std::net::SocketAddr;
use std::time::Duration;

use http_get::{ClosedBy, Phases, RequestSpec, Settings, Target, TlsInfo};
use netlens_core::Ctx;
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
    /// Each phase's duration, in milliseconds (`dns` is about 0: resolved before).
    pub timings_ms: Timings,
    /// When each phase ended, from the moment the exchange began.
    pub offsets_ms: Timings,
    /// The request's size as written.
    pub bytes_written: u64,
    /// Every byte read: the response head, the body and its framing.
    pub bytes_read: u64,
    /// `client` (we closed after the body) or `server` (it closed first).
    pub closed_by: ClosedBy,
    /// The TLS session, for https.
    pub tls: Option<TlsInfo>,
}

/// http-get's phases, and the close after them.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Timings {
    /// The phases, as `http-get --json` reports them.
    #[serde(flatten)]
    pub phases: Phases,
    /// Closing the connection.
    pub close: f64,
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
    /// The header fields, names as hyper hands them over, in order.
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
    let fetched = http_get::fetch(ctx, target, spec, settings, limit).await?;
    let summary = fetched.summary;
    let local_addr = summary.local_addr;
    let (durations, offsets) = (summary.timings_ms, summary.offsets_ms);
    let connection = Connection {
        remote_addr: summary.remote_addr,
        local_addr,
        local_port: local_addr.port(),
        timings_ms: Timings {
            phases: durations,
            close: fetched.close_ms,
        },
        offsets_ms: Timings {
            phases: offsets,
            close: offsets.total + fetched.close_ms,
        },
        bytes_written: fetched.bytes_written,
        bytes_read: fetched.bytes_read,
        closed_by: fetched.closed_by,
        tls: summary.tls,
    };
    let head = String::from_utf8_lossy(&fetched.head);
    let response = Response {
        status_line: head.lines().next().unwrap_or_default().to_string(),
        status: summary.status,
        reason: summary.reason,
        headers: summary.headers,
        head_bytes: fetched.head.len(),
        body_bytes: summary.body_bytes,
        content_type: summary.content_type,
    };
    Ok((connection, response))
}

#[cfg(test)]
mod tests {
    use http_get::Trust;
    use netlens_core::{CommonArgs, Failure};

    use super::*;
    use crate::journey::message;

    fn settings(timeout: Duration) -> Settings {
        let mut settings = Settings::new(Trust::System);
        settings.connect_timeout = timeout;
        settings
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
        assert_eq!(connection.closed_by, ClosedBy::Client);
        let (d, at) = (connection.timings_ms, connection.offsets_ms);
        assert!(at.phases.total >= at.phases.first_byte);
        assert_eq!(at.close, at.phases.total + d.close);
    }

    #[test]
    fn a_silent_server_is_given_up_on_in_time() {
        let silent =
            netlens_sandbox::web::scripted::blackhole("127.0.0.1:0".parse().unwrap()).unwrap();
        let error = run(&format!("http://{silent}/"), Duration::from_millis(200)).unwrap_err();
        assert_eq!(error.exit_code().code(), 3, "{error}");
    }
}
