//! One run's means of asking (the trace with its cache, a named server, or
//! the system resolver) and the report of each question.

use std::time::{Duration, Instant};

use hickory_proto::op::ResponseCode;
use netlens_core::timing::millis;
use netlens_core::{Ctx, ErrorOut, ExitCode, Failure};

use crate::args::Args;
use crate::cache::NameServer;
use crate::classify::rcode_text;
use crate::dnssec::anchor::Anchor;
use crate::dnssec::chain::{Fetched, Validator};
use crate::dnssec::steps::TraceFetch;
use crate::dnssec::{self, DnssecOut, Status};
use crate::edns::EdnsOut;
use crate::error::Error;
use crate::hints;
use crate::model::{QueryOut, Report, Step, records_out};
use crate::nssearch;
use crate::plan::{self, DNS_PORT, Plan, Question};
use crate::render;
use crate::stub::{Direct, Reply, System};
use crate::trace::{Limits, Tracer};
use crate::wire::Transport;

/// How this run asks.
enum Mode {
    /// Iteratively from the root hints, through the run's cache.
    Trace(Box<Tracer>),
    /// `--nssearch`: the zone's servers found from the root hints.
    NsSearch(Box<Tracer>),
    /// A named server, directly.
    Direct(Box<Direct>),
    /// The system resolver (built on first use: reading the configuration is
    /// not needed for bad input).
    System(Option<Box<System>>),
}

/// How the run asks, from the arguments: iteratively, a named server, or the
/// system resolver.
fn mode(args: &Args, plan: &Plan, transport: Transport) -> Result<Mode, Error> {
    if !args.trace && !args.nssearch {
        return match plan.server {
            Some(server) => Ok(Mode::Direct(Box::new(Direct::new(
                transport,
                server,
                args.parallel.parallel,
            )))),
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
    let tracer = Box::new(Tracer::with_hints(
        transport,
        port,
        hints,
        Limits::new(args.max_time),
    ));
    Ok(if args.nssearch {
        Mode::NsSearch(tracer)
    } else {
        Mode::Trace(tracer)
    })
}

/// One run's means of asking: its mode (and cache), runtime and settings.
pub(crate) struct Session<'a> {
    runtime: tokio::runtime::Runtime,
    asker: Asker<'a>,
}

/// What asks: the mode and the settings.
pub(crate) struct Asker<'a> {
    mode: Mode,
    transport: Transport,
    args: &'a Args,
    /// With `--validate`: the trust anchor.
    anchor: Option<Anchor>,
}

impl<'a> Session<'a> {
    /// The session `args` ask for, sending with `transport`.
    pub fn new(args: &'a Args, plan: &Plan, transport: Transport) -> Result<Session<'a>, Error> {
        Ok(Session {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            asker: Asker {
                anchor: match args.validate {
                    true => Some(Anchor::load(args.trust_anchor.as_deref())?),
                    false => None,
                },
                mode: mode(args, plan, transport.clone())?,
                transport,
                args,
            },
        })
    }

    /// The runtime and the asker, for `-P`: every mode asks through `&self`,
    /// so names may be in flight together (the system resolver is built first).
    pub fn parallel(&mut self) -> Result<(&tokio::runtime::Runtime, &Asker<'a>), Error> {
        self.asker.prepare()?;
        Ok((&self.runtime, &self.asker))
    }

    /// Ask every question of one input line and write their reports.
    pub fn ask(&mut self, ctx: &mut Ctx, plan: &Plan, input: &str) -> Result<ExitCode, Error> {
        self.asker.prepare()?;
        let mut worst = ExitCode::Success;
        for question in plan.questions(input)? {
            let outcome = (self.runtime).block_on(self.asker.answer(input, &question))?;
            worst = worst.max(write(ctx, outcome, self.asker.args)?);
        }
        Ok(worst)
    }
}

/// What one question got, ready to be written: the same whether names are
/// asked one at a time or many at once.
pub(crate) enum Outcome {
    /// A reply in query mode, with its verdict under `--validate`.
    Reply {
        query: QueryOut,
        reply: Box<Reply>,
        elapsed: Duration,
        verdict: Option<DnssecOut>,
    },
    /// A trace that found its answer.
    Traced {
        report: Box<Report>,
        verdict: Option<DnssecOut>,
        code: ExitCode,
    },
    /// A trace that failed: its steps, and why.
    FailedTrace {
        input: String,
        query: QueryOut,
        steps: Vec<Step>,
        error: Error,
    },
    /// An `--nssearch`.
    Search(Box<nssearch::Search>),
}

impl Outcome {
    /// Whether a server answered REFUSED (query mode backs off then).
    pub fn refused(&self) -> bool {
        matches!(self, Outcome::Reply { reply, .. } if reply.rcode == ResponseCode::Refused)
    }
}

/// Write `outcome`'s report (and the error line of a failure): its exit code.
pub(crate) fn write(ctx: &mut Ctx, outcome: Outcome, args: &Args) -> Result<ExitCode, Error> {
    let short = args.short;
    match outcome {
        Outcome::Reply {
            query,
            reply,
            elapsed,
            verdict,
        } => finish_reply(ctx, query, &reply, elapsed, verdict, args, short),
        Outcome::Traced {
            mut report,
            verdict,
            code,
        } => finish(ctx, &mut report, verdict, code, short),
        Outcome::FailedTrace {
            input,
            query,
            steps,
            error,
        } => {
            let failed = render::FailedTrace {
                input: &input,
                query: &query,
                error: ErrorOut::of(&error),
                steps: &steps,
            };
            failed_trace(ctx, &failed, &error, short)
        }
        Outcome::Search(search) => finish_search(ctx, &search, short),
    }
}

impl<'a> Asker<'a> {
    /// Build what asking needs before the first question: the system resolver.
    fn prepare(&mut self) -> Result<(), Error> {
        if let Mode::System(system) = &mut self.mode {
            built(system, &self.transport, self.args)?;
        }
        Ok(())
    }

    /// Look up one question of `input` (after [`Asker::prepare`]).
    pub async fn answer(&self, input: &str, question: &Question) -> Result<Outcome, Error> {
        let started = Instant::now();
        let query = QueryOut::new(&question.name, question.rtype);
        let args = self.args;
        let (reply, verdict) = match &self.mode {
            Mode::Trace(tracer) => return Ok(self.traced(tracer, input, question).await),
            Mode::NsSearch(tracer) => {
                let searching = nssearch::search(tracer, &question.name);
                let search = within(args.max_time, &question.name, searching).await?;
                return Ok(Outcome::Search(Box::new(search)));
            }
            Mode::Direct(direct) => {
                let reply = Stub::Direct(direct).ask(question, args.max_time).await?;
                let verdict = self.validated(direct, question, &reply).await?;
                (reply, verdict)
            }
            Mode::System(system) => {
                let system = system.as_deref().ok_or_else(|| {
                    Error::SystemConfig("the system resolver was not set up".into())
                })?;
                (
                    Stub::System(system).ask(question, args.max_time).await?,
                    None,
                )
            }
        };
        Ok(Outcome::Reply {
            query,
            reply: Box::new(reply),
            elapsed: started.elapsed(),
            verdict,
        })
    }

    /// The trace of `question`, validated under `--validate`.
    async fn traced(&self, tracer: &Tracer, input: &str, question: &Question) -> Outcome {
        let started = Instant::now();
        let query = QueryOut::new(&question.name, question.rtype);
        let traced = tracer.trace(&question.name, question.rtype).await;
        let resolution = match traced.result {
            Ok(resolution) => resolution,
            Err(error) => {
                return Outcome::FailedTrace {
                    input: input.to_string(),
                    query,
                    steps: traced.steps,
                    error,
                };
            }
        };
        let mut steps = traced.steps;
        let verdict = match &self.anchor {
            Some(anchor) => {
                let mut fetch = TraceFetch {
                    tracer,
                    steps: Vec::new(),
                };
                let (name, rtype) = (&question.name, question.rtype);
                let out = Validator::new(anchor)
                    .validate(&mut fetch, name, rtype, &resolution.fetched())
                    .await;
                steps.extend(fetch.steps);
                dnssec::steps::mark(&mut steps, &query, &out);
                Some(out)
            }
            None => None,
        };
        let report = resolution.report(query, steps, started.elapsed());
        let code = exit_code(resolution.rcode(), report.answers.is_empty());
        Outcome::Traced {
            report: Box::new(report),
            verdict,
            code,
        }
    }

    /// Under `--validate`, the verdict on a reply from the named server.
    async fn validated(
        &self,
        direct: &Direct,
        question: &Question,
        reply: &Reply,
    ) -> Result<Option<DnssecOut>, Error> {
        let Some(anchor) = &self.anchor else {
            return Ok(None);
        };
        let (name, rtype) = (&question.name, question.rtype);
        let fetched = Fetched {
            rcode: reply.rcode,
            answers: reply.answers.clone(),
            authority: reply.authority.clone(),
        };
        let validating = async {
            let mut fetch = direct;
            let validator = Validator::new(anchor);
            Ok(validator.validate(&mut fetch, name, rtype, &fetched).await)
        };
        Ok(Some(within(self.args.max_time, name, validating).await?))
    }
}

/// The system resolver, built on first use.
fn built<'s>(
    system: &'s mut Option<Box<System>>,
    transport: &Transport,
    args: &Args,
) -> Result<&'s System, Error> {
    Ok(match system {
        Some(system) => system,
        None => system.insert(Box::new(System::new(transport, args.port)?)),
    })
}

/// What asks in query mode: a named server or the system resolver. Each
/// question is asked on its own (they may be in flight together, see
/// [`crate::bulk`]), within `--max-time`.
pub(crate) enum Stub<'s> {
    /// A named server.
    Direct(&'s Direct),
    /// The system resolver.
    System(&'s System),
}

impl Stub<'_> {
    /// Ask `question`, given up after `max_time`.
    pub async fn ask(&self, question: &Question, max_time: Duration) -> Result<Reply, Error> {
        let name = &question.name;
        match self {
            Stub::Direct(direct) => within(max_time, name, direct.ask(name, question.rtype)).await,
            Stub::System(system) => within(max_time, name, system.ask(name, question.rtype)).await,
        }
    }
}

/// Write the rows of an `--nssearch`, then what is wrong, if anything.
fn finish_search(ctx: &mut Ctx, search: &nssearch::Search, short: bool) -> Result<ExitCode, Error> {
    if ctx.json() {
        ctx.emit_json(search)?;
    } else if short {
        for row in &search.servers {
            let serial = row.serial.map_or_else(|| "-".into(), |s| s.to_string());
            writeln!(ctx.out(), "{} {} {serial}", row.server, row.address)?;
        }
    } else {
        nssearch::human(ctx.out(), search)?;
    }
    if let Some(problem) = nssearch::problem(search) {
        ctx.out().flush()?;
        ctx.error_line(&problem);
    }
    Ok(search.exit_code())
}

/// Write the steps of a failed trace, then its error line.
fn failed_trace(
    ctx: &mut Ctx,
    failed: &render::FailedTrace<'_>,
    error: &Error,
    short: bool,
) -> Result<ExitCode, Error> {
    if ctx.json() {
        ctx.emit_json(failed)?;
    } else if !short {
        render::human_failed(ctx.out(), failed.query, failed.steps)?;
    }
    // The steps first, then why they ended, when both go to a terminal.
    ctx.out().flush()?;
    ctx.error_line(error);
    Ok(error.exit_code())
}

/// `asking`, given up after `max_time` (`--max-time`).
async fn within<T>(
    max_time: Duration,
    name: &hickory_proto::rr::Name,
    asking: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    tokio::time::timeout(max_time, asking)
        .await
        .unwrap_or_else(|_| Err(Error::time_limit(name, max_time)))
}

/// Write the report of a query mode reply that took `elapsed` (and the error
/// line of a failed one).
pub(crate) fn finish_reply(
    ctx: &mut Ctx,
    query: QueryOut,
    reply: &Reply,
    elapsed: Duration,
    verdict: Option<DnssecOut>,
    args: &Args,
    short: bool,
) -> Result<ExitCode, Error> {
    let mut report = Report {
        query,
        rcode: rcode_text(reply.rcode),
        authoritative: reply.authoritative,
        ad: (args.dnssec || args.validate).then_some(reply.authentic_data),
        answers: records_out(&reply.answers),
        rejected: Vec::new(),
        authority: records_out(&reply.authority),
        server: reply.server.clone(),
        source: if reply.from_cache { "cache" } else { "network" },
        protocol: reply.protocol,
        elapsed_ms: millis(elapsed),
        edns: reply.edns.clone(),
        tls: reply.tls.clone(),
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
            ede: report.edns.as_ref().and_then(EdnsOut::ede_text),
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
