//! The one generic entry point of every tool binary and of the dispatcher.
//!
//! It parses the arguments, builds the output context, runs the tool, prints a
//! fatal error once as `<tool>: <what>: <why>`, treats a broken pipe as success
//! and turns the outcome into the process exit code.

use clap::Parser;

use crate::args::CommonArgs;
use crate::ctx::Ctx;
use crate::exit::{ExitCode, Failure};

/// A netlens tool: its name, its clap arguments and its `run` function.
pub trait Tool {
    /// The tool's name, which prefixes its error lines (`subnet-calc`).
    const NAME: &'static str;
    /// The tool's arguments, shared by its own binary and the dispatcher.
    type Args: Parser;
    /// The tool's one error type.
    type Error: Failure;

    /// The shared flags inside the tool's arguments.
    fn common(args: &Self::Args) -> &CommonArgs;

    /// Run the tool, writing through `ctx`; returns the exit code of the run.
    fn run(args: Self::Args, ctx: &mut Ctx) -> Result<ExitCode, Self::Error>;
}

/// The whole `main` of a tool binary: parse `std::env::args`, run, exit.
pub fn main<T: Tool>() -> ! {
    let args = T::Args::parse();
    std::process::exit(execute::<T>(args).code())
}

/// Run a tool on already-parsed arguments against the real stdio, and return
/// the exit code (the dispatcher calls this after parsing its subcommand).
pub fn execute<T: Tool>(args: T::Args) -> ExitCode {
    let mut ctx = Ctx::stdio(T::NAME, T::common(&args));
    let result = T::run(args, &mut ctx);
    let flushed = ctx.flush();
    if ctx.output_closed() {
        // The reader of stdout is gone (`| head`): stop quietly, like other Unix tools.
        return ExitCode::Success;
    }
    match (result, flushed) {
        (Err(error), _) => {
            ctx.error_line(&error);
            error.exit_code()
        }
        (Ok(_), Err(error)) => {
            ctx.error_line(&format_args!("writing output: {error}"));
            ExitCode::Usage
        }
        (Ok(code), Ok(())) => code,
    }
}
