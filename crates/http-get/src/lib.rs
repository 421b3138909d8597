//! `http-get`: a one-shot HTTP/1.1 and HTTPS client that shows and times every
//! phase of a request: resolve, connect, TLS, request, first byte, body.
//!
//! The phases are ours (resolution with hickory-resolver, Happy Eyeballs
//! connect, rustls), the message framing is hyper's low-level HTTP/1 client
//! connection, run over our stream through a tap that records what was written
//! and when the first byte came back. Everything runs on a current-thread tokio
//! runtime built inside [`run`].
//!
//! The public surface is small and typed: the tool ([`HttpGet`], [`run`],
//! [`Args`]), and for other crates one exchange ([`fetch`] of a
//! [`RequestSpec`] to a [`Target`] with [`Settings`], giving [`Fetched`]).
//!
//! Modules: `args` (flags), `config` (the flags typed, once), `target` (the
//! URL), `request` (the message), `net` (resolve, connect), `tls`, `proxy`,
//! `tap`, `conn` (one connection), `exchange` (one request/response),
//! `session` (redirects, the body), `body` (decoding, limits), `output`
//! (where the body goes), `progress`, `render` (the printer, timing table,
//! JSON).

mod args;
mod body;
mod config;
mod conn;
mod error;
mod exchange;
mod frames;
pub mod fuzz;
mod net;
mod output;
mod progress;
mod proxy;
mod render;
mod request;
mod session;
mod tap;
mod target;
mod tls;

use std::time::Instant;

use netlens_core::{CommonArgs, Ctx, ExitCode, Tool};

pub use args::{Args, HeaderArg, ResolveArg};
pub use conn::ClosedBy;
pub use error::Error;
pub use exchange::{Fetched, HttpVersion, Settings, fetch};
pub use net::Family;
pub use render::{Phases, Redirect, Summary};
pub use request::{RequestHead, RequestSpec};
pub use target::{Scheme, Target};
pub use tls::{TlsInfo, Trust};

use crate::config::Config;
use crate::output::Output;
use crate::session::Session;

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

/// Fetch the URL of `args`, writing through `ctx`; returns the exit code.
///
/// With `--json`, a failure is reported as `{"input": URL, "error": {...}}`
/// on stdout (and the error line on stderr) rather than returned.
pub fn run(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    let shown = Target::parse(&args.url, None).map_or_else(
        |_| netlens_core::redact::mask_url_password(&args.url).into_owned(),
        |t| t.display(),
    );
    match Config::new(args, ctx).and_then(|config| fetch_url(&config, ctx)) {
        Err(error) if ctx.json() && !ctx.output_closed() => Ok(ctx.report(&shown, &error)?),
        other => other,
    }
}

fn fetch_url(config: &Config, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    let target = Target::parse(&config.url, None)?;
    let spec = RequestSpec::new(&config.request, &target);
    if config.offline {
        let env = |name: &str| std::env::var(name).ok();
        let proxy = proxy::select(config.proxy.as_deref(), &target, env)?;
        let head = spec.head(&target, proxy.as_ref());
        ctx.out()
            .write_all(&head.masked_message(spec.body.as_deref()))?;
        return Ok(ExitCode::Success);
    }
    let output = match (&config.output, config.remote_name) {
        (Some(path), _) => Output::file(path)?,
        (None, true) => {
            let name = target.file_name().ok_or_else(|| {
                Error::Usage(format!(
                    "-O: {} has no file name to save to",
                    target.display()
                ))
            })?;
            Output::file(std::path::Path::new(&name))?
        }
        (None, false) if ctx.json() => Output::Discard(std::io::sink()),
        (None, false) => Output::Stdout,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let session = Session {
            config,
            run_start: Instant::now(),
        };
        let running = session.run(ctx, target, spec, output);
        match config.max_time {
            Some(limit) => {
                tokio::time::timeout(limit, running)
                    .await
                    .map_err(|_| Error::Timeout {
                        what: "whole run (-m)",
                        secs: limit.as_secs_f64(),
                    })?
            }
            None => running.await,
        }
    })
}
