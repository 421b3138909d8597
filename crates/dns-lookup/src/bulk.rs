//! `-P/--parallel N`, `--rate N` and `--unordered` in query mode: the inputs
//! are read lazily and asked N at a time through core's [`Pipeline`] (a
//! bounded set of futures in front of a reorder window), and each input's
//! reports are written in input order by the same code as one at a time. The
//! asking code ([`Stub`]) does not know it runs in parallel. A server that
//! answers REFUSED is backed off: new queries wait (see core's `Backoff`).

use std::time::{Duration, Instant};

use hickory_proto::op::ResponseCode;
use netlens_core::{Ctx, ExitCode, ParallelArgs, Pipeline, Progress};

use crate::args::Args;
use crate::error::Error;
use crate::model::QueryOut;
use crate::plan::Plan;
use crate::session::{Session, Stub, finish_reply};
use crate::stub::Reply;

/// What one input got: a reply per question, in order, until one failed.
struct Answered {
    input: String,
    replies: Vec<(QueryOut, Duration, Reply)>,
    error: Option<Error>,
}

/// Whether the run asks for the parallel driver (`-P` above 1, or `--rate`).
pub(crate) fn wanted(settings: &ParallelArgs) -> bool {
    settings.parallel > 1 || settings.rate.is_some()
}

/// Ask every input of `inputs` (as [`Ctx::for_each_input`] finds them) in
/// parallel and write their reports; `None` when the session does not ask in
/// query mode (`--trace`, `--nssearch` and `--validate` go one name at a time).
pub(crate) fn run(
    ctx: &mut Ctx,
    session: &mut Session<'_>,
    plan: &Plan,
    inputs: &[String],
) -> Result<Option<ExitCode>, Error> {
    let Some((runtime, stub, args)) = session.parallel()? else {
        return Ok(None);
    };
    let stub = &stub;
    let mut pipeline = Pipeline::new(&args.parallel);
    let mut progress = Progress::new(ctx, inputs.is_empty());
    let mut worst = ctx.for_each_input(inputs, |ctx, input| {
        // Boxed: the pipeline then moves a pointer, not the whole future.
        let job = Box::pin(ask_all(stub, args, plan, input.to_string()));
        runtime.block_on(pipeline.push(job));
        write_ready(ctx, &mut pipeline, &mut progress, args)
    })?;
    loop {
        worst = worst.max(write_ready(ctx, &mut pipeline, &mut progress, args)?);
        if !runtime.block_on(pipeline.settle()) {
            break;
        }
    }
    progress.finish();
    Ok(Some(worst))
}

/// Ask the questions of one input line one after the other.
async fn ask_all(stub: &Stub<'_>, args: &Args, plan: &Plan, input: String) -> Answered {
    let mut answered = Answered {
        input,
        replies: Vec::new(),
        error: None,
    };
    let questions = match plan.questions(&answered.input) {
        Ok(questions) => questions,
        Err(error) => {
            answered.error = Some(error);
            return answered;
        }
    };
    for question in questions {
        let started = Instant::now();
        match stub.ask(&question, args.max_time).await {
            Ok(reply) => {
                let query = QueryOut::new(&question.name, question.rtype);
                answered.replies.push((query, started.elapsed(), reply));
            }
            Err(error) => {
                answered.error = Some(error);
                break;
            }
        }
    }
    answered
}

/// Write every result the pipeline hands out now, in its input's place.
fn write_ready(
    ctx: &mut Ctx,
    pipeline: &mut Pipeline<'_, Answered>,
    progress: &mut Progress,
    args: &Args,
) -> Result<ExitCode, Error> {
    let mut worst = ExitCode::Success;
    while let Some(answered) = pipeline.pop() {
        let refused = answered
            .replies
            .iter()
            .any(|(_, _, r)| r.rcode == ResponseCode::Refused);
        pipeline.refused(refused);
        let mut code = ExitCode::Success;
        for (query, elapsed, reply) in answered.replies {
            code = code.max(finish_reply(
                ctx, query, &reply, elapsed, None, args, args.short,
            )?);
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
