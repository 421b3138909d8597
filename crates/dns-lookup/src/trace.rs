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
//! Under `-P` many names walk at once through one [`Tracer`]: each walk has
//! its own steps and budget; the cache, the servers' RTTs and the table of
//! questions in flight are shared (behind locks never held across an await,
//! on the one current-thread runtime). A name about to ask a zone's servers
//! for the same next label as a name already asking them waits for that
//! question to land, then reads what it left in the cache: its steps are the
//! cache steps a later name would show one at a time. Which of two names
//! shows the network step and which the cached one may differ from a run one
//! at a time; the answers do not.
//!
//! See: RFC 1034 §5.3.3 (the resolver algorithm), RFC 8109 (priming),
//! RFC 2308 (negative caching), RFC 1034 §3.6.2 (CNAME chains).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use hickory_proto::op::{Query, ResponseCode};
use hickory_proto::rr::{Name, Record, RecordType};
use tokio::sync::watch;

use crate::cache::{Answer, Cache, Delegation, NameServer, Origin, ServerRef};
use crate::classify::{Class, classify, delegation_from, rcode_text, root_servers};
use crate::edns::EdnsOut;
use crate::error::Error;
use crate::model::{Kind, Source, Step, records_out};
use crate::resolution::{Resolution, Traced};
use crate::steps;
use crate::wire::{Exchange, Transport};

mod race;

use race::{Failures, Verdict};

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
    /// Wall time for one name (`--max-time`).
    pub total: Duration,
}

impl Limits {
    /// The bounds of a resolution that may take `max_time` in all.
    pub fn new(max_time: Duration) -> Limits {
        Limits {
            max_steps: 128,
            max_depth: 4,
            max_cnames: 12,
            max_referrals: 24,
            total: max_time,
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
    /// The bound on one name's whole resolution.
    pub max_time: Duration,
}

/// An iterative resolver with the run's cache: every name traced through one
/// `Tracer` reuses what the earlier ones learnt. Names may be traced at once
/// (`-P`): they share the cache and the servers' RTTs, and a question to a
/// zone's servers is in flight for one name at a time; the others wait for
/// it and then take what it left in the cache (see [`Walk::wait_for`]).
pub struct Tracer {
    transport: Transport,
    port: u16,
    hints: Vec<NameServer>,
    cache: Mutex<Cache>,
    limits: Limits,
    /// The zone questions in flight, by zone and the label below it.
    flying: Mutex<HashMap<FlightKey, watch::Receiver<()>>>,
}

/// A question in flight to a zone's servers: the zone, and the name one label
/// below it on the way to the name asked (the name itself at the zone's apex).
type FlightKey = (Name, Name);

/// One name's resolution through a [`Tracer`]: its budget and its steps.
struct Walk<'t> {
    tracer: &'t Tracer,
    deadline: Instant,
    /// The name being traced (nested lookups aside).
    traced: Name,
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

impl Tracer {
    /// A resolver from `options`' root hints (the built-in ones when none).
    pub fn new(options: &TraceOptions) -> Result<Tracer, Error> {
        let hints = crate::hints::load(options.root_hints.as_deref())?;
        let transport = Transport {
            timeout: options.timeout,
            retries: options.retries,
            tcp: false,
            recursion_desired: false,
            shape: Default::default(),
            secure: None,
        };
        let limits = Limits::new(options.max_time);
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
            cache: Mutex::default(),
            limits,
            flying: Mutex::default(),
        }
    }

    /// How this resolver sends its queries (RD clear).
    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The port every server is asked on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The deepest delegation the cache knows towards `name`: after a trace
    /// of `name`, the zone it lies in and that zone's servers.
    pub(crate) fn zone_cut(&self, name: &Name) -> Option<Delegation> {
        let now = Instant::now();
        let mut cache = self.cache();
        let (mut current, _) = cache.root(now)?;
        while let Some((next, _)) = cache.delegation_below(&current.zone, name, now) {
            current = next;
        }
        Some(current)
    }

    /// Resolve (`name`, `rtype`) from the root, recording every step.
    pub async fn trace(&self, name: &Name, rtype: RecordType) -> Traced {
        let mut walk = Walk {
            tracer: self,
            deadline: Instant::now() + self.limits.total,
            traced: name.clone(),
            steps: Vec::new(),
            in_progress: Vec::new(),
        };
        let result = walk.resolve(name, rtype, 0).await;
        Traced {
            steps: walk.steps,
            result,
        }
    }

    /// The run's cache (never held across an await).
    fn cache(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn flying(&self) -> MutexGuard<'_, HashMap<FlightKey, watch::Receiver<()>>> {
        self.flying.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Say that a question for `key` is in flight, until the guard is
    /// dropped; `None` when one already is (a nested look-up asks anyway).
    fn take_off(&self, key: FlightKey) -> Option<Flying<'_>> {
        let mut flying = self.flying();
        if flying.contains_key(&key) {
            return None;
        }
        let (landed, waiting) = watch::channel(());
        flying.insert(key.clone(), waiting);
        Some(Flying {
            tracer: self,
            key,
            _landed: landed,
        })
    }
}

/// A question in flight for one name; dropping it wakes the names waiting.
struct Flying<'t> {
    tracer: &'t Tracer,
    key: FlightKey,
    _landed: watch::Sender<()>,
}

impl Drop for Flying<'_> {
    fn drop(&mut self) {
        self.tracer.flying().remove(&self.key);
    }
}

/// The key of a question to `zone`'s servers on the way to `target`.
fn flight_key(zone: &Name, target: &Name) -> FlightKey {
    let below_zone = usize::from(zone.num_labels()) + 1;
    let child = if usize::from(target.num_labels()) >= below_zone {
        target.trim_to(below_zone)
    } else {
        target.clone()
    };
    (zone.to_lowercase(), child.to_lowercase())
}

/// Where the answer to (`name`, `rtype`) lives: DS records in the parent,
/// above the cut (RFC 4035 §3.1.4.1), everything else at the name.
fn below(name: &Name, rtype: RecordType) -> Name {
    if rtype == RecordType::DS && !name.is_root() {
        name.base_name()
    } else {
        name.clone()
    }
}

impl Walk<'_> {
    /// Resolve at nesting `depth`, following CNAMEs; detects glueless cycles.
    async fn resolve(
        &mut self,
        name: &Name,
        rtype: RecordType,
        depth: usize,
    ) -> Result<Resolution, Error> {
        if depth > self.tracer.limits.max_depth {
            return Err(Error::Limit {
                name: name.to_string(),
                why: format!(
                    "{} levels of nested server lookups",
                    self.tracer.limits.max_depth
                ),
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
                    if seen.len() > self.tracer.limits.max_cnames {
                        return Err(Error::CnameLoop {
                            name: name.to_string(),
                            why: format!("more than {} CNAMEs", self.tracer.limits.max_cnames),
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
            let key = flight_key(&delegation.zone, &below(name, rtype));
            if self.wait_for(&key, depth).await? {
                // Another name asked this zone on the same way down: what it
                // learnt is in the cache, shown as cache steps.
                if let Some(hit) = self.cached(name, rtype, depth) {
                    return Ok(hit);
                }
                delegation = self.descend(delegation, name, rtype, depth)?;
                continue;
            }
            let _flight = self.tracer.take_off(key);
            let result = self.ask_zone(&delegation, name, rtype, depth).await?;
            let answer = match &result.class {
                Class::Referral(referral) => {
                    referrals += 1;
                    if referrals > self.tracer.limits.max_referrals {
                        return Err(Error::ReferralLoop {
                            zone: referral.zone.to_string(),
                            why: format!(
                                "more than {} referrals",
                                self.tracer.limits.max_referrals
                            ),
                        });
                    }
                    let next = delegation_from(referral, &delegation.zone, result.server);
                    self.tracer
                        .cache()
                        .put_delegation(next.clone(), Instant::now());
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
            self.tracer
                .cache()
                .put_answer(name, rtype, answer, origin, Instant::now());
            return Ok(result);
        }
    }

    /// The cached answer for (`name`, `rtype`), recorded as a cache step.
    fn cached(&mut self, name: &Name, rtype: RecordType, depth: usize) -> Option<NameResult> {
        let now = Instant::now();
        let hit = self.tracer.cache().answer(name, rtype, now)?;
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
            Class::Answer(records) | Class::Cname { records, .. } => {
                let answers: Vec<Record> =
                    crate::classify::without_proof(records).cloned().collect();
                records_out(&answers)
            }
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
        let root = loop {
            let cached = self.tracer.cache().root(Instant::now());
            if let Some((root, left)) = cached {
                let mut step =
                    steps::cached_referral(depth, &Name::root(), RecordType::NS, &root, left);
                step.authoritative = true;
                self.steps.push(step);
                break root;
            }
            let key = (Name::root(), Name::root());
            if self.wait_for(&key, depth).await? {
                continue;
            }
            let _flight = self.tracer.take_off(key);
            break self.prime(depth).await?;
        };
        self.descend(root, name, rtype, depth)
    }

    /// The cached delegations below `current` towards `name`, each shown as a
    /// step: the deepest one.
    fn descend(
        &mut self,
        mut current: Delegation,
        name: &Name,
        rtype: RecordType,
        depth: usize,
    ) -> Result<Delegation, Error> {
        let below = below(name, rtype);
        let now = Instant::now();
        loop {
            let next = self
                .tracer
                .cache()
                .delegation_below(&current.zone, &below, now);
            let Some((next, left)) = next else {
                return Ok(current);
            };
            self.budget(name)?;
            self.steps
                .push(steps::cached_referral(depth, name, rtype, &next, left));
            current = next;
        }
    }

    /// Wait while another name's question for `key` is in flight: `true`
    /// once it landed (what it learnt is in the cache), `false` when none is.
    /// Nested look-ups never wait: a name waits only while it holds no flight
    /// of its own, so no two names can wait for each other.
    async fn wait_for(&self, key: &FlightKey, depth: usize) -> Result<bool, Error> {
        if depth > 0 {
            return Ok(false);
        }
        let Some(mut landed) = self.tracer.flying().get(key).cloned() else {
            return Ok(false);
        };
        // The sender is dropped when the flight lands: `changed` then ends.
        match tokio::time::timeout_at(self.deadline.into(), landed.changed()).await {
            Ok(_) => Ok(true),
            Err(_) => Err(self.time_up()),
        }
    }

    /// Ask the hinted root servers for the root NS set (RFC 8109).
    async fn prime(&mut self, depth: usize) -> Result<Delegation, Error> {
        let root = Name::root();
        let query = Query::query(root.clone(), RecordType::NS);
        let asked = Asked {
            query: &query,
            zone: &root,
            depth,
        };
        let hints = self.tracer.hints.clone();
        let servers = hints
            .iter()
            .flat_map(|hint| self.refs(hint))
            .collect::<Vec<ServerRef>>();
        let mut failures = Failures::new();
        let judge = |server: &ServerRef, exchange: &Exchange, failures: &mut Failures| {
            judge_priming(&asked, &hints, server, exchange, failures)
        };
        let won = self.race(&asked, servers, &mut failures, &judge).await?;
        let delegation =
            won.and_then(|(server, exchange)| root_servers(&exchange.response, &hints, server));
        let Some(delegation) = delegation else {
            return Err(failures.into_error(&root));
        };
        self.tracer
            .cache()
            .put_root(delegation.clone(), Instant::now());
        Ok(delegation)
    }

    /// Ask the servers of `delegation` until one gives a usable reply: those
    /// with addresses raced against each other, then each glueless one.
    async fn ask_zone(
        &mut self,
        delegation: &Delegation,
        name: &Name,
        rtype: RecordType,
        depth: usize,
    ) -> Result<NameResult, Error> {
        let query = Query::query(name.clone(), rtype);
        let asked = Asked {
            query: &query,
            zone: &delegation.zone,
            depth,
        };
        let judge = |server: &ServerRef, exchange: &Exchange, failures: &mut Failures| {
            judge_reply(&asked, server, exchange, failures)
        };
        let mut failures = Failures::new();
        let (glued, glueless): (Vec<&NameServer>, Vec<&NameServer>) = delegation
            .servers
            .iter()
            .partition(|ns| !ns.addrs.is_empty());
        let servers = glued.iter().flat_map(|ns| self.refs(ns)).collect();
        if let Some(won) = self.race(&asked, servers, &mut failures, &judge).await? {
            return Ok(zone_result(&asked, won));
        }
        for ns in glueless {
            let Some(addrs) = self.addresses_of(ns, depth, &mut failures).await else {
                continue;
            };
            let found = NameServer {
                name: ns.name.clone(),
                addrs,
            };
            let servers = self.refs(&found);
            if let Some(won) = self.race(&asked, servers, &mut failures, &judge).await? {
                return Ok(zone_result(&asked, won));
            }
        }
        Err(failures.into_error(&delegation.zone))
    }

    /// A name server's addresses on the run's port.
    fn refs(&self, ns: &NameServer) -> Vec<ServerRef> {
        ns.addrs
            .iter()
            .map(|addr| ServerRef {
                name: Some(ns.name.clone()),
                addr: SocketAddr::new(*addr, self.tracer.port),
            })
            .collect()
    }

    /// A glueless name server's addresses, resolved as nested steps; `None`
    /// (with the reason kept) when it has none.
    async fn addresses_of(
        &mut self,
        ns: &NameServer,
        depth: usize,
        failures: &mut Failures,
    ) -> Option<Vec<IpAddr>> {
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

    /// Fail once the step or time budget of the name is spent.
    fn budget(&self, name: &Name) -> Result<(), Error> {
        self.budget_with(name, 0)
    }

    /// [`Tracer::budget`], with `pending` steps not recorded yet.
    fn budget_with(&self, name: &Name, pending: usize) -> Result<(), Error> {
        if self.steps.len() + pending >= self.tracer.limits.max_steps {
            return Err(Error::Limit {
                name: name.to_string(),
                why: format!("{} steps", self.tracer.limits.max_steps),
            });
        }
        if Instant::now() >= self.deadline {
            return Err(self.time_up());
        }
        Ok(())
    }

    /// The error of a resolution that ran out of time.
    fn time_up(&self) -> Error {
        Error::time_limit(&self.traced, self.tracer.limits.total)
    }
}

/// The question put to the servers of one zone.
pub(crate) struct Asked<'q> {
    pub query: &'q Query,
    pub zone: &'q Name,
    pub depth: usize,
}

/// The answer of the server that won a zone's race.
fn zone_result(asked: &Asked<'_>, (server, exchange): (ServerRef, Exchange)) -> NameResult {
    NameResult {
        class: classify(
            &exchange.response,
            asked.zone,
            asked.query.name(),
            asked.query.query_type(),
        ),
        authoritative: exchange.response.metadata.authoritative,
        server,
        from_cache: false,
        protocol: Some(exchange.protocol.as_str()),
    }
}

/// What a reply from a server of the zone means: its step, and whether to
/// use it or ask another server.
fn judge_reply(
    asked: &Asked<'_>,
    server: &ServerRef,
    exchange: &Exchange,
    failures: &mut Failures,
) -> (Step, Verdict) {
    let (name, rtype, zone) = (asked.query.name(), asked.query.query_type(), asked.zone);
    let class = classify(&exchange.response, zone, name, rtype);
    let mut step = steps::reply(asked.depth, name, rtype, zone, server, exchange);
    step.kind = steps::kind_of(&class);
    match &class {
        Class::Lame(why) => {
            let ede = (exchange.response.edns.as_ref()).and_then(|e| EdnsOut::of(e).ede_text());
            step.note = Some(match &ede {
                Some(ede) => format!("{why} ({ede})"),
                None => why.clone(),
            });
            failures.last = format!("{}: {why}", server.addr);
            let rcode = exchange.response.metadata.response_code;
            if rcode != ResponseCode::NoError && failures.worst.is_none() {
                failures.worst = Some(Error::Rcode {
                    name: name.to_string(),
                    rcode: rcode_text(rcode),
                    ede,
                });
            }
            // The server answered: its other addresses would say the same.
            return (step, Verdict::NextServer);
        }
        Class::BadReferral(child) => {
            let why = format!("{} refers {name} back to {child}", server.addr);
            step.note = Some(format!("referral back to {child}"));
            failures.worst = Some(Error::ReferralLoop {
                zone: zone.to_string(),
                why: why.clone(),
            });
            failures.last = why;
            return (step, Verdict::NextServer);
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
    (step, Verdict::Usable)
}

/// What a reply to the priming question means: the root NS set, or a lame root.
fn judge_priming(
    asked: &Asked<'_>,
    hints: &[NameServer],
    server: &ServerRef,
    exchange: &Exchange,
    failures: &mut Failures,
) -> (Step, Verdict) {
    let root = asked.zone;
    let mut step = steps::reply(asked.depth, root, RecordType::NS, root, server, exchange);
    match root_servers(&exchange.response, hints, server.clone()) {
        Some(delegation) => {
            step.kind = Kind::Referral;
            step.referral = Some(steps::referral_out(&delegation));
            (step, Verdict::Usable)
        }
        None => {
            let why = format!(
                "priming reply {} without the root NS set",
                rcode_text(exchange.response.metadata.response_code)
            );
            step.kind = Kind::Error;
            step.note = Some(why.clone());
            failures.last = why;
            (step, Verdict::NextServer)
        }
    }
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
        Transport::patient()
    }

    fn tracer(h: &Hierarchy, limits: Limits) -> Tracer {
        let root = hints::load(Some(h.root_hints())).unwrap();
        Tracer::with_hints(transport(), h.port(), root, limits)
    }

    fn run(tracer: &Tracer, name: &str) -> Traced {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(tracer.trace(&Name::from_str(name).unwrap(), RecordType::A))
    }

    fn limits() -> Limits {
        Limits::new(Duration::from_secs(30))
    }

    #[test]
    fn a_warm_cache_answers_in_one_step() {
        let h = Hierarchy::start().unwrap();
        let tracer = tracer(&h, limits());
        let cold = run(&tracer, "www.lab.glasscom.com.");
        assert_eq!(cold.steps.len(), 5);
        let warm = run(&tracer, "www.lab.glasscom.com.");
        assert_eq!(warm.steps.len(), 1);
        assert_eq!(warm.steps[0].source, Source::Cache);
        let resolution = warm.result.unwrap();
        assert!(resolution.from_cache);
        assert_eq!(resolution.answers().len(), 1);
    }

    #[test]
    fn a_resolution_reports_its_answer_and_steps() {
        let h = Hierarchy::start().unwrap();
        let traced = run(&tracer(&h, limits()), "www.lab.glasscom.com.");
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
        let traced = run(&tracer(&h, tight), "www.lab.glasscom.com.");
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
        let traced = run(&tracer(&h, flat), "www.glueless.com.");
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
        let traced = run(&tracer(&h, short), "www.silent.com.");
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
        let tracer = Tracer::with_hints(transport(), h.port(), dead, limits());
        let traced = runtime.block_on(tracer.trace(&Name::from_str("x.").unwrap(), RecordType::A));
        let error = traced.result.unwrap_err();
        assert_eq!(
            netlens_core::Failure::exit_code(&error),
            netlens_core::ExitCode::Network
        );
    }

    #[test]
    fn a_refusing_server_is_asked_last_afterwards() {
        use netlens_sandbox::dns::zones::{LAB, REFUSED};

        let h = Hierarchy::start().unwrap();
        let tracer = tracer(&h, limits());
        assert!(run(&tracer, "www.lab.glasscom.com.").result.is_ok());
        // The lab zone served by a refusing server beside its own.
        let lab = tracer.zone_cut(&Name::from_str("www.lab.glasscom.com.").unwrap());
        let mut lab = lab.unwrap();
        let refusing = NameServer {
            name: Name::from_str("ns.refused.com.").unwrap(),
            addrs: vec![IpAddr::V4(REFUSED)],
        };
        lab.servers.insert(0, refusing);
        tracer.cache().put_delegation(lab, Instant::now());
        let refused = h.socket(REFUSED).to_string();
        let mut asked_refusing = 0;
        for n in 0..8 {
            let traced = run(&tracer, &format!("n{n}.lab.glasscom.com."));
            assert!(traced.result.is_ok(), "{:?}", traced.result.err());
            let last = traced.steps.last().unwrap();
            assert_eq!(last.address, Some(IpAddr::V4(LAB)));
            asked_refusing += (traced.steps.iter())
                .filter(|s| s.server.as_deref() == Some(refused.as_str()))
                .count();
        }
        // Asked at most once (when first in the random order of the unknown).
        assert!(asked_refusing <= 1, "{asked_refusing} questions to it");
    }

    #[test]
    fn servfail_steps_carry_the_extended_error() {
        use hickory_proto::op::Edns;
        use hickory_proto::rr::rdata::opt::EdnsOption;

        let query = Query::query(Name::from_str("blocked.example.").unwrap(), RecordType::A);
        let zone = Name::from_str("example.").unwrap();
        let asked = Asked {
            query: &query,
            zone: &zone,
            depth: 0,
        };
        let mut response = crate::wire::build_query(&query, false, &Default::default());
        response.metadata.response_code = ResponseCode::ServFail;
        let mut edns = Edns::new();
        let ede = EdnsOption::Unknown(15, b"\x00\x0fpolicy".to_vec());
        edns.options_mut().insert(ede);
        response.set_edns(edns);
        let exchange = Exchange {
            response: response.into_response(),
            bytes: 40,
            protocol: crate::wire::Protocol::Udp,
            retried_tcp: false,
            elapsed: Duration::from_millis(1),
            tls: None,
        };
        let server = ServerRef {
            name: None,
            addr: "127.0.0.1:53".parse().unwrap(),
        };
        let mut failures = Failures::new();
        let (step, verdict) = judge_reply(&asked, &server, &exchange, &mut failures);
        assert!(matches!(verdict, Verdict::NextServer));
        assert_eq!(
            step.note.as_deref(),
            Some("answered SERVFAIL (EDE 15 Blocked: policy)")
        );
        assert_eq!(
            failures.into_error(&zone).to_string(),
            "blocked.example.: server answered SERVFAIL (EDE 15 Blocked: policy)"
        );
    }
}
