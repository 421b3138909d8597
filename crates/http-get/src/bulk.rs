//! `-P/--parallel N`, `--per-host N`, `--rate N` and `--unordered`: the URLs
//! are read lazily and fetched N at a time through core's [`Pipeline`] (a
//! bounded set of futures in front of a reorder window), at most `--per-host`
//! at once to one host, connections kept and reused across inputs.
//!
//! Each input runs the same code as one at a time, writing into a context of
//! its own ([`Ctx::buffered`]) that is copied out in the input's turn: the
//! request code does not know it runs in parallel. Each input borrows the run's
//! idle connection to its host, if any ([`Pool::lend`]), and gives back what
//! it leaves open.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use netlens_core::ctx::Captured;
use netlens_core::{Ctx, ExitCode, Pipeline, Progress};
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::conn::Pool;
use crate::error::Error;
use crate::target::Target;

/// Idle connections the run keeps open at most, over every host.
const MOST_IDLE: usize = 256;

/// What one input left: its output, held until its turn, and its exit code.
type Fetched = (Captured, Result<ExitCode, Error>);

/// Whether the run asks for the parallel driver (`-P` above 1, or `--rate`).
pub(crate) fn wanted(config: &Config) -> bool {
    config.parallel.parallel > 1 || config.parallel.rate.is_some()
}

/// Fetch every URL of the run in parallel and write each result in its turn;
/// returns the highest exit code.
pub(crate) fn run(
    config: &Config,
    ctx: &mut Ctx,
    runtime: &tokio::runtime::Runtime,
    pool: &mut Pool,
) -> Result<ExitCode, Error> {
    let depot = RefCell::new(std::mem::take(pool));
    let hosts = Hosts::new(config.per_host);
    let (depot, hosts) = (&depot, &hosts);
    let mut pipeline = Pipeline::new(&config.parallel);
    let mut progress = Progress::new(ctx, config.urls.is_empty());
    let mut index = 0;
    let mut worst = ctx.for_each_input(&config.urls, |ctx, url| {
        let output = config.outputs.get(index).cloned();
        index += 1;
        let (child, held) = ctx.buffered();
        let job = fetch(config, depot, hosts, (child, held), url.to_string(), output);
        runtime.block_on(pipeline.push(job));
        write_ready(ctx, &mut pipeline, &mut progress)
    })?;
    loop {
        worst = worst.max(write_ready(ctx, &mut pipeline, &mut progress)?);
        if !runtime.block_on(pipeline.settle()) {
            break;
        }
    }
    progress.finish();
    *pool = depot.take();
    Ok(worst)
}

/// Fetch one URL into its own context, within its host's share.
async fn fetch(
    config: &Config,
    depot: &RefCell<Pool>,
    hosts: &Hosts,
    (mut ctx, held): (Ctx, Captured),
    url: String,
    output: Option<PathBuf>,
) -> Fetched {
    let host = Target::parse(&url, None).map_or_else(|_| String::new(), |t| t.authority());
    let slots = hosts.of(&host);
    // The semaphore is never closed, so acquiring cannot fail.
    let permit = slots.acquire().await.ok();
    let mut pool = depot.borrow_mut().lend(&host);
    let code = crate::fetch_one(config, &mut ctx, &mut pool, &url, output.as_ref()).await;
    depot.borrow_mut().take_back(pool, MOST_IDLE);
    drop(permit);
    hosts.release(&host, slots);
    (held, code)
}

/// Write every result the pipeline hands out now, in its input's place.
fn write_ready(
    ctx: &mut Ctx,
    pipeline: &mut Pipeline<'_, Fetched>,
    progress: &mut Progress,
) -> Result<ExitCode, Error> {
    let mut worst = ExitCode::Success;
    while let Some((held, code)) = pipeline.pop() {
        held.write_to(ctx)?;
        let code = code?;
        progress.record(code);
        worst = worst.max(code);
    }
    Ok(worst)
}

/// `--per-host`: a semaphore of N slots for each host with inputs in flight.
struct Hosts {
    per_host: usize,
    slots: RefCell<HashMap<String, Rc<Semaphore>>>,
}

impl Hosts {
    fn new(per_host: usize) -> Hosts {
        Hosts {
            per_host,
            slots: RefCell::new(HashMap::new()),
        }
    }

    /// The slots of `host`.
    fn of(&self, host: &str) -> Rc<Semaphore> {
        let mut slots = self.slots.borrow_mut();
        let slots = slots
            .entry(host.to_string())
            .or_insert_with(|| Rc::new(Semaphore::new(self.per_host)));
        Rc::clone(slots)
    }

    /// Done with `host`'s slots: forget them once no input holds or awaits one,
    /// so that a run over many hosts does not keep one semaphore per host.
    fn release(&self, host: &str, slots: Rc<Semaphore>) {
        let idle = Rc::strong_count(&slots) == 2 && slots.available_permits() == self.per_host;
        if idle {
            self.slots.borrow_mut().remove(host);
        }
    }
}
