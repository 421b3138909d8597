//! Many inputs at once (`-P/--parallel`, `--rate`, `--unordered`): the pieces
//! every tool's parallel driver shares.
//!
//! - [`ReorderWindow`]: results that finish out of order wait here until every
//!   earlier input's result was written (or leave at once with `--unordered`);
//! - [`TokenBucket`]: `--rate N` requests per second for the whole run, bursts
//!   bounded;
//! - [`Backoff`]: after a server refuses (DNS REFUSED, HTTP 429), new
//!   requests wait, longer after each refusal in a row;
//! - [`Pipeline`]: a bounded set of futures in front of a reorder window. A new
//!   input starts only while fewer than N run and fewer than a few × N are in
//!   flight or waiting, so memory stays bounded whatever the input's length.
//!   The futures do not know they run in parallel.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use clap::Args;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

/// The first wait after a refusal; it doubles with each refusal in a row.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);

/// The longest wait after refusals.
const MOST_BACKOFF: Duration = Duration::from_secs(5);

/// How many results, running or waiting to be written, a pipeline holds per
/// parallel slot: enough that one slow input does not stall the others at once.
const WINDOW_PER_JOB: usize = 4;

/// The flags of the tools that run many requests at once.
#[derive(Args, Debug, Clone, Copy, PartialEq)]
pub struct ParallelArgs {
    /// Requests in flight at once
    #[arg(short = 'P', long = "parallel", value_name = "N", default_value = "1", value_parser = parse_positive)]
    pub parallel: usize,

    /// At most N requests per second for the whole run (fractions allowed)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Write each result as soon as it is ready rather than in input order
    #[arg(long)]
    pub unordered: bool,
}

impl Default for ParallelArgs {
    fn default() -> Self {
        ParallelArgs {
            parallel: 1,
            rate: None,
            unordered: false,
        }
    }
}

/// Parse `-P N`: a whole number from 1 to 65536.
pub fn parse_positive(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n @ 1..=65_536) => Ok(n),
        _ => Err(format!("{text}: not a whole number from 1 to 65536")),
    }
}

/// Parse `--rate N`: a positive number of requests per second.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 && rate <= 1e9 => Ok(rate),
        _ => Err(format!(
            "{text}: not a number of requests per second above 0"
        )),
    }
}

/// Results that finished in any order, handed out in input order.
///
/// Each result carries its input's sequence number (0, 1, 2...); [`pop`]
/// returns the next one in order once it is there, or, unordered, whatever
/// finished first.
///
/// [`pop`]: ReorderWindow::pop
#[derive(Debug)]
pub struct ReorderWindow<T> {
    /// Sequence number of the first slot.
    base: u64,
    /// Results from `base` on; `None` for those still running.
    slots: VecDeque<Option<T>>,
    /// Results held, ordered or not.
    held: usize,
    unordered: bool,
}

impl<T> ReorderWindow<T> {
    /// An empty window; `unordered` hands results out as they come.
    pub fn new(unordered: bool) -> Self {
        ReorderWindow {
            base: 0,
            slots: VecDeque::new(),
            held: 0,
            unordered,
        }
    }

    /// Put the result of input `seq` in the window. Each `seq` comes once,
    /// and none below one already handed out in order.
    pub fn insert(&mut self, seq: u64, value: T) {
        self.held += 1;
        if self.unordered {
            self.slots.push_back(Some(value));
            return;
        }
        let index = usize::try_from(seq - self.base).expect("window fits in memory");
        if index >= self.slots.len() {
            self.slots.resize_with(index + 1, || None);
        }
        self.slots[index] = Some(value);
    }

    /// The next result to write, if it is ready.
    pub fn pop(&mut self) -> Option<T> {
        let value = self.slots.front_mut()?.take()?;
        self.slots.pop_front();
        self.base += 1;
        self.held -= 1;
        Some(value)
    }

    /// How many results wait in the window.
    pub fn held(&self) -> usize {
        self.held
    }
}

/// A token bucket: `rate` tokens a second, at most `burst` saved up.
///
/// [`take`](TokenBucket::take) reserves one token and says how long to wait
/// before using it: the bucket may go into debt, so callers that start at once
/// are spaced `1 / rate` apart. Time is passed in, so the bucket is pure.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A bucket of `rate` tokens a second; it starts full with a burst of a
    /// tenth of a second's worth (at least one token).
    pub fn new(rate: f64, now: Instant) -> Self {
        let burst = (rate / 10.0).max(1.0);
        TokenBucket {
            rate,
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Reserve a token at `now`; returns how long to wait before using it.
    pub fn take(&mut self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst) - 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

/// Backing off a server that refuses: after a refusal no new request starts
/// for a while (50 ms, doubling with each refusal in a row, at most 5 s); an
/// answer resets it. Time is passed in, so it is pure.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    /// The wait the next refusal sets.
    next: Duration,
    /// No request starts before this.
    until: Option<Instant>,
}

impl Backoff {
    /// The server refused at `now`.
    pub fn refused(&mut self, now: Instant) {
        self.next = (self.next * 2).clamp(FIRST_BACKOFF, MOST_BACKOFF);
        self.until = Some(now + self.next);
    }

    /// The server answered: the next refusal starts afresh.
    pub fn answered(&mut self) {
        self.next = Duration::ZERO;
    }

    /// How long a request starting at `now` waits.
    pub fn wait(&self, now: Instant) -> Duration {
        self.until
            .map_or(Duration::ZERO, |until| until.saturating_duration_since(now))
    }
}

/// A job of a pipeline: its sequence number and result.
type Job<'a, T> = Pin<Box<dyn Future<Output = (u64, T)> + 'a>>;

/// A bounded set of running futures in front of a reorder window.
///
/// A tool pushes one future per input ([`push`](Pipeline::push) waits for
/// room), then writes whatever [`pop`](Pipeline::pop) hands out; at the end it
/// calls [`settle`](Pipeline::settle) and pops until nothing runs.
pub struct Pipeline<'a, T> {
    running: FuturesUnordered<Job<'a, T>>,
    window: ReorderWindow<T>,
    bucket: Option<TokenBucket>,
    backoff: Backoff,
    jobs: usize,
    capacity: usize,
    next: u64,
}

impl<'a, T: 'a> Pipeline<'a, T> {
    /// A pipeline for `-P`, `--rate` and `--unordered`.
    pub fn new(settings: &ParallelArgs) -> Self {
        let jobs = settings.parallel.max(1);
        Pipeline {
            running: FuturesUnordered::new(),
            window: ReorderWindow::new(settings.unordered),
            bucket: settings
                .rate
                .map(|rate| TokenBucket::new(rate, Instant::now())),
            backoff: Backoff::default(),
            jobs,
            capacity: jobs * WINDOW_PER_JOB,
            next: 0,
        }
    }

    /// Start `job` once fewer than N run and the window has room, after its
    /// turn under `--rate` and any backing off.
    pub async fn push(&mut self, job: impl Future<Output = T> + 'a) {
        while self.running.len() >= self.jobs
            || self.running.len() + self.window.held() >= self.capacity
        {
            if !self.settle().await {
                break;
            }
        }
        let seq = self.next;
        self.next += 1;
        let now = Instant::now();
        let turn = match &mut self.bucket {
            Some(bucket) => bucket.take(now),
            None => Duration::ZERO,
        };
        let delay = turn.max(self.backoff.wait(now));
        // Exempt from tokio's cooperative budget: the pipeline's futures
        // outlive each `block_on` that polls them, and a future out of budget
        // asks to be woken after the runtime's next look at its timers and
        // sockets, a wake dropped when `block_on` returns first (the future
        // then sleeps with no timer: a run stalled at its end). Never out of
        // budget, a job is woken by its socket or its timer only.
        self.running
            .push(Box::pin(tokio::task::unconstrained(async move {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                (seq, job.await)
            })));
    }

    /// Wait for one running future to finish and put its result in the
    /// window; `false` when none runs.
    pub async fn settle(&mut self) -> bool {
        match self.running.next().await {
            Some((seq, value)) => {
                self.window.insert(seq, value);
                true
            }
            None => false,
        }
    }

    /// The next result to write, if ready.
    pub fn pop(&mut self) -> Option<T> {
        self.window.pop()
    }

    /// Say how a result went: a refusal backs new requests off, an answer
    /// ends the backing off.
    pub fn refused(&mut self, refused: bool) {
        if refused {
            self.backoff.refused(Instant::now());
        } else {
            self.backoff.answered();
        }
    }

    /// Results running or waiting to be written.
    pub fn pending(&self) -> usize {
        self.running.len() + self.window.held()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use clap::Parser;

    use super::*;

    #[derive(Parser, Debug)]
    struct Probe {
        #[command(flatten)]
        parallel: ParallelArgs,
    }

    #[test]
    fn window_hands_out_in_input_order() {
        let mut window = ReorderWindow::new(false);
        window.insert(2, "c");
        window.insert(1, "b");
        assert_eq!(window.pop(), None);
        assert_eq!(window.held(), 2);
        window.insert(0, "a");
        assert_eq!(window.pop(), Some("a"));
        assert_eq!(window.pop(), Some("b"));
        assert_eq!(window.pop(), Some("c"));
        assert_eq!(window.pop(), None);
        window.insert(3, "d");
        assert_eq!((window.pop(), window.held()), (Some("d"), 0));
    }

    #[test]
    fn unordered_window_hands_out_as_they_come() {
        let mut window = ReorderWindow::new(true);
        window.insert(5, 5);
        window.insert(1, 1);
        assert_eq!(window.pop(), Some(5));
        assert_eq!(window.pop(), Some(1));
        assert_eq!(window.pop(), None);
    }

    #[test]
    fn bucket_allows_a_burst_then_spaces_takers() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(100.0, start);
        // A tenth of a second's worth at once...
        for _ in 0..10 {
            assert_eq!(bucket.take(start), Duration::ZERO);
        }
        // ...then each next taker waits 10 ms more.
        let waits: Vec<u128> = (0..3).map(|_| bucket.take(start).as_millis()).collect();
        assert_eq!(waits, [10, 20, 30]);
        // Paid back after the debt's time, and never saving past the burst.
        let later = start + Duration::from_secs(60);
        let free = (0..20).take_while(|_| bucket.take(later).is_zero()).count();
        assert_eq!(free, 10);
    }

    #[test]
    fn bucket_of_slow_rates_keeps_one_token() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(0.5, start);
        assert_eq!(bucket.take(start), Duration::ZERO);
        assert_eq!(bucket.take(start), Duration::from_secs(2));
    }

    #[test]
    fn backoff_doubles_while_refused_and_resets() {
        let start = Instant::now();
        let mut backoff = Backoff::default();
        assert_eq!(backoff.wait(start), Duration::ZERO);
        backoff.refused(start);
        assert_eq!(backoff.wait(start), Duration::from_millis(50));
        backoff.refused(start);
        backoff.refused(start);
        assert_eq!(backoff.wait(start), Duration::from_millis(200));
        assert_eq!(
            backoff.wait(start + Duration::from_millis(150)),
            Duration::from_millis(50)
        );
        for _ in 0..20 {
            backoff.refused(start);
        }
        assert_eq!(backoff.wait(start), Duration::from_secs(5));
        backoff.answered();
        backoff.refused(start);
        assert_eq!(backoff.wait(start), Duration::from_millis(50));
    }

    #[test]
    fn flags_parse_and_refuse_nonsense() {
        let p = Probe::try_parse_from(["t", "-P", "256", "--rate", "1000", "--unordered"]).unwrap();
        assert_eq!(p.parallel.parallel, 256);
        assert_eq!(p.parallel.rate, Some(1000.0));
        assert!(p.parallel.unordered);
        assert_eq!(
            Probe::try_parse_from(["t"]).unwrap().parallel,
            ParallelArgs::default()
        );
        for (flag, bad) in [("-P", "0"), ("-P", "x"), ("--rate", "-1"), ("--rate", "0")] {
            let error = Probe::try_parse_from(["t", flag, bad]).unwrap_err();
            assert!(error.to_string().contains(bad), "{error}");
        }
    }

    /// Drive a pipeline over `delays` (one job per delay, in ms) and return
    /// the results in the order written and the most jobs seen running at once.
    fn run_jobs(settings: ParallelArgs, delays: &[u64]) -> (Vec<usize>, usize) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let running = Cell::new(0usize);
        let most = Cell::new(0usize);
        let mut written = Vec::new();
        runtime.block_on(async {
            let mut pipeline = Pipeline::new(&settings);
            for (index, &delay) in delays.iter().enumerate() {
                let (running, most) = (&running, &most);
                pipeline
                    .push(async move {
                        running.set(running.get() + 1);
                        most.set(most.get().max(running.get()));
                        tokio::time::sleep(Duration::from_millis(delay)).await;
                        running.set(running.get() - 1);
                        index
                    })
                    .await;
                assert!(pipeline.pending() <= settings.parallel * WINDOW_PER_JOB);
                written.extend(std::iter::from_fn(|| pipeline.pop()));
            }
            while pipeline.settle().await {
                written.extend(std::iter::from_fn(|| pipeline.pop()));
            }
        });
        (written, most.get())
    }

    #[test]
    fn pipeline_keeps_order_and_bounds_what_runs() {
        let delays: Vec<u64> = (0..40).map(|i| (i * 7 % 5) * 3).collect();
        let settings = ParallelArgs {
            parallel: 4,
            ..ParallelArgs::default()
        };
        let (written, most) = run_jobs(settings, &delays);
        assert_eq!(written, (0..40).collect::<Vec<_>>());
        assert_eq!(most, 4);
    }

    #[test]
    fn unordered_pipeline_writes_every_result_once() {
        let settings = ParallelArgs {
            parallel: 3,
            unordered: true,
            ..ParallelArgs::default()
        };
        let delays = [30, 1, 1, 1, 1, 1];
        let (mut written, _) = run_jobs(settings, &delays);
        assert_ne!(written[0], 0, "the slow first job is not waited for");
        written.sort_unstable();
        assert_eq!(written, (0..6).collect::<Vec<_>>());
    }

    #[test]
    fn rate_spaces_the_starts() {
        let settings = ParallelArgs {
            parallel: 8,
            rate: Some(50.0),
            unordered: false,
        };
        let started = Instant::now();
        let (written, _) = run_jobs(settings, &[0; 11]);
        assert_eq!(written.len(), 11);
        // A burst of 5, then 6 more at 20 ms apart.
        assert!(
            started.elapsed() >= Duration::from_millis(110),
            "{:?}",
            started.elapsed()
        );
    }
}
