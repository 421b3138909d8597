//! The steps of a trace: what each question or cache hit is recorded as.

use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RecordType};
use netlens_core::timing::millis;

use crate::cache::{Delegation, ServerRef};
use crate::classify::{Class, rcode_text};
use crate::model::{GlueOut, Kind, QueryOut, RecordOut, ReferralOut, Source, Step, records_out};
use crate::wire::{Exchange, WireError};

/// A step with the question and server filled in, nothing learnt yet.
pub fn base(
    depth: usize,
    name: &Name,
    rtype: RecordType,
    zone: &Name,
    server: Option<&ServerRef>,
    source: Source,
) -> Step {
    Step {
        depth,
        query: QueryOut::new(name, rtype),
        server: server.and_then(|s| s.name.as_ref()).map(Name::to_ascii),
        address: server.map(|s| s.addr.ip()),
        port: server.map(|s| s.addr.port()),
        protocol: None,
        zone: zone.to_ascii(),
        rcode: None,
        authoritative: false,
        source,
        ttl_left: None,
        kind: Kind::Error,
        referral: None,
        answers: Vec::new(),
        elapsed_ms: 0.0,
        bytes: None,
        note: None,
        dnssec_records: Vec::new(),
        dnssec: None,
    }
}

/// A step for a reply from the network: protocol, rcode, AA, answers, time, size.
pub fn reply(
    depth: usize,
    name: &Name,
    rtype: RecordType,
    zone: &Name,
    server: &ServerRef,
    exchange: &Exchange,
) -> Step {
    let mut step = base(depth, name, rtype, zone, Some(server), Source::Network);
    step.protocol = Some(exchange.protocol.as_str());
    step.rcode = Some(rcode_text(exchange.response.metadata.response_code));
    step.authoritative = exchange.response.metadata.authoritative;
    step.answers = records_out(&exchange.response.answers);
    step.dnssec_records = exchange
        .response
        .authorities
        .iter()
        .filter(|r| {
            matches!(
                r.record_type(),
                RecordType::DS | RecordType::NSEC | RecordType::NSEC3 | RecordType::RRSIG
            )
        })
        .map(RecordOut::from)
        .collect();
    step.elapsed_ms = millis(exchange.elapsed);
    step.bytes = Some(exchange.bytes);
    if exchange.retried_tcp {
        step.note = Some("truncated over UDP, retried over TCP".into());
    }
    step
}

/// A referral served from the cache: `delegation` as its parent's server gave it.
pub fn cached_referral(
    depth: usize,
    name: &Name,
    rtype: RecordType,
    delegation: &Delegation,
    ttl_left: u32,
) -> Step {
    let mut step = base(
        depth,
        name,
        rtype,
        &delegation.parent,
        Some(&delegation.from),
        Source::Cache,
    );
    step.kind = Kind::Referral;
    step.rcode = Some(rcode_text(ResponseCode::NoError));
    step.ttl_left = Some(ttl_left);
    step.referral = Some(referral_out(delegation));
    step
}

/// A delegation as shown in a step.
pub fn referral_out(delegation: &Delegation) -> ReferralOut {
    ReferralOut {
        zone: delegation.zone.to_ascii(),
        ns: delegation
            .servers
            .iter()
            .map(|s| s.name.to_ascii())
            .collect(),
        glue: delegation
            .servers
            .iter()
            .flat_map(|s| {
                s.addrs.iter().map(|a| GlueOut {
                    name: s.name.to_ascii(),
                    address: *a,
                })
            })
            .collect(),
        ignored_glue: delegation.ignored_glue.iter().map(Name::to_ascii).collect(),
    }
}

/// The step kind of a reply class.
pub fn kind_of(class: &Class) -> Kind {
    match class {
        Class::Answer(_) => Kind::Answer,
        Class::Cname { .. } => Kind::Cname,
        Class::NxDomain(_) => Kind::Nxdomain,
        Class::NoData(_) => Kind::Nodata,
        Class::Referral(_) => Kind::Referral,
        Class::BadReferral(_) | Class::Lame(_) => Kind::Error,
    }
}

/// A step for a question that got no usable reply.
pub fn failed(mut step: Step, tcp: bool, error: &WireError, elapsed: Duration) -> Step {
    step.kind = Kind::Error;
    step.protocol = Some(if tcp { "tcp" } else { "udp" });
    step.elapsed_ms = millis(elapsed);
    step.note = Some(error.to_string());
    step
}
