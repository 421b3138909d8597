//! One URL's run: the request, the redirects it leads to, the final body to
//! its destination, and the summary (`-w` table, `--json` object, `-f`).
//! The connection goes back to the run's pool when the server keeps it open.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::time::{Duration, Instant};

use http::Method;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, LOCATION, RETRY_AFTER};
use http_body_util::BodyExt;
use netlens_core::{Ctx, ExitCode};

use crate::body::{Coding, Counted, Decoder};
use crate::config::{Config, Fail};
use crate::conn::Pool;
use crate::cookies::Jar;
use crate::error::Error;
use crate::exchange::{self, Exchange, idle};
use crate::output::Output;
use crate::progress::Progress;
use crate::proxy;
use crate::render::{self, Printer, Redirect, Summary};
use crate::request::RequestSpec;
use crate::retry::{self, Attempts, Refusal};
use crate::tap;
use crate::target::Target;

/// One run over the configuration.
pub(crate) struct Session<'a> {
    /// The run's configuration.
    pub config: &'a Config,
    /// The printer (the configuration's, or a quieter one for `-n`).
    pub printer: Printer,
    /// When the run began: offsets count from here.
    pub run_start: Instant,
    /// With `--retry`: the attempts so far, to decide whether a transient
    /// status is retried rather than delivered.
    pub attempts: Option<&'a Attempts>,
    /// Whether body bytes went to stdout (they cannot be taken back).
    pub wrote_stdout: Cell<bool>,
    /// The run's cookies, with `-b FILE` or `-c`.
    pub jar: Option<&'a RefCell<Jar>>,
    /// Told whether each final response asked for fewer requests.
    pub listener: Option<Listener<'a>>,
}

/// Told whether a final response asked for fewer requests (a [`Refusal`]).
pub(crate) type Listener<'a> = &'a dyn Fn(Option<Refusal>);

/// What one URL's run gave.
pub(crate) enum Outcome {
    /// The response was delivered: its summary, and the exit code (1 for a
    /// status >= 400 with `-f`).
    Done {
        summary: Box<Summary>,
        code: ExitCode,
    },
    /// A transient status, not delivered: to be retried after `wait`.
    Retry {
        status: u16,
        reason: String,
        wait: Duration,
    },
}

/// Where the redirects led: the exchange with the final response, and the
/// request that got it.
struct Followed {
    ex: Exchange,
    target: Target,
    spec: RequestSpec,
    redirects: Vec<Redirect>,
}

impl Session<'_> {
    /// Fetch `target`, following redirects with `-L`, and deliver the body.
    pub async fn run(
        &self,
        ctx: &mut Ctx,
        pool: &mut Pool,
        (target, spec): (Target, RequestSpec),
        mut output: Output,
    ) -> Result<Outcome, Error> {
        let first_url = target.display();
        let followed = self.follow(ctx, pool, target, spec, &mut output).await?;
        let Followed {
            mut ex,
            target,
            spec,
            redirects,
        } = followed;
        let config = self.config;
        let printer = &self.printer;
        let status = ex.head.status.as_u16();
        if let Some(listener) = self.listener {
            listener(retry::refusal(status, &ex.head.headers));
        }
        if let Some(wait) = self.retry_wait(&ex) {
            let reason = ex.reason();
            ex.release(ctx, printer, pool).await;
            return Ok(Outcome::Retry {
                status,
                reason,
                wait,
            });
        }
        let failing = status >= 400 && config.fail != Fail::Never;
        let quiet_fail = failing && config.fail == Fail::Quiet;
        let write_body = !quiet_fail && spec.method != Method::HEAD;
        if (config.include || config.head) && !ctx.json() && !quiet_fail {
            self.write_head(ctx, &mut output, &ex)?;
        }
        let body_bytes = if write_body {
            self.body(ctx, &mut output, &mut ex).await?
        } else {
            0
        };
        ex.marks.body = Instant::now();
        if !quiet_fail {
            output.finish()?;
        }
        printer.body(ctx, body_bytes, ex.marks.body - ex.marks.first_byte);
        if let Some(plain) = ex.h2_plain {
            printer.frames(ctx, &tap::snapshot(&ex.conn.seen), plain);
        }
        let urls = (first_url, target.display());
        let summary = Summary::of(&ex, urls, redirects, body_bytes, self.run_start);
        let marks = ex.marks;
        // An unread body (`-f`) cannot be skipped over: hyper closes the connection.
        drop(ex.body);
        pool.finish(ctx, printer, ex.conn).await;
        printer.timing(ctx, &marks, self.run_start)?;
        let code = if failing {
            ctx.error_line(&format_args!(
                "{}: the server answered {status} {}",
                summary.effective_url, summary.reason
            ));
            ExitCode::Negative
        } else {
            ExitCode::Success
        };
        Ok(Outcome::Done {
            summary: Box::new(summary),
            code,
        })
    }

    /// The wait before retrying, when `ex` has a transient status and a
    /// retry may follow (`Retry-After` honoured).
    fn retry_wait(&self, ex: &Exchange) -> Option<Duration> {
        let attempts = self.attempts?;
        if !retry::transient_status(ex.head.status.as_u16()) {
            return None;
        }
        let header = ex.head.headers.get(RETRY_AFTER);
        let after = header
            .and_then(|v| v.to_str().ok())
            .and_then(retry::retry_after);
        attempts.next_wait(after)
    }

    /// Send the request and, with `-L`, follow redirects (writing each
    /// redirect's head with `-i`) until a response that is not one.
    async fn follow(
        &self,
        ctx: &mut Ctx,
        pool: &mut Pool,
        mut target: Target,
        mut spec: RequestSpec,
        output: &mut Output,
    ) -> Result<Followed, Error> {
        let config = self.config;
        let mut redirects = Vec::new();
        let mut visited = HashSet::from([(spec.method.clone(), target.href().to_string())]);
        loop {
            let proxy = proxy::select(config.proxy.as_deref(), &target, |name| {
                std::env::var(name).ok()
            })?;
            let to = (&target, proxy.as_ref());
            let cookie = self.jar.and_then(|jar| jar.borrow().header(&target));
            let sent = spec.with_cookie(cookie);
            let ex =
                exchange::exchange(ctx, &self.printer, to, &sent, &config.settings, pool).await?;
            if let Some(jar) = self.jar {
                jar.borrow_mut().store(&target, &ex.head.headers);
            }
            let status = ex.head.status.as_u16();
            let location = ex.head.headers.get(LOCATION).map(|l| l.to_str());
            let Some(location) = location.filter(|_| config.location && is_redirect(status)) else {
                return Ok(Followed {
                    ex,
                    target,
                    spec,
                    redirects,
                });
            };
            let shown = target.display();
            let location = location.map_err(|_| {
                Error::Redirect(format!("{status} from {shown}: Location is not text"))
            })?;
            if config.include && !ctx.json() {
                self.write_head(ctx, output, &ex)?;
            }
            if redirects.len() as u32 >= config.max_redirs {
                return Err(Error::Redirect(format!(
                    "more than {} redirects (--max-redirs), last to {location:?}",
                    config.max_redirs
                )));
            }
            let next = Target::parse(location, Some(target.href())).map_err(|e| {
                Error::Redirect(format!("{status} from {shown}: cannot follow: {e}"))
            })?;
            let next_spec = spec.redirected(status);
            if !visited.insert((next_spec.method.clone(), next.href().to_string())) {
                let next = next.display();
                return Err(Error::Redirect(format!(
                    "loop: {shown} leads back to {next}"
                )));
            }
            self.printer.redirect(ctx, status, &next.display());
            redirects.push(Redirect { url: shown, status });
            ex.release(ctx, &self.printer, pool).await;
            target = next;
            spec = next_spec;
        }
    }

    /// Write the response head (for `-i`, `-I`) where the body goes.
    fn write_head(&self, ctx: &mut Ctx, output: &mut Output, ex: &Exchange) -> Result<(), Error> {
        let seen = tap::snapshot(&ex.conn.seen);
        let head = render::head_text(&seen, &ex.head, &ex.reason());
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
        let config = self.config;
        let header = |name| ex.head.headers.get(name).and_then(|v| v.to_str().ok());
        let announced = header(CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
        if let (Some(limit), Some(length)) = (config.max_filesize, announced)
            && length > limit
        {
            return Err(Error::TooLarge { limit });
        }
        let encoding = header(CONTENT_ENCODING);
        let coding = if config.request.compressed {
            Coding::from_header(encoding).unwrap_or_else(|| {
                self.printer.not_decoded(ctx, encoding);
                Coding::Identity
            })
        } else {
            Coding::Identity
        };
        let to_terminal = matches!(output, Output::Stdout) && ctx.stdout_is_terminal();
        let shown = ctx.stderr_is_terminal() && !config.silent && !to_terminal && !ctx.json();
        let mut progress = Progress::new(shown, announced);
        let name = output.name();
        let mut decoder = Decoder::new(coding, Counted::new(name, config.max_filesize));
        let mut trailers = http::HeaderMap::new();
        while let Some(frame) = idle("waiting for the body", ex.body.frame()).await? {
            let frame = frame.map_err(|e| Error::from_hyper("reading the body", &e))?;
            match frame.into_data() {
                Ok(data) => {
                    if matches!(output, Output::Stdout) {
                        self.wrote_stdout.set(true);
                    }
                    decoder.push(&data, output.writer(ctx.out()))?;
                    progress.advance(ctx, data.len() as u64);
                }
                // See: RFC 9112 §7.1.2 (trailer fields after the last chunk).
                Err(frame) => trailers.extend(frame.into_trailers().into_iter().flatten()),
            }
        }
        let written = decoder.finish(output.writer(ctx.out()))?;
        progress.finish(ctx);
        for (name, value) in &trailers {
            self.printer.trailer(ctx, name, value);
        }
        Ok(written)
    }
}

/// Wait for `future` until `deadline`, the end of the `-m` limit (given
/// too, for the message), if any.
pub(crate) async fn within<T>(
    deadline: Option<(Instant, Duration)>,
    future: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let Some((deadline, limit)) = deadline else {
        return future.await;
    };
    tokio::time::timeout_at(deadline.into(), future)
        .await
        .unwrap_or(Err(Error::Timeout {
            what: "whole run (-m)",
            secs: limit.as_secs_f64(),
        }))
}

/// Whether `status` is a redirect that `-L` follows.
///
/// See: RFC 9110 §15.4 (300 and 304 carry no Location to follow; 305 and 306
/// are deprecated).
fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}
