//! Criterion benches of url-parse's batch path on the same mixed URLs:
//! `url/parse_report_json` (parse, report, one JSON line each) against
//! `url/ada_parse_only` (Ada's bare parse and print of href: the limit), with
//! `url/parse_report` (no JSON) to tell the report's cost from the writing's.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use url_parse::Report;
use url_parse::json::LineWriter;
use url_parse::parse::parse;

#[path = "support/mixed.rs"]
mod mixed;

const BATCH: usize = 10_000;

fn benches(c: &mut Criterion) {
    let urls = mixed::mixed_urls(BATCH);
    let mut group = c.benchmark_group("url");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("parse_report_json", |b| {
        let mut writer = LineWriter::new();
        let mut out = Vec::with_capacity(BATCH * 700);
        b.iter(|| {
            out.clear();
            for input in &urls {
                if let Ok(url) = parse(input, None) {
                    writer.append(&Report::new(&url), &mut out);
                }
            }
            black_box(out.len())
        });
    });
    group.bench_function("parse_report", |b| {
        b.iter(|| {
            let mut ports = 0usize;
            for input in &urls {
                if let Ok(url) = parse(input, None) {
                    let report = Report::new(&url);
                    ports += usize::from(report.effective_port.unwrap_or(0));
                    ports += report.segments.iter().count() + report.query.iter().count();
                }
            }
            black_box(ports)
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
