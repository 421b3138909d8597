//! One request/response exchange on a connection: the request built from its
//! [`RequestHead`], the response head read, the phases marked.

use std::cell::OnceCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderValue, Request, Uri};
use hyper::body::Incoming;
use netlens_core::Ctx;
use rustls::ClientConfig;

use crate::args::ResolveArg;
use crate::conn::{self, Connection, Key, Pool};
use crate::error::Error;
use crate::net::Family;
use crate::payload::{Payload, Streamed};
use crate::proxy::Proxy;
use crate::render::{Printer, plain_size};
use crate::request::{RequestHead, RequestSpec};
use crate::tap::{self, Seen};
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
    /// The exchange began (resolution starts, or the request on a reused connection).
    pub start: Instant,
    /// Addresses known (none on a reused connection).
    pub dns: Option<Instant>,
    /// TCP connected, and the proxy tunnel open if any (none on a reused connection).
    pub connect: Option<Instant>,
    /// TLS handshake done (https only, none on a reused connection).
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

impl Marks {
    /// When the connection was ready for the request.
    pub fn secure(&self) -> Instant {
        self.tls.or(self.connect).unwrap_or(self.start)
    }
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
}

/// Send the request for `target` (through `proxy` if any) on a connection
/// of the pool for its origin, or a new one, and read the response head.
///
/// A kept connection that the server closed in the meantime fails before
/// any response; the request is then sent once more on a new connection.
pub(crate) async fn exchange(
    ctx: &mut Ctx,
    printer: &Printer,
    (target, proxy): (&Target, Option<&Proxy>),
    spec: &RequestSpec,
    settings: &Settings,
    pool: &mut Pool,
) -> Result<Exchange, Error> {
    let start = Instant::now();
    let head = spec.head(target, proxy);
    let mut conn = match pool.take(&Key::of(target, proxy)) {
        Some(conn) => {
            printer.reuse(ctx, conn.id, &conn.key.authority);
            conn
        }
        None => conn::open(ctx, printer, (target, proxy), settings, pool).await?,
    };
    let mut sent = send(ctx, printer, &mut conn, target, &head, spec).await;
    if conn.reused && sent.0.is_err() && sent.1.first_read.is_none() {
        printer.stale(ctx, conn.id);
        conn.abandon();
        conn = conn::open(ctx, printer, (target, proxy), settings, pool).await?;
        sent = send(ctx, printer, &mut conn, target, &head, spec).await;
    }
    let (response, seen, sent_at) = sent;
    let (parts, body) = response?.into_parts();
    let h2_plain = conn.is_h2().then(|| {
        let request = head.h2_fields(target);
        let request = request.iter().map(|(n, v)| (n.as_str(), v.as_bytes()));
        let response = parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()));
        let status = std::iter::once((":status", &b"200"[..]));
        printer.response_h2(ctx, &parts);
        (plain_size(request), plain_size(status.chain(response)))
    });
    if h2_plain.is_none() {
        printer.response(ctx, &seen);
    }
    let first_byte = seen.first_read.unwrap_or_else(Instant::now);
    let opening = (!conn.reused).then_some(conn.opening);
    Ok(Exchange {
        head: parts,
        body,
        marks: Marks {
            start: opening.map_or(start, |o| o.start),
            dns: opening.map(|o| o.dns),
            connect: opening.map(|o| o.connect),
            tls: opening.and_then(|o| o.tls),
            request: seen.last_write.unwrap_or(sent_at),
            first_byte,
            body: first_byte,
        },
        method: head.method,
        h2_plain,
        conn,
    })
}

/// Send the request described by `head` on `conn` and wait for the response
/// head; tells the request as written. Returns the response, what the tap
/// saw, and when the request was handed to hyper.
async fn send(
    ctx: &mut Ctx,
    printer: &Printer,
    conn: &mut Connection,
    target: &Target,
    head: &RequestHead,
    spec: &RequestSpec,
) -> (Result<http::Response<Incoming>, Error>, Seen, Instant) {
    let h2 = conn.is_h2().then(|| head.h2_fields(target));
    let sent_at = Instant::now();
    let response = match build(head, h2.as_deref(), spec.body.as_ref()) {
        Ok(request) => conn.send(request).await,
        Err(e) => Err(e),
    };
    let seen = tap::snapshot(&conn.seen);
    match &h2 {
        Some(fields) => printer.request_h2(ctx, fields),
        None => printer.request(ctx, head, seen.written_total),
    }
    (response, seen, sent_at)
}

/// The request as hyper takes it: method, target, headers in order, body
/// (files opened now);
/// over HTTP/2 (`h2` holds the fields), the target in absolute form (hyper
/// makes the pseudo-header fields of it) and no `Host`.
fn build(
    head: &RequestHead,
    h2: Option<&[(String, String)]>,
    body: Option<&Payload>,
) -> Result<Request<Streamed>, Error> {
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
    let body = body.map_or(Ok(Streamed::empty()), Payload::stream)?;
    request
        .body(body)
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
