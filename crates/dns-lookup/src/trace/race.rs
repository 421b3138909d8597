//! Asking the servers of a zone: in the order of [`crate::select`], the next
//! one asked when the last stays silent past its wait (while it may still
//! answer) or fails, the first usable reply winning. Every query is a step,
//! recorded in the order the queries were sent; one left without a reply
//! says why (`no reply (next server asked after 120 ms)`).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Query, ResponseCode};
use hickory_proto::rr::Name;
use netlens_core::timing::millis;
use tokio::task::JoinSet;

use super::{Asked, Walk};
use crate::cache::ServerRef;
use crate::error::Error;
use crate::model::{Kind, Source, Step};
use crate::steps;
use crate::wire::{Exchange, WireError};

/// What to do after a reply.
pub(crate) enum Verdict {
    /// Use it: the race is won.
    Usable,
    /// The server is no use for this zone: skip its other addresses.
    NextServer,
}

/// How a reply is judged: its step, and the verdict.
pub(crate) type Judge<'j> =
    dyn Fn(&ServerRef, &Exchange, &mut Failures) -> (Step, Verdict) + Sync + 'j;

/// Why the servers of a zone gave nothing usable, gathered while asking them.
pub(crate) struct Failures {
    /// The last failure, in words.
    pub last: String,
    /// An error that outranks "lame" (an rcode, a loop, a bound).
    pub worst: Option<Error>,
    /// Whether any server replied at all.
    pub replied: bool,
    /// The servers that never replied, and why.
    pub silent: Vec<String>,
}

impl Failures {
    pub fn new() -> Failures {
        Failures {
            last: "no servers".into(),
            worst: None,
            replied: false,
            silent: Vec::new(),
        }
    }

    /// The error that ends the zone: the worst seen; no reply from any server
    /// (exit 3); or replies that were no use (lame, exit 4).
    pub fn into_error(self, zone: &Name) -> Error {
        if let Some(e) = self.worst {
            return e;
        }
        if !self.replied {
            let servers = if self.silent.is_empty() {
                self.last
            } else {
                self.silent.join(", ")
            };
            return Error::NoReply {
                zone: zone.to_string(),
                servers,
            };
        }
        Error::Lame {
            zone: zone.to_string(),
            why: self.last,
        }
    }
}

/// One query sent in a race.
struct Flight {
    server: ServerRef,
    started: Instant,
    /// When the next server was asked because this one was silent.
    successor_after: Option<Duration>,
    /// The step, once the query ended.
    step: Option<Step>,
}

/// What one ended query means for the race.
enum Landed {
    Won(Box<Exchange>),
    /// No reply from this address (skip its family when it has no route).
    Failed {
        no_route: bool,
    },
    /// A useless reply: skip the server's other addresses.
    NextServer(Option<Name>),
}

/// A query's result, with the index of its flight.
type Outcome = (usize, Result<Exchange, WireError>);

impl Walk<'_> {
    /// Race `servers` for `asked`: the winner and its reply, or `None` when
    /// every server failed (the reasons in `failures`).
    pub(super) async fn race(
        &mut self,
        asked: &Asked<'_>,
        servers: Vec<ServerRef>,
        failures: &mut Failures,
        judge: &Judge<'_>,
    ) -> Result<Option<(ServerRef, Exchange)>, Error> {
        let mut queue: VecDeque<ServerRef> = self.tracer.cache().servers.order(servers).into();
        let mut flights: Vec<Flight> = Vec::new();
        let mut flying: JoinSet<Outcome> = JoinSet::new();
        let mut next_at = Instant::now();
        let result = loop {
            let now = Instant::now();
            if !queue.is_empty() && (flying.is_empty() || now >= next_at) {
                if let Err(e) = self.budget_with(asked.query.name(), flights.len()) {
                    break Err(e);
                }
                if let Some(last) = flights.last_mut().filter(|f| f.step.is_none()) {
                    last.successor_after = Some(now - last.started);
                }
                let Some(server) = queue.pop_front() else {
                    continue;
                };
                next_at = now
                    + self
                        .tracer
                        .cache()
                        .servers
                        .wait(server.addr, self.tracer.transport.timeout);
                self.launch(&mut flying, flights.len(), server.addr, asked.query);
                flights.push(Flight {
                    server,
                    started: now,
                    successor_after: None,
                    step: None,
                });
                continue;
            }
            if flying.is_empty() {
                break Ok(None);
            }
            let waiting = !queue.is_empty();
            let joined = tokio::select! {
                joined = flying.join_next() => joined,
                () = tokio::time::sleep_until(next_at.into()), if waiting => continue,
                () = tokio::time::sleep_until(self.deadline.into()) => {
                    break Err(self.time_up());
                }
            };
            // A task that did not finish (cancelled) says nothing.
            let Some(Ok((index, outcome))) = joined else {
                continue;
            };
            match self.landed(asked, &mut flights[index], outcome, failures, judge) {
                Landed::Won(exchange) => {
                    break Ok(Some((flights[index].server.clone(), *exchange)));
                }
                Landed::Failed { no_route } => {
                    if no_route {
                        let cache = self.tracer.cache();
                        queue.retain(|s| cache.servers.routable(s.addr.ip()));
                    }
                    next_at = Instant::now();
                }
                Landed::NextServer(name) => {
                    queue.retain(|s| s.name != name);
                    next_at = Instant::now();
                }
            }
        };
        let given_up = match &result {
            Ok(_) => "another server answered first",
            Err(Error::Timeout(_)) => "time limit reached",
            Err(_) => "given up",
        };
        self.record(asked, flights, given_up);
        result
    }

    /// Send `query` to `addr` in the background.
    fn launch(&self, flying: &mut JoinSet<Outcome>, index: usize, addr: SocketAddr, query: &Query) {
        let transport = self.tracer.transport.clone();
        let query = query.clone();
        flying.spawn(async move { (index, transport.exchange(addr, &query).await) });
    }

    /// Take in the end of one query: its step, the server's RTT, the verdict.
    fn landed(
        &mut self,
        asked: &Asked<'_>,
        flight: &mut Flight,
        outcome: Result<Exchange, WireError>,
        failures: &mut Failures,
        judge: &Judge<'_>,
    ) -> Landed {
        let server = &flight.server;
        let exchange = match outcome {
            Ok(exchange) => exchange,
            Err(e) => {
                let base = self.base_step(asked, server);
                let waited = flight.started.elapsed();
                flight.step = Some(steps::failed(base, self.tracer.transport.tcp, &e, waited));
                failures.last = format!("{}: {e}", server.addr);
                failures
                    .silent
                    .push(format!("{}: {e}", server_text(server)));
                let no_route = matches!(e, WireError::NoRoute(_));
                if no_route {
                    self.tracer.cache().servers.no_route(server.addr.ip());
                } else {
                    let penalty = self.tracer.transport.timeout;
                    self.tracer.cache().servers.failed(server.addr, penalty);
                }
                return Landed::Failed { no_route };
            }
        };
        let penalty = self.tracer.transport.timeout;
        let mut cache = self.tracer.cache();
        if exchange.response.metadata.response_code == ResponseCode::Refused {
            // A refusing server is ranked as slow as the timeout: the run's
            // other names ask it last, not first.
            cache.servers.failed(server.addr, penalty);
        } else {
            cache.servers.replied(server.addr, exchange.elapsed);
        }
        drop(cache);
        failures.replied = true;
        let (step, verdict) = judge(server, &exchange, failures);
        flight.step = Some(step);
        match verdict {
            Verdict::Usable => Landed::Won(Box::new(exchange)),
            Verdict::NextServer => Landed::NextServer(server.name.clone()),
        }
    }

    /// Record every flight's step in the order sent; those still in the air
    /// say why they were left (`given_up`, unless a successor was asked).
    fn record(&mut self, asked: &Asked<'_>, flights: Vec<Flight>, given_up: &str) {
        for flight in flights {
            let step = match flight.step {
                Some(step) => step,
                None => {
                    let waited = flight.started.elapsed();
                    self.tracer
                        .cache()
                        .servers
                        .failed(flight.server.addr, waited);
                    let mut step = self.base_step(asked, &flight.server);
                    step.kind = Kind::Error;
                    step.protocol = Some(if self.tracer.transport.tcp {
                        "tcp"
                    } else {
                        "udp"
                    });
                    step.elapsed_ms = millis(waited);
                    step.note = Some(match flight.successor_after {
                        Some(after) => {
                            format!(
                                "no reply (next server asked after {} ms)",
                                after.as_millis()
                            )
                        }
                        None => format!("no reply ({given_up})"),
                    });
                    step
                }
            };
            self.steps.push(step);
        }
    }

    fn base_step(&self, asked: &Asked<'_>, server: &ServerRef) -> Step {
        let query = asked.query;
        steps::base(
            asked.depth,
            query.name(),
            query.query_type(),
            asked.zone,
            Some(server),
            Source::Network,
        )
    }
}

/// `ns.silent.com. (127.53.9.1)`, or the address alone.
fn server_text(server: &ServerRef) -> String {
    match &server.name {
        Some(name) => format!("{name} ({})", server.addr.ip()),
        None => server.addr.ip().to_string(),
    }
}
