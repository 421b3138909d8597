//! The web half of the sandbox: in-process servers on loopback port 0.
//!
//! Every server runs on a background thread with its own current-thread tokio
//! runtime and lives until the process ends, so a test just starts what it
//! needs and talks to the address it gets back:
//!
//! - [`serve`] / [`serve_https`]: the normal cases, routed by [`pages`],
//!   over HTTP/1.1 and HTTP/2 (by ALPN over TLS, by prior knowledge on
//!   cleartext); each server counts the connections it accepted;
//! - [`counting::serve_counting`]: a slow server that counts connections
//!   open at once, for parallel clients;
//! - [`pki::Pki`]: a CA and a server certificate generated at run time;
//! - [`proxy::start`]: an HTTP proxy (absolute form and CONNECT tunnels);
//! - [`scripted::start`]: raw-socket servers that break the protocol on
//!   purpose, [`scripted::refused`] for a port nobody listens on, and
//!   [`scripted::blackhole`] for one that never answers.

pub mod counting;
pub mod pages;
pub mod pki;
pub mod proxy;
pub mod scripted;

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A running server: where it listens, and how many connections it accepted.
#[derive(Debug, Clone)]
pub struct Server {
    addr: SocketAddr,
    https: bool,
    accepted: Arc<AtomicU64>,
}

impl Server {
    /// How many connections the server has accepted so far.
    pub fn connections(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// A URL for `path` on this server (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.addr)
    }
}

/// Start the plain HTTP server on `ip`, port 0 (HTTP/1.1, and HTTP/2 to a
/// client that starts with its preface).
pub fn serve(ip: IpAddr) -> io::Result<Server> {
    let listener = bind(ip)?;
    let addr = listener.local_addr()?;
    let accepted = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&accepted);
    spawn(async move {
        let listener = TcpListener::from_std(listener)?;
        loop {
            let (stream, _) = listener.accept().await?;
            counter.fetch_add(1, Ordering::SeqCst);
            // HTTP/2 writes its frames one by one: Nagle would hold them back.
            stream.set_nodelay(true)?;
            tokio::spawn(serve_connection(stream));
        }
    });
    Ok(Server {
        addr,
        https: false,
        accepted,
    })
}

/// Start the HTTPS server on `ip`, port 0, with the certificate of `pki`;
/// ALPN offers `h2` and `http/1.1`.
pub fn serve_https(ip: IpAddr, pki: &pki::Pki) -> io::Result<Server> {
    let listener = bind(ip)?;
    let addr = listener.local_addr()?;
    let mut config = pki.server_config()?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let accepted = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&accepted);
    spawn(async move {
        let listener = TcpListener::from_std(listener)?;
        loop {
            let (stream, _) = listener.accept().await?;
            counter.fetch_add(1, Ordering::SeqCst);
            // HTTP/2 writes its frames one by one: Nagle would hold them back.
            stream.set_nodelay(true)?;
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that rejects our certificate ends the handshake: that is a test passing.
                if let Ok(tls) = acceptor.accept(stream).await {
                    serve_connection(tls).await;
                }
            });
        }
    });
    Ok(Server {
        addr,
        https: true,
        accepted,
    })
}

/// Serve one connection with the [`pages`] router: HTTP/2 if the client
/// starts with the HTTP/2 preface, else HTTP/1.1 (kept alive between requests).
async fn serve_connection<S>(stream: S)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(pages::route);
    // Clients that hang up early (a test that timed out on purpose) are not errors here.
    let _ = auto::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Bind a non-blocking listener on `ip`, port 0.
fn bind(ip: IpAddr) -> io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(SocketAddr::new(ip, 0))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Run `server` on a background thread with its own current-thread runtime.
fn spawn<F>(server: F)
where
    F: Future<Output = io::Result<()>> + Send + 'static,
{
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        if let Ok(runtime) = runtime {
            // The server ends only with an accept error; the thread then ends with it.
            let _ = runtime.block_on(server);
        }
    });
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// A blocking HTTP/1.0-style GET, enough to check the servers by hand.
    fn get(addr: SocketAddr, path: &str) -> String {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn serves_pages_and_404() {
        let server = serve("127.0.0.1".parse().unwrap()).unwrap();
        let page = get(server.addr(), "/sample.htm");
        assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
        assert!(page.contains("<img src=\"gazou.jpg\""));
        assert!(get(server.addr(), "/nope").starts_with("HTTP/1.1 404"));
        assert!(server.url("/x").starts_with("http://127.0.0.1:"));
    }
}
