//! The download progress line on stderr, drawn through the context (only
//! when stderr is a terminal, the body does not go there, and no `-s` or
//! `--json`): a bar when the length is announced, else a running count.

use std::time::{Duration, Instant};

use indicatif::{BinaryBytes, HumanBytes, HumanDuration};
use netlens_core::Ctx;

/// How often the line is redrawn at most.
const REDRAW: Duration = Duration::from_millis(200);
/// Width of the bar, in characters.
const WIDTH: u64 = 40;

/// The state of the progress line.
pub(crate) struct Progress {
    shown: bool,
    total: Option<u64>,
    done: u64,
    started: Instant,
    drawn: Option<Instant>,
}

impl Progress {
    /// A progress line, drawn only if `shown`, for a body of `total` bytes if known.
    pub fn new(shown: bool, total: Option<u64>) -> Progress {
        Progress {
            shown,
            total,
            done: 0,
            started: Instant::now(),
            drawn: None,
        }
    }

    /// `n` more bytes received; redraw if it is time.
    pub fn advance(&mut self, ctx: &mut Ctx, n: u64) {
        self.done += n;
        let due = self.drawn.is_none_or(|at| at.elapsed() >= REDRAW);
        if self.shown && due {
            let line = self.line();
            // Stderr failing is no reason to fail the download.
            let _ = write!(ctx.err(), "\r\x1b[2K{line}");
            self.drawn = Some(Instant::now());
        }
    }

    /// The body is complete: clear the line.
    pub fn finish(&mut self, ctx: &mut Ctx) {
        if self.drawn.take().is_some() {
            let _ = write!(ctx.err(), "\r\x1b[2K");
        }
    }

    fn line(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = (self.done as f64 / secs) as u64;
        let (done, rate) = (HumanBytes(self.done), BinaryBytes(rate));
        let Some(total) = self.total.filter(|&t| t > 0) else {
            return format!("{done} {rate}/s");
        };
        let filled = (self.done.min(total) * WIDTH / total) as usize;
        let bar = format!(
            "{}{}",
            "#".repeat(filled),
            "-".repeat(WIDTH as usize - filled)
        );
        let left = total.saturating_sub(self.done) as f64 / rate.0.max(1) as f64;
        let eta = HumanDuration(Duration::from_secs_f64(left));
        format!("{bar} {done}/{} {rate}/s eta {eta}", HumanBytes(total))
    }
}

#[cfg(test)]
mod tests {
    use netlens_core::CommonArgs;

    use super::*;

    #[test]
    fn draws_a_bar_then_clears_it_and_stays_quiet_when_not_shown() {
        let (mut ctx, captured) = Ctx::capture("t", &CommonArgs::default(), "");
        let mut bar = Progress::new(true, Some(100));
        bar.advance(&mut ctx, 50);
        bar.finish(&mut ctx);
        let err = captured.stderr();
        assert!(
            err.contains(&format!("{}{} ", "#".repeat(20), "-".repeat(20))),
            "{err:?}"
        );
        assert!(err.contains("50 B/100 B"), "{err:?}");
        assert!(err.ends_with("\r\x1b[2K"));
        let (mut ctx, captured) = Ctx::capture("t", &CommonArgs::default(), "");
        let mut quiet = Progress::new(false, None);
        quiet.advance(&mut ctx, 50);
        quiet.finish(&mut ctx);
        assert_eq!(captured.stderr(), "");
    }
}
