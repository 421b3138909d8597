//! Raw-socket servers that follow a script instead of the protocol: each
//! reads the request head, then answers with one kind of breakage (or, for
//! [`Script::RawEcho`], with the exact bytes it received). A real server
//! library would refuse to send most of these, which is why they are by hand.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// The largest request head the scripted servers read.
const MAX_HEAD: usize = 64 * 1024;

/// How long the drip server keeps dripping at most.
const DRIP_FOR: Duration = Duration::from_secs(60);

/// What a scripted server does after reading the request head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Announces 1000 bytes, sends 500, closes.
    Truncated,
    /// Sends a line that is not an HTTP status line.
    GarbageStatus,
    /// Sends a header line of 1 MiB.
    HugeHeader,
    /// Sends 1000 header fields.
    ManyHeaders,
    /// Announces 100 bytes and sends one per second.
    Drip,
    /// Sends a chunked body whose second chunk size is not hexadecimal.
    BadChunk,
    /// Sends a body without length or chunking, ended by closing the connection.
    CloseDelimited,
    /// Sends a chunked body followed by a trailer field `X-Checksum: 5d41402a`.
    Trailers,
    /// Sends back the request head exactly as received, as the body.
    RawEcho,
    /// Answers `ok` with a length and no `Connection: close`, then closes:
    /// a kept connection that is gone by the next request.
    CloseAfterResponse,
    /// HTTP/2 (prior knowledge): answers the request with GOAWAY, ENHANCE_YOUR_CALM.
    H2GoAway,
    /// HTTP/2 (prior knowledge): resets the request's stream, INTERNAL_ERROR.
    H2Reset,
    /// HTTP/2 (prior knowledge): a WINDOW_UPDATE that overflows the
    /// connection's flow-control window.
    H2FlowControl,
    /// HTTP/2 (prior knowledge): a SETTINGS frame of 5 bytes (not a multiple of 6).
    H2BadFrame,
}

/// The body [`Script::CloseDelimited`] sends.
pub const CLOSE_DELIMITED_BODY: &str = "a body that ends when the server closes\n";

/// Start a scripted server on `ip`, port 0.
pub fn start(ip: IpAddr, script: Script) -> io::Result<SocketAddr> {
    let listener = super::bind(ip)?;
    let addr = listener.local_addr()?;
    super::spawn(async move {
        let listener = TcpListener::from_std(listener)?;
        loop {
            let (stream, _) = listener.accept().await?;
            tokio::spawn(async move {
                // The client hanging up mid-script is the point of several scripts.
                let _ = play(stream, script).await;
            });
        }
    });
    Ok(addr)
}

/// An address on `ip` where nothing listens: connecting is refused.
///
/// The port stays bound (but never listening) for the rest of the process, so
/// no other server can take it while a test still expects a refusal.
pub fn refused(ip: IpAddr) -> io::Result<SocketAddr> {
    static HELD: std::sync::Mutex<Vec<TcpSocket>> = std::sync::Mutex::new(Vec::new());
    let socket = match ip {
        IpAddr::V4(_) => TcpSocket::new_v4()?,
        IpAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.bind(SocketAddr::new(ip, 0))?;
    let addr = socket.local_addr()?;
    HELD.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(socket);
    Ok(addr)
}

/// A listener at `addr` (port 0 for any) that never accepts and whose accept
/// queue is already full, so that a connection attempt gets no answer at all:
/// the loopback stand-in for an unreachable host.
pub fn blackhole(addr: SocketAddr) -> io::Result<SocketAddr> {
    let (tx, rx) = std::sync::mpsc::channel();
    super::spawn(async move {
        let bound = async {
            let socket = match addr {
                SocketAddr::V4(_) => TcpSocket::new_v4()?,
                SocketAddr::V6(_) => TcpSocket::new_v6()?,
            };
            socket.bind(addr)?;
            // A backlog of 0 leaves room for one queued connection; fill it.
            let listener = socket.listen(0)?;
            let local = listener.local_addr()?;
            let filler = TcpStream::connect(local).await?;
            Ok::<_, io::Error>((listener, filler, local))
        };
        match bound.await {
            Ok((_listener, _filler, local)) => {
                let _ = tx.send(Ok(local));
                std::future::pending::<io::Result<()>>().await
            }
            Err(e) => {
                let _ = tx.send(Err(e));
                Ok(())
            }
        }
    });
    rx.recv()
        .map_err(|_| io::Error::other("blackhole thread ended"))?
}

/// Read a request head (up to the blank line); returns it and any bytes read past it.
pub async fn read_head(stream: &mut TcpStream) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok((buf, rest));
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::other("request head too large"));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn play(mut stream: TcpStream, script: Script) -> io::Result<()> {
    let (head, rest) = read_head(&mut stream).await?;
    match script {
        Script::Truncated => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n")
                .await?;
            stream.write_all(&[b'x'; 500]).await?;
        }
        Script::GarbageStatus => {
            stream
                .write_all(b"HELLO THERE \x01\x02 not http\r\n\r\n")
                .await?;
        }
        Script::HugeHeader => {
            stream.write_all(b"HTTP/1.1 200 OK\r\nX-Huge: ").await?;
            stream.write_all(&vec![b'a'; 1024 * 1024]).await?;
            stream.write_all(b"\r\nContent-Length: 0\r\n\r\n").await?;
        }
        Script::ManyHeaders => {
            let mut answer = String::from("HTTP/1.1 200 OK\r\n");
            for i in 0..1000 {
                answer.push_str(&format!("X-Field-{i}: {i}\r\n"));
            }
            answer.push_str("Content-Length: 0\r\n\r\n");
            stream.write_all(answer.as_bytes()).await?;
        }
        Script::Drip => {
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n",
                )
                .await?;
            let started = tokio::time::Instant::now();
            while started.elapsed() < DRIP_FOR {
                stream.write_all(b".").await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Script::BadChunk => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n")
                .await?;
        }
        Script::Trailers => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 5d41402a\r\n\r\n")
                .await?;
        }
        Script::CloseDelimited => {
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n",
                )
                .await?;
            stream.write_all(CLOSE_DELIMITED_BODY.as_bytes()).await?;
        }
        Script::H2GoAway | Script::H2Reset | Script::H2FlowControl | Script::H2BadFrame => {
            return play_h2(stream, rest, script).await;
        }
        Script::CloseAfterResponse => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
                .await?;
        }
        Script::RawEcho => {
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
                head.len()
            );
            stream.write_all(answer.as_bytes()).await?;
            stream.write_all(&head).await?;
        }
    }
    stream.shutdown().await
}

/// An HTTP/2 frame. See: RFC 9113 §4.1.
pub fn h2_frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u32).to_be_bytes()[1..].to_vec();
    out.extend_from_slice(&[kind, flags]);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// The HTTP/2 scripts: read the client's frames up to its first HEADERS
/// (after the preface, whose first line `read_head` took), then misbehave.
async fn play_h2(mut stream: TcpStream, mut got: Vec<u8>, script: Script) -> io::Result<()> {
    // What follows the preface's `PRI * HTTP/2.0` head.
    const PREFACE_REST: usize = 6;
    let mut at = PREFACE_REST;
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(header) = got.get(at..at + 9) {
            let len = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
            if header[3] == 0x1 {
                return misbehave(&mut stream, script).await;
            }
            at += 9 + len;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        got.extend_from_slice(&chunk[..n]);
    }
}

async fn misbehave(stream: &mut TcpStream, script: Script) -> io::Result<()> {
    let mut out = h2_frame(0x4, 0, 0, &[]);
    match script {
        // Last stream 0, ENHANCE_YOUR_CALM (0xb).
        Script::H2GoAway => out.extend(h2_frame(0x7, 0, 0, &[0, 0, 0, 0, 0, 0, 0, 0xb])),
        // INTERNAL_ERROR (0x2) on the request's stream.
        Script::H2Reset => out.extend(h2_frame(0x3, 0, 1, &[0, 0, 0, 2])),
        Script::H2FlowControl => out.extend(h2_frame(0x8, 0, 0, &0x7fff_ffffu32.to_be_bytes())),
        _ => out = h2_frame(0x4, 0, 0, &[0; 5]),
    }
    stream.write_all(&out).await?;
    // Give the client time to read it all before the connection goes.
    let mut sink = [0u8; 4096];
    while tokio::time::timeout(Duration::from_secs(5), stream.read(&mut sink))
        .await
        .is_ok_and(|n| n.is_ok_and(|n| n > 0))
    {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    #[test]
    fn truncated_server_sends_less_than_announced() {
        let addr = start("127.0.0.1".parse().unwrap(), Script::Truncated).unwrap();
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        let text = String::from_utf8_lossy(&got);
        assert!(text.contains("Content-Length: 1000"));
        let body = text.split("\r\n\r\n").nth(1).unwrap();
        assert_eq!(body.len(), 500);
    }

    #[test]
    fn blackhole_never_answers() {
        let addr = blackhole("127.0.0.1:0".parse().unwrap()).unwrap();
        let attempt = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300));
        assert!(attempt.is_err());
    }

    #[test]
    fn refused_port_refuses() {
        let addr = refused("127.0.0.1".parse().unwrap()).unwrap();
        let error = std::net::TcpStream::connect(addr).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionRefused);
        // The port stays taken: nobody else can start listening there.
        assert!(std::net::TcpListener::bind(addr).is_err());
    }
}
