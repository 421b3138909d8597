//! The loopback DNS hierarchy: real authoritative servers (hickory-server), one
//! per zone, each on its own 127.53.x.y address, all on one shared high port.
//!
//! [`Hierarchy::start`] binds every server, writes a root hints file naming the
//! root server, and serves from a background thread with its own tokio runtime
//! until the [`Hierarchy`] is dropped. Resolvers under test are pointed at it
//! with the hints file and the port (`dns-lookup --trace --root-hints HINTS
//! --port PORT NAME`), or at one server directly (`--server ADDR:PORT`).
//!
//! The zones and the hard cases they hold are in [`zones`]; beside them,
//! [`resolver`] is a recursive resolver stand-in for query mode's EDNS cases.
//! [`bulk`] answers every name of `bulk.test.`, for bulk runs.

pub mod authority;
pub mod bulk;
pub mod encrypted;
pub mod recursive;
pub mod resolver;
pub mod signed;
pub mod zone;
pub mod zones;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use hickory_proto::rr::LowerName;
use hickory_server::Server;
use hickory_server::server::RequestHandler;
use hickory_server::zone_handler::{Catalog, ZoneHandler};
use tokio::sync::oneshot;

use authority::Authority;

pub use zones::{SERVERS, SILENT_SERVER, ServerSpec};

/// How many ports to try before giving up on finding one free on every address.
const PORT_ATTEMPTS: usize = 64;

/// Idle TCP connections are closed after this long.
const TCP_IDLE: Duration = Duration::from_secs(5);

/// A running hierarchy. Dropping it stops the servers and removes its files.
pub struct Hierarchy {
    servers: Servers,
    hints: PathBuf,
    /// Each authoritative server's address and count of requests.
    asked: Vec<(Ipv4Addr, Arc<AtomicU64>)>,
}

/// Servers on one shared port, served from a background thread until dropped,
/// with a temporary directory for their files.
struct Servers {
    port: u16,
    dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// The sockets of one server, bound before the runtime starts.
struct Bound {
    udp: UdpSocket,
    tcp: TcpListener,
}

impl Hierarchy {
    /// Bind every server on one free port, write the root hints and start serving.
    pub fn start() -> io::Result<Hierarchy> {
        let catalogs = SERVERS
            .iter()
            .map(|spec| catalog(*spec))
            .collect::<io::Result<Vec<Authority>>>()?;
        let addrs: Vec<Ipv4Addr> = SERVERS
            .iter()
            .chain([&SILENT_SERVER, &resolver::RESOLVER_SERVER])
            .map(|s| s.addr)
            .collect();
        let asked = SERVERS
            .iter()
            .zip(&catalogs)
            .map(|(spec, catalog)| (spec.addr, catalog.asked()))
            .collect();
        let servers = Servers::start("dns", &addrs, catalogs)?;
        let hints = servers.dir.join("root.hints");
        std::fs::write(&hints, zones::ROOT_HINTS)?;
        Ok(Hierarchy {
            servers,
            hints,
            asked,
        })
    }

    /// How many requests (UDP and TCP) the server on `addr` received so far.
    pub fn asked(&self, addr: Ipv4Addr) -> u64 {
        self.asked
            .iter()
            .find(|(server, _)| *server == addr)
            .map_or(0, |(_, asked)| asked.load(Ordering::Relaxed))
    }

    /// The port every server listens on (UDP and TCP).
    pub fn port(&self) -> u16 {
        self.servers.port
    }

    /// The root hints file (zone-file format, naming the root server).
    pub fn root_hints(&self) -> &Path {
        &self.hints
    }

    /// Every server of the hierarchy.
    pub fn servers(&self) -> &'static [ServerSpec] {
        SERVERS
    }

    /// The address of the (first) server authoritative for `zone` (`"glasscom.com."`).
    pub fn server_for(&self, zone: &str) -> Option<SocketAddr> {
        SERVERS
            .iter()
            .find(|s| s.zones.contains(&zone))
            .map(|s| self.socket(s.addr))
    }

    /// `addr` on the hierarchy's port.
    pub fn socket(&self, addr: Ipv4Addr) -> SocketAddr {
        SocketAddr::new(IpAddr::V4(addr), self.servers.port)
    }
}

impl Servers {
    /// Bind `addrs` on one free port and serve `handlers` on them, in order;
    /// past the last handler, the next address reads queries and never
    /// answers, and the one after it is the recursive resolver stand-in.
    fn start<H: RequestHandler>(
        what: &str,
        addrs: &[Ipv4Addr],
        handlers: Vec<H>,
    ) -> io::Result<Servers> {
        let (port, bound) = bind_all(addrs)?;
        let dir = std::env::temp_dir().join(format!(
            "netlens-sandbox-{what}-{}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir)?;
        let (stop, stopped) = oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
        let thread = std::thread::Builder::new()
            .name(format!("sandbox-{what}"))
            .spawn(move || serve(bound, handlers, stopped, ready_tx))?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(io::Error::other("dns sandbox thread ended early")),
        }
        Ok(Servers {
            port,
            dir,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Find a port free for UDP and TCP on every address, and bind them all.
fn bind_all(addrs: &[Ipv4Addr]) -> io::Result<(u16, Vec<Bound>)> {
    let mut last = io::Error::other("no port tried");
    for attempt in 0..PORT_ATTEMPTS {
        let port = candidate_port(attempt);
        match bind_on(port, addrs) {
            Ok(bound) => return Ok((port, bound)),
            // Taken on one of the addresses: drop what was bound and try another.
            Err(e) => last = e,
        }
    }
    Err(io::Error::new(
        last.kind(),
        format!("no port free on every 127.53/54.x.y address: {last}"),
    ))
}

fn bind_on(port: u16, addrs: &[Ipv4Addr]) -> io::Result<Vec<Bound>> {
    addrs
        .iter()
        .map(|ip| {
            let addr = SocketAddr::new(IpAddr::V4(*ip), port);
            let udp = UdpSocket::bind(addr)?;
            let tcp = TcpListener::bind(addr)?;
            udp.set_nonblocking(true)?;
            tcp.set_nonblocking(true)?;
            Ok(Bound { udp, tcp })
        })
        .collect()
}

/// A pseudo-random port in 20000..60000, different per attempt and per process.
fn candidate_port(attempt: usize) -> u16 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_usize(attempt);
    hasher.write_u32(std::process::id());
    20_000 + (hasher.finish() % 40_000) as u16
}

/// The request handler of one server: each of its zones, with glue, and AA
/// cleared on referrals.
fn catalog(spec: ServerSpec) -> io::Result<Authority> {
    let mut catalog = Catalog::new();
    let mut cuts = Vec::new();
    for origin in spec.zones {
        let text = zones::zone_file(origin)
            .ok_or_else(|| io::Error::other(format!("no zone file for {origin}")))?;
        let zone = zone::GlueZone::parse(text)
            .map_err(|e| io::Error::other(format!("zone {origin}: {e}")))?;
        let name = LowerName::new(&zone.origin_name());
        cuts.push(zone.cuts());
        let handler: Arc<dyn ZoneHandler> = Arc::new(zone);
        catalog.upsert(name, vec![handler]);
    }
    Ok(Authority::new(catalog, cuts))
}

/// The sandbox thread: a current-thread runtime running every server until stopped.
fn serve<H: RequestHandler>(
    bound: Vec<Bound>,
    catalogs: Vec<H>,
    stopped: oneshot::Receiver<()>,
    ready: std::sync::mpsc::Sender<io::Result<()>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    runtime.block_on(async move {
        let mut servers = Vec::new();
        let mut catalogs = catalogs.into_iter();
        let mut silent_started = false;
        for b in bound {
            let sockets = tokio::net::UdpSocket::from_std(b.udp)
                .and_then(|udp| Ok((udp, tokio::net::TcpListener::from_std(b.tcp)?)));
            let (udp, tcp) = match sockets {
                Ok(pair) => pair,
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return;
                }
            };
            let Some(catalog) = catalogs.next() else {
                // Past the authoritative servers: the silent one, then the resolver.
                if silent_started {
                    tokio::spawn(resolver::serve(udp));
                } else {
                    tokio::spawn(swallow_udp(udp));
                    tokio::spawn(swallow_tcp(tcp));
                    silent_started = true;
                }
                continue;
            };
            let mut server = Server::new(catalog);
            server.register_socket(udp);
            server.register_listener(tcp, TCP_IDLE, 64 * 1024);
            servers.push(server);
        }
        let _ = ready.send(Ok(()));
        let _ = stopped.await;
        for server in &mut servers {
            let _ = server.shutdown_gracefully().await;
        }
    });
}

/// Read every datagram and never answer: a server that times out.
async fn swallow_udp(socket: tokio::net::UdpSocket) {
    let mut buf = [0u8; 4096];
    while socket.recv_from(&mut buf).await.is_ok() {}
}

/// Accept connections and hold them without a word, until the client gives up.
async fn swallow_tcp(listener: tokio::net::TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(async move {
            tokio::time::sleep(TCP_IDLE).await;
            drop(stream);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_writes_hints_and_stops() {
        let hierarchy = Hierarchy::start().unwrap();
        let hints = std::fs::read_to_string(hierarchy.root_hints()).unwrap();
        assert!(hints.contains("127.53.0.1"));
        assert!(hierarchy.port() >= 20_000);
        assert_eq!(
            hierarchy.server_for("lab.glasscom.com."),
            Some(hierarchy.socket(zones::LAB))
        );
        assert_eq!(hierarchy.asked(zones::ROOT), 0);
        let dir = hierarchy.servers.dir.clone();
        drop(hierarchy);
        assert!(!dir.exists());
    }

    #[test]
    fn two_hierarchies_get_different_ports() {
        let a = Hierarchy::start().unwrap();
        let b = Hierarchy::start().unwrap();
        assert_ne!(a.port(), b.port());
    }
}
