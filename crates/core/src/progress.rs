//! The progress line of a batch: inputs done (of how many, when the input is a
//! file), the rate, and failures, on stderr through indicatif.
//!
//! Drawn only when stderr is a terminal: never when piped, and never on stdout,
//! so it cannot mix into JSON Lines.

use std::io::BufRead;
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ctx::Ctx;
use crate::exit::ExitCode;
use crate::input::Lines;

/// The rate shown is refreshed every this many inputs (and on each failure).
const RATE_EVERY: u64 = 128;

/// How often the line is redrawn at most.
const REDRAW_HZ: u8 = 4;

/// The progress line of one batch (hidden when stderr is not a terminal).
pub struct Progress {
    bar: ProgressBar,
    failures: u64,
}

impl Progress {
    /// A progress line for the run of `ctx`: of a known total when the inputs
    /// come from `--input-file` alone and every line is taken.
    pub fn new(ctx: &Ctx, only_input_file: bool) -> Progress {
        if !ctx.stderr_is_terminal() {
            return Progress::hidden();
        }
        let total = ctx
            .input_file()
            .filter(|path| only_input_file && path.as_os_str() != "-")
            .filter(|_| ctx.takes_every_line())
            .and_then(count_inputs);
        let bar = match total {
            Some(total) => ProgressBar::with_draw_target(
                Some(total),
                ProgressDrawTarget::stderr_with_hz(REDRAW_HZ),
            )
            .with_style(style("{pos}/{len} done ({percent}%), {msg}")),
            None => {
                ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(REDRAW_HZ))
                    .with_style(style("{pos} done, {per_sec}, {msg}"))
            }
        };
        bar.set_message("0/s, 0 failed");
        bar.enable_steady_tick(Duration::from_millis(250));
        Progress { bar, failures: 0 }
    }

    /// A progress line that draws nothing.
    pub fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
            failures: 0,
        }
    }

    /// One more input done, with its exit code (a failure above "negative").
    pub fn record(&mut self, code: ExitCode) {
        let failed = code > ExitCode::Negative;
        self.failures += u64::from(failed);
        self.bar.inc(1);
        if failed || self.bar.position().is_multiple_of(RATE_EVERY) {
            let rate = self.bar.per_sec();
            self.bar
                .set_message(format!("{rate:.0}/s, {} failed", self.failures));
        }
    }

    /// Erase the line at the end of the batch.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The style of the line (the template is fixed, so it always parses).
fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// How many input lines `path` holds (read in a stream; `None` if unreadable).
fn count_inputs(path: &Path) -> Option<u64> {
    let file = std::fs::File::open(path).ok()?;
    let mut reader = std::io::BufReader::new(file);
    let reader: &mut dyn BufRead = &mut reader;
    let mut lines = Lines::new(reader);
    let mut count = 0;
    while lines.next_input().ok()?.is_some() {
        count += 1;
    }
    Some(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::CommonArgs;

    #[test]
    fn hidden_when_stderr_is_not_a_terminal() {
        let (ctx, captured) = Ctx::capture("t", &CommonArgs::default(), "");
        let mut progress = Progress::new(&ctx, true);
        progress.record(ExitCode::Network);
        progress.record(ExitCode::Success);
        progress.finish();
        assert!(progress.bar.is_hidden());
        assert_eq!(progress.failures, 1);
        assert_eq!(captured.stderr(), "");
    }

    #[test]
    fn counts_the_input_lines_of_a_file() {
        let dir = std::env::temp_dir().join(format!("netlens-progress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("inputs.txt");
        std::fs::write(&file, "a\n\n# note\nb\nc").unwrap();
        assert_eq!(count_inputs(&file), Some(3));
        assert_eq!(count_inputs(&dir.join("absent")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
