//! The iterative resolver behind `--trace`: from the root hints down, one
//! referral at a time, every question and cache hit recorded as a step.
//!
//! It primes the root server list, then for each name walks down the cached
//! delegations (each shown as a cache step with its TTL left) and asks the
//! servers of the closest known zone, following referrals and CNAMEs. Servers
//! that time out, cannot be reached, refuse or answer nonsense are skipped for
//! the next one; glueless servers' addresses are resolved as nested steps.
//! Loops (referrals back up, glueless cycles, CNAME cycles) end the resolution
//! with an error, and so do the bounds on steps, nesting and total time.
//!
//! See: RFC 1034 §5.3.3 (the resolver algorithm), RFC 8109 (priming),
//! RFC 2308 (negative caching), RFC 1034 §3.6.2 (CNAME chains).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use hickory_proto::op::{Query, ResponseCode};
use hickory_proto::rr::{Name, Record, RecordType};

use crate::cache::{Answer, Cache, Delegation, NameServer, Origin, ServerRef};
use crate::classify::{Class, classify, delegation_from, rcode_text, root_servers};
use crate::error::Error;
use crate::model::{Kind, Source, Step, records_out};
use crate::resolution::{Resolution, Traced};
use crate::steps;
use crate::wire::{Exchange, Transport};

/// Bounds on one resolution.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Steps (questions and cache hits) for one name, nested ones included.
    pub max_steps: usize,
    /// Nesting of glueless-server lookups.
    pub max_depth: usize,
    /// CNAMEs followed.
    pub max_cnames: usize,
    /// Referrals followed for one name.
    pub max_referrals: usize,
    /// Wall time for one name.
    pub total: Duration,
}

impl Limits {
    /// The bounds for a run whose queries wait `timeout` and resend `retries` times.
    pub fn for_transport(timeout: Duration, retries: u32) -> Limits {
        let per_server = timeout * (retries + 1);
        Limits {
            max_steps: 128,
            max_depth: 4,
            max_cnames: 12,
            max_referrals: 24,
            total: (per_server * 12).clamp(Duration::from_secs(5), Duration::from_secs(120)),
        }
    }
}

/// Where an iterative resolution starts and how long it waits.
#[derive(Clone, Debug)]
pub struct TraceOptions {
    /// A root hints file; `None` for the built-in IANA hints.
    pub root_hints: Option<PathBuf>,
    /// The destination port of every query (53 on the internet).
    pub port: u16,
    /// How long to wait for each reply.
    pub timeout: Duration,
    /// How many times to resend a query that got no reply.
    pub retries: u32,
}

/// An iterative resolver with the run's cache: every name traced through one
/// `Tracer` reuses what the earlier ones learnt.
pub struct Tracer {
    transport: Transport,
    port: u16,
    hints: Vec<NameServer>,
    cache: Cache,
    limits: Limits,
    deadline: Instant,
    steps: Vec<Step>,
    in_progress: Vec<(Name, RecordType)>,
}

/// One name's answer, before its CNAMEs are followed.
struct NameResult {
    class: Class,
    authoritative: bool,
    server: ServerRef,
    from_cache: bool,
    protocol: Option<&'static str>,
}

/// What asking one server of a zone gave.
enum Attempt {
    /// A reply to act on.
    Usable(Box<NameResult>),
    /// No reply from this address: try the server's next address.
    NextAddress,
    /// The server answered uselessly: try the next server.
    NextServer,
}

/// Why the servers of a zone gave nothing usable, gathered while asking them.
struct Failures {
    /// The last failure, in words.
    last: String,
    /// An error that outranks "lame" (an rcode, a loop, a bound).
    worst: Option<Error>,
    /// Whether any server replied at all.
    replied: bool,
}

impl Failures {
    fn new() -> Failures {
        Failures {
            last: "no servers".into(),
            worst: None,
            replied: false,
        }
    }

    /// The error that ends the zone: the worst seen, an unreachable root, or lame.
    fn into_error(self, zone: &Name) -> Error {
        if let Some(e) = self.worst {
            return e;
        }
        if zone.is_root() && !self.replied {
            return Error::Unreachable {
                what: "every root server".into(),
                why: self.last,
            };
        }
        Error::Lame {
            zone: zone.to_string(),
            why: self.last,
        }
    }
}

impl Tracer {
    /// A resolver from `options`' root hints (the built-in ones when none).
    pub fn new(options: &TraceOptions) -> Result<Tracer, Error> {
        let hints = crate::hints::load(options.root_hints.as_deref())?;
        let transport = Transport {
            timeout: options.timeout,
            retries: options.retries,
            tcp: false,
            recursion_desired: false,
            dnssec_ok: false,
        };
        let limits = Limits::for_transport(options.timeout, options.retries);
        Ok(Tracer::with_hints(transport, options.port, hints, limits))
    }

    /// A resolver starting from `hints`, asking every server on `port`.
    pub(crate) fn with_hints(
        transport: Transport,
        port: u16,
        hints: Vec<NameServer>,
        limits: Limits,
    ) -> Tracer {
        Tracer {
            // An iterative resolver asks for what each server knows itself.
            transport: Transport {
                recursion_desired: false,
                ..transport
            },
            port,
            hints,
            cache: Cache::default(),
            limits,
            deadline: Instant::now(),
            steps: Vec::new(),
            in_progress: Vec::new(),
        }
    }

    /// Resolve (`name`, `rtype`) from the root, recording every step.
    pub async fn trace(&mut self, name: &Name, rtype: RecordType) -> Traced {
        self.steps.clear();
        self.in_progress.clear();
        self.deadline = Instant::now() + self.limits.total;
        let result = self.resolve(name, rtype, 0).await;
        Traced {
            steps: std::mem::take(&mut self.steps),
            result,
        }
    }

    /// Resolve at nesting `depth`, following CNAMEs; detects glueless cycles.
    async fn resolve(
        &mut self,
        name: &Name,
        rtype: RecordType,
        depth: usize,
    ) -> Result<Resolution, Error> {
        if depth > self.limits.max_depth {
            return Err(Error::Limit {
                name: name.to_string(),
                why: format!("{} levels of nested server lookups", self.limits.max_depth),
            });
        }
        let key = (name.to_lowercase(), rtype);
        if self.in_progress.contains(&key) {
            return Err(Error::ReferralLoop {
                zone: name.to_string(),
                why: "glueless delegations whose servers depend on each other".into(),
            });
        }
        self.in_progress.push(key);
        let result = Box::pin(self.resolve_chain(name, rtype, depth)).await;
        self.in_progress.pop();
        result
    }

    async fn resolve_chain(
        &mut self,
        name: &Name,
        rtype: RecordType,
        depth: usize,
    ) -> Result<Resolution, Error> {
        let mut current = name.clone();
        let mut cnames: Vec<Record> = Vec::new();
        let mut seen: Vec<Name> = vec![name.to_lowercase()];
        loop {
            let one = self.resolve_name(&current, rtype, depth).await?;
            let answer = match one.class {
                Class::Cname { target, records } => {
                    cnames.extend(records);
                    let target = target.to_lowercase();
                    let looped = seen.contains(&target);
                    seen.push(target.clone());
                    if looped {
                        return Err(Error::CnameLoop {
                            name: target.to_string(),
                            why: join_names(&seen),
                        });
                    }
                    if seen.len() > self.limits.max_cnames {
                        return Err(Error::CnameLoop {
                            name: name.to_string(),
                            why: format!("more than {} CNAMEs", self.limits.max_cnames),
                        });
                    }
                    current = target;
                    continue;
                }
                Class::Answer(records) => Answer::Records(records),
                Class::NxDomain(soa) => Answer::NxDomain(soa),
                Class::NoData(soa) => Answer::NoData(soa),
                Class::Referral(_) | Class::BadReferral(_) | Class::Lame(_) => {
                    return Err(Error::Malformed {
                        server: one.server.addr.to_string(),
                        why: format!("no answer for {current}"),
                    });
                }
            };
            return Ok(Resolution {
                cnames,
                answer,
                authoritative: one.authoritative,
                server: one.server,
                from_cache: one.from_cache,
                protocol: one.protocol,
            });
        }
    }

    /// One name, no CNAME following: from the cache, or down the delegations.
    async fn resolve_name(
        &mut self,
        name: &Name,
        rtype: RecordType,
        depth: usize,
    ) -> Result<NameResult, Error> {
        self.budget(name)?;
        if let Some(hit) = self.cached(name, rtype, depth) {
            return Ok(hit);
        }
        let mut delegation = self.start(name, rtype, depth).await?;
        let mut referrals = 0;
        loop {
            let result = self.ask_zone(&delegation, name, rtype, depth).await?;
            let answer = match &result.class {
                Class::Referral(referral) => {
                    referrals += 1;
                    if referrals > self.limits.max_referrals {
                        return Err(Error::ReferralLoop {
                            zone: referral.zone.to_string(),
                            why: format!("more than {} referrals", self.limits.max_referrals),
                        });
                    }
                    let next = delegation_from(referral, &delegation.zone, result.server);
                    self.cache.put_delegation(next.clone(), Instant::now());
                    delegation = next;
                    continue;
                }
                Class::Answer(records) | Class::Cname { records, .. } => {
                    Answer::Records(records.clone())
                }
                Class::NxDomain(soa) => Answer::NxDomain(soa.clone()),
                Class::NoData(soa) => Answer::NoData(soa.clone()),
                Class::BadReferral(_) | Class::Lame(_) => {
                    return Err(Error::Malformed {
                        server: result.server.addr.to_string(),
                        why: format!("no usable reply for {name}"),
                    });
                }
            };
            let origin = Origin {
                zone: delegation.zone.clone(),
                from: result.server.clone(),
                authoritative: result.authoritative,
            };
            self.cache
                .put_answer(name, rtype, answer, origin, Instant::now());
            return Ok(result);
        }
    }

    /// The cached answer for (`name`, `rtype`), recorded as a cache step.
    fn cached(&mut self, name: &Name, rtype: RecordType, depth: usize) -> Option<NameResult> {
        let now = Instant::now();
        let hit = self.cache.answer(name, rtype, now)?;
        let class = match hit.aged(now) {
            Answer::Records(records) => crate::classify::class_of_records(&records, name, rtype),
            Answer::NxDomain(soa) => Class::NxDomain(soa),
            Answer::NoData(soa) => Class::NoData(soa),
        };
        let mut step = steps::base(
            depth,
            name,
            rtype,
            &hit.origin.zone,
            Some(&hit.origin.from),
            Source::Cache,
        );
        step.kind = steps::kind_of(&class);
        step.authoritative = hit.origin.authoritative;
        step.ttl_left = Some(hit.ttl_left(now));
        step.rcode = Some(rcode_text(match class {
            Class::NxDomain(_) => ResponseCode::NXDomain,
            _ => ResponseCode::NoError,
        }));
        step.answers = match &class {
            Class::Answer(records) | Class::Cname { records, .. } => records_out(records),
            _ => Vec::new(),
        };
        self.steps.push(step);
        Some(NameResult {
            class,
            authoritative: hit.origin.authoritative,
            server: hit.origin.from,
            from_cache: true,
            protocol: None,
        })
    }

    /// The closest known delegation above `name`: the root servers (primed or
    /// cached), then every cached referral on the way down, each shown as a step.
    async fn start(
        &mut self,
        name: &Name,
        rtype: RecordType,
        depth: usize,
    ) -> Result<Delegation, Error> {
        let now = Instant::now();
        let mut current = match self.cache.root(now) {
            Some((root, left)) => {
                let mut step =
                    steps::cached_referral(depth, &Name::root(), RecordType::NS, &root, left);
                step.authoritative = true;
                self.steps.push(step);
                root
            }
            None => self.prime(depth).await?,
        };
        // See: RFC 4035 §3.1.4.1: the DS RRset lives in the parent, above the cut.
        let below = if rtype == RecordType::DS && !name.is_root() {
            name.base_name()
        } else {
            name.clone()
        };
        while let Some((next, left)) = self.cache.delegation_below(&current.zone, &below, now) {
            self.budget(name)?;
            self.steps
                .push(steps::cached_referral(depth, name, rtype, &next, left));
            current = next;
        }
        Ok(current)
    }

    /// Ask the hinted root servers for the root NS set (RFC 8109).
    async fn prime(&mut self, depth: usize) -> Result<Delegation, Error> {
        let root = Name::root();
        let mut last: Option<Error> = None;
        for hint in self.hints.clone() {
            for addr in &hint.addrs {
                self.budget(&root)?;
                let server = ServerRef {
                    name: Some(hint.name.clone()),
                    addr: SocketAddr::new(*addr, self.port),
                };
                match self.prime_from(server, depth).await {
                    Ok(delegation) => return Ok(delegation),
                    Err(e) => last = Some(e),
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::Lame {
            zone: ".".into(),
            why: "no root server address".into(),
        }))
    }

    /// One priming question to one root server.
    async fn prime_from(&mut self, server: ServerRef, depth: usize) -> Result<Delegation, Error> {
        let root = Name::root();
        let query = Query::query(root.clone(), RecordType::NS);
        let (sent, elapsed) = self.send(server.addr, &query).await;
        let exchange = match sent {
            Ok(exchange) => exchange,
            Err(e) => {
                let base = steps::base(
                    depth,
                    &root,
                    RecordType::NS,
                    &root,
                    Some(&server),
                    Source::Network,
                );
                self.steps
                    .push(steps::failed(base, self.transport.tcp, &e, elapsed));
                return Err(crate::stub::wire_error("root servers", e));
            }
        };
        let mut step = steps::reply(depth, &root, RecordType::NS, &root, &server, &exchange);
        let Some(delegation) = root_servers(&exchange.response, &self.hints, server) else {
            let why = format!(
                "priming reply {} without the root NS set",
                rcode_text(exchange.response.metadata.response_code)
            );
            step.kind = Kind::Error;
            step.note = Some(why.clone());
            self.steps.push(step);
            return Err(Error::Lame {
                zone: ".".into(),
                why,
            });
        };
        step.kind = Kind::Referral;
        step.referral = Some(steps::referral_out(&delegation));
        self.steps.push(step);
        self.cache.put_root(delegation.clone(), Instant::now());
        Ok(delegation)
    }

    /// Ask the servers of `delegation` in turn until one gives a usable reply.
    async fn ask_zone(
        &mut self,
        delegation: &Delegation,
        name: &Name,
        rtype: RecordType,
        depth: usize,
    ) -> Result<NameResult, Error> {
        let query = Query::query(name.clone(), rtype);
        let mut failures = Failures::new();
        for ns in self.ordered(&delegation.servers) {
            let Some(addrs) = self.addresses_of(&ns, depth, &mut failures).await else {
                continue;
            };
            for addr in addrs {
                self.budget(name)?;
                let server = ServerRef {
                    name: Some(ns.name.clone()),
                    addr: SocketAddr::new(addr, self.port),
                };
                let asked = Asked {
                    query: &query,
                    zone: &delegation.zone,
                    depth,
                };
                match self.ask_server(&asked, server, &mut failures).await? {
                    Attempt::Usable(result) => return Ok(*result),
                    Attempt::NextAddress => continue,
                    Attempt::NextServer => break,
                }
            }
        }
        Err(failures.into_error(&delegation.zone))
    }

    /// The servers of a zone, those that failed earlier in the run last
    /// (RFC 1034 §5.3.3 step 3 asks resolvers to prefer servers that answer).
    fn ordered(&self, servers: &[NameServer]) -> Vec<NameServer> {
        let mut servers = servers.to_vec();
        servers.sort_by_key(|ns| {
            !ns.addrs.is_empty()
                && ns
                    .addrs
                    .iter()
                    .all(|a| self.cache.is_unresponsive(SocketAddr::new(*a, self.port)))
        });
        servers
    }

    /// A name server's addresses: its glue, or resolved as nested steps;
    /// `None` (with the reason kept) when it has none.
    async fn addresses_of(
        &mut self,
        ns: &NameServer,
        depth: usize,
        failures: &mut Failures,
    ) -> Option<Vec<IpAddr>> {
        if !ns.addrs.is_empty() {
            return Some(ns.addrs.clone());
        }
        match self.resolve(&ns.name, RecordType::A, depth + 1).await {
            Ok(resolution) => {
                let addrs = resolution.addresses();
                if addrs.is_empty() {
                    failures.last = format!("{} has no address", ns.name);
                    return None;
                }
                Some(addrs)
            }
            Err(e) => {
                failures.last = format!("{}: {e}", ns.name);
                if matches!(
                    e,
                    Error::ReferralLoop { .. } | Error::CnameLoop { .. } | Error::Limit { .. }
                ) {
                    failures.worst = Some(e);
                }
                None
            }
        }
    }

    /// Ask one server of a zone, recording the step.
    async fn ask_server(
        &mut self,
        asked: &Asked<'_>,
        server: ServerRef,
        failures: &mut Failures,
    ) -> Result<Attempt, Error> {
        let (name, rtype, zone, depth) = (
            asked.query.name(),
            asked.query.query_type(),
            asked.zone,
            asked.depth,
        );
        let (sent, elapsed) = self.send(server.addr, asked.query).await;
        let exchange = match sent {
            Ok(exchange) => exchange,
            Err(e) => {
                let base = steps::base(depth, name, rtype, zone, Some(&server), Source::Network);
                self.steps
                    .push(steps::failed(base, self.transport.tcp, &e, elapsed));
                failures.last = format!("{}: {e}", server.addr);
                self.cache.mark_unresponsive(server.addr);
                // The run's time may have run out while waiting.
                self.budget(name)?;
                return Ok(Attempt::NextAddress);
            }
        };
        failures.replied = true;
        let class = classify(&exchange.response, zone, name, rtype);
        let mut step = steps::reply(depth, name, rtype, zone, &server, &exchange);
        step.kind = steps::kind_of(&class);
        match &class {
            Class::Lame(why) => {
                step.note = Some(why.clone());
                self.steps.push(step);
                failures.last = format!("{}: {why}", server.addr);
                let rcode = exchange.response.metadata.response_code;
                if rcode != ResponseCode::NoError && failures.worst.is_none() {
                    failures.worst = Some(Error::Rcode {
                        name: name.to_string(),
                        rcode: rcode_text(rcode),
                    });
                }
                // The server answered: its other addresses would say the same.
                return Ok(Attempt::NextServer);
            }
            Class::BadReferral(child) => {
                let why = format!("{} refers {name} back to {child}", server.addr);
                step.note = Some(format!("referral back to {child}"));
                self.steps.push(step);
                failures.worst = Some(Error::ReferralLoop {
                    zone: zone.to_string(),
                    why: why.clone(),
                });
                failures.last = why;
                return Ok(Attempt::NextServer);
            }
            Class::Referral(referral) => {
                step.referral = Some(steps::referral_out(&delegation_from(
                    referral,
                    zone,
                    server.clone(),
                )));
                if !referral.ignored_glue.is_empty() {
                    step.note = Some(format!(
                        "glue for {} is outside {zone}: not trusted",
                        join_names(&referral.ignored_glue)
                    ));
                }
            }
            _ => {}
        }
        self.steps.push(step);
        Ok(Attempt::Usable(Box::new(NameResult {
            class,
            authoritative: exchange.response.metadata.authoritative,
            server,
            from_cache: false,
            protocol: Some(exchange.protocol.as_str()),
        })))
    }

    /// One exchange, cut short by the resolution's deadline; with its duration.
    async fn send(
        &self,
        server: SocketAddr,
        query: &Query,
    ) -> (Result<Exchange, crate::wire::WireError>, Duration) {
        let started = Instant::now();
        let left = self.deadline.saturating_duration_since(started);
        let result = tokio::time::timeout(left, self.transport.exchange(server, query))
            .await
            .unwrap_or(Err(crate::wire::WireError::Timeout));
        (result, started.elapsed())
    }

    /// Fail once the step or time budget of the name is spent.
    fn budget(&self, name: &Name) -> Result<(), Error> {
        if self.steps.len() >= self.limits.max_steps {
            return Err(Error::Limit {
                name: name.to_string(),
                why: format!("{} steps", self.limits.max_steps),
            });
        }
        if Instant::now() >= self.deadline {
            return Err(Error::Timeout(format!(
                "{name} (time limit of {} s)",
                self.limits.total.as_secs_f64()
            )));
        }
        Ok(())
    }
}

/// The question put to the servers of one zone.
struct Asked<'q> {
    query: &'q Query,
    zone: &'q Name,
    depth: usize,
}

fn join_names(names: &[Name]) -> String {
    names
        .iter()
        .map(Name::to_string)
        .collect::<Vec<_>>()
        .join(" -> ")
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use netlens_sandbox::dns::Hierarchy;

    use super::*;
    use crate::hints;
    use crate::model::QueryOut;

    fn transport() -> Transport {
        Transport {
            timeout: Duration::from_secs(5),
            retries: 0,
            tcp: false,
            recursion_desired: true,
            dnssec_ok: false,
        }
    }

    fn tracer(h: &Hierarchy, limits: Limits) -> Tracer {
        let root = hints::load(Some(h.root_hints())).unwrap();
        Tracer::with_hints(transport(), h.port(), root, limits)
    }

    fn run(tracer: &mut Tracer, name: &str) -> Traced {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(tracer.trace(&Name::from_str(name).unwrap(), RecordType::A))
    }

    fn limits() -> Limits {
        Limits::for_transport(Duration::from_secs(5), 0)
    }

    #[test]
    fn a_warm_cache_answers_in_one_step() {
        let h = Hierarchy::start().unwrap();
        let mut tracer = tracer(&h, limits());
        let cold = run(&mut tracer, "www.lab.glasscom.com.");
        assert_eq!(cold.steps.len(), 5);
        let warm = run(&mut tracer, "www.lab.glasscom.com.");
        assert_eq!(warm.steps.len(), 1);
        assert_eq!(warm.steps[0].source, Source::Cache);
        let resolution = warm.result.unwrap();
        assert!(resolution.from_cache);
        assert_eq!(resolution.answers().len(), 1);
    }

    #[test]
    fn a_resolution_reports_its_answer_and_steps() {
        let h = Hierarchy::start().unwrap();
        let traced = run(&mut tracer(&h, limits()), "www.lab.glasscom.com.");
        let name = Name::from_str("www.lab.glasscom.com.").unwrap();
        let query = QueryOut::new(&name, RecordType::A);
        let resolution = traced.result.unwrap();
        let report = resolution.report(query, traced.steps, Duration::from_micros(1500));
        assert_eq!(report.rcode, "NOERROR");
        assert!(report.authoritative);
        assert_eq!(report.answers[0].data, "192.0.2.10");
        assert_eq!(report.source, "network");
        assert_eq!(report.elapsed_ms, 1.5);
        assert_eq!(report.steps.map(|s| s.len()), Some(5));
        assert_eq!(
            report.server,
            Some(h.socket(netlens_sandbox::dns::zones::LAB).to_string())
        );
    }

    #[test]
    fn step_bound_ends_the_trace() {
        let h = Hierarchy::start().unwrap();
        let tight = Limits {
            max_steps: 3,
            ..limits()
        };
        let traced = run(&mut tracer(&h, tight), "www.lab.glasscom.com.");
        assert_eq!(traced.steps.len(), 3);
        assert!(matches!(traced.result, Err(Error::Limit { .. })));
    }

    #[test]
    fn nesting_bound_stops_glueless_lookups() {
        let h = Hierarchy::start().unwrap();
        let flat = Limits {
            max_depth: 0,
            ..limits()
        };
        let traced = run(&mut tracer(&h, flat), "www.glueless.com.");
        assert!(
            matches!(traced.result, Err(Error::Limit { .. })),
            "{:?}",
            traced.result.err()
        );
        assert!(traced.steps.iter().all(|s| s.depth == 0));
    }

    #[test]
    fn time_bound_ends_the_trace() {
        let h = Hierarchy::start().unwrap();
        let short = Limits {
            total: Duration::from_millis(100),
            ..limits()
        };
        // The silent server never answers: the total bound ends the wait.
        let traced = run(&mut tracer(&h, short), "www.silent.com.");
        assert!(
            matches!(traced.result, Err(Error::Timeout(_))),
            "{:?}",
            traced.result.err()
        );
        assert_eq!(traced.steps.last().unwrap().kind, Kind::Error);
    }

    #[test]
    fn unreachable_root_is_a_network_failure() {
        let h = Hierarchy::start().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dead = vec![NameServer {
            name: Name::from_str("dead.root.").unwrap(),
            addrs: vec![std::net::IpAddr::from([127, 53, 6, 10])],
        }];
        let mut tracer = Tracer::with_hints(transport(), h.port(), dead, limits());
        let traced = runtime.block_on(tracer.trace(&Name::from_str("x.").unwrap(), RecordType::A));
        let error = traced.result.unwrap_err();
        assert_eq!(
            netlens_core::Failure::exit_code(&error),
            netlens_core::ExitCode::Network
        );
    }
}
