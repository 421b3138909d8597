//! The fuzzing entry point (for `fuzz/fuzz_targets/dns_lookup.rs`; not an
//! API): the root hints parser, and the trace's reply classifier over any DNS
//! message that decodes, down to the records and referrals as output.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::LazyLock;

use hickory_proto::op::Message;
use hickory_proto::rr::{Name, RecordType};

use crate::cache::{NameServer, ServerRef};
use crate::classify::{Class, classify, delegation_from, root_servers};
use crate::{hints, model, steps};

/// The built-in hints, parsed once rather than on every input.
static BUILT_IN: LazyLock<Vec<NameServer>> =
    LazyLock::new(|| hints::load(None).unwrap_or_default());

/// Run one fuzz input: a first byte picking the parser (even: hints text,
/// odd: a DNS message in wire form), then the bytes it reads. For a message,
/// the same byte also picks the zone the reply is taken to come from: the
/// question's name cut to that many labels.
pub fn one(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    if pick % 2 == 0 {
        if let Ok(text) = std::str::from_utf8(rest) {
            let _ = hints::parse(text, Path::new("fuzz"));
        }
        return;
    }
    let Ok(reply) = Message::from_vec(rest) else {
        return;
    };
    let (name, rtype) = match reply.queries.first() {
        Some(query) => (query.name().clone(), query.query_type()),
        None => (Name::root(), RecordType::A),
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
}
