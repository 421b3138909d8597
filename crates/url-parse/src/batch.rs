//! Batches on both cores, in input order.
//!
//! Inputs are read into chunks of two parts. When a chunk is full, its back
//! part goes to a helper thread and its front part is rendered here; then this
//! thread goes back to reading the next chunk while the helper works. Before a
//! chunk is handed over, the previous one is collected and written: front part,
//! then back part, so the output keeps the input order. The back part is the
//! larger (45/55) because this thread also reads and writes every input: with
//! that split both threads spend the same CPU time (measured with `perf report
//! --sort pid`; equal parts left the helper idle about a tenth of the time, a
//! 40/60 split made the helper the one holding the other back).
//!
//! Used for the line outputs (`--json`, `--get`, the edited href); the human
//! reading goes one input at a time. A failed input is reported in its place,
//! as [`Ctx::for_each_input`] does, when its part is written.

use std::sync::mpsc::{Receiver, SendError, Sender, channel};
use std::thread;

use netlens_core::{Ctx, ExitCode};

use crate::Error;
use crate::job::Job;
use crate::json::LineWriter;

/// Inputs rendered by the reading thread in each chunk (enough to make the
/// hand-over negligible, few enough to keep memory small).
const FRONT: usize = 1800;
/// Inputs rendered by the helper thread in each chunk.
const BACK: usize = 2200;

/// Run `job` on every input (arguments or stdin lines, as [`Ctx::for_each_input`]
/// reads them); returns the highest exit code among them.
pub fn run(ctx: &mut Ctx, urls: &[String], job: &Job<'_>) -> Result<ExitCode, Error> {
    thread::scope(|scope| {
        let (to_helper, helper_in) = channel::<Part>();
        let (helper_out, from_helper) = channel::<Part>();
        let helper = thread::Builder::new().spawn_scoped(scope, move || {
            for mut part in helper_in {
                part.render(job);
                if helper_out.send(part).is_err() {
                    break;
                }
            }
        });
        // Without a helper thread everything is rendered on this one.
        let helper = helper.ok().map(|_| (to_helper, from_helper));
        let mut pipeline = Pipeline {
            job,
            front: Part::default(),
            back: Part::default(),
            in_flight: None,
            spare: Vec::new(),
            helper,
        };
        let code = ctx.for_each_input(urls, |ctx, input| pipeline.push(ctx, input))?;
        Ok(code.max(pipeline.finish(ctx)?))
        // Dropping the pipeline closes the channel: the helper ends, the scope joins it.
    })
}

/// Some inputs, back to back, and what rendering them gave.
#[derive(Default)]
struct Part {
    arena: String,
    ends: Vec<usize>,
    out: Vec<u8>,
    /// Per input: where its output ends in `out`, or why it failed.
    done: Vec<Result<usize, Error>>,
    json: LineWriter,
}

impl Part {
    fn push(&mut self, input: &str) {
        self.arena.push_str(input);
        self.ends.push(self.arena.len());
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn input(&self, i: usize) -> &str {
        nth(&self.arena, &self.ends, i)
    }

    fn render(&mut self, job: &Job<'_>) {
        self.out.clear();
        self.done.clear();
        for i in 0..self.len() {
            let input = nth(&self.arena, &self.ends, i);
            let result = job.render(input, &mut self.json, &mut self.out);
            self.done.push(result.map(|()| self.out.len()));
        }
    }

    /// Write the rendered output in input order, each failure reported in its
    /// place; then empty the part for reuse.
    fn write(&mut self, ctx: &mut Ctx) -> Result<ExitCode, Error> {
        let mut worst = ExitCode::Success;
        // Output not yet written: from `written` to the end of the last success.
        let mut written = 0;
        let mut end = 0;
        let done = std::mem::take(&mut self.done);
        for (i, result) in done.into_iter().enumerate() {
            match result {
                Ok(stop) => end = stop,
                Err(error) => {
                    ctx.out().write_all(&self.out[written..end])?;
                    written = end;
                    worst = worst.max(ctx.report(self.input(i), &error)?);
                }
            }
        }
        ctx.out().write_all(&self.out[written..end])?;
        self.arena.clear();
        self.ends.clear();
        Ok(worst)
    }
}

/// Input `i` of inputs stored back to back in `arena`, ending at `ends`.
fn nth<'a>(arena: &'a str, ends: &[usize], i: usize) -> &'a str {
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &arena[start..ends[i]]
}

struct Pipeline<'j> {
    job: &'j Job<'j>,
    /// The chunk being read.
    front: Part,
    back: Part,
    /// The previous chunk: its front rendered, its back at the helper.
    in_flight: Option<Part>,
    spare: Vec<Part>,
    helper: Option<(Sender<Part>, Receiver<Part>)>,
}

impl Pipeline<'_> {
    fn push(&mut self, ctx: &mut Ctx, input: &str) -> Result<ExitCode, Error> {
        if self.front.len() < FRONT {
            self.front.push(input);
            return Ok(ExitCode::Success);
        }
        self.back.push(input);
        if self.back.len() < BACK {
            return Ok(ExitCode::Success);
        }
        let worst = self.collect(ctx)?;
        let mut front = std::mem::replace(&mut self.front, self.spare.pop().unwrap_or_default());
        let back = std::mem::replace(&mut self.back, self.spare.pop().unwrap_or_default());
        let mut back = match &self.helper {
            Some((to_helper, _)) => match to_helper.send(back) {
                Ok(()) => {
                    front.render(self.job);
                    self.in_flight = Some(front);
                    return Ok(worst);
                }
                Err(SendError(back)) => back,
            },
            None => back,
        };
        // No helper (or it is gone): render and write both parts here.
        self.helper = None;
        Ok(worst.max(self.render_and_write(ctx, &mut front, &mut back)?))
    }

    /// Wait for the chunk in flight and write it (front, then back).
    fn collect(&mut self, ctx: &mut Ctx) -> Result<ExitCode, Error> {
        let Some(mut front) = self.in_flight.take() else {
            return Ok(ExitCode::Success);
        };
        let mut worst = front.write(ctx)?;
        let back = self.helper.as_ref().and_then(|(_, from)| from.recv().ok());
        let Some(mut back) = back else {
            return Err(Error::Io(std::io::Error::other(
                "the rendering thread stopped",
            )));
        };
        worst = worst.max(back.write(ctx)?);
        self.spare.push(front);
        self.spare.push(back);
        Ok(worst)
    }

    /// Write what is in flight, then render and write the last, partial chunk.
    fn finish(&mut self, ctx: &mut Ctx) -> Result<ExitCode, Error> {
        let worst = self.collect(ctx)?;
        let mut front = std::mem::take(&mut self.front);
        let mut back = std::mem::take(&mut self.back);
        Ok(worst.max(self.render_and_write(ctx, &mut front, &mut back)?))
    }

    fn render_and_write(
        &self,
        ctx: &mut Ctx,
        front: &mut Part,
        back: &mut Part,
    ) -> Result<ExitCode, Error> {
        front.render(self.job);
        back.render(self.job);
        Ok(front.write(ctx)?.max(back.write(ctx)?))
    }
}

#[cfg(test)]
mod tests {
    use netlens_core::CommonArgs;

    use super::*;
    use crate::edit::Edits;
    use crate::job::Output;

    fn batch(inputs: &[String], json: bool) -> (ExitCode, String, String) {
        let edits = Edits::default();
        let output = if json {
            Output::Json
        } else {
            Output::Href { unicode: false }
        };
        let job = Job::new(None, None, &edits, output);
        let common = CommonArgs {
            json,
            ..CommonArgs::default()
        };
        let (mut ctx, captured) = Ctx::capture("url-parse", &common, "");
        let code = run(&mut ctx, inputs, &job).unwrap();
        ctx.flush().unwrap();
        (code, captured.stdout(), captured.stderr())
    }

    #[test]
    fn keeps_input_order_across_chunks_and_threads() {
        let count = 3 * (FRONT + BACK) + 700;
        let inputs: Vec<String> = (0..count)
            .map(|i| {
                if i % 997 == 0 {
                    format!("http://h{i}.example:99999/")
                } else {
                    format!("http://h{i}.example/")
                }
            })
            .collect();
        let (code, out, err) = batch(&inputs, false);
        assert_eq!(code, ExitCode::Usage);
        let lines: Vec<&str> = out.lines().collect();
        let expected: Vec<&str> = inputs
            .iter()
            .map(String::as_str)
            .filter(|i| !i.contains("99999"))
            .collect();
        assert_eq!(lines, expected);
        let errors: Vec<String> = inputs
            .iter()
            .filter(|i| i.contains("99999"))
            .map(|i| format!("url-parse: {i}: invalid port number"))
            .collect();
        assert_eq!(err.lines().collect::<Vec<_>>(), errors);
    }

    #[test]
    fn json_errors_in_place() {
        let inputs: Vec<String> = (0..FRONT + BACK + 10)
            .map(|i| {
                if i == FRONT + 5 {
                    "nope".to_string()
                } else {
                    format!("http://h{i}.example/")
                }
            })
            .collect();
        let (code, out, _) = batch(&inputs, true);
        assert_eq!(code, ExitCode::Usage);
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), inputs.len());
        assert_eq!(
            lines[FRONT + 4]["hostname"],
            format!("h{}.example", FRONT + 4)
        );
        assert_eq!(lines[FRONT + 5]["input"], "nope");
        assert_eq!(
            lines[FRONT + 6]["hostname"],
            format!("h{}.example", FRONT + 6)
        );
    }

    #[test]
    fn a_single_input() {
        let (code, out, err) = batch(&["HTTP://A.example".to_string()], false);
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (ExitCode::Success, "http://a.example/\n", "")
        );
    }
}
