//! One request/response exchange, phase by phase: resolve, connect (directly,
//! or to a proxy and through a CONNECT tunnel), TLS, then hyper's HTTP/1
//! client connection over the tapped stream to write the request and read the
//! response head. Each phase is timed and, with `-v`, told on stderr as it
//! happens.

use std::cell::OnceCell;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, Request, Uri};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use netlens_core::Ctx;
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;

use crate::args::ResolveArg;
use crate::error::Error;
use crate::net::{self, Family};
use crate::proxy::Proxy;
use crate::render::say;
use crate::request::{self, RequestSpec};
use crate::tap::{self, Seen, Tap};
use crate::target::{Scheme, Target};
use crate::tls::{self, TlsInfo, Trust};

/// Most response header fields accepted (a clear error past that).
pub const MAX_HEADERS: usize = 100;
/// Largest response head accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Limit on resolve, connect and TLS together when `--connect-timeout` is not given.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(60);
/// A connection that sends nothing for this long is given up (exit 3).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Size of every read from the connection (see the handshake for why it is fixed).
const READ_BUFFER: usize = 64 * 1024;

/// A byte stream http-get can speak HTTP over: TCP, TLS, or a proxy tunnel.
pub trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

/// Settings that hold for every exchange of the run.
pub struct Settings {
    /// `--resolve` overrides.
    pub overrides: Vec<ResolveArg>,
    /// `-4`, `-6` or either.
    pub family: Family,
    /// Which certificates to trust.
    pub trust: Trust,
    /// The TLS configuration, built at the first https request (loading the
    /// system roots is not free, and a plain http run never needs them).
    pub tls: OnceCell<Arc<ClientConfig>>,
    /// The limit on resolve + connect + TLS.
    pub connect_timeout: Duration,
    /// `-v`.
    pub verbose: bool,
}

impl Settings {
    /// The TLS configuration, built on first use.
    fn tls_config(&self) -> Result<Arc<ClientConfig>, Error> {
        if let Some(config) = self.tls.get() {
            return Ok(Arc::clone(config));
        }
        let config = tls::config(&self.trust)?;
        Ok(Arc::clone(self.tls.get_or_init(|| config)))
    }
}

/// When each phase of one exchange ended.
#[derive(Debug, Clone, Copy)]
pub struct Marks {
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
pub struct Exchange {
    /// Status, headers, version.
    pub head: http::response::Parts,
    /// The body, streamed by the caller.
    pub body: Incoming,
    /// Phase marks so far.
    pub marks: Marks,
    /// The server's (or proxy's) address.
    pub remote: SocketAddr,
    /// The local end of the socket.
    pub local: SocketAddr,
    /// The TLS session, for https.
    pub tls: Option<TlsInfo>,
    /// What the tap saw.
    pub seen: Arc<Mutex<Seen>>,
    sender: http1::SendRequest<Full<Bytes>>,
    driver: JoinHandle<Result<(), hyper::Error>>,
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

    /// Give up on this exchange without reading its body (a redirect): the
    /// connection is dropped.
    pub fn abandon(self) {
        self.driver.abort();
    }

    /// Read the body to its end and discard it, each wait bounded by
    /// [`IDLE_TIMEOUT`]; sets `marks.body` and returns the body's size as
    /// received (before any content decoding). For a caller that wants the
    /// exchange's timings and sizes but not its bytes (`netlens journey`).
    pub async fn drain(&mut self) -> Result<u64, Error> {
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

    /// The body has been read: let hyper finish with the connection and tell
    /// who closed it.
    pub async fn close(self, ctx: &mut Ctx, verbose: bool) {
        drop(self.sender);
        // hyper closes an idle connection once its sender is gone; a second is plenty.
        let _ = tokio::time::timeout(Duration::from_secs(1), self.driver).await;
        let seen = tap::snapshot(&self.seen);
        let who = if seen.peer_closed {
            "the server closed the connection"
        } else {
            "http-get closed the connection"
        };
        say(
            ctx,
            verbose,
            format_args!("{who} ({} bytes read in all)", seen.read_total),
        );
    }
}

/// Open a connection for `target` (through `proxy` if any), send the request
/// and read the response head.
pub async fn exchange(
    ctx: &mut Ctx,
    target: &Target,
    spec: &RequestSpec,
    proxy: Option<&Proxy>,
    settings: &Settings,
) -> Result<Exchange, Error> {
    let verbose = settings.verbose;
    // Built before the clock starts: trust setup is not part of any phase.
    let tls = match target.scheme {
        Scheme::Https => Some(settings.tls_config()?),
        Scheme::Http => None,
    };
    let start = Instant::now();
    let opened = tokio::time::timeout(
        settings.connect_timeout,
        open(ctx, target, proxy, settings, tls, start),
    )
    .await
    .map_err(|_| Error::Timeout {
        what: "connect",
        secs: settings.connect_timeout.as_secs_f64(),
    })??;
    let Opened {
        stream,
        remote,
        local,
        tls,
        dns,
        connect,
        tls_done,
    } = opened;

    let (tapped, seen) = Tap::new(stream);
    let (sender, conn) = http1::Builder::new()
        .title_case_headers(true)
        // Steady 64 KiB reads keep the socket flowing: hyper's adaptive buffer
        // grows to ~400 KiB and drains the socket in bursts, which made a 1 GiB
        // loopback download 1.57x slower in `cargo xtask bench http`.
        .read_buf_exact_size(Some(READ_BUFFER))
        .max_headers(MAX_HEADERS)
        .max_header_size(MAX_HEAD_BYTES)
        .handshake::<_, Full<Bytes>>(TokioIo::new(tapped))
        .await
        .map_err(|e| Error::from_hyper("http handshake", &e))?;
    let driver = tokio::spawn(conn);
    let mut sender = sender;

    let (request_target, headers) = request_head(target, spec, proxy);
    let request = build(spec, &request_target, &headers)?;
    let sent_at = Instant::now();
    let response = idle("waiting for the response", sender.send_request(request)).await?;
    let seen_now = tap::snapshot(&seen);
    if verbose {
        show_request(ctx, &seen_now);
    }
    let response = response.map_err(|e| Error::from_hyper("reading the response", &e))?;
    let (head, body) = response.into_parts();
    if verbose {
        show_response(ctx, &seen_now);
    }
    let request_done = seen_now.last_write.unwrap_or(sent_at);
    let first_byte = seen_now.first_read.unwrap_or_else(Instant::now);
    Ok(Exchange {
        head,
        body,
        marks: Marks {
            start,
            dns,
            connect,
            tls: tls_done,
            request: request_done,
            first_byte,
            body: first_byte,
        },
        remote,
        local,
        tls,
        seen,
        sender,
        driver,
    })
}

/// The request as hyper takes it: method, target, headers in order, body.
fn build(
    spec: &RequestSpec,
    target: &str,
    headers: &[(String, String)],
) -> Result<Request<Full<Bytes>>, Error> {
    let uri: Uri = target
        .parse()
        .map_err(|e| Error::Usage(format!("request target {target:?}: {e}")))?;
    let mut request = Request::builder().method(spec.method.clone()).uri(uri);
    for (name, value) in headers {
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::Usage(format!("header {name}: invalid value")))?;
        request = request.header(name.as_str(), value);
    }
    request
        .body(Full::new(spec.body.clone().unwrap_or_default()))
        .map_err(|e| Error::Usage(format!("request: {e}")))
}

/// Wait for `future`, giving up after [`IDLE_TIMEOUT`] (a server that went
/// silent is a network failure, exit 3).
pub async fn idle<T>(what: &'static str, future: impl Future<Output = T>) -> Result<T, Error> {
    tokio::time::timeout(IDLE_TIMEOUT, future)
        .await
        .map_err(|_| Error::Timeout {
            what,
            secs: IDLE_TIMEOUT.as_secs_f64(),
        })
}

/// The request target and header lines for `target`: absolute form (with the
/// proxy's credentials) through an http proxy, origin form otherwise.
///
/// See: RFC 9112 §3.2.1 and §3.2.2.
fn request_head(
    target: &Target,
    spec: &RequestSpec,
    proxy: Option<&Proxy>,
) -> (String, Vec<(String, String)>) {
    let absolute = proxy.is_some() && target.scheme == Scheme::Http;
    if absolute {
        let credentials = proxy.and_then(|p| p.credentials.as_ref());
        (target.absolute_target(), spec.headers(target, credentials))
    } else {
        (target.request_target(), spec.headers(target, None))
    }
}

/// The request message for `--offline`: what [`exchange`] would have hyper
/// write (absolute form when an http proxy is used), credentials masked.
pub fn offline_message(target: &Target, spec: &RequestSpec, proxy: Option<&Proxy>) -> Vec<u8> {
    let (request_target, headers) = request_head(target, spec, proxy);
    let body = spec.body.as_deref().unwrap_or_default();
    request::redact_message(&request::render(
        &spec.method,
        &request_target,
        &headers,
        body,
    ))
}

/// A connected (and, for https, encrypted) stream, and when each phase ended.
struct Opened {
    stream: Box<dyn Stream>,
    remote: SocketAddr,
    local: SocketAddr,
    tls: Option<TlsInfo>,
    dns: Instant,
    connect: Instant,
    tls_done: Option<Instant>,
}

/// Resolve, connect (through the proxy if any), and run the TLS handshake.
async fn open(
    ctx: &mut Ctx,
    target: &Target,
    proxy: Option<&Proxy>,
    settings: &Settings,
    tls: Option<Arc<ClientConfig>>,
    start: Instant,
) -> Result<Opened, Error> {
    let verbose = settings.verbose;
    // The socket goes to the proxy when there is one, else to the server.
    let dial = proxy.map_or(target, |p| &p.target);
    let resolved =
        net::resolve(&dial.host, dial.port, &settings.overrides, settings.family).await?;
    let dns = Instant::now();
    let list = resolved
        .addrs
        .iter()
        .map(|a| a.ip().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    say(
        ctx,
        verbose,
        format_args!(
            "resolve {}: {list} ({}, {:.3} ms)",
            dial.host,
            resolved.source.describe(),
            ms(dns - start)
        ),
    );
    if let [only] = resolved.addrs.as_slice() {
        say(ctx, verbose, format_args!("connect to {only} ..."));
    }
    if resolved.addrs.len() > 1 {
        say(
            ctx,
            verbose,
            format_args!(
                "happy eyeballs: {} addresses, a new attempt every 250 ms until one connects",
                resolved.addrs.len()
            ),
        );
    }
    let (tcp, failed) = net::connect(&resolved.addrs).await?;
    for f in &failed {
        say(
            ctx,
            verbose,
            format_args!("connect to {} failed: {}", f.addr, f.reason),
        );
    }
    let remote = tcp.peer_addr()?;
    let local = tcp.local_addr()?;
    say(
        ctx,
        verbose,
        format_args!(
            "socket {local} -> {remote}: connected in {:.3} ms",
            ms(dns.elapsed())
        ),
    );
    let mut stream: Box<dyn Stream> = Box::new(tcp);
    if let Some(proxy) = proxy {
        say(
            ctx,
            verbose,
            format_args!("proxy {} (from {})", proxy.target.display(), proxy.from),
        );
        if target.scheme == Scheme::Https {
            stream = tunnel(ctx, stream, target, proxy, verbose).await?;
        }
    }
    let connect = Instant::now();
    let (stream, tls, tls_done) = match tls {
        Some(config) => {
            let (tls_stream, info) = tls::handshake(config, &target.host, stream).await?;
            let done = Instant::now();
            say(
                ctx,
                verbose,
                format_args!(
                    "tls {} {}, alpn {} ({:.3} ms)",
                    info.version,
                    info.cipher,
                    info.alpn.as_deref().unwrap_or("none"),
                    ms(done - connect)
                ),
            );
            say(
                ctx,
                verbose,
                format_args!(
                    "certificate subject {}; issuer {}; expires {}",
                    info.peer_subject.as_deref().unwrap_or("?"),
                    info.peer_issuer.as_deref().unwrap_or("?"),
                    info.not_after.as_deref().unwrap_or("?")
                ),
            );
            (
                Box::new(tls_stream) as Box<dyn Stream>,
                Some(info),
                Some(done),
            )
        }
        None => (stream, None, None),
    };
    Ok(Opened {
        stream,
        remote,
        local,
        tls,
        dns,
        connect,
        tls_done,
    })
}

/// Ask the proxy for a tunnel to the target with CONNECT, through hyper.
///
/// See: RFC 9110 §9.3.6.
async fn tunnel(
    ctx: &mut Ctx,
    stream: Box<dyn Stream>,
    target: &Target,
    proxy: &Proxy,
    verbose: bool,
) -> Result<Box<dyn Stream>, Error> {
    let authority = target.authority();
    let (mut sender, conn) = http1::Builder::new()
        .title_case_headers(true)
        .handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
        .await
        .map_err(|e| Error::from_hyper("proxy handshake", &e))?;
    let driver = tokio::spawn(conn.with_upgrades());
    let mut request = Request::connect(authority.as_str()).header("Host", authority.as_str());
    if let Some(credentials) = &proxy.credentials {
        request = request.header("Proxy-Authorization", credentials.basic());
    }
    let request = request
        .body(Empty::new())
        .map_err(|e| Error::Usage(format!("CONNECT {authority}: {e}")))?;
    say(
        ctx,
        verbose,
        format_args!("CONNECT {authority} HTTP/1.1 (through the proxy)"),
    );
    let response = idle("proxy CONNECT", sender.send_request(request))
        .await?
        .map_err(|e| Error::from_hyper("proxy CONNECT", &e))?;
    let status = response.status();
    say(ctx, verbose, format_args!("proxy answered {status}"));
    if !status.is_success() {
        driver.abort();
        return Err(Error::Protocol(format!(
            "proxy {}: CONNECT {authority} refused with {status}",
            proxy.target.authority()
        )));
    }
    let upgraded = hyper::upgrade::on(response)
        .await
        .map_err(|e| Error::from_hyper("proxy tunnel", &e))?;
    Ok(Box::new(TokioIo::new(upgraded)))
}

/// The request as written, head only, credentials masked.
fn show_request(ctx: &mut Ctx, seen: &Seen) {
    let text = String::from_utf8_lossy(&seen.written);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = String::new();
    for line in head.split("\r\n") {
        lines.push_str(&format!("> {}\n", request::redact(line)));
    }
    lines.push_str(">\n");
    let body_len = seen.written_total.saturating_sub(head.len() as u64 + 4);
    if body_len > 0 {
        lines.push_str(&format!("* request body: {body_len} bytes\n"));
    }
    let _ = ctx.err().write_all(lines.as_bytes());
}

/// The response head exactly as received.
fn show_response(ctx: &mut Ctx, seen: &Seen) {
    let text = String::from_utf8_lossy(&seen.head);
    let mut lines = String::new();
    for line in text.trim_end_matches("\r\n").split("\r\n") {
        lines.push_str(&format!("< {line}\n"));
    }
    lines.push_str("<\n");
    let _ = ctx.err().write_all(lines.as_bytes());
}

fn ms(d: Duration) -> f64 {
    netlens_core::timing::millis(d)
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use netlens_core::CommonArgs;

    use super::*;
    use crate::args::Args;

    #[test]
    fn drain_counts_the_body_and_close_leaves_the_tap_readable() {
        let server = netlens_sandbox::web::serve("127.0.0.1".parse().unwrap()).unwrap();
        let url = server.url("/bytes/1000");
        let args = Args::try_parse_from(["http-get", url.as_str()]).unwrap();
        let target = Target::parse(&url, None).unwrap();
        let spec = RequestSpec::from_args(&args, &target).unwrap();
        let settings = Settings {
            overrides: Vec::new(),
            family: Family::Any,
            trust: Trust::System,
            tls: OnceCell::new(),
            connect_timeout: Duration::from_secs(5),
            verbose: false,
        };
        let (mut ctx, captured) = Ctx::capture("t", &CommonArgs::default(), "");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut ex = exchange(&mut ctx, &target, &spec, None, &settings)
                .await
                .unwrap();
            assert_eq!(ex.head.status, 200);
            assert_eq!(ex.drain().await.unwrap(), 1000);
            assert!(ex.marks.body >= ex.marks.first_byte);
            let seen = Arc::clone(&ex.seen);
            ex.close(&mut ctx, false).await;
            assert!(tap::snapshot(&seen).read_total > 1000);
        });
        assert_eq!(captured.stderr(), "");
    }
}
