//! Batches on both cores: inputs are gathered in chunks, each chunk is split in
//! two halves rendered on two threads into memory, then written in input order.
//!
//! Used for the line outputs (`--json`, `--get`, the edited href); the human
//! reading stays one input at a time. An input that fails is reported in its
//! place, as [`Ctx::for_each_input`] does, when its chunk is written.

use std::thread;

use netlens_core::{Ctx, ExitCode};

use crate::Error;
use crate::job::Job;
use crate::json::LineWriter;

/// Inputs per chunk: enough to make a thread's start-up negligible, few
/// enough to keep memory small.
const CHUNK: usize = 4096;

/// Below this many inputs a chunk is rendered on the calling thread alone.
const PARALLEL_FROM: usize = 256;

/// Pending inputs and the buffers of the two halves.
pub struct Batch<'j> {
    job: &'j Job<'j>,
    /// The pending inputs, back to back.
    arena: String,
    /// Where each pending input ends in `arena`.
    ends: Vec<usize>,
    halves: [Half; 2],
}

/// What one thread rendered: the output bytes, and for each input where its
/// output ends or why it failed.
#[derive(Default)]
struct Half {
    out: Vec<u8>,
    done: Vec<Result<usize, Error>>,
    json: LineWriter,
}

impl Half {
    fn render(&mut self, job: &Job<'_>, inputs: &[&str]) {
        self.out.clear();
        self.done.clear();
        for input in inputs {
            let result = job.render(input, &mut self.json, &mut self.out);
            self.done.push(result.map(|()| self.out.len()));
        }
    }
}

impl<'j> Batch<'j> {
    /// An empty batch for `job`.
    pub fn new(job: &'j Job<'j>) -> Batch<'j> {
        Batch {
            job,
            arena: String::new(),
            ends: Vec::with_capacity(CHUNK),
            halves: [Half::default(), Half::default()],
        }
    }

    /// Add one input; renders and writes the chunk when it is full. Returns the
    /// highest exit code among the inputs written.
    pub fn push(&mut self, ctx: &mut Ctx, input: &str) -> Result<ExitCode, Error> {
        self.arena.push_str(input);
        self.ends.push(self.arena.len());
        if self.ends.len() >= CHUNK {
            self.flush(ctx)
        } else {
            Ok(ExitCode::Success)
        }
    }

    /// Render and write every pending input.
    pub fn flush(&mut self, ctx: &mut Ctx) -> Result<ExitCode, Error> {
        let mut start = 0;
        let inputs: Vec<&str> = self
            .ends
            .iter()
            .map(|&end| {
                let input = &self.arena[start..end];
                start = end;
                input
            })
            .collect();
        let split = if inputs.len() >= PARALLEL_FROM {
            inputs.len() / 2
        } else {
            inputs.len()
        };
        let (first, second) = inputs.split_at(split);
        let job = self.job;
        let [one, two] = &mut self.halves;
        thread::scope(|scope| {
            if second.is_empty() {
                two.render(job, second);
            } else {
                thread::Builder::new().spawn_scoped(scope, || two.render(job, second))?;
            }
            one.render(job, first);
            Ok::<(), Error>(())
        })?;
        let mut worst = ExitCode::Success;
        for (half, inputs) in [(&mut *one, first), (&mut *two, second)] {
            worst = worst.max(write_half(ctx, half, inputs)?);
        }
        self.arena.clear();
        self.ends.clear();
        Ok(worst)
    }
}

/// Write a half's output in input order, with each failure reported in its place.
fn write_half(ctx: &mut Ctx, half: &mut Half, inputs: &[&str]) -> Result<ExitCode, Error> {
    let mut worst = ExitCode::Success;
    // Output not yet written: from `written` to the end of the last success.
    let mut written = 0;
    let mut end = 0;
    for (input, result) in inputs.iter().zip(half.done.drain(..)) {
        match result {
            Ok(stop) => end = stop,
            Err(error) => {
                ctx.out().write_all(&half.out[written..end])?;
                written = end;
                worst = worst.max(ctx.report(input, &error)?);
            }
        }
    }
    ctx.out().write_all(&half.out[written..end])?;
    Ok(worst)
}

#[cfg(test)]
mod tests {
    use netlens_core::CommonArgs;

    use super::*;
    use crate::edit::Edits;
    use crate::job::Output;

    fn run(inputs: &[String], json: bool) -> (ExitCode, String, String) {
        let edits = Edits::default();
        let job = Job {
            base: None,
            edits: &edits,
            output: if json { Output::Json } else { Output::Href },
        };
        let common = CommonArgs {
            json,
            ..CommonArgs::default()
        };
        let (mut ctx, captured) = Ctx::capture("url-parse", &common, "");
        let mut batch = Batch::new(&job);
        let mut worst = ExitCode::Success;
        for input in inputs {
            worst = worst.max(batch.push(&mut ctx, input).unwrap());
        }
        worst = worst.max(batch.flush(&mut ctx).unwrap());
        ctx.flush().unwrap();
        (worst, captured.stdout(), captured.stderr())
    }

    #[test]
    fn keeps_input_order_across_chunks_and_halves() {
        let inputs: Vec<String> = (0..CHUNK + 700)
            .map(|i| {
                if i % 997 == 0 {
                    format!("http://h{i}.example:99999/")
                } else {
                    format!("http://h{i}.example/")
                }
            })
            .collect();
        let (code, out, err) = run(&inputs, false);
        assert_eq!(code, ExitCode::Usage);
        let lines: Vec<&str> = out.lines().collect();
        let expected: Vec<String> = inputs
            .iter()
            .filter(|i| !i.contains("99999"))
            .cloned()
            .collect();
        assert_eq!(lines, expected);
        assert_eq!(err.lines().count(), inputs.len().div_ceil(997));
        assert!(err.starts_with("url-parse: http://h0.example:99999/: invalid port number\n"));
    }

    #[test]
    fn json_errors_in_place() {
        let inputs: Vec<String> = (0..600)
            .map(|i| {
                if i == 450 {
                    "nope".to_string()
                } else {
                    format!("http://h{i}.example/")
                }
            })
            .collect();
        let (code, out, _) = run(&inputs, true);
        assert_eq!(code, ExitCode::Usage);
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 600);
        assert_eq!(lines[449]["hostname"], "h449.example");
        assert_eq!(lines[450]["input"], "nope");
        assert_eq!(lines[451]["hostname"], "h451.example");
    }
}
