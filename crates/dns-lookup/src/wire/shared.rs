//! UDP sockets shared by the queries to one server, as query mode asks many
//! names at once (`-P`): a few connected sockets, each with one task reading
//! its replies and handing each to the query waiting for it.
//!
//! A fresh socket per query costs a socket, a bind, a connect and a close for
//! every name, and the kernel work of each, which made a bulk run CPU-bound;
//! load generators and stub libraries (dnsperf, adns) share a few sockets the
//! same way. Each query still has a random ID (drawn again while another
//! query on its socket holds it), and a reply is handed out only when its ID
//! and question match one waiting ([`super::check`]); garbage carrying a
//! waiting ID is malformed, anything else is dropped. Timeouts and resends
//! stay per query. The iterative resolver (`--trace`) keeps a fresh socket
//! per query: there, a random source port per query is part of the defence
//! against forged referrals (RFC 5452 §9.2).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use hickory_proto::op::{Message, Query};
use tokio::net::UdpSocket;
use tokio::sync::{OnceCell, oneshot};

use super::{Reject, Transport, UDP_BUFFER, WireError, check, encode, unreachable, unspecified};

/// What a reply to one waiting query delivers: the message and its size.
type Delivery = Result<(Message, usize), WireError>;

/// A query waiting on a socket: its question, and where its reply goes.
struct Waiter {
    queries: Vec<Query>,
    reply: oneshot::Sender<Delivery>,
    /// Which registration this is: once answered, its ID may be taken again
    /// by a new query, which the old registration must leave alone.
    ticket: u64,
}

/// The next registration's ticket.
static TICKETS: AtomicU64 = AtomicU64::new(0);

/// The queries waiting on one socket, by ID.
type Waiting = Mutex<HashMap<u16, Waiter>>;

/// One connected socket and its waiting queries.
struct Slot {
    socket: Arc<UdpSocket>,
    waiting: Arc<Waiting>,
}

/// A few connected UDP sockets to one server, shared by every query to it.
pub(crate) struct SharedUdp {
    server: SocketAddr,
    slots: Vec<OnceCell<Slot>>,
    next: AtomicUsize,
}

impl SharedUdp {
    /// Up to `sockets` sockets (at least one) to `server`, each opened on
    /// first use.
    pub fn new(server: SocketAddr, sockets: usize) -> SharedUdp {
        SharedUdp {
            server,
            slots: (0..sockets.max(1)).map(|_| OnceCell::new()).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// The server every socket is connected to.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// Send `request` (its ID may be drawn again) on the next socket, resend
    /// it after each `transport.timeout` without a reply, and return the reply.
    pub async fn exchange(&self, transport: &Transport, request: &mut Message) -> Delivery {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let slot = self.slots[index]
            .get_or_try_init(|| open(self.server, transport))
            .await?;
        let (mut reply, _registered) = Registered::new(&slot.waiting, request);
        let wire = encode(request)?;
        for _ in 0..=transport.retries {
            slot.socket.send(&wire).await.map_err(unreachable)?;
            match tokio::time::timeout(transport.timeout, &mut reply).await {
                Err(_) => continue, // this try timed out: resend
                Ok(Ok(delivery)) => return delivery,
                Ok(Err(_)) => return Err(WireError::Unreachable("socket closed".into())),
            }
        }
        Err(WireError::Timeout)
    }
}

/// A query's place among a socket's waiting ones, given up when dropped (a
/// timeout, or the query abandoned).
struct Registered<'w> {
    waiting: &'w Waiting,
    id: u16,
    ticket: u64,
}

impl<'w> Registered<'w> {
    /// Register `request` under an ID no other waiting query holds (drawing
    /// a new random one if needed).
    fn new(waiting: &'w Waiting, request: &mut Message) -> (oneshot::Receiver<Delivery>, Self) {
        let (sender, receiver) = oneshot::channel();
        let mut map = waiting.lock().unwrap_or_else(PoisonError::into_inner);
        while map.contains_key(&request.metadata.id) {
            request.metadata.id = rand::random();
        }
        let id = request.metadata.id;
        let ticket = TICKETS.fetch_add(1, Ordering::Relaxed);
        let waiter = Waiter {
            queries: request.queries.clone(),
            reply: sender,
            ticket,
        };
        map.insert(id, waiter);
        (
            receiver,
            Registered {
                waiting,
                id,
                ticket,
            },
        )
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        let mut map = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        if map.get(&self.id).is_some_and(|w| w.ticket == self.ticket) {
            map.remove(&self.id);
        }
    }
}

/// Bind a socket on a random port, connect it to `server` (the kernel then
/// drops datagrams from elsewhere) and start its reader.
async fn open(server: SocketAddr, transport: &Transport) -> Result<Slot, WireError> {
    let socket = UdpSocket::bind(unspecified(server))
        .await
        .map_err(unreachable)?;
    socket.connect(server).await.map_err(unreachable)?;
    let socket = Arc::new(socket);
    let waiting: Arc<Waiting> = Arc::default();
    let advertised = (transport.shape.edns.as_ref()).map_or(0, |e| usize::from(e.bufsize));
    let buffer = UDP_BUFFER.max(advertised);
    // Unconstrained: a reader out of tokio's cooperative budget would ask to
    // be woken later, and that wake is lost when the `block_on` driving the
    // run returns first (see `crate::bulk`); it yields whenever its socket is
    // empty.
    let reader = read(Arc::clone(&socket), Arc::clone(&waiting), buffer);
    tokio::spawn(tokio::task::unconstrained(reader));
    Ok(Slot { socket, waiting })
}

/// Read replies for as long as the socket lives, handing each to its query.
/// A refused connection (ICMP port unreachable) fails every waiting query:
/// they all went to the one server.
async fn read(socket: Arc<UdpSocket>, waiting: Arc<Waiting>, buffer: usize) {
    let mut buf = vec![0u8; buffer];
    loop {
        match socket.recv(&mut buf).await {
            Ok(len) => dispatch(&waiting, &buf[..len]),
            Err(e) => {
                let mut map = waiting.lock().unwrap_or_else(PoisonError::into_inner);
                for (_, waiter) in map.drain() {
                    let _ = waiter.reply.send(Err(unreachable(io_copy(&e))));
                }
                // A refusal is reported once; anything else ends the socket.
                if e.kind() != std::io::ErrorKind::ConnectionRefused {
                    return;
                }
            }
        }
    }
}

/// Hand `bytes` to the query waiting with its ID, if it answers that query.
fn dispatch(waiting: &Waiting, bytes: &[u8]) {
    let Some(id) = bytes.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]])) else {
        return;
    };
    let mut map = waiting.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(waiter) = map.get(&id) else {
        return; // nobody waits for it (late, or not ours): dropped
    };
    let delivery = match check(id, &waiter.queries, bytes) {
        Ok(message) => Ok((message, bytes.len())),
        Err(Reject::NotOurs) => return,
        Err(Reject::Bad(why)) => Err(WireError::Malformed(why)),
    };
    if let Some(waiter) = map.remove(&id) {
        let _ = waiter.reply.send(delivery);
    }
}

fn io_copy(e: &std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), e.to_string())
}

#[cfg(test)]
mod tests {
    use hickory_proto::rr::{Name, RecordType};

    use super::*;
    use crate::wire::build_query;

    fn transport() -> Transport {
        Transport::patient()
    }

    fn query(n: usize) -> Query {
        let name = Name::from_ascii(format!("name{n}.bulk.test.")).unwrap();
        Query::query(name, RecordType::A)
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// A server that reads `count` queries, then answers them last first,
    /// each preceded by a reply to another question with the same ID and by
    /// a reply with an ID nobody waits for.
    async fn reversing_server(count: usize) -> SocketAddr {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        tokio::spawn(async move {
            let mut got = Vec::new();
            let mut buf = [0u8; 512];
            while got.len() < count {
                let (len, from) = socket.recv_from(&mut buf).await.unwrap();
                got.push((Message::from_vec(&buf[..len]).unwrap(), from));
            }
            for (request, from) in got.into_iter().rev() {
                let mut other = request.clone().into_response();
                other.queries[0] = query(999_999);
                let mut stray = request.clone().into_response();
                stray.metadata.id = request.metadata.id.wrapping_add(1);
                for reply in [other, stray, request.into_response()] {
                    socket
                        .send_to(&reply.to_vec().unwrap(), from)
                        .await
                        .unwrap();
                }
            }
        });
        addr
    }

    #[test]
    fn a_taken_id_is_drawn_again() {
        let waiting = Waiting::default();
        let mut first = build_query(&query(1), true, &Default::default());
        let mut second = first.clone();
        let (_a, _first) = Registered::new(&waiting, &mut first);
        let (_b, registered) = Registered::new(&waiting, &mut second);
        assert_ne!(first.metadata.id, second.metadata.id);
        drop(registered);
        assert_eq!(waiting.lock().unwrap().len(), 1);
    }

    #[test]
    fn an_answered_query_leaves_its_id_to_the_next() {
        let waiting = Waiting::default();
        let mut first = build_query(&query(1), true, &Default::default());
        let mut second = build_query(&query(2), true, &Default::default());
        second.metadata.id = first.metadata.id;
        let (mut answered, registered) = Registered::new(&waiting, &mut first);
        dispatch(&waiting, &first.clone().into_response().to_vec().unwrap());
        assert!(answered.try_recv().unwrap().is_ok());
        let (mut next, _next) = Registered::new(&waiting, &mut second);
        assert_eq!(second.metadata.id, first.metadata.id);
        drop(registered);
        dispatch(&waiting, &second.clone().into_response().to_vec().unwrap());
        assert!(next.try_recv().unwrap().is_ok());
    }

    #[test]
    fn garbage_with_a_waiting_id_is_malformed() {
        let waiting = Waiting::default();
        let mut request = build_query(&query(1), true, &Default::default());
        let (mut reply, _registered) = Registered::new(&waiting, &mut request);
        dispatch(&waiting, &[0x12]);
        let mut garbage = request.metadata.id.to_be_bytes().to_vec();
        garbage.extend_from_slice(&[0x81, 0x80, 0, 5]);
        dispatch(&waiting, &garbage);
        let delivered = reply.try_recv().unwrap();
        assert!(matches!(delivered, Err(WireError::Malformed(_))));
    }

    #[test]
    fn replies_reach_their_own_queries_in_any_order() {
        runtime().block_on(async {
            let count = 64;
            let shared = SharedUdp::new(reversing_server(count).await, 4);
            let transport = transport();
            let asks = (0..count).map(|n| {
                let (shared, transport) = (&shared, &transport);
                async move {
                    let mut request = build_query(&query(n), true, &Default::default());
                    let (reply, _) = shared.exchange(transport, &mut request).await.unwrap();
                    assert_eq!(reply.metadata.id, request.metadata.id);
                    reply.queries[0].name().to_string()
                }
            });
            let names = futures_util::future::join_all(asks).await;
            let want: Vec<String> = (0..count).map(|n| query(n).name().to_string()).collect();
            assert_eq!(names, want);
            // Four sockets, opened on first use, each with its own port.
            assert!(shared.slots.iter().all(|slot| slot.initialized()));
        });
    }
}
