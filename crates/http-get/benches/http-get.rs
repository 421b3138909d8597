//! Criterion benches of http-get's round trip against the in-process sandbox
//! server on loopback: a small page to memory, and a large chunked body to
//! /dev/null. Each iteration is a whole `run`: runtime, connect, request,
//! response, body, close.

use std::hint::black_box;

use clap::Parser;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http_get::Args;
use netlens_core::{CommonArgs, Ctx, ExitCode};
use netlens_sandbox::web;

/// Size of the chunked body.
const LARGE: u64 = 16 * 1024 * 1024;

fn fetch(argv: &[&str]) {
    let args = Args::try_parse_from(argv).expect("bench arguments parse");
    let (mut ctx, captured) = Ctx::capture("http-get", &CommonArgs::default(), "");
    let code = http_get::run(args, &mut ctx).expect("request succeeds");
    assert_eq!(code, ExitCode::Success);
    black_box(captured);
}

fn benches(c: &mut Criterion) {
    let server = web::serve([127, 0, 0, 1].into()).expect("start sandbox server");
    let small = server.url("/sample.htm");
    let large = server.url(&format!("/chunked/{LARGE}"));
    let mut group = c.benchmark_group("http");
    group.bench_function("small_page", |b| b.iter(|| fetch(&["http-get", &small])));
    group.throughput(Throughput::Bytes(LARGE));
    group.sample_size(20);
    group.bench_function("chunked_large", |b| {
        b.iter(|| fetch(&["http-get", "-o", "/dev/null", &large]))
    });
    group.finish();
}

criterion_group!(http, benches);
criterion_main!(http);
