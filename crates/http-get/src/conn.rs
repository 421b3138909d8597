//! One connection: resolve, connect (directly, or to a proxy and through a
//! CONNECT tunnel), TLS, then hyper's HTTP/1 or HTTP/2 client connection over
//! a tap that sees every byte. Each phase is timed and told by the printer as
//! it happens. HTTP/2 is spoken when the server picked `h2` by ALPN, or from
//! the first byte with `--http2-prior-knowledge`.

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::Request;
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use netlens_core::Ctx;
use rustls::ClientConfig;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;

use crate::error::Error;
use crate::exchange::{HttpVersion, Settings, idle};
use crate::net;
use crate::payload::Streamed;
use crate::proxy::{self, Proxy};
use crate::render::Printer;
use crate::tap::{self, Seen, Tap};
use crate::target::{Scheme, Target};
use crate::tls::{self, TlsInfo};

/// Most response header fields accepted (a clear error past that).
const MAX_HEADERS: usize = 100;
/// Largest response head accepted, in bytes.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Size of every read from the connection (see the handshake for why it is fixed).
const READ_BUFFER: usize = 64 * 1024;

/// The largest HTTP/2 DATA frame the server may send: large frames cost the
/// server (and us) less per byte than the default 16 KiB.
const H2_MAX_FRAME: u32 = 1024 * 1024;
/// HTTP/2 flow-control windows: wide enough that the server never waits for
/// a WINDOW_UPDATE on loopback, small enough to bound what is buffered.
const H2_STREAM_WINDOW: u32 = 8 * 1024 * 1024;
const H2_CONNECTION_WINDOW: u32 = 16 * 1024 * 1024;

/// A byte stream http-get can speak HTTP over: TCP, TLS, or a proxy tunnel.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

/// Which side closed a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClosedBy {
    /// The server closed its side first (its FIN was read).
    Server,
    /// http-get closed it after the body.
    Client,
}

/// When the phases of opening a connection ended.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Opening {
    /// Opening began (resolution starts).
    pub start: Instant,
    /// Addresses known.
    pub dns: Instant,
    /// TCP connected (and the proxy tunnel open, if any).
    pub connect: Instant,
    /// TLS handshake done (https only).
    pub tls: Option<Instant>,
}

/// How long hyper is given to say whether a connection can take another
/// request, once a response is complete.
const READY_WAIT: Duration = Duration::from_secs(1);

/// Where a connection goes: requests with the same key may share it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Key {
    scheme: Scheme,
    /// `host:port` of the server.
    pub authority: String,
    proxy: Option<String>,
}

impl Key {
    /// The key of a request for `target` through `proxy`.
    pub fn of(target: &Target, proxy: Option<&Proxy>) -> Key {
        Key {
            scheme: target.scheme,
            authority: target.authority(),
            proxy: proxy.map(|p| p.target.authority()),
        }
    }
}

/// The run's connections kept open between requests, and their numbering.
#[derive(Default)]
pub(crate) struct Pool {
    idle: Vec<Connection>,
    /// Connections opened in the run (shared by the pools of parallel inputs,
    /// so that every connection has its own number).
    opened: Rc<Cell<u32>>,
    keep: bool,
}

impl Pool {
    /// A pool that keeps connections open for later requests if `keep`, or
    /// closes each after its response.
    pub fn new(keep: bool) -> Pool {
        Pool {
            keep,
            ..Pool::default()
        }
    }

    /// Whether connections are kept for later requests.
    pub fn keeps(&self) -> bool {
        self.keep
    }

    /// An idle connection for `key`, made ready for a new exchange.
    pub fn take(&mut self, key: &Key) -> Option<Connection> {
        let at = self.idle.iter().position(|c| &c.key == key)?;
        let mut conn = self.idle.swap_remove(at);
        tap::rearm(&conn.seen);
        conn.reused = true;
        Some(conn)
    }

    /// The number of the next connection opened.
    fn next_id(&mut self) -> u32 {
        let id = self.opened.get();
        self.opened.set(id + 1);
        id
    }

    /// A pool for one input of a parallel run: it numbers connections with
    /// this one, and holds this one's idle connection to `authority`, if any.
    pub fn lend(&mut self, authority: &str) -> Pool {
        let idle = self
            .idle
            .iter()
            .position(|c| c.key.authority == authority)
            .map(|at| self.idle.swap_remove(at));
        Pool {
            idle: idle.into_iter().collect(),
            opened: Rc::clone(&self.opened),
            keep: self.keep,
        }
    }

    /// Take back the idle connections of a lent pool, keeping at most `most`
    /// idle in all (the oldest are closed past that).
    pub fn take_back(&mut self, lent: Pool, most: usize) {
        self.idle.extend(lent.idle);
        let over = self.idle.len().saturating_sub(most);
        self.idle.drain(..over);
    }

    /// A response on `conn` is complete: keep the connection for the next
    /// request if the pool keeps them and hyper can send another, else close it.
    /// Returns who closed it, or `None` while it is kept.
    pub async fn finish(
        &mut self,
        ctx: &mut Ctx,
        printer: &Printer,
        mut conn: Connection,
    ) -> Option<ClosedBy> {
        if self.keep && conn.ready().await {
            self.idle.push(conn);
            return None;
        }
        Some(conn.close(ctx, printer).await)
    }

    /// Close every connection still open; returns each one's id and who
    /// closed it.
    pub async fn close_each(&mut self, ctx: &mut Ctx, printer: &Printer) -> Vec<(u32, ClosedBy)> {
        let mut closed = Vec::new();
        for conn in std::mem::take(&mut self.idle) {
            let id = conn.id;
            closed.push((id, conn.close(ctx, printer).await));
        }
        closed
    }

    /// Close every connection still open.
    pub async fn close_all(&mut self, ctx: &mut Ctx, printer: &Printer) {
        self.close_each(ctx, printer).await;
    }
}

/// An open connection, ready for a request.
pub(crate) struct Connection {
    /// Its number in the run, from 0.
    pub id: u32,
    /// Where it goes.
    pub key: Key,
    /// Whether it served an earlier request of the run.
    pub reused: bool,
    /// The server's (or proxy's) address.
    pub remote: SocketAddr,
    /// The local end of the socket.
    pub local: SocketAddr,
    /// The socket's descriptor, as the OS returned it (Unix only).
    pub descriptor: Option<i32>,
    /// The TLS session, for https.
    pub tls: Option<TlsInfo>,
    /// What the tap saw.
    pub seen: Arc<Mutex<Seen>>,
    /// When each phase of opening ended.
    pub opening: Opening,
    sender: Sender,
    driver: JoinHandle<Result<(), hyper::Error>>,
}

/// hyper's handle to send requests, for the version spoken.
enum Sender {
    Http1(http1::SendRequest<Streamed>),
    Http2(http2::SendRequest<Streamed>),
}

impl Connection {
    /// Whether the connection speaks HTTP/2.
    pub fn is_h2(&self) -> bool {
        matches!(self.sender, Sender::Http2(_))
    }

    /// Send `request` and wait for the response head.
    pub async fn send(
        &mut self,
        request: Request<Streamed>,
    ) -> Result<http::Response<Incoming>, Error> {
        let waiting = "waiting for the response";
        let sent = match &mut self.sender {
            Sender::Http1(sender) => idle(waiting, sender.send_request(request)).await?,
            Sender::Http2(sender) => idle(waiting, sender.send_request(request)).await?,
        };
        sent.map_err(|e| Error::from_hyper("reading the response", &e))
    }

    /// Whether hyper can send another request on the connection (the server
    /// did not close it, nor ask for it to be closed).
    async fn ready(&mut self) -> bool {
        let ready = match &mut self.sender {
            Sender::Http1(sender) => tokio::time::timeout(READY_WAIT, sender.ready()).await,
            Sender::Http2(sender) => tokio::time::timeout(READY_WAIT, sender.ready()).await,
        };
        matches!(ready, Ok(Ok(())))
    }

    /// Give up on the connection at once (a redirect's body is not read).
    pub fn abandon(self) {
        self.driver.abort();
    }

    /// The body has been read: let hyper finish with the connection and tell
    /// who closed it.
    pub async fn close(self, ctx: &mut Ctx, printer: &Printer) -> ClosedBy {
        drop(self.sender);
        // hyper closes an idle connection once its sender is gone; a second is plenty.
        let _ = tokio::time::timeout(Duration::from_secs(1), self.driver).await;
        let seen = tap::snapshot(&self.seen);
        printer.closed(ctx, seen.peer_closed, seen.read_total);
        if seen.peer_closed {
            ClosedBy::Server
        } else {
            ClosedBy::Client
        }
    }
}

/// Open a connection for `target` (through `proxy` if any), within the
/// connect timeout.
pub(crate) async fn open(
    ctx: &mut Ctx,
    printer: &Printer,
    (target, proxy): (&Target, Option<&Proxy>),
    settings: &Settings,
    pool: &mut Pool,
) -> Result<Connection, Error> {
    // Built before the clock starts: trust setup is not part of any phase.
    let tls = match target.scheme {
        Scheme::Https => Some(settings.tls_config()?),
        Scheme::Http => None,
    };
    let start = Instant::now();
    let opened = tokio::time::timeout(
        settings.connect_timeout,
        secure(ctx, printer, target, proxy, settings, tls, start),
    )
    .await
    .map_err(|_| Error::Timeout {
        what: "connect",
        secs: settings.connect_timeout.as_secs_f64(),
    })??;
    let (stream, dialed, tls, opening) = opened;
    let h2 = match &tls {
        Some(info) => info.alpn.as_deref() == Some("h2"),
        None => settings.http == HttpVersion::Http2PriorKnowledge,
    };
    let (tapped, seen) = Tap::new(stream, h2);
    let (sender, driver) = if h2 {
        handshake_h2(tapped).await?
    } else {
        handshake_h1(tapped).await?
    };
    Ok(Connection {
        id: pool.next_id(),
        key: Key::of(target, proxy),
        reused: false,
        remote: dialed.remote,
        local: dialed.local,
        descriptor: dialed.descriptor,
        tls,
        seen,
        opening,
        sender,
        driver,
    })
}

/// hyper's HTTP/1 client connection over the tapped stream.
async fn handshake_h1(
    tapped: Tap<Box<dyn Stream>>,
) -> Result<(Sender, JoinHandle<Result<(), hyper::Error>>), Error> {
    let (sender, conn) = http1::Builder::new()
        .title_case_headers(true)
        // Steady 64 KiB reads keep the socket flowing: hyper's adaptive buffer
        // grows to ~400 KiB and drains the socket in bursts, which made a 1 GiB
        // loopback download 1.57x slower in `cargo xtask bench http`.
        .read_buf_exact_size(Some(READ_BUFFER))
        .max_headers(MAX_HEADERS)
        .max_header_size(MAX_HEAD_BYTES)
        .handshake::<_, Streamed>(TokioIo::new(tapped))
        .await
        .map_err(|e| Error::from_hyper("http handshake", &e))?;
    Ok((Sender::Http1(sender), tokio::spawn(conn)))
}

/// hyper's HTTP/2 client connection over the tapped stream.
async fn handshake_h2(
    tapped: Tap<Box<dyn Stream>>,
) -> Result<(Sender, JoinHandle<Result<(), hyper::Error>>), Error> {
    let (sender, conn) = http2::Builder::new(TokioExecutor::new())
        .max_header_list_size(MAX_HEAD_BYTES as u32)
        .max_frame_size(H2_MAX_FRAME)
        .initial_stream_window_size(H2_STREAM_WINDOW)
        .initial_connection_window_size(H2_CONNECTION_WINDOW)
        .handshake::<_, Streamed>(TokioIo::new(tapped))
        .await
        .map_err(|e| Error::from_hyper("http/2 handshake", &e))?;
    Ok((Sender::Http2(sender), tokio::spawn(conn)))
}

/// The two ends of a connected socket, and when the addresses were known.
struct Dialed {
    remote: SocketAddr,
    local: SocketAddr,
    descriptor: Option<i32>,
    dns: Instant,
}

/// Dial, then run the TLS handshake for https.
async fn secure(
    ctx: &mut Ctx,
    printer: &Printer,
    target: &Target,
    proxy: Option<&Proxy>,
    settings: &Settings,
    tls: Option<Arc<ClientConfig>>,
    start: Instant,
) -> Result<(Box<dyn Stream>, Dialed, Option<TlsInfo>, Opening), Error> {
    let (stream, dialed) = dial(ctx, printer, target, proxy, settings, start).await?;
    let connect = Instant::now();
    let (stream, info, tls_done) = match tls {
        Some(config) => {
            let (tls_stream, info) = tls::handshake(config, &target.host, stream).await?;
            let done = Instant::now();
            printer.tls(ctx, &info, done - connect);
            (
                Box::new(tls_stream) as Box<dyn Stream>,
                Some(info),
                Some(done),
            )
        }
        None => (stream, None, None),
    };
    let opening = Opening {
        start,
        dns: dialed.dns,
        connect,
        tls: tls_done,
    };
    Ok((stream, dialed, info, opening))
}

/// Resolve and connect (through the proxy if any, and its tunnel for https).
async fn dial(
    ctx: &mut Ctx,
    printer: &Printer,
    target: &Target,
    proxy: Option<&Proxy>,
    settings: &Settings,
    start: Instant,
) -> Result<(Box<dyn Stream>, Dialed), Error> {
    // The socket goes to the proxy when there is one, else to the server.
    let to = proxy.map_or(target, |p| &p.target);
    let resolved = net::resolve(&to.host, to.port, &settings.overrides, settings.family).await?;
    let dns = Instant::now();
    printer.resolved(ctx, &to.host, &resolved, dns - start);
    let (tcp, failed) = net::connect(&resolved.addrs).await?;
    let remote = tcp.peer_addr()?;
    let local = tcp.local_addr()?;
    #[cfg(unix)]
    let descriptor = Some(std::os::fd::AsRawFd::as_raw_fd(&tcp));
    #[cfg(not(unix))]
    let descriptor = None;
    printer.connected(ctx, &failed, (local, remote), dns.elapsed());
    let mut stream: Box<dyn Stream> = Box::new(tcp);
    if let Some(proxy) = proxy {
        printer.proxy(ctx, proxy);
        if target.scheme == Scheme::Https {
            stream = proxy::tunnel(ctx, printer, stream, target, proxy).await?;
        }
    }
    let dialed = Dialed {
        remote,
        local,
        descriptor,
        dns,
    };
    Ok((stream, dialed))
}
