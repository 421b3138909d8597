//! `bulk.test.`: a zone that answers every name below it, for runs over
//! hundreds of thousands of names (`name1.bulk.test` ... `name1000000.bulk.test`).
//!
//! [`BulkZone::start`] binds one UDP socket on 127.0.0.1 (port 0) and answers
//! from a background thread until dropped, with no zone to load and no state
//! per name, so that it is never the bottleneck of a bulk client under test:
//! an A question gets one A record in 10.0.0.0/8 derived from the name (FNV-1a,
//! the same answer every time), other types NODATA with the zone's SOA, and
//! names outside the zone REFUSED. It counts the queries it answered.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, SOA};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// The zone's origin.
pub const BULK_ZONE: &str = "bulk.test.";

/// TTL of every record of the zone.
const TTL: u32 = 300;

/// The socket's receive buffer: room for every query of a client with
/// hundreds in flight, so that a burst is queued rather than dropped.
const RECEIVE_BUFFER: usize = 8 << 20;

/// How often the serving thread looks whether it should stop.
const STOP_POLL: Duration = Duration::from_millis(50);

/// A running `bulk.test.` server. Dropping it stops the server.
pub struct BulkZone {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl BulkZone {
    /// Bind 127.0.0.1:0 and start answering.
    pub fn start() -> io::Result<BulkZone> {
        BulkZone::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    }

    /// Bind `addr` and start answering.
    pub fn start_on(addr: SocketAddr) -> io::Result<BulkZone> {
        let socket = UdpSocket::bind(addr)?;
        socket2::SockRef::from(&socket).set_recv_buffer_size(RECEIVE_BUFFER)?;
        socket.set_read_timeout(Some(STOP_POLL))?;
        let addr = socket.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, answered) = (Arc::clone(&stop), Arc::clone(&answered));
            std::thread::Builder::new()
                .name("sandbox-bulk-dns".into())
                .spawn(move || serve(&socket, &stop, &answered))?
        };
        Ok(BulkZone {
            addr,
            stop,
            answered,
            thread: Some(thread),
        })
    }

    /// The server's address (UDP).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many queries it answered so far.
    pub fn answered(&self) -> u64 {
        self.answered.load(Ordering::Relaxed)
    }
}

impl Drop for BulkZone {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The address `name` has in the zone: 10.x.y.z from its FNV-1a hash.
pub fn address_of(name: &str) -> Ipv4Addr {
    let hash = name
        .to_ascii_lowercase()
        .trim_end_matches('.')
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    let [_, x, y, z] = (hash as u32).to_be_bytes();
    Ipv4Addr::new(10, x, y, z)
}

/// Answer every datagram until told to stop.
fn serve(socket: &UdpSocket, stop: &AtomicBool, answered: &AtomicU64) {
    let origin = Name::from_str(BULK_ZONE).expect("the origin is a valid name");
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        let Ok((len, peer)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let Some(reply) = answer(&origin, &buf[..len]) else {
            continue;
        };
        // Counted first, so that a client that got its reply sees the count.
        answered.fetch_add(1, Ordering::Relaxed);
        let _ = socket.send_to(&reply, peer);
    }
}

/// The reply to one query (`None` for what is not a query at all).
fn answer(origin: &Name, query: &[u8]) -> Option<Vec<u8>> {
    let request = Message::from_vec(query).ok()?;
    if request.metadata.message_type != MessageType::Query {
        return None;
    }
    let mut reply = Message::new(
        request.metadata.id,
        MessageType::Response,
        request.metadata.op_code,
    );
    reply.metadata.recursion_desired = request.metadata.recursion_desired;
    let Some(question) = request.queries.first() else {
        reply.metadata.response_code = ResponseCode::FormErr;
        return reply.to_vec().ok();
    };
    reply.add_query(question.clone());
    let name = question.name();
    if !origin.zone_of(name) {
        reply.metadata.response_code = ResponseCode::Refused;
        return reply.to_vec().ok();
    }
    reply.metadata.authoritative = true;
    if question.query_type() == RecordType::A && name != origin {
        let address = address_of(&name.to_ascii());
        reply.add_answer(Record::from_rdata(name.clone(), TTL, RData::A(A(address))));
    } else {
        reply.add_authority(soa(origin));
    }
    reply.to_vec().ok()
}

/// The zone's SOA record (its minimum is the negative TTL).
fn soa(origin: &Name) -> Record {
    let host = |label: &str| Name::from_str(label).expect("a valid name");
    let soa = SOA::new(
        host("ns.bulk.test."),
        host("hostmaster.bulk.test."),
        1,
        3600,
        600,
        86_400,
        TTL,
    );
    Record::from_rdata(origin.clone(), TTL, RData::SOA(soa))
}

#[cfg(test)]
mod tests {
    use hickory_proto::op::{OpCode, Query};

    use super::*;

    fn ask(server: &BulkZone, name: &str, rtype: RecordType) -> Message {
        let mut query = Message::new(7, MessageType::Query, OpCode::Query);
        query.add_query(Query::query(Name::from_str(name).unwrap(), rtype));
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        socket
            .send_to(&query.to_vec().unwrap(), server.addr())
            .unwrap();
        let mut buf = [0u8; 4096];
        let (len, _) = socket.recv_from(&mut buf).unwrap();
        Message::from_vec(&buf[..len]).unwrap()
    }

    #[test]
    fn answers_every_name_of_the_zone() {
        let server = BulkZone::start().unwrap();
        let reply = ask(&server, "name42.bulk.test.", RecordType::A);
        assert_eq!(reply.metadata.id, 7);
        assert!(reply.metadata.authoritative);
        assert_eq!(reply.answers.len(), 1);
        assert_eq!(
            reply.answers[0].data,
            RData::A(A(address_of("name42.bulk.test")))
        );
        let nodata = ask(&server, "name42.bulk.test.", RecordType::MX);
        assert_eq!(nodata.metadata.response_code, ResponseCode::NoError);
        assert!(nodata.answers.is_empty());
        assert_eq!(nodata.authorities[0].record_type(), RecordType::SOA);
        let outside = ask(&server, "example.com.", RecordType::A);
        assert_eq!(outside.metadata.response_code, ResponseCode::Refused);
        assert_eq!(server.answered(), 3);
    }

    #[test]
    fn addresses_are_stable_and_spread() {
        assert_eq!(
            address_of("Name1.bulk.test."),
            address_of("name1.bulk.test")
        );
        assert_ne!(address_of("name1.bulk.test"), address_of("name2.bulk.test"));
    }
}
