//! A page visit for another crate (`netlens journey`): several exchanges in
//! a row, a connection kept open between them when the server allows it, as
//! a browser fetches a page and then what the page asks for. Each exchange
//! reads its body to the end (kept, decoded, when small); every read and
//! write on a connection is recorded with its size and time, and the socket's
//! descriptor noted. Proxies come from the environment, as in `http-get`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use netlens_core::Ctx;
use netlens_core::timing::millis;

use crate::body::{Coding, Counted, Decoder};
use crate::conn::{ClosedBy, Pool};
use crate::error::Error;
use crate::exchange::{Exchange, Settings, exchange, idle};
use crate::proxy;
use crate::render::{Printer, Summary};
use crate::request::RequestSpec;
use crate::tap::{self, Dir, Seen};
use crate::target::Target;

/// A body larger than this is counted, not kept.
const KEEP_BODY: usize = 1024 * 1024;

/// One read or write on the socket.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SysCall {
    /// The bytes it moved (0: the read that saw the peer's FIN).
    pub bytes: usize,
    /// When it completed, in milliseconds since the connection was begun.
    pub elapsed_ms: f64,
}

/// A socket's life so far: its descriptor and ends, and every read and write.
#[derive(Debug, Clone)]
pub struct Socket {
    /// The connection's number in the visit, from 0.
    pub id: u32,
    /// The descriptor number the OS returned for the socket (Unix only).
    pub descriptor: Option<i32>,
    /// Our end: its port is the ephemeral port the kernel chose.
    pub local_addr: std::net::SocketAddr,
    /// The server's (or proxy's) end.
    pub remote_addr: std::net::SocketAddr,
    /// Every write, in order.
    pub writes: Vec<SysCall>,
    /// Every read, in order (on TLS, the reads of decrypted data).
    pub reads: Vec<SysCall>,
    /// The room offered to each read: the receive buffer's size.
    pub receive_buffer: usize,
    /// Who closed it, once closed.
    pub closed_by: Option<ClosedBy>,
    /// When it was closed, in milliseconds since the connection was begun.
    pub closed_ms: Option<f64>,
}

/// One exchange of a visit.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The summary, as in `http-get --json`.
    pub summary: Summary,
    /// Whether the request went over a connection opened for an earlier one.
    pub reused: bool,
    /// The proxy the request went through (`host:port`), if any.
    pub proxy: Option<String>,
    /// The socket, as it was when this exchange ended.
    pub socket: Socket,
    /// How long closing took, in milliseconds, when it was closed after this exchange.
    pub close_ms: f64,
    /// The final response head exactly as received.
    pub head: Vec<u8>,
    /// The body, decoded, when it is at most 1 MiB.
    pub body: Option<Vec<u8>>,
}

/// Exchanges in a row, connections kept between them when `keep`.
pub struct Visit {
    pool: Pool,
    /// Whether `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` are honoured.
    env_proxy: bool,
    printer: Printer,
    /// Each connection's tap and when it was begun, by id.
    taps: Vec<(Arc<Mutex<Seen>>, Instant, Socket)>,
}

impl Visit {
    /// A visit that keeps connections open for the next request if `keep`,
    /// and goes through the proxy the environment names if `env_proxy`.
    pub fn new(keep: bool, env_proxy: bool) -> Visit {
        Visit {
            pool: Pool::new(keep),
            env_proxy,
            printer: Printer::default(),
            taps: Vec::new(),
        }
    }

    /// Send `spec` to `target` (over a kept connection to its origin if there
    /// is one) and read the body to its end, all within `limit`; nothing is
    /// printed.
    pub async fn fetch(
        &mut self,
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
        let env = |name: &str| std::env::var(name).ok().filter(|_| self.env_proxy);
        let proxy = proxy::select(None, target, env)?;
        let deadline = tokio::time::Instant::now() + limit;
        let printer = &self.printer;
        let exchanging = exchange(
            ctx,
            printer,
            (target, proxy.as_ref()),
            spec,
            settings,
            &mut self.pool,
        );
        let mut ex = tokio::time::timeout_at(deadline, exchanging)
            .await
            .map_err(|_| timed_out())??;
        let (raw_bytes, raw) = tokio::time::timeout_at(deadline, drain(&mut ex))
            .await
            .map_err(|_| timed_out())??;
        let url = target.display();
        let summary = Summary::of(
            &ex,
            (url.clone(), url),
            Vec::new(),
            raw_bytes,
            ex.marks.start,
        );
        let reused = ex.conn.reused;
        let seen = Arc::clone(&ex.conn.seen);
        if !reused {
            let socket = Socket {
                id: ex.conn.id,
                descriptor: ex.conn.descriptor,
                local_addr: ex.conn.local,
                remote_addr: ex.conn.remote,
                writes: Vec::new(),
                reads: Vec::new(),
                receive_buffer: 0,
                closed_by: None,
                closed_ms: None,
            };
            self.taps
                .push((Arc::clone(&seen), ex.conn.opening.start, socket));
        }
        let id = ex.conn.id;
        let closing = Instant::now();
        let closed_by = self.pool.finish(ctx, &self.printer, ex.conn).await;
        let close_ms = millis(closing.elapsed());
        let seen = tap::snapshot(&seen);
        let body = raw.and_then(|raw| decode(&summary, &raw));
        Ok(Fetched {
            reused,
            proxy: proxy.map(|p| p.target.authority()),
            socket: self.socket(id, closed_by),
            close_ms,
            head: seen.final_head().unwrap_or_default().to_vec(),
            body,
            summary,
        })
    }

    /// Close every connection still open; returns each socket's whole life.
    pub async fn close(mut self, ctx: &mut Ctx) -> Vec<Socket> {
        let closed = self.pool.close_each(ctx, &self.printer).await;
        let ids: Vec<u32> = self.taps.iter().map(|(_, _, s)| s.id).collect();
        ids.into_iter()
            .map(|id| {
                let by = closed.iter().find(|(c, _)| *c == id).map(|(_, by)| *by);
                self.socket(id, by)
            })
            .collect()
    }

    /// The socket `id` as its tap saw it so far; `closed_by` when just closed.
    fn socket(&mut self, id: u32, closed_by: Option<ClosedBy>) -> Socket {
        let Some((seen, start, socket)) = self.taps.iter_mut().find(|(_, _, s)| s.id == id) else {
            return Socket {
                id,
                descriptor: None,
                local_addr: ([0, 0, 0, 0], 0).into(),
                remote_addr: ([0, 0, 0, 0], 0).into(),
                writes: Vec::new(),
                reads: Vec::new(),
                receive_buffer: 0,
                closed_by,
                closed_ms: None,
            };
        };
        let (all, receive_buffer) = (tap::calls(seen), tap::snapshot(seen).receive_buffer);
        let calls = |dir: Dir| {
            all.iter()
                .filter(|c| c.dir == dir)
                .map(|c| SysCall {
                    bytes: c.bytes,
                    elapsed_ms: millis(c.at.saturating_duration_since(*start)),
                })
                .collect()
        };
        socket.writes = calls(Dir::Sent);
        socket.reads = calls(Dir::Received);
        socket.receive_buffer = receive_buffer;
        if socket.closed_by.is_none() && closed_by.is_some() {
            socket.closed_by = closed_by;
            socket.closed_ms = Some(millis(start.elapsed()));
        }
        socket.clone()
    }
}

/// Read the body to its end: its size as received, and the bytes when they
/// fit in [`KEEP_BODY`].
async fn drain(ex: &mut Exchange) -> Result<(u64, Option<Vec<u8>>), Error> {
    let mut size = 0u64;
    let mut kept = Some(Vec::new());
    while let Some(frame) = idle("waiting for the body", ex.body.frame()).await? {
        let frame = frame.map_err(|e| Error::from_hyper("reading the body", &e))?;
        if let Some(data) = frame.data_ref() {
            size += data.len() as u64;
            kept = kept.filter(|k| k.len() + data.len() <= KEEP_BODY);
            if let Some(kept) = &mut kept {
                kept.extend_from_slice(data);
            }
        }
    }
    ex.marks.body = Instant::now();
    Ok((size, kept))
}

/// The body decoded as its `Content-Encoding` says; `None` if it cannot be.
fn decode(summary: &Summary, raw: &[u8]) -> Option<Vec<u8>> {
    let encoding = summary
        .headers
        .iter()
        .find(|[name, _]| name.eq_ignore_ascii_case("content-encoding"))
        .map(|[_, value]| value.as_str());
    let coding = Coding::from_header(encoding)?;
    let mut decoder = Decoder::new(
        coding,
        Counted::new("body".into(), Some(8 * KEEP_BODY as u64)),
    );
    let mut out = Vec::new();
    decoder.push(raw, &mut out).ok()?;
    decoder.finish(&mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use netlens_core::CommonArgs;

    use super::*;
    use crate::tls::Trust;

    fn visit(urls: &[String], limit: Duration) -> (Vec<Result<Fetched, Error>>, Vec<Socket>) {
        let mut settings = Settings::new(Trust::System);
        settings.connect_timeout = limit;
        let (mut ctx, _) = Ctx::capture("t", &CommonArgs::default(), "");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut visit = Visit::new(true, false);
            let mut results = Vec::new();
            for url in urls {
                let target = Target::parse(url, None).unwrap();
                let spec = RequestSpec::get(&target);
                results.push(
                    visit
                        .fetch(&mut ctx, &target, &spec, &settings, limit)
                        .await,
                );
            }
            (results, visit.close(&mut ctx).await)
        })
    }

    #[test]
    fn a_page_and_its_image_over_one_socket() {
        let server = netlens_sandbox::web::serve("127.0.0.1".parse().unwrap()).unwrap();
        let urls = [server.url("/sample.htm"), server.url("/gazou.jpg")];
        let (results, sockets) = visit(&urls, Duration::from_secs(10));
        let page = results[0].as_ref().unwrap();
        let image = results[1].as_ref().unwrap();
        assert!(!page.reused && image.reused);
        let body = String::from_utf8(page.body.clone().unwrap()).unwrap();
        assert!(body.contains("gazou.jpg"), "{body}");
        assert_eq!(image.summary.content_type.as_deref(), Some("image/jpeg"));
        assert_eq!(server.connections(), 1);
        let [socket] = sockets.as_slice() else {
            panic!("one socket: {sockets:?}");
        };
        assert!(socket.descriptor.unwrap() >= 3);
        assert_eq!(socket.writes.len(), 2);
        let read: usize = socket.reads.iter().map(|r| r.bytes).sum();
        let expected = page.head.len() + image.head.len();
        let bodies = page.summary.body_bytes + image.summary.body_bytes;
        assert_eq!(read as u64, expected as u64 + bodies);
        assert_eq!(socket.receive_buffer, 64 * 1024);
        assert_eq!(socket.closed_by, Some(ClosedBy::Client));
        assert_eq!(socket.local_addr, page.summary.local_addr);
    }

    #[test]
    fn a_server_that_closes_gets_a_new_socket_each_time() {
        let server = netlens_sandbox::web::serve("127.0.0.1".parse().unwrap()).unwrap();
        let urls = [
            server.url("/close/sample.htm"),
            server.url("/close/gazou.jpg"),
        ];
        let (results, sockets) = visit(&urls, Duration::from_secs(10));
        let (page, image) = (results[0].as_ref().unwrap(), results[1].as_ref().unwrap());
        assert!(!page.reused && !image.reused);
        assert!(page.socket.closed_by.is_some());
        assert_ne!(page.socket.id, image.socket.id);
        assert_eq!(server.connections(), 2);
        assert_eq!(sockets.len(), 2);
    }

    #[test]
    fn a_silent_server_is_given_up_on_in_time() {
        let silent =
            netlens_sandbox::web::scripted::blackhole("127.0.0.1:0".parse().unwrap()).unwrap();
        let (results, _) = visit(&[format!("http://{silent}/")], Duration::from_millis(200));
        let error = results.into_iter().next().unwrap().unwrap_err();
        assert_eq!(
            netlens_core::Failure::exit_code(&error).code(),
            3,
            "{error}"
        );
    }
}
