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
//!
//! A host that asks for fewer requests (429, or 503 with `Retry-After`) is
//! backed off: no new request to it starts before its `Retry-After` (at most
//! [`MOST_RETRY_AFTER`]) or, without one, core's [`Backoff`] (50 ms doubling
//! with each refusal in a row, at most 5 s); an answer ends the doubling.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use netlens_core::bulk::Backoff;
use netlens_core::ctx::Captured;
use netlens_core::{Ctx, ExitCode, Picked, Pipeline, Progress};
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::conn::Pool;
use crate::cookies::Jar;
use crate::error::Error;
use crate::retry::Refusal;
use crate::target::Target;

/// Idle connections the run keeps open at most, over every host.
const MOST_IDLE: usize = 256;
/// The longest `Retry-After` a host is left alone for.
const MOST_RETRY_AFTER: Duration = Duration::from_secs(30);

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
    (pool, jar): (&mut Pool, Option<&RefCell<Jar>>),
) -> Result<ExitCode, Error> {
    let depot = RefCell::new(std::mem::take(pool));
    let hosts = Hosts::new(config.per_host);
    let (depot, hosts) = (&depot, &hosts);
    let mut pipeline = Pipeline::new(&config.parallel);
    let mut progress = Progress::new(ctx, config.urls.is_empty());
    let mut index = 0;
    let mut worst = ctx.for_each_picked(&config.urls, |ctx, picked| {
        let (mut child, held) = ctx.buffered();
        let url = match picked {
            Picked::Input(url) => url,
            Picked::Unreadable(bad) => {
                // Reported now into its own buffer, written in its turn.
                let code = bad.report(&mut child)?;
                runtime.block_on(pipeline.push(std::future::ready((held, Ok(code)))));
                return write_ready(ctx, &mut pipeline, &mut progress);
            }
        };
        let output = config.outputs.get(index).cloned();
        index += 1;
        let shared = (depot, hosts, jar);
        // Boxed at once: the future is large, and the pipeline moves it around.
        let job = Box::pin(fetch(
            config,
            shared,
            (child, held),
            url.to_string(),
            output,
        ));
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
    (depot, hosts, jar): (&RefCell<Pool>, &Hosts, Option<&RefCell<Jar>>),
    (mut ctx, held): (Ctx, Captured),
    url: String,
    output: Option<PathBuf>,
) -> Fetched {
    let host = Target::parse(&url, None).map_or_else(|_| String::new(), |t| t.authority());
    let slots = hosts.of(&host);
    // The semaphore is never closed, so acquiring cannot fail.
    let permit = slots.acquire().await.ok();
    hosts.backed_off(&host).await;
    let started = Instant::now();
    let listener = |refusal| hosts.answered(&host, (started, Instant::now()), refusal);
    let mut pool = depot.borrow_mut().lend(&host);
    let state = (&mut pool, jar, Some(&listener as _));
    let code = crate::fetch_one(config, &mut ctx, state, &url, output.as_ref()).await;
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

/// `--per-host`: a semaphore of N slots for each host with inputs in flight;
/// and the hosts backed off.
struct Hosts {
    per_host: usize,
    slots: RefCell<HashMap<String, Rc<Semaphore>>>,
    paced: RefCell<HashMap<String, Pacing>>,
}

/// How a host that refused is backed off.
#[derive(Default)]
struct Pacing {
    /// The doubling wait after refusals in a row.
    backoff: Backoff,
    /// When the last refusal that counted came: a request started before it
    /// (in flight with the refused one) does not double the wait again.
    last: Option<Instant>,
    /// The end of the server's `Retry-After`.
    until: Option<Instant>,
}

impl Pacing {
    /// How long a request starting at `now` waits.
    fn wait(&self, now: Instant) -> Duration {
        let asked = self
            .until
            .map_or(Duration::ZERO, |until| until - now.min(until));
        self.backoff.wait(now).max(asked)
    }
}

impl Hosts {
    fn new(per_host: usize) -> Hosts {
        Hosts {
            per_host,
            slots: RefCell::new(HashMap::new()),
            paced: RefCell::new(HashMap::new()),
        }
    }

    /// Wait while `host` is backed off (a refusal meanwhile makes it longer).
    async fn backed_off(&self, host: &str) {
        loop {
            let wait = self.wait(host, Instant::now());
            if wait.is_zero() {
                return;
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// How long a request to `host` starting at `now` waits.
    fn wait(&self, host: &str, now: Instant) -> Duration {
        let paced = self.paced.borrow();
        paced.get(host).map_or(Duration::ZERO, |p| p.wait(now))
    }

    /// `host` answered at `now` a request started at `started`: back it off
    /// after a refusal; an answer ends the doubling, and the host is forgotten
    /// once no wait is left. Time is passed in, so it is pure.
    fn answered(&self, host: &str, (started, now): (Instant, Instant), refusal: Option<Refusal>) {
        let mut paced = self.paced.borrow_mut();
        let Some(refusal) = refusal else {
            if let Some(pacing) = paced.get_mut(host) {
                pacing.backoff.answered();
                if pacing.wait(now).is_zero() {
                    paced.remove(host);
                }
            }
            return;
        };
        let pacing = paced.entry(host.to_string()).or_default();
        if pacing.last.is_none_or(|last| started >= last) {
            pacing.backoff.refused(now);
            pacing.last = Some(now);
        }
        if let Some(after) = refusal.retry_after {
            let until = now + after.min(MOST_RETRY_AFTER);
            pacing.until = pacing.until.max(Some(until));
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

#[cfg(test)]
mod tests {
    use super::*;

    const NO_WAIT_SAID: Option<Refusal> = Some(Refusal { retry_after: None });

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn refusals_in_a_row_double_the_wait_once_each() {
        let hosts = Hosts::new(6);
        let t0 = Instant::now();
        hosts.answered("a:80", (t0, t0 + ms(1)), NO_WAIT_SAID);
        assert_eq!(hosts.wait("a:80", t0 + ms(1)), ms(50));
        // Started before that refusal, in flight with it: no doubling.
        hosts.answered("a:80", (t0, t0 + ms(2)), NO_WAIT_SAID);
        assert_eq!(hosts.wait("a:80", t0 + ms(2)), ms(49));
        // Started after it: the wait doubles.
        hosts.answered("a:80", (t0 + ms(60), t0 + ms(61)), NO_WAIT_SAID);
        assert_eq!(hosts.wait("a:80", t0 + ms(61)), ms(100));
        assert_eq!(hosts.wait("b:80", t0), Duration::ZERO);
    }

    #[test]
    fn retry_after_is_honoured_within_a_bound() {
        let hosts = Hosts::new(6);
        let t0 = Instant::now();
        let hour = Some(Refusal {
            retry_after: Some(Duration::from_secs(3600)),
        });
        hosts.answered("a:80", (t0, t0), hour);
        assert_eq!(hosts.wait("a:80", t0), MOST_RETRY_AFTER);
        // An answer ends the doubling, not the server's own wait.
        hosts.answered("a:80", (t0, t0 + ms(10)), None);
        assert_eq!(hosts.wait("a:80", t0 + ms(10)), MOST_RETRY_AFTER - ms(10));
    }

    #[test]
    fn an_answer_forgets_a_host_with_no_wait_left() {
        let hosts = Hosts::new(6);
        let t0 = Instant::now();
        hosts.answered("a:80", (t0, t0), NO_WAIT_SAID);
        hosts.answered("a:80", (t0, t0 + ms(10)), None);
        assert_eq!(hosts.paced.borrow().len(), 1, "still waiting");
        hosts.answered("a:80", (t0, t0 + ms(60)), None);
        assert!(hosts.paced.borrow().is_empty());
    }
}
