//! What a reply from an authoritative server means to an iterative resolver:
//! an answer, a CNAME to follow, NXDOMAIN, NODATA, a referral further down, or
//! a sign that the server is lame.
//!
//! Referrals are recognised by their content, not by the AA flag (some servers
//! set it on referrals). A referral must lead strictly down from the zone asked
//! towards the name; its glue is trusted only inside the referring zone's
//! bailiwick.
//!
//! See: RFC 1034 §4.3.2 and §5.3.3 (the resolver algorithm), RFC 2308 §2 (how
//! NXDOMAIN, NODATA and referrals are told apart), RFC 2181 §5.4.1 (ranking of
//! data: glue from outside a zone's authority is not trusted).

use std::net::IpAddr;

use hickory_proto::dnssec::rdata::DNSSECRData;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use crate::cache::{Delegation, NameServer, ServerRef};

/// The meaning of one reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Class {
    /// The data asked for, after any CNAME chain inside the reply.
    Answer(Vec<Record>),
    /// A CNAME chain ending at `target`, whose data the reply lacks.
    Cname {
        /// The name to ask next.
        target: Name,
        /// The CNAME records.
        records: Vec<Record>,
    },
    /// The name does not exist (authority: the SOA).
    NxDomain(Vec<Record>),
    /// No data of the type (authority: the SOA).
    NoData(Vec<Record>),
    /// A delegation further down.
    Referral(Referral),
    /// A referral back to the zone asked or above it: a loop.
    BadReferral(Name),
    /// The server is no use for this zone.
    Lame(String),
}

/// A referral's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referral {
    /// The child zone.
    pub zone: Name,
    /// Its servers with trusted glue, servers with addresses first, then by name.
    pub servers: Vec<NameServer>,
    /// Glue owners outside the referring zone, ignored.
    pub ignored_glue: Vec<Name>,
    /// The smallest TTL of the NS set.
    pub ttl: u32,
}

/// Classify `reply`, sent by a server of `zone` about (`name`, `rtype`).
pub fn classify(reply: &Message, zone: &Name, name: &Name, rtype: RecordType) -> Class {
    match reply.metadata.response_code {
        ResponseCode::NoError => {}
        ResponseCode::NXDomain => {
            // A CNAME chain may precede the NXDOMAIN (RFC 6604): follow it and
            // let the target's own servers say so.
            return match walk_chain(&reply.answers, name, rtype) {
                Chain::Cname { target, records } => Class::Cname { target, records },
                _ => Class::NxDomain(soa_of(reply)),
            };
        }
        other => return Class::Lame(format!("answered {}", rcode_text(other))),
    }
    match walk_chain(&reply.answers, name, rtype) {
        Chain::Data(mut records) => {
            records.extend(wildcard_proof(reply, &records));
            return Class::Answer(records);
        }
        Chain::Cname { target, records } => return Class::Cname { target, records },
        Chain::Nothing => {}
    }
    let soa = soa_of(reply);
    if !soa.is_empty() {
        return Class::NoData(soa);
    }
    let ns: Vec<&Record> = reply
        .authorities
        .iter()
        .filter(|r| r.record_type() == RecordType::NS)
        .collect();
    if let Some(first) = ns.first() {
        let child = first.name.clone();
        if !zone.zone_of(&child) || child == *zone {
            return Class::BadReferral(child);
        }
        if !child.zone_of(name) {
            return Class::Lame(format!("referral to {child}, which is not above {name}"));
        }
        return Class::Referral(referral(reply, zone, &child, &ns));
    }
    if reply.metadata.authoritative {
        return Class::NoData(Vec::new());
    }
    Class::Lame("not authoritative: no answer and no referral".into())
}

/// The meaning of cached records for (`name`, `rtype`): the data, or a CNAME
/// chain to follow.
pub fn class_of_records(records: &[Record], name: &Name, rtype: RecordType) -> Class {
    match walk_chain(records, name, rtype) {
        Chain::Data(records) => Class::Answer(records),
        Chain::Cname { target, records } => Class::Cname { target, records },
        Chain::Nothing => Class::Answer(records.to_vec()),
    }
}

/// The name of a response code as dig prints it (`NOERROR`, `NXDOMAIN`...).
pub fn rcode_text(code: ResponseCode) -> String {
    let name = match code {
        ResponseCode::NoError => "NOERROR",
        ResponseCode::FormErr => "FORMERR",
        ResponseCode::ServFail => "SERVFAIL",
        ResponseCode::NXDomain => "NXDOMAIN",
        ResponseCode::NotImp => "NOTIMP",
        ResponseCode::Refused => "REFUSED",
        ResponseCode::YXDomain => "YXDOMAIN",
        ResponseCode::YXRRSet => "YXRRSET",
        ResponseCode::NXRRSet => "NXRRSET",
        ResponseCode::NotAuth => "NOTAUTH",
        ResponseCode::NotZone => "NOTZONE",
        ResponseCode::BADCOOKIE => "BADCOOKIE",
        other => return format!("RCODE{}", u16::from(other)),
    };
    name.to_string()
}

enum Chain {
    Data(Vec<Record>),
    Cname { target: Name, records: Vec<Record> },
    Nothing,
}

/// Follow CNAMEs from `name` through the answer section (bounded by the
/// section's size; a name seen twice stops the walk).
/// The RRSIGs over (`owner`, `rtype`) in `answers` (present with the DO bit).
fn signatures(answers: &[Record], owner: &Name, rtype: RecordType) -> Vec<Record> {
    answers
        .iter()
        .filter(|r| r.name == *owner)
        .filter(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::RRSIG(sig)) => sig.input().type_covered == rtype,
            _ => false,
        })
        .cloned()
        .collect()
}

/// Whether `record` is part of a denial proof (NSEC, NSEC3, or an RRSIG over
/// one): what travels with a wildcard answer in its authority section.
pub fn is_proof(record: &Record) -> bool {
    let covered = match &record.data {
        RData::DNSSEC(DNSSECRData::RRSIG(sig)) => sig.input().type_covered,
        _ => record.record_type(),
    };
    matches!(covered, RecordType::NSEC | RecordType::NSEC3)
}

/// The records of an answer without the wildcard proof that may travel with
/// it ([`is_proof`]).
pub fn without_proof(records: &[Record]) -> impl Iterator<Item = &Record> {
    records.iter().filter(|r| !is_proof(r))
}

/// The NSEC/NSEC3 records (and their RRSIGs) of `reply`'s authority section
/// when the answer `records` was synthesized from a wildcard (an RRSIG counts
/// fewer labels than its owner has): the proof that the name itself does not
/// exist, kept with the answer for `--validate` (RFC 4035 §5.3.4).
fn wildcard_proof(reply: &Message, records: &[Record]) -> Vec<Record> {
    let expanded = records.iter().any(|r| match &r.data {
        RData::DNSSEC(DNSSECRData::RRSIG(sig)) => sig.input().num_labels < r.name.num_labels(),
        _ => false,
    });
    if !expanded {
        return Vec::new();
    }
    reply
        .authorities
        .iter()
        .filter(|r| is_proof(r))
        .cloned()
        .collect()
}

fn walk_chain(answers: &[Record], name: &Name, rtype: RecordType) -> Chain {
    let mut current = name.clone();
    let mut records = Vec::new();
    let mut seen = vec![name.clone()];
    loop {
        let data: Vec<Record> = answers
            .iter()
            .filter(|r| r.name == current && r.record_type() == rtype)
            .cloned()
            .collect();
        if !data.is_empty() {
            records.extend(data);
            records.extend(signatures(answers, &current, rtype));
            // Cached records carry a wildcard answer's proof along.
            records.extend(answers.iter().filter(|r| is_proof(r)).cloned());
            return Chain::Data(records);
        }
        let Some(cname) = answers
            .iter()
            .find(|r| r.name == current && r.record_type() == RecordType::CNAME)
        else {
            break;
        };
        let RData::CNAME(target) = &cname.data else {
            break;
        };
        records.push(cname.clone());
        records.extend(signatures(answers, &current, RecordType::CNAME));
        current = target.0.clone();
        if seen.contains(&current) {
            break;
        }
        seen.push(current.clone());
    }
    if records.is_empty() {
        Chain::Nothing
    } else {
        Chain::Cname {
            target: current,
            records,
        }
    }
}

/// The SOA of a negative reply, with the NSEC/NSEC3 proof and the RRSIGs
/// that come along when the DO bit was set.
fn soa_of(reply: &Message) -> Vec<Record> {
    let has_soa = reply
        .authorities
        .iter()
        .any(|r| r.record_type() == RecordType::SOA);
    reply
        .authorities
        .iter()
        .filter(|r| {
            matches!(
                r.record_type(),
                RecordType::SOA | RecordType::NSEC | RecordType::NSEC3 | RecordType::RRSIG
            ) && has_soa
        })
        .cloned()
        .collect()
}

fn referral(reply: &Message, zone: &Name, child: &Name, ns: &[&Record]) -> Referral {
    let mut servers: Vec<NameServer> = Vec::new();
    for record in ns.iter().filter(|r| r.name == *child) {
        if let RData::NS(target) = &record.data
            && !servers.iter().any(|s| s.name == target.0)
        {
            servers.push(NameServer {
                name: target.0.to_lowercase(),
                addrs: Vec::new(),
            });
        }
    }
    let mut ignored_glue: Vec<Name> = Vec::new();
    for record in &reply.additionals {
        let addr = match &record.data {
            RData::A(a) => IpAddr::V4(a.0),
            RData::AAAA(aaaa) => IpAddr::V6(aaaa.0),
            _ => continue,
        };
        let Some(server) = servers.iter_mut().find(|s| s.name == record.name) else {
            continue;
        };
        // See: RFC 2181 §5.4.1: only the referring zone may vouch for an address.
        if zone.zone_of(&record.name) {
            if !server.addrs.contains(&addr) {
                server.addrs.push(addr);
            }
        } else if !ignored_glue.contains(&server.name) {
            ignored_glue.push(server.name.clone());
        }
    }
    for server in &mut servers {
        server.addrs.sort_by_key(|a| a.is_ipv6());
    }
    // Servers whose address is known first (no extra lookup), then by name,
    // so that traces are reproducible.
    servers.sort_by(|a, b| {
        a.addrs
            .is_empty()
            .cmp(&b.addrs.is_empty())
            .then_with(|| a.name.cmp(&b.name))
    });
    let ttl = ns.iter().map(|r| r.ttl).min().unwrap_or(0);
    Referral {
        zone: child.to_lowercase(),
        servers,
        ignored_glue,
        ttl,
    }
}

/// The delegation a referral describes, as told by `from`, a server of `parent`.
pub fn delegation_from(referral: &Referral, parent: &Name, from: ServerRef) -> Delegation {
    Delegation {
        parent: parent.clone(),
        zone: referral.zone.clone(),
        servers: referral.servers.clone(),
        ignored_glue: referral.ignored_glue.clone(),
        ttl: referral.ttl,
        from,
    }
}

/// The root servers from a priming reply: the NS set of `.` with its glue
/// (everything is in the root's bailiwick), or `None` if the reply lacks it.
pub fn root_servers(reply: &Message, hints: &[NameServer], from: ServerRef) -> Option<Delegation> {
    if reply.metadata.response_code != ResponseCode::NoError {
        return None;
    }
    let ns: Vec<&Record> = reply
        .answers
        .iter()
        .filter(|r| r.name.is_root() && r.record_type() == RecordType::NS)
        .collect();
    let mut servers: Vec<NameServer> = Vec::new();
    for record in &ns {
        let RData::NS(target) = &record.data else {
            continue;
        };
        let target = target.0.to_lowercase();
        let mut addrs: Vec<std::net::IpAddr> = reply
            .additionals
            .iter()
            .filter(|r| r.name == target)
            .filter_map(|r| match &r.data {
                RData::A(a) => Some(std::net::IpAddr::V4(a.0)),
                RData::AAAA(aaaa) => Some(std::net::IpAddr::V6(aaaa.0)),
                _ => None,
            })
            .collect();
        if addrs.is_empty()
            && let Some(hint) = hints.iter().find(|h| h.name == target)
        {
            addrs = hint.addrs.clone();
        }
        addrs.sort_by_key(|a| a.is_ipv6());
        servers.push(NameServer {
            name: target,
            addrs,
        });
    }
    if servers.is_empty() {
        return None;
    }
    servers.sort_by(|a, b| {
        a.addrs
            .is_empty()
            .cmp(&b.addrs.is_empty())
            .then_with(|| a.name.cmp(&b.name))
    });
    Some(Delegation {
        parent: Name::root(),
        zone: Name::root(),
        servers,
        ignored_glue: Vec::new(),
        ttl: ns.iter().map(|r| r.ttl).min().unwrap_or(0),
        from,
    })
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::str::FromStr;

    use hickory_proto::op::{MessageType, OpCode};
    use hickory_proto::rr::rdata::{A, CNAME, NS, SOA};

    use super::*;

    fn n(s: &str) -> Name {
        Name::from_str(s).unwrap()
    }

    fn reply() -> Message {
        let mut m = Message::new(1, MessageType::Response, OpCode::Query);
        m.metadata.authoritative = true;
        m
    }

    fn ns(owner: &str, target: &str) -> Record {
        Record::from_rdata(n(owner), 172800, RData::NS(NS(n(target))))
    }

    fn a(owner: &str, ip: [u8; 4]) -> Record {
        Record::from_rdata(n(owner), 172800, RData::A(A(Ipv4Addr::from(ip))))
    }

    fn cname(owner: &str, target: &str) -> Record {
        Record::from_rdata(n(owner), 300, RData::CNAME(CNAME(n(target))))
    }

    fn soa(owner: &str) -> Record {
        let data = SOA::new(n("ns.x."), n("admin.x."), 1, 3600, 900, 604800, 300);
        Record::from_rdata(n(owner), 3600, RData::SOA(data))
    }

    #[test]
    fn referral_keeps_only_in_bailiwick_glue() {
        let mut m = reply();
        m.authorities = vec![
            ns("spoof.com.", "ns.cyber.co.kr."),
            ns("spoof.com.", "ns1.spoof.com."),
        ];
        m.additionals = vec![
            a("ns.cyber.co.kr.", [127, 53, 66, 66]),
            a("ns1.spoof.com.", [127, 0, 0, 7]),
        ];
        let Class::Referral(r) = classify(&m, &n("com."), &n("www.spoof.com."), RecordType::A)
        else {
            panic!("not a referral")
        };
        assert_eq!(r.zone, n("spoof.com."));
        assert_eq!(r.servers[0].name, n("ns1.spoof.com."));
        assert_eq!(r.servers[0].addrs, [IpAddr::from([127, 0, 0, 7])]);
        assert_eq!(r.servers[1].name, n("ns.cyber.co.kr."));
        assert!(r.servers[1].addrs.is_empty());
        assert_eq!(r.ignored_glue, [n("ns.cyber.co.kr.")]);
        assert_eq!(r.ttl, 172800);
    }

    #[test]
    fn referral_upwards_or_to_itself_is_bad() {
        let mut m = reply();
        m.authorities = vec![ns("loop.com.", "ns.loop.com.")];
        let zone = n("loop.com.");
        assert_eq!(
            classify(&m, &zone, &n("www.loop.com."), RecordType::A),
            Class::BadReferral(n("loop.com."))
        );
        m.authorities = vec![ns("com.", "a.gtld-servers.net.")];
        assert_eq!(
            classify(&m, &zone, &n("www.loop.com."), RecordType::A),
            Class::BadReferral(n("com."))
        );
        m.authorities = vec![ns("other.loop.com.", "ns.other.loop.com.")];
        assert!(matches!(
            classify(&m, &zone, &n("www.loop.com."), RecordType::A),
            Class::Lame(_)
        ));
    }

    #[test]
    fn negative_answers_are_told_apart() {
        let mut m = reply();
        m.authorities = vec![soa("glasscom.com.")];
        let zone = n("glasscom.com.");
        let name = n("nosuch.glasscom.com.");
        assert!(
            matches!(classify(&m, &zone, &name, RecordType::A), Class::NoData(s) if s.len() == 1)
        );
        m.metadata.response_code = ResponseCode::NXDomain;
        assert!(
            matches!(classify(&m, &zone, &name, RecordType::A), Class::NxDomain(s) if s.len() == 1)
        );
        m.metadata.response_code = ResponseCode::Refused;
        assert_eq!(
            classify(&m, &zone, &name, RecordType::A),
            Class::Lame("answered REFUSED".into())
        );
        let mut empty = reply();
        empty.metadata.authoritative = false;
        assert!(matches!(
            classify(&empty, &zone, &name, RecordType::A),
            Class::Lame(_)
        ));
    }

    #[test]
    fn cname_chains_are_followed_inside_a_reply() {
        let zone = n("x.");
        let mut m = reply();
        m.answers = vec![
            cname("a.x.", "b.x."),
            cname("b.x.", "c.y."),
            a("c.y.", [192, 0, 2, 1]),
        ];
        let Class::Answer(records) = classify(&m, &zone, &n("a.x."), RecordType::A) else {
            panic!("not an answer")
        };
        assert_eq!(records.len(), 3);
        m.answers.pop();
        assert_eq!(
            classify(&m, &zone, &n("a.x."), RecordType::A),
            Class::Cname {
                target: n("c.y."),
                records: vec![cname("a.x.", "b.x."), cname("b.x.", "c.y.")]
            }
        );
        // Asking for the CNAME itself gets it as data.
        assert!(
            matches!(classify(&m, &zone, &n("a.x."), RecordType::CNAME), Class::Answer(r) if r.len() == 1)
        );
        // A loop inside one reply ends the walk at the repeated name.
        m.answers = vec![cname("a.x.", "b.x."), cname("b.x.", "a.x.")];
        assert!(matches!(
            classify(&m, &zone, &n("a.x."), RecordType::A),
            Class::Cname { target, .. } if target == n("a.x.")
        ));
    }

    #[test]
    fn rcodes_print_like_dig() {
        assert_eq!(rcode_text(ResponseCode::NXDomain), "NXDOMAIN");
        assert_eq!(rcode_text(ResponseCode::NoError), "NOERROR");
        assert_eq!(rcode_text(ResponseCode::ServFail), "SERVFAIL");
    }
}
