//! A web server that counts connections open at once (now, and the most
//! seen) and the requests it answered, each after a fixed delay, so that a
//! parallel client's limits (`http-get -P N --per-host M`) can be checked:
//! every address it listens on is a host of its own.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

use super::{bind, pages, spawn};

/// A running counting server.
#[derive(Debug, Clone)]
pub struct Counting {
    addr: SocketAddr,
    counts: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    open: AtomicU64,
    most_open: AtomicU64,
    requests: AtomicU64,
}

impl Counting {
    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A URL for `path` on this server (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The most connections that were open at once.
    pub fn most_open(&self) -> u64 {
        self.counts.most_open.load(Ordering::SeqCst)
    }

    /// The requests answered so far.
    pub fn requests(&self) -> u64 {
        self.counts.requests.load(Ordering::SeqCst)
    }
}

/// Start a counting server on `ip`, port 0, answering every request with the
/// [`pages`] router after `delay` (HTTP/1.1 kept alive, or HTTP/2).
pub fn serve_counting(ip: IpAddr, delay: Duration) -> io::Result<Counting> {
    let listener = bind(ip)?;
    let addr = listener.local_addr()?;
    let counts = Arc::new(Counts::default());
    let shared = Arc::clone(&counts);
    spawn(async move {
        let listener = TcpListener::from_std(listener)?;
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            let open = shared.open.fetch_add(1, Ordering::SeqCst) + 1;
            shared.most_open.fetch_max(open, Ordering::SeqCst);
            let counts = Arc::clone(&shared);
            tokio::spawn(async move {
                let service = service_fn(|request| {
                    let counts = Arc::clone(&counts);
                    async move {
                        tokio::time::sleep(delay).await;
                        counts.requests.fetch_add(1, Ordering::SeqCst);
                        pages::route(request).await
                    }
                });
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
                counts.open.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    Ok(Counting { addr, counts })
}
