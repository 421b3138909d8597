//! The fuzzing entry points (for `fuzz/fuzz_targets/dns_lookup.rs` and
//! `dnssec.rs`; not an API): the root hints parser, and the trace's reply
//! classifier over any DNS message that decodes, down to the records and
//! referrals as output; the trust anchor parser, and the validator over the
//! records of one response.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::LazyLock;

use hickory_proto::op::Message;
use hickory_proto::rr::{Name, RecordType};

use crate::cache::{NameServer, ServerRef};
use crate::classify::{Class, classify, delegation_from, root_servers};
use crate::dnssec::anchor::Anchor;
use crate::dnssec::chain::{Fetch, Fetched, Validator};
use crate::{hints, model, steps};

/// The built-in hints, parsed once rather than on every input.
static BUILT_IN: LazyLock<Vec<NameServer>> =
    LazyLock::new(|| hints::load(None).unwrap_or_default());

/// Run one fuzz input: a first byte picking the parser (even: hints text,
/// odd: a DNS message in wire form), then the bytes it reads. For a message,
/// the same byte also picks the zone the reply is taken to come from: the
/// question's name cut to that many labels.
pub fn one(data: &[u8]) {
    let Some((pick, reply, name, rtype)) = split(data, |text| {
        let _ = hints::parse(text, Path::new("fuzz"));
    }) else {
        return;
    };
    let labels = usize::from(pick / 2) % (usize::from(name.num_labels()) + 1);
    let zone = name.trim_to(labels);
    let from = ServerRef {
        name: None,
        addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 53),
    };
    let class = classify(&reply, &zone, &name, rtype);
    let _ = steps::kind_of(&class);
    match &class {
        Class::Answer(records)
        | Class::Cname { records, .. }
        | Class::NxDomain(records)
        | Class::NoData(records) => {
            let _ = model::records_out(records);
        }
        Class::Referral(referral) => {
            let delegation = delegation_from(referral, &zone, from.clone());
            let _ = steps::referral_out(&delegation);
        }
        Class::BadReferral(_) | Class::Lame(_) => {}
    }
    if let Some(delegation) = root_servers(&reply, &BUILT_IN, from) {
        let _ = steps::referral_out(&delegation);
    }
    let _ = model::records_out(&reply.answers);
    let _ = model::records_out(&reply.additionals);
}

/// Run one DNSSEC fuzz input: a first byte picking the parser (even: trust
/// anchor text, odd: a DNS message in wire form), then the bytes it reads. A
/// message is validated with its own DNSKEYs as the trust anchor, every DS and
/// DNSKEY look-up answered from its own records: signatures, denial proofs
/// and the chain walk all see whatever the message holds.
pub fn dnssec(data: &[u8]) {
    let Some((_, reply, name, rtype)) = split(data, |text| {
        let _ = crate::dnssec::anchor::parse(text);
    }) else {
        return;
    };
    let mut echo = Echo(reply);
    let anchor = echo.anchor();
    let fetched = Fetched {
        rcode: echo.0.metadata.response_code,
        answers: echo.0.answers.clone(),
        authority: echo.0.authorities.clone(),
    };
    RUNTIME.with(|runtime| {
        let out =
            runtime.block_on(Validator::new(&anchor).validate(&mut echo, &name, rtype, &fetched));
        let _ = out.verdict.text();
    });
}

/// The first byte, then: text (even) handed to `text`, or a DNS message (odd)
/// returned with its question (the root's A when it has none).
fn split(data: &[u8], text: impl FnOnce(&str)) -> Option<(u8, Message, Name, RecordType)> {
    let (&pick, rest) = data.split_first()?;
    if pick % 2 == 0 {
        if let Ok(s) = std::str::from_utf8(rest) {
            text(s);
        }
        return None;
    }
    let reply = Message::from_vec(rest).ok()?;
    let (name, rtype) = match reply.queries.first() {
        Some(query) => (query.name().clone(), query.query_type()),
        None => (Name::root(), RecordType::A),
    };
    Some((pick, reply, name, rtype))
}

thread_local! {
    /// One runtime for every input: the look-ups never wait.
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
}

/// Answers every look-up from the records of one message.
struct Echo(Message);

impl Echo {
    /// The message's DNSKEYs as a trust anchor (for the first owner with one).
    fn anchor(&self) -> Anchor {
        let keys: Vec<&hickory_proto::rr::Record> = self
            .0
            .answers
            .iter()
            .chain(&self.0.authorities)
            .filter(|r| r.record_type() == RecordType::DNSKEY)
            .collect();
        let zone = keys.first().map_or_else(Name::root, |r| r.name.clone());
        Anchor {
            keys: keys
                .iter()
                .filter(|r| r.name == zone)
                .filter_map(|r| crate::dnssec::verify::as_dnskey(r).cloned())
                .collect(),
            zone,
            ds: Vec::new(),
        }
    }
}

impl Fetch for Echo {
    async fn fetch(&mut self, name: &Name, rtype: RecordType) -> Result<Fetched, crate::Error> {
        let all = self.0.answers.iter().chain(&self.0.authorities);
        let answers = all
            .filter(|r| r.name == *name)
            .filter(|r| {
                r.record_type() == rtype
                    || crate::dnssec::verify::as_rrsig(r)
                        .is_some_and(|s| s.input().type_covered == rtype)
            })
            .cloned()
            .collect();
        Ok(Fetched {
            rcode: self.0.metadata.response_code,
            answers,
            authority: self.0.authorities.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use hickory_proto::op::Query;

    use super::*;

    #[test]
    fn hints_messages_and_garbage_pass_through() {
        one(b"");
        one(b"\x00. 3600 NS a.root.test.\na.root.test. 3600 A 127.0.0.9\n");
        let query = Query::query(Name::from_ascii("www.example.").unwrap(), RecordType::A);
        let reply =
            crate::wire::build_query(&query, false, &crate::edns::Shape::default()).into_response();
        let mut data = vec![3u8];
        data.extend(reply.to_vec().unwrap());
        one(&data);
        one(&[1, 0xff, 0x00]);
    }

    #[test]
    fn anchors_and_messages_pass_through_the_validator() {
        dnssec(b"");
        dnssec(b"\x00. IN DS 1 8 2 AABB\n");
        dnssec(b"\x00. IN DNSKEY garbage\n");
        let query = Query::query(Name::from_ascii("www.example.").unwrap(), RecordType::A);
        let reply = {
            let mut shape = crate::edns::Shape::default();
            if let Some(edns) = shape.edns.as_mut() {
                edns.dnssec_ok = true;
            }
            crate::wire::build_query(&query, false, &shape).into_response()
        };
        let mut data = vec![1u8];
        data.extend(reply.to_vec().unwrap());
        dnssec(&data);
        dnssec(&[1, 0xff, 0x00]);
    }
}
