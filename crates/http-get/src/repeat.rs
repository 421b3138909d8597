//! `-n/--repeat N`: the same request N times (on the kept connection, or a
//! new one each time with `--fresh`), and statistics per phase: minimum,
//! median, 95th percentile, maximum and mean, the first request apart (it
//! pays for resolving and connecting, the others usually do not).
//!
//! `-m` bounds the whole run: the request under way when it runs out counts
//! as failed, and the statistics cover the requests made until then.
//!
//! Percentiles are nearest-rank: the p-th percentile of n sorted values is
//! the value of rank ⌈p/100 × n⌉ (counting from 1), always a measured value.

use std::cell::{Cell, RefCell};
use std::time::Instant;

use netlens_core::timing::millis;
use netlens_core::{Ctx, ExitCode, Failure};
use serde::{Serialize, Serializer};

use crate::config::Config;
use crate::conn::Pool;
use crate::cookies::Jar;
use crate::error::Error;
use crate::output::Output;
use crate::render::{Phases, Summary};
use crate::request::RequestSpec;
use crate::session::{self, Outcome, Session};
use crate::target::Target;

/// The spread of one phase over the repeated requests, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub(crate) struct Spread {
    min: f64,
    p50: f64,
    p95: f64,
    max: f64,
    mean: f64,
}

impl Spread {
    /// The spread of `values` (not empty).
    fn of(mut values: Vec<f64>) -> Spread {
        values.sort_by(f64::total_cmp);
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        Spread {
            min: values[0],
            p50: nearest_rank(&values, 50),
            p95: nearest_rank(&values, 95),
            max: values[values.len() - 1],
            mean: (mean * 1000.0).round() / 1000.0,
        }
    }
}

/// The `p`-th percentile of `sorted` (not empty), nearest-rank.
fn nearest_rank(sorted: &[f64], p: usize) -> f64 {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// The statistics of a repeated request, as `--json` shows them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Stats {
    /// Requests made.
    count: u32,
    /// Requests that failed.
    failures: u32,
    /// The first request's phases (null if it failed).
    first: Option<Phases>,
    /// Each phase's spread over the requests after the first.
    #[serde(serialize_with = "in_order")]
    phases: Vec<(&'static str, Spread)>,
}

fn in_order<S: Serializer>(phases: &[(&'static str, Spread)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(phases.iter().map(|(name, spread)| (name, spread)))
}

impl Stats {
    /// The statistics of `count` requests whose phases are `samples` (in
    /// order, `None` for a failure).
    fn of(samples: &[Option<Phases>], count: u32) -> Stats {
        let failures = samples.iter().filter(|s| s.is_none()).count() as u32;
        let first = samples.first().copied().flatten();
        let rest: Vec<Phases> = samples.iter().skip(1).flatten().copied().collect();
        let phases = Phases::NAMES
            .into_iter()
            .filter_map(|name| {
                let values: Vec<f64> = rest.iter().filter_map(|p| p.get(name)).collect();
                (!values.is_empty()).then(|| (name, Spread::of(values)))
            })
            .collect();
        Stats {
            count,
            failures,
            first,
            phases,
        }
    }

    /// The human table: one row per phase, the first request's value apart.
    fn table(&self, color: bool) -> String {
        let header = [
            "phase", "first ms", "min ms", "p50 ms", "p95 ms", "max ms", "mean ms",
        ];
        let mut table = netlens_core::table::new(&header, color);
        let ms = |v: f64| format!("{v:.3}");
        for (name, s) in &self.phases {
            let first = self.first.and_then(|f| f.get(name)).map_or("-".into(), ms);
            let row = [s.min, s.p50, s.p95, s.max, s.mean].map(ms);
            table.add_row(std::iter::once(name.to_string()).chain([first]).chain(row));
        }
        for column in 1..header.len() {
            if let Some(c) = table.column_mut(column) {
                c.set_cell_alignment(comfy_table::CellAlignment::Right);
            }
        }
        table.to_string()
    }
}

/// The `--json` object of a repeated request: the last summary and the statistics.
#[derive(Serialize)]
struct Repeated<'a> {
    #[serde(flatten)]
    last: Option<&'a Summary>,
    stats: &'a Stats,
}

/// Send the request for `target` `config.repeat` times, bodies read and
/// dropped, then show the statistics; returns the highest exit code.
pub(crate) async fn run(
    config: &Config,
    ctx: &mut Ctx,
    (pool, jar): (&mut Pool, Option<&RefCell<Jar>>),
    (target, spec): (Target, RequestSpec),
) -> Result<ExitCode, Error> {
    let mut samples = Vec::new();
    let mut last = None;
    let mut worst = ExitCode::Success;
    let started = Instant::now();
    // `-m` bounds the whole run, as curl's bounds a whole transfer.
    let deadline = config.max_time.map(|limit| (started + limit, limit));
    for _ in 0..config.repeat {
        let session = Session {
            config,
            printer: config.printer.without_timing(),
            run_start: Instant::now(),
            attempts: None,
            wrote_stdout: Cell::new(false),
            jar,
            listener: None,
        };
        let request = (target.clone(), spec.clone());
        let output = Output::Discard(std::io::sink());
        let result = {
            // Pinned where it is: the future is large, and moving it costs.
            let running = std::pin::pin!(session.run(ctx, pool, request, output));
            session::within(deadline, running).await
        };
        match result {
            Ok(Outcome::Done { summary, code }) => {
                worst = worst.max(code);
                samples.push(Some(summary.timings_ms));
                last = Some(*summary);
            }
            // Not asked for: a session without attempts delivers every status.
            Ok(Outcome::Retry { .. }) => samples.push(None),
            Err(error) if ctx.output_closed() => return Err(error),
            Err(error) => {
                ctx.error_line(&format_args!("{}: {error}", target.display()));
                worst = worst.max(error.exit_code());
                samples.push(None);
                if deadline.is_some_and(|(end, _)| Instant::now() >= end) {
                    break;
                }
            }
        }
    }
    let stats = Stats::of(&samples, samples.len() as u32);
    if ctx.json() {
        let last = last.as_ref();
        ctx.emit_json(&Repeated {
            last,
            stats: &stats,
        })?;
        return Ok(worst);
    }
    let (count, failures) = (stats.count, stats.failures);
    let took = millis(started.elapsed());
    writeln!(
        ctx.out(),
        "{}: {count} requests in {took:.3} ms, {failures} failed; the first apart, \
         statistics over the others (nearest-rank percentiles)",
        target.display()
    )?;
    let table = stats.table(ctx.color());
    writeln!(ctx.out(), "{table}")?;
    Ok(worst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phases(total: f64, opened: bool) -> Phases {
        Phases {
            dns: opened.then_some(1.0),
            connect: opened.then_some(2.0),
            tls: None,
            request: 0.5,
            first_byte: total / 2.0,
            body: 0.25,
            total,
        }
    }

    #[test]
    fn nearest_rank_percentiles_are_measured_values() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(nearest_rank(&values, 50), 10.0);
        assert_eq!(nearest_rank(&values, 95), 19.0);
        assert_eq!(nearest_rank(&[7.0], 95), 7.0);
        let s = Spread::of(vec![3.0, 1.0, 2.0, 10.0]);
        assert_eq!(
            (s.min, s.p50, s.p95, s.max, s.mean),
            (1.0, 2.0, 10.0, 10.0, 4.0)
        );
    }

    #[test]
    fn the_first_request_is_apart_and_failures_counted() {
        let samples = [
            Some(phases(9.0, true)),
            Some(phases(2.0, false)),
            None,
            Some(phases(4.0, false)),
        ];
        let stats = Stats::of(&samples, 4);
        assert_eq!((stats.count, stats.failures), (4, 1));
        assert_eq!(stats.first.unwrap().total, 9.0);
        let names: Vec<&str> = stats.phases.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["request", "first_byte", "body", "total"]);
        let json = serde_json::to_value(&stats).unwrap();
        assert_eq!(json["phases"]["total"]["max"], 4.0);
        assert_eq!(json["phases"]["total"]["mean"], 3.0);
        assert_eq!(json["first"]["dns"], 1.0);
        let table = stats.table(false);
        assert!(table.contains("p95 ms") && table.contains("first_byte"));
    }
}
