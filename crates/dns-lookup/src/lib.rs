//! `dns-lookup`: DNS queries through the system resolver or a named server,
//! and `--trace`, an iterative resolution from the root servers with every
//! referral, cache hit and failure shown.
//!
//! The library exposes the clap [`Args`] and [`run`]; the `dns-lookup` binary
//! and `netlens dns` are thin wrappers over them. Async stays inside: `run`
//! builds a current-thread tokio runtime of its own. For other programs it
//! offers the iterative resolver as a typed API: a [`Tracer`] (one cache for
//! every name it traces) whose [`Traced`] result holds the [`Step`]s and a
//! [`Resolution`] (its [`addresses`](Resolution::addresses), or why there are
//! none: a [`Negative`]), rendered with [`write_report`] and [`write_failed_trace`].
//!
//! Inside (every module private to the crate):
//! - `plan`: positional arguments to questions (`NAME [TYPE]...`, `@SERVER`);
//! - `wire`: one exchange with one server (UDP, TCP on truncation), and the
//!   UDP sockets query mode shares between the questions to its server;
//! - `stub`: query mode, direct to a server or through hickory-resolver;
//! - `bulk`: `-P`, `--rate`, `--unordered`: names asked N at a time in every
//!   mode, their reports in input order;
//! - `trace`, `resolution`, `classify`, `cache`, `hints`, `steps`: the
//!   iterative resolver and the steps it records;
//! - `dnssec`: `--validate`, the chain of trust and the verdict;
//! - `model`, `render`: the report of each name, as text or JSON.

pub(crate) mod args;
pub(crate) mod bulk;
pub(crate) mod cache;
pub(crate) mod classify;
pub(crate) mod dnssec;
pub(crate) mod edns;
pub(crate) mod error;
pub(crate) mod hints;
pub(crate) mod model;
pub(crate) mod nssearch;
pub(crate) mod plan;
pub(crate) mod recent;
pub(crate) mod render;
pub(crate) mod resolution;
pub(crate) mod secure;
pub(crate) mod select;
pub(crate) mod session;
pub(crate) mod steps;
pub(crate) mod stub;
pub(crate) mod trace;
pub(crate) mod wire;

#[doc(hidden)]
pub mod fuzz;
/// One RRset's signature check, for the criterion benches (not an API).
#[doc(hidden)]
pub use dnssec::verify::{unix_now, verify_rrset};
/// Query mode's UDP exchanges, for the criterion benches (not an API).
#[doc(hidden)]
pub use wire::BenchAsker;

use netlens_core::{CommonArgs, Ctx, ExitCode, Tool};

pub use args::Args;
pub use classify::rcode_text;
pub use error::Error;
pub use model::{
    GlueOut, Kind, QueryOut, RecordOut, ReferralOut, Report, Source, Step, records_out,
};
pub use plan::parse_name;
pub use render::{human as write_report, human_failed as write_failed_trace};
pub use resolution::{Negative, Resolution, Traced};
pub use secure::TlsInfo;
pub use trace::{TraceOptions, Tracer};

use edns::Shape;
use plan::Plan;
use secure::Secure;
use session::Session;
use wire::Transport;

/// The dns-lookup tool.
pub struct DnsLookup;

impl Tool for DnsLookup {
    const NAME: &'static str = "dns-lookup";
    type Args = Args;
    type Error = Error;

    fn common(args: &Args) -> &CommonArgs {
        &args.common
    }

    fn run(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
        run(args, ctx)
    }
}

/// Run dns-lookup: every name of the arguments (or stdin), one report each.
pub fn run(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    let args = args.with_https_value_checked();
    let mut plan = Plan::from_args(&args)?;
    let transport = Transport {
        timeout: args.timeout,
        retries: args.retries,
        tcp: args.tcp,
        recursion_desired: !args.norecurse,
        shape: std::sync::Arc::new(Shape::from_args(&args)?),
        secure: Secure::from_args(&args, plan.server)?.map(std::sync::Arc::new),
    };
    let mut session = Session::new(&args, &plan, transport)?;
    let Some(lone) = plan.lone.take() else {
        if bulk::wanted(&args.parallel) {
            return bulk::run(ctx, &mut session, &args, &plan, &plan.inputs);
        }
        return ctx.for_each_input(&plan.inputs, |ctx, input| session.ask(ctx, &plan, input));
    };
    // Only type words: they are the default types of the names on stdin, if
    // any come; else the first word is the name (`dns-lookup mx`).
    let mut asked = 0usize;
    let mut worst = ExitCode::Success;
    if !ctx.stdin_is_terminal() {
        worst = ctx.for_each_input(&["-".to_string()], |ctx, input| {
            asked += 1;
            session.ask(ctx, &plan, input)
        })?;
    }
    if asked > 0 {
        return Ok(worst);
    }
    if args.verbose {
        let first = lone.split_whitespace().next().unwrap_or_default();
        ctx.error_line(&format!(
            "{first}: no name given, so taken as the name to look up (a type word \
             before a name sets the type of the names that follow)"
        ));
    }
    plan.default_types.clear();
    let code = ctx.for_each_input(&[lone], |ctx, input| session.ask(ctx, &plan, input))?;
    Ok(worst.max(code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::exit_code;
    use hickory_proto::op::ResponseCode;

    #[test]
    fn rcodes_map_to_exit_codes() {
        assert_eq!(exit_code(ResponseCode::NoError, false), ExitCode::Success);
        assert_eq!(exit_code(ResponseCode::NoError, true), ExitCode::Negative);
        assert_eq!(exit_code(ResponseCode::NXDomain, true), ExitCode::Negative);
        assert_eq!(exit_code(ResponseCode::Refused, true), ExitCode::Remote);
        assert_eq!(exit_code(ResponseCode::ServFail, true), ExitCode::Remote);
    }
}
