//! Criterion benches of url-parse's batch path on the same mixed URLs:
//! `url/parse_report_json` (parse, report, one JSON line each) against
//! `url/ada_parse_only` (Ada's bare parse and print of href: the limit).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use url_parse::Report;
use url_parse::parse::parse;
use url_parse::render::json_line;

#[path = "support/mixed.rs"]
mod mixed;

const BATCH: usize = 10_000;

fn benches(c: &mut Criterion) {
    let urls = mixed::mixed_urls(BATCH);
    let mut group = c.benchmark_group("url");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("parse_report_json", |b| {
        let mut line = Vec::with_capacity(1024);
        let mut out = Vec::with_capacity(BATCH * 700);
        b.iter(|| {
            out.clear();
            for input in &urls {
                if let Ok(url) = parse(input, None) {
                    json_line(&Report::new(&url), &mut line).expect("in memory");
                    out.extend_from_slice(&line);
                }
            }
            black_box(out.len())
        });
    });
    group.bench_function("ada_parse_only", |b| {
        let mut out = Vec::with_capacity(BATCH * 100);
        b.iter(|| {
            out.clear();
            for input in &urls {
                if let Ok(url) = ada_url::Url::parse(input.as_str(), None) {
                    out.extend_from_slice(url.href().as_bytes());
                    out.push(b'\n');
                }
            }
            black_box(out.len())
        });
    });
    group.finish();
}

criterion_group!(url, benches);
criterion_main!(url);
