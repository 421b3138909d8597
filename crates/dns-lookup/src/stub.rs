//! Query mode: one question to one server, as a stub resolver asks it.
//!
//! With a named server the query is ours (hickory-proto over [`crate::wire`]),
//! as dig sends it, so the reply's flags, authority section and sender are
//! shown as they are. Without one, hickory-resolver asks the servers of the
//! system configuration (`/etc/resolv.conf`), with its own cache.
//! Either way, every name of the run shares one cache.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::time::Instant;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, Record, RecordType};
use hickory_resolver::config::{ConnectionConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::{Resolver, TokioResolver};

use crate::cache::negative_ttl;
use crate::dnssec::chain::{Fetch, Fetched};
use crate::edns::EdnsOut;
use crate::error::Error;
use crate::recent::Recent;
use crate::secure::TlsInfo;
use crate::wire::{Exchange, SharedUdp, Transport, WireError};

/// A reply as query mode reports it.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The response code.
    pub rcode: ResponseCode,
    /// The AA flag.
    pub authoritative: bool,
    /// The AD flag: the server says it validated the answer.
    pub authentic_data: bool,
    /// Answer section.
    pub answers: Vec<Record>,
    /// Authority section.
    pub authority: Vec<Record>,
    /// The server that answered, when known.
    pub server: Option<String>,
    /// `udp` or `tcp`, when known.
    pub protocol: Option<&'static str>,
    /// Whether the reply came from the run's cache.
    pub from_cache: bool,
    /// The reply's OPT record, when it had one (and the reply is our own).
    pub edns: Option<EdnsOut>,
    /// The TLS session, over TLS or HTTPS.
    pub tls: Option<TlsInfo>,
}

/// Replies the run keeps at most: a bulk run's memory stays bounded, and names
/// asked again soon still come from the cache.
const CACHE_ENTRIES: usize = 4096;

/// A cached reply: the exchange, its TTL and when it was stored.
type Cached = (Exchange, u32, Instant);

/// Asks one named server directly, caching replies for the run (a bounded
/// cache, shared by the questions in flight at once), over a few UDP sockets
/// shared by those questions (see [`SharedUdp`]).
pub struct Direct {
    transport: Transport,
    server: SocketAddr,
    sockets: SharedUdp,
    cache: RefCell<Recent<(Name, RecordType), Cached>>,
}

impl Direct {
    /// A stub that asks `server`, up to `parallel` questions at once.
    pub fn new(transport: Transport, server: SocketAddr, parallel: usize) -> Direct {
        Direct {
            transport,
            server,
            sockets: SharedUdp::new(server, sockets_for(parallel)),
            cache: RefCell::new(Recent::new(CACHE_ENTRIES)),
        }
    }

    /// Ask (`name`, `rtype`), from the cache if an earlier reply is still fresh.
    pub async fn ask(&self, name: &Name, rtype: RecordType) -> Result<Reply, Error> {
        let key = (name.to_lowercase(), rtype);
        let now = Instant::now();
        if let Some((exchange, ttl, stored)) = self.cache.borrow().get(&key) {
            let spent = u32::try_from(now.duration_since(*stored).as_secs()).unwrap_or(u32::MAX);
            if spent < *ttl {
                let mut reply = self.reply(exchange);
                for record in reply.answers.iter_mut().chain(reply.authority.iter_mut()) {
                    record.ttl = record.ttl.saturating_sub(spent);
                }
                reply.from_cache = true;
                return Ok(reply);
            }
        }
        let query = hickory_proto::op::Query::query(name.clone(), rtype);
        let exchange = self
            .transport
            .exchange_shared(&self.sockets, &query)
            .await
            .map_err(|e| wire_error(&self.server.to_string(), e))?;
        let reply = self.reply(&exchange);
        if let Some(ttl) = reply_ttl(&reply) {
            self.cache.borrow_mut().insert(key, (exchange, ttl, now));
        }
        Ok(reply)
    }

    fn reply(&self, exchange: &Exchange) -> Reply {
        let message = &exchange.response;
        Reply {
            rcode: message.metadata.response_code,
            authoritative: message.metadata.authoritative,
            authentic_data: message.metadata.authentic_data,
            answers: message.answers.clone(),
            authority: message.authorities.clone(),
            server: Some(self.server.to_string()),
            protocol: Some(exchange.protocol.as_str()),
            from_cache: false,
            edns: (message.edns.as_ref())
                .map(|edns| EdnsOut::of(edns).with_sent(&self.transport.shape)),
            tls: exchange.tls.clone(),
        }
    }
}

impl Fetch for &Direct {
    async fn fetch(&mut self, name: &Name, rtype: RecordType) -> Result<Fetched, Error> {
        let reply = self.ask(name, rtype).await?;
        Ok(Fetched {
            rcode: reply.rcode,
            answers: reply.answers,
            authority: reply.authority,
        })
    }
}

/// How many shared sockets `parallel` questions at once use: one per 32, at
/// most 8 (a socket's reader keeps up with far more; a few spread the kernel's
/// per-socket work).
fn sockets_for(parallel: usize) -> usize {
    parallel.div_ceil(32).clamp(1, 8)
}

/// How long a reply may be reused: its smallest answer TTL, the negative TTL
/// of a negative reply; never for errors.
fn reply_ttl(reply: &Reply) -> Option<u32> {
    match reply.rcode {
        ResponseCode::NoError if !reply.answers.is_empty() => {
            reply.answers.iter().map(|r| r.ttl).min()
        }
        ResponseCode::NoError | ResponseCode::NXDomain => negative_ttl(&reply.authority),
        _ => None,
    }
    .filter(|ttl| *ttl > 0)
}

/// Asks through hickory-resolver with the system configuration.
pub struct System {
    resolver: TokioResolver,
    servers: Vec<String>,
}

impl System {
    /// A resolver from the system configuration, with our timeout, retries,
    /// port and protocol.
    pub fn new(transport: &Transport, port: Option<u16>) -> Result<System, Error> {
        let (mut config, mut options): (_, ResolverOpts) =
            hickory_resolver::system_conf::read_system_conf()
                .map_err(|e| Error::SystemConfig(e.to_string()))?;
        for server in &mut config.name_servers {
            if transport.tcp {
                server.connections = vec![ConnectionConfig::tcp()];
            }
            if let Some(port) = port {
                for connection in &mut server.connections {
                    connection.port = port;
                }
            }
        }
        let servers: Vec<String> = config
            .name_servers
            .iter()
            .map(|s| {
                let port = s.connections.first().map_or(53, |c| c.port);
                SocketAddr::new(s.ip, port).to_string()
            })
            .collect();
        options.timeout = transport.timeout;
        options.attempts = transport.retries as usize + 1;
        let resolver = Resolver::builder_with_config(config, TokioRuntimeProvider::default())
            .with_options(options)
            .build()
            .map_err(|e| Error::SystemConfig(e.to_string()))?;
        Ok(System { resolver, servers })
    }

    /// Ask (`name`, `rtype`).
    pub async fn ask(&self, name: &Name, rtype: RecordType) -> Result<Reply, Error> {
        // hickory-resolver does not say which of several servers answered.
        let server = match self.servers.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        };
        match self.resolver.lookup(name.clone(), rtype).await {
            Ok(lookup) => Ok(Reply {
                rcode: lookup.message().metadata.response_code,
                authoritative: lookup.message().metadata.authoritative,
                authentic_data: lookup.message().metadata.authentic_data,
                answers: lookup.answers().to_vec(),
                authority: lookup.authorities().to_vec(),
                server,
                protocol: None,
                from_cache: false,
                edns: None,
                tls: None,
            }),
            Err(NetError::Dns(DnsError::NoRecordsFound(none))) => Ok(Reply {
                rcode: none.response_code,
                authoritative: false,
                authentic_data: false,
                answers: Vec::new(),
                authority: none
                    .soa
                    .map(|soa| vec![soa.into_record_of_rdata()])
                    .unwrap_or_default(),
                server,
                protocol: None,
                from_cache: false,
                edns: None,
                tls: None,
            }),
            Err(NetError::Dns(DnsError::ResponseCode(code))) => Ok(Reply {
                rcode: code,
                authoritative: false,
                authentic_data: false,
                answers: Vec::new(),
                authority: Vec::new(),
                server,
                protocol: None,
                from_cache: false,
                edns: None,
                tls: None,
            }),
            Err(NetError::Timeout) => Err(Error::Timeout(self.servers.join(", "))),
            Err(e @ (NetError::Io(_) | NetError::NoConnections)) => Err(Error::Unreachable {
                what: self.servers.join(", "),
                why: e.to_string(),
            }),
            Err(e) => Err(Error::Resolver {
                name: name.to_string(),
                why: e.to_string(),
            }),
        }
    }
}

/// The error of a failed exchange with `what`.
pub fn wire_error(what: &str, error: WireError) -> Error {
    match error {
        WireError::Timeout => Error::Timeout(what.to_string()),
        WireError::Unreachable(why) | WireError::NoRoute(why) => Error::Unreachable {
            what: what.to_string(),
            why,
        },
        WireError::Malformed(why) => Error::Malformed {
            server: what.to_string(),
            why,
        },
        WireError::Tls(why) => Error::Tls {
            server: what.to_string(),
            why,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use hickory_proto::rr::RData;
    use hickory_proto::rr::rdata::{A, SOA};

    use super::*;

    fn reply(rcode: ResponseCode, answers: Vec<Record>, authority: Vec<Record>) -> Reply {
        Reply {
            rcode,
            authoritative: true,
            authentic_data: false,
            answers,
            authority,
            server: None,
            protocol: None,
            from_cache: false,
            edns: None,
            tls: None,
        }
    }

    #[test]
    fn reply_ttls_follow_rfc_2308() {
        let name = Name::from_str("x.").unwrap();
        let a = Record::from_rdata(name.clone(), 60, RData::A(A::new(192, 0, 2, 1)));
        let soa = Record::from_rdata(
            name.clone(),
            3600,
            RData::SOA(SOA::new(name.clone(), name.clone(), 1, 1, 1, 1, 300)),
        );
        assert_eq!(
            reply_ttl(&reply(ResponseCode::NoError, vec![a], vec![])),
            Some(60)
        );
        assert_eq!(
            reply_ttl(&reply(ResponseCode::NXDomain, vec![], vec![soa.clone()])),
            Some(300)
        );
        assert_eq!(
            reply_ttl(&reply(ResponseCode::NXDomain, vec![], vec![])),
            None
        );
        assert_eq!(
            reply_ttl(&reply(ResponseCode::ServFail, vec![], vec![soa])),
            None
        );
    }
}
