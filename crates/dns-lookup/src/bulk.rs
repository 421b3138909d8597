//! `-P/--parallel N`, `--rate N` and `--unordered`: the inputs are read
//! lazily and asked N at a time through core's [`Pipeline`] (a bounded set of
//! futures in front of a reorder window), and each input's reports are
//! written in input order by the same code as one at a time. The asking code
//! ([`Asker`]) does not know it runs in parallel: in query mode the stub's
//! shared sockets and cache serve every name in flight; with `--trace`,
//! `--nssearch` and `--validate` the names share the tracer's cache, RTTs and
//! in-flight questions. A server that answers REFUSED in query mode is backed
//! off: new queries wait (see core's `Backoff`).

use netlens_core::ctx::Unreadable;
use netlens_core::{Ctx, ExitCode, ParallelArgs, Picked, Pipeline, Progress};

use crate::args::Args;
use crate::error::Error;
use crate::plan::Plan;
use crate::session::{Asker, Outcome, Session, write};

/// What one input got: an outcome per question, in order, until one failed.
/// What the pipeline hands out for one input line, in its turn.
enum Turn {
    /// Its questions were asked.
    Asked(Answered),
    /// A line that `--input-field` cannot read: reported in its place.
    Unreadable(Unreadable),
}

struct Answered {
    input: String,
    outcomes: Vec<Outcome>,
    error: Option<Error>,
}

/// Whether the run asks for the parallel driver (`-P` above 1, or `--rate`).
pub(crate) fn wanted(settings: &ParallelArgs) -> bool {
    settings.parallel > 1 || settings.rate.is_some()
}

/// Ask every input of `inputs` (as [`Ctx::for_each_input`] finds them) in
/// parallel and write their reports.
pub(crate) fn run(
    ctx: &mut Ctx,
    session: &mut Session<'_>,
    args: &Args,
    plan: &Plan,
    inputs: &[String],
) -> Result<ExitCode, Error> {
    let (runtime, asker) = session.parallel()?;
    let mut pipeline = Pipeline::new(&args.parallel);
    let mut progress = Progress::new(ctx, inputs.is_empty());
    let mut worst = ctx.for_each_picked(inputs, |ctx, picked| {
        match picked {
            Picked::Input(input) => {
                // Boxed: the pipeline then moves a pointer, not the whole future.
                let job = Box::pin(ask_all(asker, plan, input.to_string()));
                runtime.block_on(pipeline.push(job));
            }
            Picked::Unreadable(bad) => {
                let turn = Turn::Unreadable(bad);
                runtime.block_on(pipeline.push(std::future::ready(turn)));
            }
        }
        write_ready(ctx, &mut pipeline, &mut progress, args)
    })?;
    loop {
        worst = worst.max(write_ready(ctx, &mut pipeline, &mut progress, args)?);
        if !runtime.block_on(pipeline.settle()) {
            break;
        }
    }
    progress.finish();
    Ok(worst)
}

/// Ask the questions of one input line one after the other.
async fn ask_all(asker: &Asker<'_>, plan: &Plan, input: String) -> Turn {
    let mut answered = Answered {
        input,
        outcomes: Vec::new(),
        error: None,
    };
    let questions = match plan.questions(&answered.input) {
        Ok(questions) => questions,
        Err(error) => {
            answered.error = Some(error);
            return Turn::Asked(answered);
        }
    };
    for question in questions {
        match asker.answer(&answered.input, &question).await {
            Ok(outcome) => answered.outcomes.push(outcome),
            Err(error) => {
                answered.error = Some(error);
                break;
            }
        }
    }
    Turn::Asked(answered)
}

/// Write every result the pipeline hands out now, in its input's place.
fn write_ready(
    ctx: &mut Ctx,
    pipeline: &mut Pipeline<'_, Turn>,
    progress: &mut Progress,
    args: &Args,
) -> Result<ExitCode, Error> {
    let mut worst = ExitCode::Success;
    while let Some(turn) = pipeline.pop() {
        let answered = match turn {
            Turn::Asked(answered) => answered,
            Turn::Unreadable(bad) => {
                let code = bad.report(ctx)?;
                progress.record(code);
                worst = worst.max(code);
                continue;
            }
        };
        pipeline.refused(answered.outcomes.iter().any(Outcome::refused));
        let mut code = ExitCode::Success;
        for outcome in answered.outcomes {
            code = code.max(write(ctx, outcome, args)?);
        }
        if let Some(error) = answered.error {
            if ctx.output_closed() {
                return Err(error);
            }
            code = code.max(ctx.report(&answered.input, &error)?);
        }
        progress.record(code);
        worst = worst.max(code);
    }
    Ok(worst)
}
