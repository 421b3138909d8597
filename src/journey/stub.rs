//! Step 3, the stub resolver's side: one recursive question (RD=1) to the
//! nearest DNS server, as the socket library's `getaddrinfo` sends it, and
//! the reply's flags (AA, RA) and records with their TTLs.
//!
//! See: RFC 1034 §5.3.1 (stub resolvers), RFC 1035 §4.1.1 (the header flags).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use dns_lookup::{QueryOut, RecordOut, records_out};
use hickory_proto::op::{Message, MessageType, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use netlens_core::timing::millis;
use serde::Serialize;
use tokio::net::UdpSocket;

use crate::journey::error::Error;

/// The DNS port on the internet. See: RFC 1035 §4.2
pub const DNS_PORT: u16 = 53;

/// One question of the stub resolver and the DNS server's reply.
#[derive(Debug, Clone, Serialize)]
pub struct StubOut {
    /// The DNS server asked (`ip:port`).
    pub server: SocketAddr,
    /// The question.
    pub query: QueryOut,
    /// RD, recursion desired: set by the stub.
    pub rd: bool,
    /// RA, recursion available: set by a recursive server.
    pub ra: bool,
    /// AA, authoritative answer: never set by a recursive server.
    pub aa: bool,
    /// The response code (`NOERROR`, `NXDOMAIN`...).
    pub rcode: String,
    /// The answer records, TTLs as the server sent them (time left in its cache).
    pub answers: Vec<RecordOut>,
    /// The authority records (the SOA of a negative answer).
    pub authority: Vec<RecordOut>,
    /// From sending the question to the reply, in milliseconds.
    pub elapsed_ms: f64,
}

impl StubOut {
    /// The addresses among the answers.
    pub fn addresses(reply: &Message) -> Vec<IpAddr> {
        reply
            .answers
            .iter()
            .filter_map(|r| match &r.data {
                RData::A(a) => Some(IpAddr::V4(a.0)),
                RData::AAAA(aaaa) => Some(IpAddr::V6(aaaa.0)),
                _ => None,
            })
            .collect()
    }
}

/// The first DNS server of the system's configuration (`/etc/resolv.conf`
/// on Unix), read with hickory-resolver.
pub fn system_server() -> Result<SocketAddr, Error> {
    let (config, _) = hickory_resolver::system_conf::read_system_conf()
        .map_err(|e| Error::NoResolver(e.to_string()))?;
    let first = config
        .name_servers()
        .first()
        .ok_or_else(|| Error::NoResolver("no name server configured".into()))?;
    Ok(SocketAddr::new(first.ip, DNS_PORT))
}

/// Ask `server` for (`name`, `rtype`) with RD set, waiting `timeout` for
/// each of `tries` sends; returns the account of it and the reply.
pub async fn ask(
    server: SocketAddr,
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
    tries: u32,
) -> Result<(StubOut, Message), Error> {
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => ([0, 0, 0, 0], 0).into(),
        SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(local).await?;
    socket.connect(server).await?;
    let mut query = Message::query();
    query.metadata.id = rand_id();
    query.metadata.recursion_desired = true;
    query.add_query(Query::query(name.clone(), rtype));
    let wire = query.to_vec().map_err(std::io::Error::other)?;
    let started = Instant::now();
    let mut buf = vec![0u8; 4096];
    for _ in 0..tries.max(1) {
        socket.send(&wire).await?;
        let Ok(got) =
            tokio::time::timeout(timeout, recv_reply(&socket, &mut buf, query.metadata.id)).await
        else {
            continue;
        };
        let reply = got?;
        let out = StubOut {
            server,
            query: QueryOut::new(name, rtype),
            rd: reply.metadata.recursion_desired,
            ra: reply.metadata.recursion_available,
            aa: reply.metadata.authoritative,
            rcode: dns_lookup::rcode_text(reply.metadata.response_code),
            answers: records_out(&reply.answers),
            authority: records_out(&reply.authorities),
            elapsed_ms: millis(started.elapsed()),
        };
        return Ok((out, reply));
    }
    Err(Error::Unreachable {
        server,
        secs: (timeout * tries.max(1)).as_secs_f64(),
    })
}

/// Wait for the reply with our id (anything else on the socket is ignored).
async fn recv_reply(socket: &UdpSocket, buf: &mut [u8], id: u16) -> Result<Message, Error> {
    loop {
        let len = socket.recv(buf).await?;
        let Ok(reply) = Message::from_vec(&buf[..len]) else {
            continue;
        };
        if reply.metadata.id == id && reply.metadata.message_type == MessageType::Response {
            return Ok(reply);
        }
    }
}

/// A query id that differs from run to run. See: RFC 5452 §4.3
fn rand_id() -> u16 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    hasher.finish() as u16
}

/// Whether the reply says the name does not exist.
pub fn is_nxdomain(reply: &Message) -> bool {
    reply.metadata.response_code == ResponseCode::NXDomain
}
