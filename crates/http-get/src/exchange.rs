//! One request/response exchange on a connection: the request built from its
//! [`RequestHead`], the response head read, the phases marked. [`fetch`] is
//! the whole exchange for another crate (`netlens journey`): request, body
//! drained, connection closed, and a typed account of it all.

use std::cell::OnceCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use netlens_core::Ctx;
use netlens_core::timing::millis;
use rustls::ClientConfig;

use crate::args::ResolveArg;
use crate::conn::{self, ClosedBy, Connection};
use crate::error::Error;
use crate::net::Family;
use crate::proxy::Proxy;
use crate::render::{Printer, Summary, plain_size};
use crate::request::{RequestHead, RequestSpec};
use crate::tap;
use crate::target::Target;
use crate::tls::{self, Trust};

/// Limit on resolve, connect and TLS together when `--connect-timeout` is not given.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(60);
/// A connection that sends nothing for this long is given up (exit 3).
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Which HTTP version to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpVersion {
    /// HTTP/2 when the server picks it by ALPN (https), else HTTP/1.1.
    #[default]
    Negotiated,
    /// HTTP/1.1 only (`--http1.1`).
    Http1,
    /// HTTP/2 from the first byte, on cleartext too (`--http2-prior-knowledge`).
    Http2PriorKnowledge,
}

impl HttpVersion {
    /// The protocols offered by ALPN, most wanted first. See: RFC 7301, RFC 9113 §3.2.
    pub(crate) fn alpn(self) -> Vec<Vec<u8>> {
        match self {
            HttpVersion::Http1 => vec![b"http/1.1".to_vec()],
            _ => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        }
    }
}

/// How to reach servers: the settings that hold for every exchange of a run.
pub struct Settings {
    /// Addresses to use instead of resolving (`--resolve`).
    pub overrides: Vec<ResolveArg>,
    /// `-4`, `-6` or either.
    pub family: Family,
    /// Which certificates to trust.
    pub trust: Trust,
    /// The limit on resolve + connect + TLS.
    pub connect_timeout: Duration,
    /// Which HTTP version to speak.
    pub http: HttpVersion,
    /// The TLS configuration, built at the first https request (loading the
    /// system roots is not free, and a plain http run never needs them).
    tls: OnceCell<Arc<ClientConfig>>,
}

impl Settings {
    /// Settings trusting `trust`, with no overrides and the default timeout.
    pub fn new(trust: Trust) -> Settings {
        Settings {
            overrides: Vec::new(),
            family: Family::Any,
            trust,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            http: HttpVersion::default(),
            tls: OnceCell::new(),
        }
    }

    /// The TLS configuration, built on first use.
    pub(crate) fn tls_config(&self) -> Result<Arc<ClientConfig>, Error> {
        if let Some(config) = self.tls.get() {
            return Ok(Arc::clone(config));
        }
        let config = tls::config(&self.trust, self.http.alpn())?;
        Ok(Arc::clone(self.tls.get_or_init(|| config)))
    }
}

/// When each phase of one exchange ended.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marks {
    /// The exchange began (resolution starts).
    pub start: Instant,
    /// Addresses known.
    pub dns: Instant,
    /// TCP connected (and the proxy tunnel open, if any).
    pub connect: Instant,
    /// TLS handshake done (https only).
    pub tls: Option<Instant>,
    /// The request fully written.
    pub request: Instant,
    /// The first response byte read.
    pub first_byte: Instant,
    /// The body read to its end (set by the caller).
    pub body: Instant,
}

/// The response head and what is needed to read its body and close.
pub(crate) struct Exchange {
    /// Status, headers, version.
    pub head: http::response::Parts,
    /// The body, streamed by the caller.
    pub body: Incoming,
    /// Phase marks so far.
    pub marks: Marks,
    /// The method sent.
    pub method: http::Method,
    /// Over HTTP/2, the plain size of the request's and the response's
    /// header fields (names and values).
    pub h2_plain: Option<(usize, usize)>,
    /// The connection it ran on.
    pub conn: Connection,
}

impl Exchange {
    /// The reason phrase as the server sent it (hyper keeps it only when it
    /// differs from the canonical one).
    pub fn reason(&self) -> String {
        match self.head.extensions.get::<hyper::ext::ReasonPhrase>() {
            Some(reason) => String::from_utf8_lossy(reason.as_bytes()).into_owned(),
            None => self
                .head
                .status
                .canonical_reason()
                .unwrap_or("")
                .to_string(),
        }
    }

    /// Read the body to its end and discard it, each wait bounded by
    /// [`IDLE_TIMEOUT`]; sets `marks.body` and returns the body's size as
    /// received (before any content decoding).
    async fn drain(&mut self) -> Result<u64, Error> {
        let mut size = 0u64;
        while let Some(frame) = idle("waiting for the body", self.body.frame()).await? {
            let frame = frame.map_err(|e| Error::from_hyper("reading the body", &e))?;
            if let Some(data) = frame.data_ref() {
                size += data.len() as u64;
            }
        }
        self.marks.body = Instant::now();
        Ok(size)
    }
}

/// Open a connection for `target` (through `proxy` if any), send the request
/// and read the response head.
pub(crate) async fn exchange(
    ctx: &mut Ctx,
    printer: &Printer,
    target: &Target,
    spec: &RequestSpec,
    proxy: Option<&Proxy>,
    settings: &Settings,
) -> Result<Exchange, Error> {
    let mut conn = conn::open(ctx, printer, target, proxy, settings).await?;
    let head = spec.head(target, proxy);
    let h2 = conn.is_h2().then(|| head.h2_fields(target));
    let request = build(&head, h2.as_deref(), spec.body.clone())?;
    let sent_at = Instant::now();
    let response = conn.send(request).await;
    let seen = tap::snapshot(&conn.seen);
    match &h2 {
        Some(fields) => printer.request_h2(ctx, fields),
        None => printer.request(ctx, &head, seen.written_total),
    }
    let (parts, body) = response?.into_parts();
    match &h2 {
        Some(_) => printer.response_h2(ctx, &parts),
        None => printer.response(ctx, &seen),
    }
    let first_byte = seen.first_read.unwrap_or_else(Instant::now);
    let opening = conn.opening;
    let h2_plain = h2.map(|fields| {
        let request = fields.iter().map(|(n, v)| (n.as_str(), v.as_bytes()));
        let response = parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()));
        let status = std::iter::once((":status", &b"200"[..]));
        (plain_size(request), plain_size(status.chain(response)))
    });
    Ok(Exchange {
        head: parts,
        body,
        marks: Marks {
            start: opening.start,
            dns: opening.dns,
            connect: opening.connect,
            tls: opening.tls,
            request: seen.last_write.unwrap_or(sent_at),
            first_byte,
            body: first_byte,
        },
        method: head.method,
        h2_plain,
        conn,
    })
}

/// The request as hyper takes it: method, target, headers in order, body;
/// over HTTP/2 (`h2` holds the fields), the target in absolute form (hyper
/// makes the pseudo-header fields of it) and no `Host`.
fn build(
    head: &RequestHead,
    h2: Option<&[(String, String)]>,
    body: Option<Bytes>,
) -> Result<Request<Full<Bytes>>, Error> {
    let target = match h2 {
        Some([(_, _), (_, scheme), (_, authority), (_, path), ..]) => {
            format!("{scheme}://{authority}{path}")
        }
        _ => head.target.clone(),
    };
    let uri: Uri = target
        .parse()
        .map_err(|e| Error::Usage(format!("request target {target:?}: {e}")))?;
    let mut request = Request::builder().method(head.method.clone()).uri(uri);
    if h2.is_some() {
        request = request.version(http::Version::HTTP_2);
    }
    let h1_fields = head.headers.as_slice();
    let fields = h2.map_or(h1_fields, |fields| &fields[4..]);
    for (name, value) in fields {
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::Usage(format!("header {name}: invalid value")))?;
        request = request.header(name.as_str(), value);
    }
    request
        .body(Full::new(body.unwrap_or_default()))
        .map_err(|e| Error::Usage(format!("request: {e}")))
}

/// Wait for `future`, giving up after [`IDLE_TIMEOUT`] (a server that went
/// silent is a network failure, exit 3).
pub(crate) async fn idle<T>(
    what: &'static str,
    future: impl Future<Output = T>,
) -> Result<T, Error> {
    tokio::time::timeout(IDLE_TIMEOUT, future)
        .await
        .map_err(|_| Error::Timeout {
            what,
            secs: IDLE_TIMEOUT.as_secs_f64(),
        })
}

/// One whole exchange, as [`fetch`] returns it: the summary `--json` would
/// print (timings from the start of the exchange), how the connection
/// closed, and the bytes each way.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The summary, as in `http-get --json`.
    pub summary: Summary,
    /// Which side closed the connection.
    pub closed_by: ClosedBy,
    /// How long closing took, in milliseconds.
    pub close_ms: f64,
    /// Every byte written: the request message.
    pub bytes_written: u64,
    /// Every byte read: response head, body and framing.
    pub bytes_read: u64,
    /// The final response head exactly as received.
    pub head: Vec<u8>,
}

/// Send `spec` to `target`, read the body to its end (counted, not kept)
/// and close the connection, all within `limit`; nothing is printed.
pub async fn fetch(
    ctx: &mut Ctx,
    target: &Target,
    spec: &RequestSpec,
    settings: &Settings,
    limit: Duration,
) -> Result<Fetched, Error> {
    let timed_out = || Error::Timeout {
        what: "connection",
        secs: limit.as_secs_f64(),
    };
    let printer = Printer::default();
    let deadline = tokio::time::Instant::now() + limit;
    let exchanging = exchange(ctx, &printer, target, spec, None, settings);
    let mut ex = tokio::time::timeout_at(deadline, exchanging)
        .await
        .map_err(|_| timed_out())??;
    let body_bytes = tokio::time::timeout_at(deadline, ex.drain())
        .await
        .map_err(|_| timed_out())??;
    let url = target.display();
    let summary = Summary::of(
        &ex,
        (url.clone(), url),
        Vec::new(),
        body_bytes,
        ex.marks.start,
    );
    let seen = Arc::clone(&ex.conn.seen);
    let closing = Instant::now();
    // Bounded inside: hyper is given a second to finish with the connection.
    let closed_by = ex.conn.close(ctx, &printer).await;
    let close_ms = millis(closing.elapsed());
    let seen = tap::snapshot(&seen);
    Ok(Fetched {
        summary,
        closed_by,
        close_ms,
        bytes_written: seen.written_total,
        bytes_read: seen.read_total,
        head: seen.final_head().unwrap_or_default().to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use netlens_core::CommonArgs;

    use super::*;

    fn run(url: &str, limit: Duration) -> (Result<Fetched, Error>, String) {
        let target = Target::parse(url, None).unwrap();
        let mut settings = Settings::new(Trust::System);
        settings.connect_timeout = limit;
        let (mut ctx, captured) = Ctx::capture("t", &CommonArgs::default(), "");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let spec = RequestSpec::get(&target);
        let fetched = runtime.block_on(fetch(&mut ctx, &target, &spec, &settings, limit));
        (fetched, captured.stderr())
    }

    #[test]
    fn fetch_counts_every_byte_and_prints_nothing() {
        let server = netlens_sandbox::web::serve("127.0.0.1".parse().unwrap()).unwrap();
        let url = server.url("/bytes/1000");
        let (fetched, stderr) = run(&url, Duration::from_secs(5));
        let fetched = fetched.unwrap();
        assert_eq!(stderr, "");
        assert_eq!(fetched.summary.status, 200);
        assert_eq!(fetched.summary.body_bytes, 1000);
        assert_eq!(fetched.bytes_read, fetched.head.len() as u64 + 1000);
        assert!(fetched.head.starts_with(b"HTTP/1.1 200 OK\r\n"));
        assert_eq!(fetched.closed_by, ClosedBy::Client);
        let target = Target::parse(&url, None).unwrap();
        let message = RequestSpec::get(&target).message(&target);
        assert_eq!(fetched.bytes_written, message.len() as u64);
        let t = fetched.summary.offsets_ms;
        assert!(t.total >= t.first_byte && t.first_byte >= t.request);
    }

    #[test]
    fn a_silent_server_is_given_up_on_in_time() {
        let silent =
            netlens_sandbox::web::scripted::blackhole("127.0.0.1:0".parse().unwrap()).unwrap();
        let (error, _) = run(&format!("http://{silent}/"), Duration::from_millis(200));
        let error = error.unwrap_err();
        assert_eq!(
            netlens_core::Failure::exit_code(&error).code(),
            3,
            "{error}"
        );
    }
}
