//! One DNS exchange with one server, over UDP (TCP when truncated) or TCP.
//!
//! This is what dig does and what the trace is built on: a query message of our
//! own (hickory-proto), a random ID, EDNS(0) with a 1232-byte buffer, a fresh
//! socket on a random source port, and a reply accepted only when it comes from
//! the server asked, carries our ID and repeats our question; anything else
//! arriving on the socket is dropped while we keep waiting. Query mode's stub
//! shares a few sockets between its queries to its one server instead
//! ([`SharedUdp`]), with the same checks.
//!
//! See: RFC 1035 §4.2 (UDP and TCP framing), RFC 5452 §9.1 (ID, port and
//! question checks), RFC 6891 (EDNS(0)), RFC 7766 §6.2 (TCP when TC is set),
//! <https://www.dnsflagday.net/2020/> (1232 bytes).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use std::sync::Arc;

use hickory_proto::op::{Message, MessageType, OpCode, Query};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::edns::Shape;
use crate::secure::Secure;
use crate::secure::TlsInfo;

mod shared;

pub(crate) use shared::SharedUdp;

/// The EDNS(0) UDP payload size we advertise.
pub const EDNS_PAYLOAD: u16 = 1232;

/// Largest reply we read over UDP unless we advertise more (a server may
/// ignore our advertised size).
const UDP_BUFFER: usize = 4096;

/// How a query travelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
    /// DNS over TLS.
    Tls,
    /// DNS over HTTPS.
    Https,
}

impl Protocol {
    /// `"udp"` or `"tcp"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Udp => "udp",
            Protocol::Tcp => "tcp",
            Protocol::Tls => "tls",
            Protocol::Https => "https",
        }
    }
}

/// How to send queries: timeout per try, resends, TCP only or not, and what
/// each query carries.
#[derive(Clone, Debug)]
pub struct Transport {
    /// How long to wait for each reply.
    pub timeout: Duration,
    /// How many times to resend a query that got no reply (UDP).
    pub retries: u32,
    /// TCP for every query.
    pub tcp: bool,
    /// Set the RD (recursion desired) bit: yes for a stub query, no for a trace.
    pub recursion_desired: bool,
    /// EDNS and the CD bit.
    pub shape: Arc<Shape>,
    /// DNS over TLS or HTTPS instead of UDP and TCP (query mode).
    pub secure: Option<Arc<Secure>>,
}

/// A reply that passed the checks, and how it was obtained.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The decoded reply.
    pub response: Message,
    /// The reply's size on the wire (of the final reply, TCP if retried).
    pub bytes: usize,
    /// The protocol of the final reply.
    pub protocol: Protocol,
    /// Whether a truncated UDP reply was retried over TCP.
    pub retried_tcp: bool,
    /// Time from the first send to the accepted reply.
    pub elapsed: Duration,
    /// The TLS session, over TLS or HTTPS.
    pub tls: Option<TlsInfo>,
}

/// Why an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// No acceptable reply within the timeout (after every resend).
    Timeout,
    /// The server could not be reached (connection refused, port unreachable...).
    Unreachable(String),
    /// The host has no route to the server's address family (ENETUNREACH,
    /// EADDRNOTAVAIL).
    NoRoute(String),
    /// A reply from the server that is not a valid answer to our query.
    Malformed(String),
    /// The TLS handshake failed: the certificate is not trusted or not for the name.
    Tls(String),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Timeout => write!(f, "timeout"),
            WireError::Unreachable(why) => write!(f, "unreachable: {why}"),
            WireError::NoRoute(why) => write!(f, "no route: {why}"),
            WireError::Malformed(why) => write!(f, "malformed reply: {why}"),
            WireError::Tls(why) => write!(f, "tls: {why}"),
        }
    }
}

impl Transport {
    /// Ask `server` the `query`: UDP first (unless `tcp`), TCP when the UDP
    /// reply has TC set.
    pub async fn exchange(&self, server: SocketAddr, query: &Query) -> Result<Exchange, WireError> {
        self.exchange_over(server, None, query).await
    }

    /// [`Transport::exchange`] with `shared`'s server, over its shared UDP
    /// sockets rather than a fresh one.
    pub(crate) async fn exchange_shared(
        &self,
        shared: &SharedUdp,
        query: &Query,
    ) -> Result<Exchange, WireError> {
        self.exchange_over(shared.server(), Some(shared), query)
            .await
    }

    async fn exchange_over(
        &self,
        server: SocketAddr,
        shared: Option<&SharedUdp>,
        query: &Query,
    ) -> Result<Exchange, WireError> {
        let started = Instant::now();
        let done = |(response, bytes): (Message, usize), protocol, retried_tcp| Exchange {
            response,
            bytes,
            protocol,
            retried_tcp,
            elapsed: started.elapsed(),
            tls: None,
        };
        let mut request = build_query(query, self.recursion_desired, &self.shape);
        if let Some(secure) = &self.secure {
            // Boxed, as the TCP exchanges below: the UDP path's future stays
            // small, which matters with thousands of queries in flight.
            let asked = Box::pin(secure.exchange(server, &request));
            let (reply, tls) = tokio::time::timeout(self.timeout, asked)
                .await
                .unwrap_or(Err(WireError::Timeout))?;
            let mut exchange = done(reply, secure.protocol(), false);
            exchange.tls = Some(tls);
            return Ok(exchange);
        }
        if self.tcp {
            let reply = Box::pin(self.tcp_exchange(server, &request)).await?;
            return Ok(done(reply, Protocol::Tcp, false));
        }
        let reply = match shared {
            Some(shared) => shared.exchange(self, &mut request).await?,
            None => self.udp_exchange(server, &request).await?,
        };
        if !reply.0.metadata.truncation {
            return Ok(done(reply, Protocol::Udp, false));
        }
        // See: RFC 7766 §6.2: a truncated reply is retried over TCP, with a new ID.
        let request = build_query(query, self.recursion_desired, &self.shape);
        let reply = Box::pin(self.tcp_exchange(server, &request)).await?;
        Ok(done(reply, Protocol::Tcp, true))
    }

    async fn udp_exchange(
        &self,
        server: SocketAddr,
        request: &Message,
    ) -> Result<(Message, usize), WireError> {
        let wire = encode(request)?;
        // A fresh socket per query: the kernel picks a random ephemeral source port.
        let socket = UdpSocket::bind(unspecified(server))
            .await
            .map_err(unreachable)?;
        // Connecting makes the kernel drop datagrams from other sources and
        // report ICMP port-unreachable as a refused connection.
        socket.connect(server).await.map_err(unreachable)?;
        let advertised = self
            .shape
            .edns
            .as_ref()
            .map_or(0, |e| usize::from(e.bufsize));
        let mut buf = vec![0u8; UDP_BUFFER.max(advertised)];
        for _ in 0..=self.retries {
            socket.send(&wire).await.map_err(unreachable)?;
            let deadline = tokio::time::Instant::now() + self.timeout;
            loop {
                let received = tokio::time::timeout_at(deadline, socket.recv_from(&mut buf)).await;
                let (len, from) = match received {
                    Err(_) => break, // this try timed out: resend
                    Ok(Err(e)) => return Err(unreachable(e)),
                    Ok(Ok(got)) => got,
                };
                if from != server {
                    continue;
                }
                match accept(request, &buf[..len]) {
                    Ok(message) => return Ok((message, len)),
                    // Not ours (stale, spoofed or garbled): keep listening.
                    Err(Reject::NotOurs) => continue,
                    Err(Reject::Bad(why)) => return Err(WireError::Malformed(why)),
                }
            }
        }
        Err(WireError::Timeout)
    }

    async fn tcp_exchange(
        &self,
        server: SocketAddr,
        request: &Message,
    ) -> Result<(Message, usize), WireError> {
        let exchange = async {
            let mut stream = TcpStream::connect(server).await.map_err(unreachable)?;
            let _ = stream.set_nodelay(true);
            framed_exchange(&mut stream, request).await
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or(Err(WireError::Timeout))
    }
}

#[cfg(test)]
impl Transport {
    /// What the tests ask with: UDP, 5 s for each reply, no resend, RD set.
    pub(crate) fn patient() -> Transport {
        Transport {
            timeout: Duration::from_secs(5),
            retries: 0,
            tcp: false,
            recursion_desired: true,
            shape: Default::default(),
            secure: None,
        }
    }
}

/// Query mode's UDP exchanges to one server, over shared sockets or a fresh
/// socket each, for the criterion benches (not an API).
#[doc(hidden)]
pub struct BenchAsker {
    transport: Transport,
    server: SocketAddr,
    shared: Option<SharedUdp>,
}

impl BenchAsker {
    /// Ask `server` over `sockets` shared sockets, or a fresh socket per
    /// query when `sockets` is 0.
    pub fn new(server: SocketAddr, sockets: usize) -> BenchAsker {
        BenchAsker {
            transport: Transport {
                timeout: Duration::from_secs(2),
                retries: 1,
                tcp: false,
                recursion_desired: true,
                shape: Default::default(),
                secure: None,
            },
            server,
            shared: (sockets > 0).then(|| SharedUdp::new(server, sockets)),
        }
    }

    /// Ask `query`: whether a reply came.
    pub async fn ask(&self, query: &Query) -> bool {
        let exchange = match &self.shared {
            Some(shared) => self.transport.exchange_shared(shared, query).await,
            None => self.transport.exchange(self.server, query).await,
        };
        exchange.is_ok()
    }
}

/// Send `request` on a stream and read replies until ours comes (RFC 1035
/// §4.2.2: each message after a two-byte length).
pub(crate) async fn framed_exchange<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    request: &Message,
) -> Result<(Message, usize), WireError> {
    let wire = encode(request)?;
    let len = u16::try_from(wire.len())
        .map_err(|_| WireError::Malformed("query too large for TCP".into()))?;
    let mut framed = Vec::with_capacity(wire.len() + 2);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(&wire);
    stream.write_all(&framed).await.map_err(unreachable)?;
    loop {
        let mut prefix = [0u8; 2];
        stream.read_exact(&mut prefix).await.map_err(closed)?;
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(prefix))];
        stream.read_exact(&mut body).await.map_err(closed)?;
        match accept(request, &body) {
            Ok(message) => return Ok((message, body.len())),
            Err(Reject::NotOurs) => continue,
            Err(Reject::Bad(why)) => return Err(WireError::Malformed(why)),
        }
    }
}

/// A query message: random ID, one question, in `shape` (by default EDNS(0)
/// at 1232 bytes).
pub fn build_query(query: &Query, recursion_desired: bool, shape: &Shape) -> Message {
    let mut message = Message::new(rand::random(), MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = recursion_desired;
    message.add_query(query.clone());
    shape.apply(&mut message);
    message
}

pub(crate) fn encode(request: &Message) -> Result<Vec<u8>, WireError> {
    request
        .to_vec()
        .map_err(|e| WireError::Malformed(format!("encoding query: {e}")))
}

pub(crate) enum Reject {
    /// Not a reply to this query: ignore it and keep waiting.
    NotOurs,
    /// A reply to this query that cannot be used.
    Bad(String),
}

/// Check that `bytes` is the reply to `request`: same ID, a response, same question.
pub(crate) fn accept(request: &Message, bytes: &[u8]) -> Result<Message, Reject> {
    check(request.metadata.id, &request.queries, bytes)
}

/// Check that `bytes` is the reply to the query of `id` asking `queries`.
pub(crate) fn check(id: u16, queries: &[Query], bytes: &[u8]) -> Result<Message, Reject> {
    // An undecodable datagram might not be from the server at all: ignore it,
    // unless its header carries our ID (then the server really sent garbage).
    let message = match Message::from_vec(bytes) {
        Ok(message) => message,
        Err(e) if bytes.len() >= 2 && bytes[..2] == id.to_be_bytes() => {
            return Err(Reject::Bad(e.to_string()));
        }
        Err(_) => return Err(Reject::NotOurs),
    };
    if message.metadata.id != id || message.metadata.message_type != MessageType::Response {
        return Err(Reject::NotOurs);
    }
    if message.queries != queries {
        return Err(Reject::NotOurs);
    }
    Ok(message)
}

fn unspecified(server: SocketAddr) -> SocketAddr {
    match server.ip() {
        IpAddr::V4(_) => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        IpAddr::V6(_) => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
    }
}

pub(crate) fn unreachable(e: io::Error) -> WireError {
    match e.kind() {
        io::ErrorKind::NetworkUnreachable | io::ErrorKind::AddrNotAvailable => {
            WireError::NoRoute(e.to_string())
        }
        _ => WireError::Unreachable(e.to_string()),
    }
}

fn closed(e: io::Error) -> WireError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        WireError::Malformed("connection closed before a full reply".into())
    } else {
        unreachable(e)
    }
}

#[cfg(test)]
mod tests {
    use hickory_proto::rr::{Name, RecordType};

    use super::*;

    fn question() -> Query {
        Query::query(Name::from_ascii("www.example.com.").unwrap(), RecordType::A)
    }

    #[test]
    fn queries_carry_edns_and_random_ids() {
        let a = build_query(&question(), false, &Shape::default());
        assert_eq!(a.max_payload(), EDNS_PAYLOAD);
        assert!(!a.metadata.recursion_desired);
        let ids: std::collections::HashSet<u16> = (0..32)
            .map(|_| {
                build_query(&question(), true, &Shape::default())
                    .metadata
                    .id
            })
            .collect();
        assert!(ids.len() > 1);
    }

    #[test]
    fn replies_must_match_id_and_question() {
        let request = build_query(&question(), false, &Shape::default());
        let mut reply = request.clone().into_response();
        let bytes = reply.to_vec().unwrap();
        assert!(accept(&request, &bytes).is_ok());

        reply.metadata.id = request.metadata.id.wrapping_add(1);
        assert!(matches!(
            accept(&request, &reply.to_vec().unwrap()),
            Err(Reject::NotOurs)
        ));

        let mut other = request.clone().into_response();
        other.queries[0] = Query::query(Name::from_ascii("evil.example.").unwrap(), RecordType::A);
        assert!(matches!(
            accept(&request, &other.to_vec().unwrap()),
            Err(Reject::NotOurs)
        ));

        // The query itself echoed back is not a response.
        assert!(matches!(
            accept(&request, &request.to_vec().unwrap()),
            Err(Reject::NotOurs)
        ));
    }

    #[test]
    fn no_route_errors_are_told_apart() {
        let e = unreachable(io::Error::from(io::ErrorKind::NetworkUnreachable));
        assert!(matches!(e, WireError::NoRoute(_)));
        let e = unreachable(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert!(matches!(e, WireError::Unreachable(_)));
    }

    #[test]
    fn garbage_with_our_id_is_malformed() {
        let request = build_query(&question(), false, &Shape::default());
        let mut bytes = request.metadata.id.to_be_bytes().to_vec();
        bytes.extend_from_slice(&[0x81, 0x80, 0, 5]);
        assert!(matches!(accept(&request, &bytes), Err(Reject::Bad(_))));
        assert!(matches!(accept(&request, &[1]), Err(Reject::NotOurs)));
    }
}
