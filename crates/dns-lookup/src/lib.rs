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
//! - `wire`: one exchange with one server (UDP, TCP on truncation);
//! - `stub`: query mode, direct to a server or through hickory-resolver;
//! - `trace`, `resolution`, `classify`, `cache`, `hints`, `steps`: the
//!   iterative resolver and the steps it records;
//! - `dnssec`: `--validate`, the chain of trust and the verdict;
//! - `model`, `render`: the report of each name, as text or JSON.

pub(crate) mod args;
pub(crate) mod cache;
pub(crate) mod classify;
pub(crate) mod dnssec;
pub(crate) mod error;
pub(crate) mod hints;
pub(crate) mod model;
pub(crate) mod plan;
pub(crate) mod render;
pub(crate) mod resolution;
pub(crate) mod steps;
pub(crate) mod stub;
pub(crate) mod trace;
pub(crate) mod wire;

#[doc(hidden)]
pub mod fuzz;
/// One RRset's signature check, for the criterion benches (not an API).
#[doc(hidden)]
pub use dnssec::verify::{unix_now, verify_rrset};

use std::time::Instant;

use hickory_proto::op::ResponseCode;
use netlens_core::timing::millis;
use netlens_core::{CommonArgs, Ctx, ExitCode, Failure, Tool};

pub use args::Args;
pub use error::Error;
pub use model::{GlueOut, Kind, QueryOut, RecordOut, ReferralOut, Report, Source, Step};
pub use plan::parse_name;
pub use render::{ErrorOut, human as write_report, human_failed as write_failed_trace};
pub use resolution::{Negative, Resolution, Traced};
pub use trace::{TraceOptions, Tracer};

use cache::NameServer;
use classify::rcode_text;
use dnssec::anchor::Anchor;
use dnssec::chain::{Fetched, Validator};
use dnssec::steps::TraceFetch;
use dnssec::{DnssecOut, Status};
use model::records_out;
use plan::{DNS_PORT, Plan, Question};
use stub::{Direct, Reply, System};
use trace::Limits;
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

/// How this run asks.
enum Mode {
    /// Iteratively from the root hints, through the run's cache.
    Trace(Box<Tracer>),
    /// A named server, directly.
    Direct(Direct),
    /// The system resolver (built on first use: reading the configuration is
    /// not needed for bad input).
    System(Option<Box<System>>),
}

/// Run dns-lookup: every name of the arguments (or stdin), one report each.
pub fn run(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    let mut plan = Plan::from_args(&args)?;
    let anchor = if args.validate {
        Some(Anchor::load(args.trust_anchor.as_deref())?)
    } else {
        None
    };
    let transport = Transport {
        timeout: args.timeout,
        retries: args.retries,
        tcp: args.tcp,
        recursion_desired: true,
        dnssec_ok: args.dnssec || args.validate,
    };
    let mut session = Session {
        mode: mode(&args, &plan, transport)?,
        runtime: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
        transport,
        args: &args,
        anchor,
    };
    let Some(lone) = plan.lone.take() else {
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

/// How the run asks, from the arguments: iteratively, a named server, or the
/// system resolver.
fn mode(args: &Args, plan: &Plan, transport: Transport) -> Result<Mode, Error> {
    if !args.trace {
        return match plan.server {
            Some(server) => Ok(Mode::Direct(Direct::new(transport, server))),
            // hickory-resolver keeps the RRSIGs to itself: validation needs our own queries.
            None if args.validate => Err(Error::Usage(
                "--validate needs a named server (@SERVER or --server) or --trace".into(),
            )),
            None => Ok(Mode::System(None)),
        };
    }
    let (hints, port) = match plan.server {
        // As dig +trace does, a named server stands in for the root hints.
        Some(server) => (
            vec![NameServer {
                name: plan::parse_name(&server.ip().to_string())
                    .unwrap_or_else(|_| hickory_proto::rr::Name::root()),
                addrs: vec![server.ip()],
            }],
            args.port.unwrap_or(server.port()),
        ),
        None => (
            hints::load(args.root_hints.as_deref())?,
            args.port.unwrap_or(DNS_PORT),
        ),
    };
    Ok(Mode::Trace(Box::new(Tracer::with_hints(
        transport,
        port,
        hints,
        Limits::for_transport(args.timeout, args.retries),
    ))))
}

/// One run's means of asking: its mode (and cache), runtime and settings.
struct Session<'a> {
    mode: Mode,
    runtime: tokio::runtime::Runtime,
    transport: Transport,
    args: &'a Args,
    /// With `--validate`: the trust anchor.
    anchor: Option<Anchor>,
}

impl Session<'_> {
    /// Ask every question of one input line and write their reports.
    fn ask(&mut self, ctx: &mut Ctx, plan: &Plan, input: &str) -> Result<ExitCode, Error> {
        let mut worst = ExitCode::Success;
        for question in plan.questions(input)? {
            let code = self.runtime.block_on(lookup(
                ctx,
                &mut self.mode,
                self.transport,
                self.args,
                input,
                &question,
                self.anchor.as_ref(),
            ))?;
            worst = worst.max(code);
        }
        Ok(worst)
    }
}

/// Look up one question and write its report.
async fn lookup(
    ctx: &mut Ctx,
    mode: &mut Mode,
    transport: Transport,
    args: &Args,
    input: &str,
    question: &Question,
    anchor: Option<&Anchor>,
) -> Result<ExitCode, Error> {
    let short = args.short;
    let started = Instant::now();
    let query = QueryOut::new(&question.name, question.rtype);
    match mode {
        Mode::Trace(tracer) => {
            let traced = tracer.trace(&question.name, question.rtype).await;
            let resolution = match traced.result {
                Ok(resolution) => resolution,
                Err(error) => {
                    if ctx.json() {
                        let failed = render::FailedTrace {
                            input,
                            query: &query,
                            error: render::ErrorOut::of(&error),
                            steps: &traced.steps,
                        };
                        ctx.emit_json(&failed)?;
                    } else if !short {
                        render::human_failed(ctx.out(), &query, &traced.steps)?;
                    }
                    // The steps first, then why they ended, when both go to a terminal.
                    ctx.out().flush()?;
                    ctx.error_line(&error);
                    return Ok(error.exit_code());
                }
            };
            let mut steps = traced.steps;
            let verdict = match anchor {
                Some(anchor) => {
                    let mut fetch = TraceFetch {
                        tracer,
                        steps: Vec::new(),
                    };
                    let out = Validator::new(anchor)
                        .validate(
                            &mut fetch,
                            &question.name,
                            question.rtype,
                            &resolution.fetched(),
                        )
                        .await;
                    steps.extend(fetch.steps);
                    dnssec::steps::mark(&mut steps, &query, &out);
                    Some(out)
                }
                None => None,
            };
            let mut report = resolution.report(query, steps, started.elapsed());
            let code = exit_code(resolution.rcode(), report.answers.is_empty());
            finish(ctx, &mut report, verdict, code, short)
        }
        Mode::Direct(direct) => {
            let reply = direct.ask(&question.name, question.rtype).await?;
            let verdict = match anchor {
                Some(anchor) => {
                    let fetched = Fetched {
                        rcode: reply.rcode,
                        answers: reply.answers.clone(),
                        authority: reply.authority.clone(),
                    };
                    let validator = Validator::new(anchor);
                    Some(
                        validator
                            .validate(direct, &question.name, question.rtype, &fetched)
                            .await,
                    )
                }
                None => None,
            };
            let dnssec = args.dnssec || args.validate;
            finish_reply(ctx, query, &reply, started, dnssec, verdict, short)
        }
        Mode::System(system) => {
            let system = match system {
                Some(system) => system,
                None => system.insert(Box::new(System::new(transport, args.port)?)),
            };
            let reply = system.ask(&question.name, question.rtype).await?;
            finish_reply(ctx, query, &reply, started, args.dnssec, None, short)
        }
    }
}

fn finish_reply(
    ctx: &mut Ctx,
    query: QueryOut,
    reply: &Reply,
    started: Instant,
    dnssec: bool,
    verdict: Option<DnssecOut>,
    short: bool,
) -> Result<ExitCode, Error> {
    let mut report = Report {
        query,
        rcode: rcode_text(reply.rcode),
        authoritative: reply.authoritative,
        ad: dnssec.then_some(reply.authentic_data),
        answers: records_out(&reply.answers),
        rejected: Vec::new(),
        authority: records_out(&reply.authority),
        server: reply.server.clone(),
        source: if reply.from_cache { "cache" } else { "network" },
        protocol: reply.protocol,
        elapsed_ms: millis(started.elapsed()),
        steps: None,
        dnssec: None,
    };
    let code = exit_code(reply.rcode, reply.answers.is_empty());
    finish(ctx, &mut report, verdict, code, short)
}

/// Put the verdict on the report, write it, and say why it failed: a bogus
/// answer exits 5, an error rcode 4.
fn finish(
    ctx: &mut Ctx,
    report: &mut Report,
    verdict: Option<DnssecOut>,
    code: ExitCode,
    short: bool,
) -> Result<ExitCode, Error> {
    let bogus = verdict
        .as_ref()
        .filter(|out| out.verdict.status == Status::Bogus)
        .map(|out| out.verdict.reason.clone().unwrap_or_default());
    if let Some(out) = verdict {
        dnssec::steps::apply(report, out);
    }
    emit(ctx, report, short)?;
    if let Some(why) = bogus {
        ctx.out().flush()?;
        let error = Error::Bogus {
            name: report.query.name.clone(),
            why,
        };
        ctx.error_line(&error);
        return Ok(error.exit_code());
    }
    if code == ExitCode::Remote {
        ctx.out().flush()?;
        let error = Error::Rcode {
            name: report.query.name.clone(),
            rcode: report.rcode.clone(),
        };
        ctx.error_line(&error);
    }
    Ok(code)
}

/// Write `report` as JSON or text.
fn emit(ctx: &mut Ctx, report: &Report, short: bool) -> Result<(), Error> {
    if ctx.json() {
        ctx.emit_json(report)?;
    } else {
        render::human(ctx.out(), report, short)?;
    }
    Ok(())
}

/// The exit code of a final reply: an answer 0; NXDOMAIN or no data 1;
/// SERVFAIL, REFUSED and other errors 4.
pub(crate) fn exit_code(rcode: ResponseCode, no_answers: bool) -> ExitCode {
    match rcode {
        ResponseCode::NoError if no_answers => ExitCode::Negative,
        ResponseCode::NoError => ExitCode::Success,
        ResponseCode::NXDomain => ExitCode::Negative,
        _ => ExitCode::Remote,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rcodes_map_to_exit_codes() {
        assert_eq!(exit_code(ResponseCode::NoError, false), ExitCode::Success);
        assert_eq!(exit_code(ResponseCode::NoError, true), ExitCode::Negative);
        assert_eq!(exit_code(ResponseCode::NXDomain, true), ExitCode::Negative);
        assert_eq!(exit_code(ResponseCode::Refused, true), ExitCode::Remote);
        assert_eq!(exit_code(ResponseCode::ServFail, true), ExitCode::Remote);
    }
}
