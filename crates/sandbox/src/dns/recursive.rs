//! The nearest DNS server: a caching recursive server, the one a stub
//! resolver's query (RD=1) goes to.
//!
//! It is a hickory-server request handler whose resolution is dns-lookup's
//! own iterative resolver ([`dns_lookup::Tracer`]) with one cache for every
//! client: TTLs counted down, negative answers cached (RFC 2308). Its replies
//! are never authoritative (AA=0) and offer recursion (RA=1). Each question
//! it worked on is logged as a [`Walk`]: the steps it took from the root, or
//! the cache hits that spared it the walk.
//!
//! See: RFC 1034 §4.3.1 (recursive service), RFC 1035 §4.1.1 (AA, RA).

use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use dns_lookup::{Step, TraceOptions, Tracer};
use hickory_proto::op::{Header, HeaderCounts, Metadata, ResponseCode};
use hickory_proto::rr::{Name, Record, RecordType};
use hickory_server::Server;
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use tokio::sync::oneshot;

/// The recursive server's address (its port is picked by the system).
pub const RECURSIVE: Ipv4Addr = Ipv4Addr::new(127, 53, 53, 53);

/// What the server did for one question.
#[derive(Clone, Debug)]
pub struct Walk {
    /// The name asked.
    pub name: Name,
    /// The type asked.
    pub rtype: RecordType,
    /// Its resolver's steps: questions to authoritative servers and cache hits.
    pub steps: Vec<Step>,
    /// The response code sent back.
    pub rcode: ResponseCode,
    /// Whether the final answer came from its cache.
    pub from_cache: bool,
}

/// A running recursive server; stopped when dropped.
pub struct Recursive {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Walk>>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Recursive {
    /// Serve on [`RECURSIVE`] (UDP), resolving from the root `hints`, every
    /// authoritative server asked on `port`.
    pub fn start(hints: &Path, port: u16) -> io::Result<Recursive> {
        let options = TraceOptions {
            root_hints: Some(hints.to_path_buf()),
            port,
            timeout: Duration::from_secs(2),
            retries: 1,
            max_time: Duration::from_secs(10),
        };
        let tracer = Tracer::new(&options).map_err(io::Error::other)?;
        let udp = UdpSocket::bind(SocketAddr::new(RECURSIVE.into(), 0))?;
        udp.set_nonblocking(true)?;
        let addr = udp.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler = Handler {
            tracer: tokio::sync::Mutex::new(tracer),
            log: Arc::clone(&log),
        };
        let (stop, stopped) = oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("sandbox-recursive".into())
            .spawn(move || serve(udp, handler, stopped, ready_tx))?;
        ready_rx
            .recv()
            .map_err(|_| io::Error::other("recursive server thread ended early"))??;
        Ok(Recursive {
            addr,
            log,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every question it worked on so far, in order.
    pub fn walks(&self) -> Vec<Walk> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Recursive {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server's thread: a current-thread runtime until stopped.
fn serve(
    udp: UdpSocket,
    handler: Handler,
    stopped: oneshot::Receiver<()>,
    ready: std::sync::mpsc::Sender<io::Result<()>>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    runtime.block_on(async move {
        let udp = match tokio::net::UdpSocket::from_std(udp) {
            Ok(udp) => udp,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let mut server = Server::new(handler);
        server.register_socket(udp);
        let _ = ready.send(Ok(()));
        let _ = stopped.await;
        let _ = server.shutdown_gracefully().await;
    });
}

/// The request handler: one tracer (one cache) for every client.
struct Handler {
    tracer: tokio::sync::Mutex<Tracer>,
    log: Arc<Mutex<Vec<Walk>>>,
}

impl Handler {
    /// Resolve the question and log the walk; returns the response code and
    /// the answer and authority sections.
    async fn resolve(
        &self,
        name: Name,
        rtype: RecordType,
    ) -> (ResponseCode, Vec<Record>, Vec<Record>) {
        let traced = self.tracer.lock().await.trace(&name, rtype).await;
        let (rcode, answers, authority, from_cache) = match &traced.result {
            Ok(found) => (
                found.rcode(),
                found.answers(),
                found.authority().to_vec(),
                found.from_cache(),
            ),
            Err(_) => (ResponseCode::ServFail, Vec::new(), Vec::new(), false),
        };
        let walk = Walk {
            name,
            rtype,
            steps: traced.steps,
            rcode,
            from_cache,
        };
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(walk);
        (rcode, answers, authority)
    }
}

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.authoritative = false;
        metadata.recursion_available = true;
        let question = request
            .request_info()
            .ok()
            .map(|info| (Name::from(info.query.name()), info.query.query_type()));
        let (answers, authority) = match question {
            // It resolves for its clients and has no data of its own.
            _ if !request.metadata.recursion_desired => {
                metadata.response_code = ResponseCode::Refused;
                (Vec::new(), Vec::new())
            }
            None => {
                metadata.response_code = ResponseCode::FormErr;
                (Vec::new(), Vec::new())
            }
            Some((name, rtype)) => {
                let (rcode, answers, authority) = self.resolve(name, rtype).await;
                metadata.response_code = rcode;
                (answers, authority)
            }
        };
        let response = MessageResponseBuilder::from_message_request(request).build(
            metadata,
            answers.iter(),
            [].iter(),
            authority.iter(),
            [].iter(),
        );
        match response_handle.send_response(response).await {
            Ok(info) => info,
            Err(_) => ResponseInfo::from(Header {
                metadata,
                counts: HeaderCounts::default(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use hickory_proto::op::{Message, Query};

    use super::*;
    use crate::dns::Hierarchy;

    /// Ask `server` one question (RD as given) and return the reply.
    fn ask(server: SocketAddr, name: &str, rtype: RecordType, rd: bool) -> Message {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut query = Message::query();
        query.metadata.id = 7;
        query.metadata.recursion_desired = rd;
        query.add_query(Query::query(Name::from_str(name).unwrap(), rtype));
        socket.send_to(&query.to_vec().unwrap(), server).unwrap();
        let mut buf = [0u8; 4096];
        let (len, _) = socket.recv_from(&mut buf).unwrap();
        Message::from_vec(&buf[..len]).unwrap()
    }

    #[test]
    fn walks_once_then_answers_from_its_cache() {
        let hierarchy = Hierarchy::start().unwrap();
        let server = Recursive::start(hierarchy.root_hints(), hierarchy.port()).unwrap();
        let first = ask(server.addr(), "www.lab.glasscom.com.", RecordType::A, true);
        assert!(!first.metadata.authoritative && first.metadata.recursion_available);
        assert_eq!(first.answers[0].data.to_string(), "192.0.2.10");
        let second = ask(server.addr(), "www.lab.glasscom.com.", RecordType::A, true);
        assert_eq!(second.answers[0].data.to_string(), "192.0.2.10");
        let walks = server.walks();
        assert_eq!(walks.len(), 2);
        assert!(!walks[0].from_cache && walks[0].steps.len() >= 4);
        assert!(walks[1].from_cache);
        assert!(second.answers[0].ttl <= first.answers[0].ttl);
    }

    #[test]
    fn negative_answers_are_cached_and_rd_is_required() {
        let hierarchy = Hierarchy::start().unwrap();
        let server = Recursive::start(hierarchy.root_hints(), hierarchy.port()).unwrap();
        for _ in 0..2 {
            let reply = ask(
                server.addr(),
                "nosuch.lab.glasscom.com.",
                RecordType::A,
                true,
            );
            assert_eq!(reply.metadata.response_code, ResponseCode::NXDomain);
            assert_eq!(reply.authorities[0].record_type(), RecordType::SOA);
        }
        assert!(server.walks()[1].from_cache);
        let refused = ask(server.addr(), "www.lab.glasscom.com.", RecordType::A, false);
        assert_eq!(refused.metadata.response_code, ResponseCode::Refused);
        assert_eq!(server.walks().len(), 2);
    }
}
