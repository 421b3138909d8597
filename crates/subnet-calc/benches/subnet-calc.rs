//! Criterion benches of subnet-calc's hot paths: parsing and describing one
//! input (`subnet/info_parse`), and aggregating a million IPv4 prefixes
//! (`subnet/aggregate_1m`), the input generated here, deterministically.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use subnet_calc::{Info, parse, sets::Aggregator};

/// A million prefixes shaped like a routing table or a block list: random
/// addresses, mostly /24 and /32, some shorter and longer ones (xorshift64, fixed seed).
fn prefixes(count: usize) -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut text = String::with_capacity(count * 18);
    for _ in 0..count {
        let r = next();
        let address = (r >> 32) as u32;
        let prefix = match r % 100 {
            0..50 => 24,
            50..70 => 32,
            70..85 => 16 + (r >> 8) % 8,
            _ => 25 + (r >> 8) % 7,
        };
        let [a, b, c, d] = address.to_be_bytes();
        text.push_str(&format!("{a}.{b}.{c}.{d}/{prefix}\n"));
    }
    text
}

fn info_parse(c: &mut Criterion) {
    let inputs = [
        "10.11.12.13/24",
        "192.168.1.1 255.255.255.0",
        "2001:db8::1/64",
        "8.8.8.8",
    ];
    c.bench_function("subnet/info_parse", |b| {
        b.iter(|| {
            for input in inputs {
                let net = parse::parse_net(black_box(input)).expect("valid input");
                black_box(Info::new(input, &net));
            }
        })
    });
}

fn aggregate_1m(c: &mut Criterion) {
    let text = prefixes(1_000_000);
    let mut group = c.benchmark_group("subnet");
    group.sample_size(10);
    group.bench_function("aggregate_1m", |b| {
        b.iter(|| {
            let mut aggregator = Aggregator::new();
            for line in text.lines() {
                aggregator.push_line(line).expect("valid prefix");
            }
            black_box(aggregator.finish())
        })
    });
    group.finish();
}

criterion_group!(benches, info_parse, aggregate_1m);
criterion_main!(benches);
