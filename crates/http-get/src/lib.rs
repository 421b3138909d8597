//! `http-get`: a one-shot HTTP/1.1 and HTTPS client that shows and times every
//! phase of a request: resolve, connect, TLS, request, first byte, body.
//!
//! The phases are ours (resolution with hickory-resolver, Happy Eyeballs
//! connect, rustls), the message framing is hyper's low-level HTTP/1 client
//! connection, run over our stream through a tap that records what was written
//! and when the first byte came back. Everything runs on a current-thread tokio
//! runtime built inside [`run`].
//!
//! Modules: [`args`] (flags), [`target`] (the URL), [`request`] (the message),
//! [`net`] (resolve, connect), [`tls`], [`proxy`], [`tap`], [`exchange`] (one
//! request/response), [`body`] (decoding, limits), [`output`] (where the body
//! goes), [`render`] (verbose, timing table, JSON).

pub mod args;
pub mod body;
pub mod error;
pub mod exchange;
pub mod net;
pub mod output;
pub mod proxy;
pub mod render;
pub mod request;
pub mod tap;
pub mod target;
pub mod tls;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use http::Method;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use http_body_util::BodyExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use netlens_core::{CommonArgs, Ctx, ExitCode, Tool};

pub use args::Args;
pub use error::Error;

use crate::body::{Coding, Counted, Decoder};
use crate::exchange::{Exchange, Settings};
use crate::net::Family;
use crate::output::Output;
use crate::render::{Phases, Redirect, Summary, say};
use crate::request::RequestSpec;
use crate::target::Target;
use crate::tls::Trust;

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
    let shown = Target::parse(&args.url, None)
        .map_or_else(|_| target::mask_input(&args.url), |t| t.display());
    match fetch(args, ctx) {
        Err(error) if ctx.json() && !ctx.output_closed() => Ok(ctx.report(&shown, &error)?),
        other => other,
    }
}

fn fetch(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    let target = Target::parse(&args.url, None)?;
    let spec = RequestSpec::from_args(&args, &target)?;
    let env = |name: &str| std::env::var(name).ok();
    if args.offline {
        let proxy = proxy::select(args.proxy.as_deref(), &target, env)?;
        let message = exchange::offline_message(&target, &spec, proxy.as_ref());
        ctx.out().write_all(&message)?;
        return Ok(ExitCode::Success);
    }
    let output = match (&args.output, args.remote_name) {
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
    let trust = match (&args.cacert, args.insecure) {
        (_, true) => Trust::Insecure,
        (Some(path), false) => Trust::File(path.clone()),
        (None, false) => Trust::System,
    };
    let settings = Settings {
        overrides: args.resolve.clone(),
        family: match (args.ipv4, args.ipv6) {
            (true, _) => Family::V4,
            (_, true) => Family::V6,
            _ => Family::Any,
        },
        trust,
        tls: std::cell::OnceCell::new(),
        connect_timeout: args
            .connect_timeout
            .unwrap_or(exchange::DEFAULT_CONNECT_TIMEOUT),
        verbose: args.verbose,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let session = Session {
            args: &args,
            settings: &settings,
            run_start: Instant::now(),
        };
        match args.max_time {
            Some(limit) => tokio::time::timeout(limit, session.run(ctx, target, spec, output))
                .await
                .map_err(|_| Error::Timeout {
                    what: "whole run (-m)",
                    secs: limit.as_secs_f64(),
                })?,
            None => session.run(ctx, target, spec, output).await,
        }
    })
}

/// One run: the request, the redirects it leads to, and the final body.
struct Session<'a> {
    args: &'a Args,
    settings: &'a Settings,
    run_start: Instant,
}

impl Session<'_> {
    async fn run(
        &self,
        ctx: &mut Ctx,
        mut target: Target,
        mut spec: RequestSpec,
        mut output: Output,
    ) -> Result<ExitCode, Error> {
        let args = self.args;
        let verbose = args.verbose;
        let first_url = target.display();
        let mut redirects = Vec::new();
        let mut visited = HashSet::from([(spec.method.clone(), target.href().to_string())]);
        let mut ex = loop {
            let proxy = proxy::select(args.proxy.as_deref(), &target, |name| {
                std::env::var(name).ok()
            })?;
            let ex = exchange::exchange(ctx, &target, &spec, proxy.as_ref(), self.settings).await?;
            let status = ex.head.status.as_u16();
            let location = ex.head.headers.get(LOCATION).map(|l| l.to_str());
            let Some(location) = location.filter(|_| args.location && is_redirect(status)) else {
                break ex;
            };
            let location = location.map_err(|_| {
                Error::Redirect(format!(
                    "{status} from {}: Location is not text",
                    target.display()
                ))
            })?;
            if args.include && !ctx.json() {
                self.write_head(ctx, &mut output, &ex)?;
            }
            if redirects.len() as u32 >= args.max_redirs {
                return Err(Error::Redirect(format!(
                    "more than {} redirects (--max-redirs), last to {location:?}",
                    args.max_redirs
                )));
            }
            let next = Target::parse(location, Some(target.href())).map_err(|e| {
                Error::Redirect(format!(
                    "{status} from {}: cannot follow: {e}",
                    target.display()
                ))
            })?;
            let next_spec = spec.redirected(status);
            if !visited.insert((next_spec.method.clone(), next.href().to_string())) {
                return Err(Error::Redirect(format!(
                    "loop: {} leads back to {}",
                    target.display(),
                    next.display()
                )));
            }
            say(
                ctx,
                verbose,
                format_args!("{status} redirect to {}", next.display()),
            );
            redirects.push(Redirect {
                url: target.display(),
                status,
            });
            ex.abandon();
            target = next;
            spec = next_spec;
        };

        let status = ex.head.status.as_u16();
        let failing = status >= 400 && (args.fail || args.fail_with_body);
        let write_body = !(failing && args.fail) && spec.method != Method::HEAD;
        if (args.include || args.head) && !ctx.json() && !(failing && args.fail) {
            self.write_head(ctx, &mut output, &ex)?;
        }
        let body_bytes = if write_body {
            self.body(ctx, &mut output, &mut ex).await?
        } else {
            0
        };
        ex.marks.body = Instant::now();
        if !(failing && args.fail) {
            output.finish()?;
        }
        say(
            ctx,
            verbose,
            format_args!(
                "body: {body_bytes} bytes in {:.3} ms",
                netlens_core::timing::millis(ex.marks.body - ex.marks.first_byte)
            ),
        );
        let durations = Phases::durations(&ex.marks, self.run_start);
        let offsets = Phases::offsets(&ex.marks, self.run_start);
        let reason = ex.reason();
        let summary = Summary {
            url: first_url,
            effective_url: target.display(),
            method: spec.method.to_string(),
            status,
            reason: reason.clone(),
            http_version: format!("{:?}", ex.head.version),
            headers: ex
                .head
                .headers
                .iter()
                .map(|(n, v)| {
                    [
                        n.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    ]
                })
                .collect(),
            remote_addr: ex.remote.to_string(),
            local_addr: ex.local.to_string(),
            redirects,
            timings_ms: durations,
            offsets_ms: offsets,
            body_bytes,
            content_type: ex
                .head
                .headers
                .get(CONTENT_TYPE)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            tls: ex.tls.clone(),
        };
        let marks = ex.marks;
        ex.close(ctx, verbose).await;
        if args.timing {
            let table = render::timing_table(&marks, self.run_start, ctx.color_err());
            writeln!(ctx.err(), "{table}")?;
        }
        if ctx.json() {
            ctx.emit_json(&summary)?;
        }
        if failing {
            ctx.error_line(&format_args!(
                "{}: the server answered {status} {reason}",
                summary.effective_url
            ));
            return Ok(ExitCode::Negative);
        }
        Ok(ExitCode::Success)
    }

    /// Write the response head (for `-i`, `-I`) where the body goes.
    fn write_head(&self, ctx: &mut Ctx, output: &mut Output, ex: &Exchange) -> Result<(), Error> {
        let seen = tap::snapshot(&ex.seen);
        let head = render::head_text(&seen.head, seen.head_complete, &ex.head, &ex.reason());
        let name = output.name();
        output
            .writer(ctx.out())
            .write_all(&head)
            .map_err(|source| Error::Output { path: name, source })
    }

    /// Stream the body to the output, decoding and counting; returns the
    /// decoded size.
    async fn body(
        &self,
        ctx: &mut Ctx,
        output: &mut Output,
        ex: &mut Exchange,
    ) -> Result<u64, Error> {
        let args = self.args;
        let announced = ex
            .head
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let (Some(limit), Some(length)) = (args.max_filesize, announced)
            && length > limit
        {
            return Err(Error::TooLarge { limit });
        }
        let encoding = ex
            .head
            .headers
            .get(CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok());
        let coding = if args.compressed {
            Coding::from_header(encoding).unwrap_or_else(|| {
                say(
                    ctx,
                    args.verbose,
                    format_args!("content encoding {encoding:?} not decoded: written as received"),
                );
                Coding::Identity
            })
        } else {
            Coding::Identity
        };
        let to_terminal = matches!(output, Output::Stdout) && ctx.stdout_is_terminal();
        let progress = (ctx.stderr_is_terminal() && !args.silent && !to_terminal && !ctx.json())
            .then(|| progress_bar(announced));
        let name = output.name();
        let mut decoder = Decoder::new(
            coding,
            Counted::new(output.writer(ctx.out()), name, args.max_filesize),
        );
        let mut trailers = http::HeaderMap::new();
        loop {
            let frame = exchange::idle("waiting for the body", ex.body.frame()).await?;
            let Some(frame) = frame else { break };
            let frame = frame.map_err(|e| Error::from_hyper("reading the body", &e))?;
            match frame.into_data() {
                Ok(data) => {
                    decoder.push(&data)?;
                    if let Some(bar) = &progress {
                        bar.inc(data.len() as u64);
                    }
                }
                // See: RFC 9112 §7.1.2 (trailer fields after the last chunk).
                Err(frame) => trailers.extend(frame.into_trailers().into_iter().flatten()),
            }
        }
        let written = decoder.finish()?;
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        for (name, value) in &trailers {
            let value = String::from_utf8_lossy(value.as_bytes());
            say(ctx, args.verbose, format_args!("trailer {name}: {value}"));
        }
        Ok(written)
    }
}

/// Whether `status` is a redirect that `-L` follows.
///
/// See: RFC 9110 §15.4 (300 and 304 carry no Location to follow; 305 and 306
/// are deprecated).
fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// A download progress bar on stderr (a spinner when the length is unknown).
fn progress_bar(length: Option<u64>) -> ProgressBar {
    let bar = match length {
        Some(len) => ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
            .with_style(
                ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{spinner} {bytes} {binary_bytes_per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
