//! The run's cache, shared by every name asked in one run.
//!
//! It keeps what an iterative resolver learns: the root servers (from priming),
//! delegations (a zone's NS set and trusted glue, as given by its parent), and
//! answers: positive RRsets, and NXDOMAIN/NODATA for as long as the zone's SOA
//! allows. Every entry lives for its TTL; a hit reports the TTL left. It also
//! holds the servers' round-trip times ([`ServerStats`]).
//!
//! See: RFC 1034 §4.3.2 (cached delegations and answers), RFC 2308 §5 (negative
//! caching: the TTL is the smaller of the SOA's own TTL and its MINIMUM field).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, RData, Record, RecordType};

use crate::select::ServerStats;

/// A server a step talked to: its host name (when known) and address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerRef {
    /// The server's host name (an NS target), if known.
    pub name: Option<Name>,
    /// The address and port asked.
    pub addr: SocketAddr,
}

/// One name server of a delegation and its known addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameServer {
    /// The NS target.
    pub name: Name,
    /// Trusted addresses (in-bailiwick glue or resolved); empty when glueless.
    pub addrs: Vec<IpAddr>,
}

/// A zone cut: the servers of `zone`, as told by a server of `parent`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delegation {
    /// The zone that referred (`.` for the root servers themselves).
    pub parent: Name,
    /// The delegated zone.
    pub zone: Name,
    /// Its name servers, in the order they will be tried.
    pub servers: Vec<NameServer>,
    /// Glue that was offered but not trusted (outside the parent's bailiwick).
    pub ignored_glue: Vec<Name>,
    /// TTL of the NS set.
    pub ttl: u32,
    /// Who said so.
    pub from: ServerRef,
}

/// What is known about one (name, type).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The records (the CNAME chain at this name, then the data).
    Records(Vec<Record>),
    /// The name does not exist; the zone's SOA.
    NxDomain(Vec<Record>),
    /// The name exists but has no records of this type; the zone's SOA.
    NoData(Vec<Record>),
}

/// Where an answer came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The zone whose server gave it.
    pub zone: Name,
    /// The server that gave it.
    pub from: ServerRef,
    /// Whether it was authoritative.
    pub authoritative: bool,
}

/// A cached answer and where it came from.
#[derive(Clone, Debug)]
pub struct CachedAnswer {
    /// The answer, TTLs as received.
    pub answer: Answer,
    /// Where it came from.
    pub origin: Origin,
    ttl: u32,
    stored: Instant,
}

impl CachedAnswer {
    /// The TTL left at `now`.
    pub fn ttl_left(&self, now: Instant) -> u32 {
        ttl_left(self.ttl, self.stored, now)
    }

    /// The answer with every record's TTL lowered by the time spent in the cache.
    pub fn aged(&self, now: Instant) -> Answer {
        let spent = age(self.stored, now);
        let age_all = |records: &[Record]| -> Vec<Record> {
            records
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    r.ttl = r.ttl.saturating_sub(spent);
                    r
                })
                .collect()
        };
        match &self.answer {
            Answer::Records(r) => Answer::Records(age_all(r)),
            Answer::NxDomain(r) => Answer::NxDomain(age_all(r)),
            Answer::NoData(r) => Answer::NoData(age_all(r)),
        }
    }
}

/// The run's cache.
#[derive(Default, Debug)]
pub struct Cache {
    root: Option<(Delegation, Instant)>,
    delegations: HashMap<Name, (Delegation, Instant)>,
    answers: HashMap<(Name, RecordType), CachedAnswer>,
    /// Round-trip times and unreachable address families.
    pub servers: ServerStats,
}

impl Cache {
    /// The root servers learnt by priming, with the TTL left.
    pub fn root(&mut self, now: Instant) -> Option<(Delegation, u32)> {
        let (delegation, stored) = self.root.as_ref()?;
        let left = ttl_left(delegation.ttl, *stored, now);
        if left == 0 {
            self.root = None;
            return None;
        }
        Some((delegation.clone(), left))
    }

    /// Remember the root servers.
    pub fn put_root(&mut self, delegation: Delegation, now: Instant) {
        if delegation.ttl > 0 {
            self.root = Some((delegation, now));
        }
    }

    /// The deepest cached delegation from `parent` towards `name`, with its TTL left.
    pub fn delegation_below(
        &mut self,
        parent: &Name,
        name: &Name,
        now: Instant,
    ) -> Option<(Delegation, u32)> {
        // Walk from `name` up to just below `parent`: the first cached cut whose
        // parent is `parent` is the referral `parent`'s servers gave.
        let mut candidate = name.clone();
        while candidate.num_labels() > parent.num_labels() {
            let key = candidate.to_lowercase();
            if let Some((delegation, stored)) = self.delegations.get(&key) {
                let left = ttl_left(delegation.ttl, *stored, now);
                if left == 0 {
                    self.delegations.remove(&key);
                } else if &delegation.parent == parent {
                    return Some((delegation.clone(), left));
                }
            }
            candidate = candidate.base_name();
        }
        None
    }

    /// Remember a delegation (replacing an older one for the same zone).
    pub fn put_delegation(&mut self, delegation: Delegation, now: Instant) {
        if delegation.ttl > 0 {
            self.delegations
                .insert(delegation.zone.to_lowercase(), (delegation, now));
        }
    }

    /// A cached answer for (`name`, `rtype`), unless expired.
    pub fn answer(&mut self, name: &Name, rtype: RecordType, now: Instant) -> Option<CachedAnswer> {
        let key = (name.to_lowercase(), rtype);
        let entry = self.answers.get(&key)?;
        if entry.ttl_left(now) == 0 {
            self.answers.remove(&key);
            return None;
        }
        Some(entry.clone())
    }

    /// Remember an answer for (`name`, `rtype`). Its TTL is the smallest record
    /// TTL, or for a negative answer the RFC 2308 negative TTL; a negative
    /// answer without an SOA is not cached.
    pub fn put_answer(
        &mut self,
        name: &Name,
        rtype: RecordType,
        answer: Answer,
        origin: Origin,
        now: Instant,
    ) {
        let ttl = match &answer {
            Answer::Records(records) => records.iter().map(|r| r.ttl).min(),
            Answer::NxDomain(authority) | Answer::NoData(authority) => negative_ttl(authority),
        };
        let Some(ttl) = ttl.filter(|ttl| *ttl > 0) else {
            return;
        };
        self.answers.insert(
            (name.to_lowercase(), rtype),
            CachedAnswer {
                answer,
                origin,
                ttl,
                stored: now,
            },
        );
    }
}

/// The negative-caching TTL of a negative answer's authority section: the SOA
/// record's TTL capped by its MINIMUM field (RFC 2308 §5).
pub fn negative_ttl(authority: &[Record]) -> Option<u32> {
    authority.iter().find_map(|record| match &record.data {
        RData::SOA(soa) => Some(record.ttl.min(soa.minimum)),
        _ => None,
    })
}

fn age(stored: Instant, now: Instant) -> u32 {
    let spent = now.saturating_duration_since(stored);
    u32::try_from(spent.as_secs()).unwrap_or(u32::MAX)
}

fn ttl_left(ttl: u32, stored: Instant, now: Instant) -> u32 {
    // An entry is gone once its whole TTL has passed (sub-second precision).
    let spent = now.saturating_duration_since(stored);
    if spent >= Duration::from_secs(u64::from(ttl)) {
        return 0;
    }
    ttl - age(stored, now)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::str::FromStr;

    use hickory_proto::rr::rdata::{A, SOA};

    use super::*;

    fn name(s: &str) -> Name {
        Name::from_str(s).unwrap()
    }

    fn server() -> ServerRef {
        ServerRef {
            name: None,
            addr: "127.0.0.1:53".parse().unwrap(),
        }
    }

    fn origin() -> Origin {
        Origin {
            zone: name("x."),
            from: server(),
            authoritative: true,
        }
    }

    fn soa(ttl: u32, minimum: u32) -> Record {
        let data = SOA::new(
            name("ns.x."),
            name("admin.x."),
            1,
            3600,
            900,
            604800,
            minimum,
        );
        Record::from_rdata(name("x."), ttl, RData::SOA(data))
    }

    fn delegation(parent: &str, zone: &str, ttl: u32) -> Delegation {
        Delegation {
            parent: name(parent),
            zone: name(zone),
            servers: vec![],
            ignored_glue: vec![],
            ttl,
            from: server(),
        }
    }

    #[test]
    fn negative_ttl_is_the_smaller_of_soa_ttl_and_minimum() {
        assert_eq!(negative_ttl(&[soa(3600, 300)]), Some(300));
        assert_eq!(negative_ttl(&[soa(60, 300)]), Some(60));
        assert_eq!(negative_ttl(&[]), None);
    }

    #[test]
    fn answers_expire_and_report_ttl_left() {
        let mut cache = Cache::default();
        let t0 = Instant::now();
        let a = Record::from_rdata(name("www.x."), 10, RData::A(A(Ipv4Addr::LOCALHOST)));
        let www = name("www.x.");
        cache.put_answer(&www, RecordType::A, Answer::Records(vec![a]), origin(), t0);
        let hit = cache
            .answer(&name("WWW.X."), RecordType::A, t0 + Duration::from_secs(4))
            .unwrap();
        assert_eq!(hit.ttl_left(t0 + Duration::from_secs(4)), 6);
        let Answer::Records(aged) = hit.aged(t0 + Duration::from_secs(4)) else {
            panic!("not records")
        };
        assert_eq!(aged[0].ttl, 6);
        assert!(
            cache
                .answer(&www, RecordType::A, t0 + Duration::from_secs(10))
                .is_none()
        );
        assert!(cache.answer(&www, RecordType::AAAA, t0).is_none());
    }

    #[test]
    fn negative_answers_without_soa_are_not_cached() {
        let mut cache = Cache::default();
        let t0 = Instant::now();
        let n = name("nosuch.x.");
        cache.put_answer(&n, RecordType::A, Answer::NxDomain(vec![]), origin(), t0);
        assert!(cache.answer(&n, RecordType::A, t0).is_none());
        cache.put_answer(
            &n,
            RecordType::A,
            Answer::NxDomain(vec![soa(3600, 300)]),
            origin(),
            t0,
        );
        let hit = cache
            .answer(&n, RecordType::A, t0 + Duration::from_secs(299))
            .unwrap();
        assert_eq!(hit.ttl_left(t0 + Duration::from_secs(299)), 1);
        assert!(
            cache
                .answer(&n, RecordType::A, t0 + Duration::from_secs(300))
                .is_none()
        );
    }

    #[test]
    fn delegations_are_found_from_their_parent() {
        let mut cache = Cache::default();
        let t0 = Instant::now();
        cache.put_delegation(delegation(".", "com.", 100), t0);
        cache.put_delegation(delegation("com.", "glasscom.com.", 100), t0);
        let www = name("www.lab.glasscom.com.");
        let (d, left) = cache.delegation_below(&Name::root(), &www, t0).unwrap();
        assert_eq!(d.zone, name("com."));
        assert_eq!(left, 100);
        let (d, _) = cache.delegation_below(&name("com."), &www, t0).unwrap();
        assert_eq!(d.zone, name("glasscom.com."));
        assert!(
            cache
                .delegation_below(&name("glasscom.com."), &www, t0)
                .is_none()
        );
        assert!(
            cache
                .delegation_below(&Name::root(), &name("cyber.co.kr."), t0)
                .is_none()
        );
        assert!(
            cache
                .delegation_below(&Name::root(), &www, t0 + Duration::from_secs(100))
                .is_none()
        );
    }
}
