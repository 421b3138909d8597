//! Criterion benches of dns-lookup's hot paths, on loopback only:
//!
//! - `dns/trace_cold`: a full iterative trace of `www.lab.glasscom.com` against
//!   the sandbox hierarchy with an empty cache (priming and four referrals);
//! - `dns/trace_warm`: the same with the run's cache holding everything;
//! - `dns/trace_warm_referrals`: cached delegations, a fresh name each time
//!   (one network question to the `lab.glasscom.com.` server);
//! - `dns/message_encode_decode`: a referral with glue, to wire and back;
//! - `dns/bulk_256_shared_sockets`, `dns/bulk_256_socket_per_query`: 256
//!   questions at once to the sandbox's `bulk.test.` server, over query mode's
//!   8 shared sockets, and over a fresh socket per question as before;
//! - `dns/validate_rrset_rsa`, `dns/validate_rrset_ecdsa`: checking the RRSIG
//!   over one A RRset with the zone's key (RSA/SHA-256 2048 bits, algorithm 8;
//!   ECDSA P-256, algorithm 13), as `--validate` does for every RRset.

use std::hint::black_box;
use std::net::Ipv4Addr;
use std::str::FromStr;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use dns_lookup::{BenchAsker, TraceOptions, Tracer, unix_now, verify_rrset};
use hickory_proto::dnssec::Algorithm;
use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::rdata::{A, NS};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use netlens_sandbox::dns::Hierarchy;
use netlens_sandbox::dns::bulk::BulkZone;
use netlens_sandbox::dns::signed::keys::ZoneKey;
use netlens_sandbox::dns::signed::zone::{SignedZone, Signing};

fn traces(c: &mut Criterion) {
    let hierarchy = Hierarchy::start().expect("start the DNS hierarchy");
    let options = TraceOptions {
        root_hints: Some(hierarchy.root_hints().to_path_buf()),
        port: hierarchy.port(),
        timeout: Duration::from_secs(2),
        retries: 1,
        max_time: Duration::from_secs(10),
    };
    let tracer = || Tracer::new(&options).expect("root hints");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let name = Name::from_str("www.lab.glasscom.com.").expect("name");

    let mut group = c.benchmark_group("dns");
    group.measurement_time(Duration::from_secs(4));
    group.bench_function("trace_cold", |b| {
        b.iter(|| {
            let tracer = tracer();
            let traced = runtime.block_on(tracer.trace(&name, RecordType::A));
            assert!(traced.result.is_ok());
            black_box(traced.steps.len())
        })
    });

    let warm = tracer();
    group.bench_function("trace_warm", |b| {
        b.iter(|| {
            let traced = runtime.block_on(warm.trace(&name, RecordType::A));
            assert!(traced.result.is_ok());
            black_box(traced.steps.len())
        })
    });

    let referrals = tracer();
    let mut n = 0u64;
    group.bench_function("trace_warm_referrals", |b| {
        b.iter(|| {
            n += 1;
            let fresh = Name::from_str(&format!("n{n}.lab.glasscom.com.")).expect("name");
            let traced = runtime.block_on(referrals.trace(&fresh, RecordType::A));
            black_box(traced.steps.len())
        })
    });
    group.finish();
}

fn encode_decode(c: &mut Criterion) {
    let zone = Name::from_str("glasscom.com.").expect("name");
    let query = Query::query(
        Name::from_str("www.lab.glasscom.com.").expect("name"),
        RecordType::A,
    );
    let mut request = Message::new(0x1234, MessageType::Query, OpCode::Query);
    request.add_query(query);
    let mut reply = request.into_response();
    for (i, host) in ["ns1.glasscom.com.", "ns2.glasscom.com."]
        .iter()
        .enumerate()
    {
        let host = Name::from_str(host).expect("name");
        reply.add_authority(Record::from_rdata(
            zone.clone(),
            172800,
            RData::NS(NS(host.clone())),
        ));
        reply.add_additional(Record::from_rdata(
            host,
            172800,
            RData::A(A(Ipv4Addr::new(127, 53, 3, 1 + i as u8))),
        ));
    }
    c.bench_function("dns/message_encode_decode", |b| {
        b.iter(|| {
            let wire = black_box(&reply).to_vec().expect("encode");
            let back = Message::from_vec(&wire).expect("decode");
            black_box(back.additionals.len())
        })
    });
}

fn bulk(c: &mut Criterion) {
    let zone = BulkZone::start().expect("start bulk.test");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let queries: Vec<Query> = (0..256)
        .map(|n| {
            let name = Name::from_str(&format!("name{n}.bulk.test.")).expect("name");
            Query::query(name, RecordType::A)
        })
        .collect();
    let mut group = c.benchmark_group("dns");
    group.measurement_time(Duration::from_secs(4));
    for (id, sockets) in [
        ("bulk_256_shared_sockets", 8),
        ("bulk_256_socket_per_query", 0),
    ] {
        let asker = BenchAsker::new(zone.addr(), sockets);
        group.bench_function(id, |b| {
            b.iter(|| {
                let asked = queries.iter().map(|query| asker.ask(query));
                let replies = runtime.block_on(futures_util::future::join_all(asked));
                assert!(replies.iter().all(|ok| *ok));
            })
        });
    }
    group.finish();
}

/// A one-name zone, signed at start-up by the sandbox.
const BENCH_ZONE: &str = "\
$ORIGIN bench.test.
$TTL 3600
@   IN SOA ns.bench.test. admin.bench.test. 1 3600 900 604800 300
@   IN NS  ns.bench.test.
ns  IN A   127.0.0.1
www IN A   192.0.2.10
";

fn validation(c: &mut Criterion) {
    for (id, algorithm) in [
        ("dns/validate_rrset_rsa", Algorithm::RSASHA256),
        ("dns/validate_rrset_ecdsa", Algorithm::ECDSAP256SHA256),
    ] {
        let key = ZoneKey::generate(algorithm).expect("zone key");
        let signing = Signing {
            key: Some(&key),
            ds: Vec::new(),
            faults: &[],
        };
        let zone = SignedZone::new(BENCH_ZONE, &signing).expect("signed zone");
        let owner = Name::from_str("www.bench.test.").expect("name");
        let answer = zone.answer(&owner, RecordType::A, true);
        let keys = vec![key.dnskey().clone()];
        let now = unix_now();
        c.bench_function(id, |b| {
            b.iter(|| {
                verify_rrset(
                    black_box(&answer.answers),
                    &owner,
                    RecordType::A,
                    zone.origin(),
                    &keys,
                    now,
                )
                .expect("the signature verifies")
            })
        });
    }
}

criterion_group!(benches, traces, encode_decode, bulk, validation);
criterion_main!(benches);
