//! An HTTP proxy on loopback: absolute-form requests are forwarded to the
//! origin, CONNECT opens a tunnel. It records every request line it got (and
//! whether credentials came with it) so that a test can see how a client used it.
//!
//! See: RFC 9112 §3.2.2 (absolute form), RFC 9110 §9.3.6 (CONNECT).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use super::scripted::read_head;

/// A running proxy.
#[derive(Clone)]
pub struct Proxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The proxy URL, `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request lines received so far, each followed by ` [auth]` when a
    /// `Proxy-Authorization` header came with it.
    pub fn seen(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Start a proxy on `ip`, port 0.
pub fn start(ip: IpAddr) -> io::Result<Proxy> {
    let listener = super::bind(ip)?;
    let proxy = Proxy {
        addr: listener.local_addr()?,
        seen: Arc::new(Mutex::new(Vec::new())),
    };
    let seen = Arc::clone(&proxy.seen);
    super::spawn(async move {
        let listener = TcpListener::from_std(listener)?;
        loop {
            let (client, _) = listener.accept().await?;
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                // A client or origin that goes away ends the tunnel; nothing to report.
                let _ = relay(client, seen).await;
            });
        }
    });
    Ok(proxy)
}

async fn relay(mut client: TcpStream, seen: Arc<Mutex<Vec<String>>>) -> io::Result<()> {
    let (head, rest) = read_head(&mut client).await?;
    let text = String::from_utf8_lossy(&head).into_owned();
    let request_line = text.lines().next().unwrap_or_default().to_string();
    let has_auth = text
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("proxy-authorization:"));
    let note = if has_auth { " [auth]" } else { "" };
    seen.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(format!("{request_line}{note}"));
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method == "CONNECT" {
        let Ok(mut origin) = TcpStream::connect(target).await else {
            client
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                .await?;
            return Ok(());
        };
        client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await?;
        origin.write_all(&rest).await?;
        tokio::io::copy_bidirectional(&mut client, &mut origin).await?;
        return Ok(());
    }
    // Absolute form: http://host:port/path → connect there, send the origin form.
    let Some(after_scheme) = target.strip_prefix("http://") else {
        client
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    let (authority, path) = match after_scheme.find('/') {
        Some(i) => (&after_scheme[..i], &after_scheme[i..]),
        None => (after_scheme, "/"),
    };
    let authority = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let Ok(mut origin) = TcpStream::connect(authority.as_str()).await else {
        client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    // Ask the origin to close after its answer, so that the relay knows when it is done.
    let rewritten = text.replacen(
        &format!(" {target} HTTP/1.1\r\n"),
        &format!(" {path} HTTP/1.1\r\nConnection: close\r\n"),
        1,
    );
    origin.write_all(rewritten.as_bytes()).await?;
    origin.write_all(&rest).await?;
    let (mut from_origin, mut to_origin) = origin.into_split();
    let (mut from_client, mut to_client) = client.split();
    let upload = async {
        let _ = tokio::io::copy(&mut from_client, &mut to_origin).await;
        std::future::pending::<()>().await
    };
    tokio::select! {
        () = upload => {}
        r = tokio::io::copy(&mut from_origin, &mut to_client) => { r?; }
    }
    to_client.shutdown().await?;
    Ok(())
}
