//! `dns-lookup`: DNS queries through the system resolver or a named server,
//! and `--trace`, an iterative resolution from the root servers with every
//! referral, cache hit and failure shown.
//!
//! The library exposes the clap [`Args`] and [`run`]; the `dns-lookup` binary
//! and `netlens dns` are thin wrappers over them. Async stays inside: `run`
//! builds a current-thread tokio runtime of its own.
//!
//! - [`plan`]: positional arguments to questions (`NAME [TYPE]...`, `@SERVER`);
//! - [`wire`]: one exchange with one server (UDP, TCP on truncation);
//! - [`stub`]: query mode, direct to a server or through hickory-resolver;
//! - [`trace`], [`classify`], [`cache`], [`hints`], [`steps`]: the iterative
//!   resolver and the steps it records;
//! - [`dnssec`]: `--validate`, the chain of trust and the verdict;
//! - [`model`], [`render`]: the report of each name, as text or JSON.

pub mod args;
pub mod cache;
pub mod classify;
pub mod dnssec;
pub mod error;
pub mod hints;
pub mod model;
pub mod plan;
pub mod render;
pub mod steps;
pub mod stub;
pub mod trace;
pub mod wire;

use std::time::Instant;

use hickory_proto::op::ResponseCode;
use netlens_core::timing::millis;
use netlens_core::{CommonArgs, Ctx, ExitCode, Failure, Tool};

pub use args::Args;
pub use error::Error;

use cache::{Cache, NameServer};
use classify::rcode_text;
use dnssec::anchor::Anchor;
use dnssec::chain::{Fetched, Validator};
use dnssec::steps::TraceFetch;
use dnssec::{DnssecOut, Status};
use model::{QueryOut, Report, records_out};
use plan::{DNS_PORT, Plan, Question};
use stub::{Direct, Reply, System};
use trace::{Limits, Tracer};
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
    /// Iteratively from these root servers, on this port.
    Trace {
        hints: Vec<NameServer>,
        port: u16,
        cache: Box<Cache>,
        limits: Limits,
    },
    /// A named server, directly.
    Direct(Direct),
    /// The system resolver (built on first use: reading the configuration is
    /// not needed for bad input).
    System(Option<Box<System>>),
}

/// Run dns-lookup: every name of the arguments (or stdin), one report each.
pub fn run(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    let plan = Plan::from_args(&args)?;
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
    let mut mode = if args.trace {
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
        Mode::Trace {
            hints,
            port,
            cache: Box::default(),
            limits: Limits::for_transport(args.timeout, args.retries),
        }
    } else if let Some(server) = plan.server {
        Mode::Direct(Direct::new(transport, server))
    } else if args.validate {
        // hickory-resolver keeps the RRSIGs to itself: validation needs our own queries.
        return Err(Error::Usage(
            "--validate needs a named server (@SERVER or --server) or --trace".into(),
        ));
    } else {
        Mode::System(None)
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    ctx.for_each_input(&plan.inputs, |ctx, input| {
        let mut worst = ExitCode::Success;
        for question in plan.questions(input)? {
            let code = runtime.block_on(lookup(
                ctx,
                &mut mode,
                transport,
                &args,
                input,
                &question,
                anchor.as_ref(),
            ))?;
            worst = worst.max(code);
        }
        Ok(worst)
    })
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
        Mode::Trace {
            hints,
            port,
            cache,
            limits,
        } => {
            let mut tracer = Tracer::new(transport, *port, hints.clone(), cache, *limits);
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
                        tracer: &mut tracer,
                        steps: Vec::new(),
                    };
                    let fetched = Fetched {
                        rcode: resolution.rcode(),
                        answers: resolution.answers(),
                        authority: resolution.authority().to_vec(),
                    };
                    let out = Validator::new(anchor)
                        .validate(&mut fetch, &question.name, question.rtype, &fetched)
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
pub fn exit_code(rcode: ResponseCode, no_answers: bool) -> ExitCode {
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
