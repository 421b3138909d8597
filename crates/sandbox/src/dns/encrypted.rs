//! Encrypted front ends for one DNS server of the sandbox: DNS over TLS (RFC
//! 7858, ALPN `dot`) and DNS over HTTPS (RFC 8484: POST of the wire format to
//! `/dns-query`, HTTP/2), both on 127.0.0.1 with a certificate from a CA made
//! at run time ([`crate::web::pki`]) for `dns.sandbox.test` and `127.0.0.1`.
//!
//! Each query is passed on over UDP to the backend server the front ends were
//! started for, and its reply sent back as it came.

use std::convert::Infallible;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http2;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio_rustls::TlsAcceptor;

use crate::web::pki::Pki;

/// The names the front ends' certificate is valid for.
pub const NAMES: &[&str] = &["dns.sandbox.test", "127.0.0.1"];

/// The path DNS over HTTPS answers on.
pub const DOH_PATH: &str = "/dns-query";

/// How long the backend has to answer one query.
const BACKEND_TIMEOUT: Duration = Duration::from_secs(5);

/// Running DoT and DoH front ends; they serve until the process ends.
pub struct Encrypted {
    dot: SocketAddr,
    doh: SocketAddr,
    ca_pem: String,
}

impl Encrypted {
    /// Start both front ends for `backend` (a plain DNS server).
    pub fn start(backend: SocketAddr) -> io::Result<Encrypted> {
        let pki = Pki::generate(NAMES)?;
        let tls = |alpn: &[u8]| -> io::Result<TlsAcceptor> {
            let mut config = pki.server_config()?;
            config.alpn_protocols = vec![alpn.to_vec()];
            Ok(TlsAcceptor::from(Arc::new(config)))
        };
        let (dot_acceptor, doh_acceptor) = (tls(b"dot")?, tls(b"h2")?);
        let dot = bind()?;
        let doh = bind()?;
        let (dot_addr, doh_addr) = (dot.local_addr()?, doh.local_addr()?);
        std::thread::Builder::new()
            .name("sandbox-dns-tls".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async move {
                        let (Ok(dot), Ok(doh)) =
                            (TcpListener::from_std(dot), TcpListener::from_std(doh))
                        else {
                            return;
                        };
                        tokio::spawn(serve_dot(dot, dot_acceptor, backend));
                        serve_doh(doh, doh_acceptor, backend).await;
                    });
                }
            })?;
        Ok(Encrypted {
            dot: dot_addr,
            doh: doh_addr,
            ca_pem: pki.ca_pem().to_string(),
        })
    }

    /// Where DNS over TLS listens.
    pub fn dot(&self) -> SocketAddr {
        self.dot
    }

    /// Where DNS over HTTPS listens.
    pub fn doh(&self) -> SocketAddr {
        self.doh
    }

    /// The CA that signed the front ends' certificate, in PEM (`--cacert`).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
}

fn bind() -> io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// DNS over TLS: length-prefixed messages (RFC 1035 §4.2.2) on each session.
async fn serve_dot(listener: TcpListener, acceptor: TlsAcceptor, backend: SocketAddr) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            // A client that rejects the certificate ends the handshake: not an error here.
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            loop {
                let mut prefix = [0u8; 2];
                if tls.read_exact(&mut prefix).await.is_err() {
                    return;
                }
                let mut query = vec![0u8; usize::from(u16::from_be_bytes(prefix))];
                if tls.read_exact(&mut query).await.is_err() {
                    return;
                }
                let Ok(reply) = forward(backend, &query).await else {
                    return;
                };
                let Ok(len) = u16::try_from(reply.len()) else {
                    return;
                };
                let mut framed = len.to_be_bytes().to_vec();
                framed.extend_from_slice(&reply);
                if tls.write_all(&framed).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// DNS over HTTPS: HTTP/2, POST `application/dns-message` to [`DOH_PATH`].
async fn serve_doh(listener: TcpListener, acceptor: TlsAcceptor, backend: SocketAddr) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(stream).await else {
                return;
            };
            let service = service_fn(move |request| doh_answer(request, backend));
            let _ = http2::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

async fn doh_answer(
    request: Request<hyper::body::Incoming>,
    backend: SocketAddr,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let status = |code: StatusCode| {
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = code;
        Ok(response)
    };
    if request.uri().path() != DOH_PATH {
        return status(StatusCode::NOT_FOUND);
    }
    if request.method() != Method::POST {
        return status(StatusCode::METHOD_NOT_ALLOWED);
    }
    let Ok(body) = request.into_body().collect().await else {
        return status(StatusCode::BAD_REQUEST);
    };
    let Ok(reply) = forward(backend, &body.to_bytes()).await else {
        return status(StatusCode::BAD_GATEWAY);
    };
    let mut response = Response::new(Full::new(Bytes::from(reply)));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/dns-message"),
    );
    Ok(response)
}

/// Ask `backend` the query over UDP and return its reply as it came.
async fn forward(backend: SocketAddr, query: &[u8]) -> io::Result<Vec<u8>> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).await?;
    socket.connect(backend).await?;
    socket.send(query).await?;
    let mut buf = vec![0u8; 65_535];
    let len = tokio::time::timeout(BACKEND_TIMEOUT, socket.recv(&mut buf))
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
    buf.truncate(len);
    Ok(buf)
}
