//! Criterion benches of the parallel driver's pieces under load: the reorder
//! window with 256 results finishing out of order (`bulk/reorder_window`), the
//! token bucket taken a million times a second (`bulk/token_bucket`), and a
//! pipeline of 10,000 ready futures 256 at a time (`bulk/pipeline_10k`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use netlens_core::bulk::{ReorderWindow, TokenBucket};
use netlens_core::{ParallelArgs, Pipeline};

/// 10,000 sequence numbers, shuffled within blocks of 256 (as 256 requests
/// in flight finish), with a fixed xorshift seed.
fn finishing_order() -> Vec<u64> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut order: Vec<u64> = (0..10_000).collect();
    for block in order.chunks_mut(256) {
        for i in (1..block.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            block.swap(i, (state % (i as u64 + 1)) as usize);
        }
    }
    order
}

fn reorder_window(c: &mut Criterion) {
    let order = finishing_order();
    c.bench_function("bulk/reorder_window", |b| {
        b.iter(|| {
            let mut window = ReorderWindow::new(false);
            let mut written = 0u64;
            for &seq in &order {
                window.insert(seq, seq);
                while let Some(value) = window.pop() {
                    written += black_box(value);
                }
            }
            written
        });
    });
}

fn token_bucket(c: &mut Criterion) {
    let start = Instant::now();
    c.bench_function("bulk/token_bucket", |b| {
        b.iter(|| {
            let mut bucket = TokenBucket::new(1_000_000.0, start);
            let mut waited = Duration::ZERO;
            for tick in 0..10_000u64 {
                waited += bucket.take(start + Duration::from_nanos(tick * 900));
            }
            black_box(waited)
        });
    });
}

fn pipeline(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let settings = ParallelArgs {
        parallel: 256,
        ..ParallelArgs::default()
    };
    c.bench_function("bulk/pipeline_10k", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let mut pipeline = Pipeline::new(&settings);
                let mut written = 0usize;
                for n in 0..10_000usize {
                    pipeline.push(async move { black_box(n) }).await;
                    written += std::iter::from_fn(|| pipeline.pop()).count();
                }
                while pipeline.settle().await {
                    written += std::iter::from_fn(|| pipeline.pop()).count();
                }
                written
            })
        });
    });
}

criterion_group!(benches, reorder_window, token_bucket, pipeline);
criterion_main!(benches);
