//! `http-get`: an HTTP/1.1, HTTP/2 and HTTPS client that shows and times every
//! phase of a request: resolve, connect, TLS, request, first byte, body.
//!
//! The phases are ours (resolution with hickory-resolver, Happy Eyeballs
//! connect, rustls), the message framing is hyper's low-level HTTP/1 or HTTP/2
//! client connection, run over our stream through a tap that records what was
//! written and when the first byte came back. Several URLs run in order on one
//! current-thread tokio runtime built inside [`run`], sharing connections.
//!
//! The public surface is small and typed: the tool ([`HttpGet`], [`run`],
//! [`Args`]), and for other crates a page visit ([`Visit::fetch`] of a
//! [`RequestSpec`] to a [`Target`] with [`Settings`], giving [`Fetched`],
//! connections kept between requests; [`Visit::close`] gives each
//! [`Socket`]'s reads and writes).
//!
//! Modules: `args` (flags), `config` (the flags typed, once), `target` (the
//! URL), `request` (the message), `payload` (request bodies), `net`
//! (resolve, connect), `tls`, `proxy`, `tap` and `frames` (what went through
//! the socket), `conn` (connections and their pool), `exchange` (one
//! request/response), `session` (redirects, the body), `retry`, `repeat`
//! (`-n`), `cookies`, `body` (decoding, limits), `output` (where the body
//! goes), `progress`, `render` (the printer, timing table, JSON), `bulk` (`-P`,
//! `--per-host`: many URLs at once, results in order), `fuzz`.

mod args;
mod body;
mod bulk;
mod config;
mod conn;
mod cookies;
mod error;
mod exchange;
mod frames;
pub mod fuzz;
mod net;
mod output;
mod payload;
mod progress;
mod proxy;
mod render;
mod repeat;
mod request;
mod retry;
mod session;
mod tap;
mod target;
mod tls;
mod visit;

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::time::Instant;

use netlens_core::redact::mask_url_password;
use netlens_core::{CommonArgs, Ctx, ExitCode, Tool};

pub use args::{Args, HeaderArg, ResolveArg};
pub use conn::ClosedBy;
pub use error::Error;
pub use exchange::{HttpVersion, Settings};
pub use net::Family;
pub use payload::FormPart;
pub use render::{ConnectionUse, Phases, Redirect, Summary};
pub use request::{RequestHead, RequestSpec};
pub use retry::Attempt;
pub use target::{Scheme, Target};
pub use tls::{TlsInfo, Trust, config as tls_config, handshake as tls_handshake};
pub use visit::{Fetched, Socket, SysCall, Visit};

use crate::config::Config;
use crate::conn::Pool;
use crate::cookies::Jar;
use crate::output::Output;
use crate::payload::Payload;
use crate::retry::Attempts;
use crate::session::{Listener, Outcome, Session};

/// The `http-get` tool.
pub struct HttpGet;

impl Tool for HttpGet {
    const NAME: &'static str = "http-get";
    type Args = Args;
    type Error = Error;

    fn common(args: &Args) -> &CommonArgs {
        &args.common
    }

    fn run(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
        run(args, ctx)
    }
}

/// Fetch the URLs of `args` (or of stdin's lines) in order, writing through
/// `ctx`; returns the highest exit code among them.
///
/// A failed URL is reported in its place (with `--json`, as
/// `{"input": URL, "error": {...}}`) and the run goes on with the next.
pub fn run(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    let config = Config::new(args, ctx)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut pool = Pool::new(config.keeps_connections());
    let jar = match &config.cookies {
        Some((load, save)) => Some(RefCell::new(Jar::new(load.as_deref(), save.as_deref())?)),
        None => None,
    };
    let code = if bulk::wanted(&config) {
        bulk::run(&config, ctx, &runtime, (&mut pool, jar.as_ref()))
    } else {
        let mut index = 0;
        let urls = config.urls.clone();
        ctx.for_each_input(&urls, |ctx, url| {
            let output = config.outputs.get(index);
            index += 1;
            let state = (&mut pool, jar.as_ref(), None);
            runtime.block_on(fetch_one(&config, ctx, state, url, output))
        })
    };
    runtime.block_on(pool.close_all(ctx, &config.printer));
    if let Some(jar) = jar {
        jar.borrow().save()?;
    }
    code
}

/// What one URL's run borrows from the whole run: the connections, the
/// cookies, and who is told how the server answered (with `-P`).
type State<'a> = (&'a mut Pool, Option<&'a RefCell<Jar>>, Option<Listener<'a>>);

/// Fetch one URL (see [`fetch_url`]); a failure is reported in its place.
async fn fetch_one(
    config: &Config,
    ctx: &mut Ctx,
    state: State<'_>,
    url: &str,
    output: Option<&PathBuf>,
) -> Result<ExitCode, Error> {
    match fetch_url(config, ctx, state, url, output).await {
        Err(error) if !ctx.output_closed() => {
            let shown = Target::parse(url, None)
                .map_or_else(|_| mask_url_password(url).into_owned(), |t| t.display());
            Ok(ctx.report(&shown, &error)?)
        }
        other => other,
    }
}

/// Fetch one URL into `output` (or where `-O`, `--json` or stdout say),
/// within `-m`.
async fn fetch_url(
    config: &Config,
    ctx: &mut Ctx,
    state: State<'_>,
    url: &str,
    output: Option<&PathBuf>,
) -> Result<ExitCode, Error> {
    let mut target = Target::parse(url, None)?;
    if let Some(name) = &config.upload_name {
        target = target.upload_to(name);
    }
    let spec = RequestSpec::new(&config.request, &target);
    if config.offline {
        let env = |name: &str| std::env::var(name).ok();
        let proxy = proxy::select(config.proxy.as_deref(), &target, env)?;
        let head = spec.head(&target, proxy.as_ref());
        let body = spec.body.as_ref().map(Payload::to_vec).transpose()?;
        ctx.out().write_all(&head.masked_message(body.as_deref()))?;
        return Ok(ExitCode::Success);
    }
    if config.repeat > 1 {
        let (pool, jar, _) = state;
        return repeat::run(config, ctx, (pool, jar), (target, spec)).await;
    }
    deliver(config, ctx, state, (target, spec), output).await
}

/// Fetch `target` into its output, retrying transient failures with
/// `--retry` (each attempt into a fresh output).
async fn deliver(
    config: &Config,
    ctx: &mut Ctx,
    (pool, jar, listener): State<'_>,
    (target, spec): (Target, RequestSpec),
    path: Option<&PathBuf>,
) -> Result<ExitCode, Error> {
    let mut attempts = Attempts::new(config.retry);
    loop {
        let session = Session {
            config,
            printer: config.printer,
            run_start: Instant::now(),
            attempts: (config.retry.retries > 0).then_some(&attempts),
            wrote_stdout: Cell::new(false),
            jar,
            listener,
        };
        let output = open_output(config, ctx, &target, path)?;
        let deadline = config.max_time.map(|limit| (Instant::now() + limit, limit));
        let result = {
            // Pinned where it is: the future is large, and moving it costs.
            let running = (target.clone(), spec.clone());
            let running = std::pin::pin!(session.run(ctx, pool, running, output));
            session::within(deadline, running).await
        };
        let (status, why, wait) = match result {
            Ok(Outcome::Done { mut summary, code }) => {
                attempts.record(Some(summary.status), None);
                if config.retry.retries > 0 {
                    summary.attempts = Some(attempts.list);
                }
                if ctx.json() {
                    ctx.emit_json(&summary)?;
                }
                return Ok(code);
            }
            Ok(Outcome::Retry {
                status,
                reason,
                wait,
            }) => (Some(status), format!("{status} {reason}"), wait),
            Err(error) => {
                let may = retry::transient_error(&error) && !session.wrote_stdout.get();
                match may.then(|| attempts.next_wait(None)).flatten() {
                    Some(wait) => (None, error.to_string(), wait),
                    None => return Err(error),
                }
            }
        };
        attempts.record(status, status.is_none().then(|| why.clone()));
        config
            .printer
            .retrying(ctx, attempts.list.len(), &why, wait, attempts.left());
        attempts.wait(wait).await;
    }
}

/// Where the body of `target` goes: `-o` (`path`), `-O`, nowhere with
/// `--json`, else stdout.
fn open_output(
    config: &Config,
    ctx: &Ctx,
    target: &Target,
    path: Option<&PathBuf>,
) -> Result<Output, Error> {
    Ok(match (path, config.remote_name) {
        (Some(path), _) => Output::file(path)?,
        (None, true) => {
            let name = target.file_name().ok_or_else(|| {
                Error::Usage(format!(
                    "-O: {} has no file name to save to",
                    target.display()
                ))
            })?;
            Output::file(Path::new(&name))?
        }
        (None, false) if ctx.json() => Output::Discard(std::io::sink()),
        (None, false) => Output::Stdout,
    })
}
