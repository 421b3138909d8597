//! The run's typed configuration, made once from the command line: every
//! flag checked and turned into the value the code uses (a method, a body
//! already read, the trust store to use, the printer). Nothing past this
//! point looks at [`Args`].

use std::path::PathBuf;
use std::time::Duration;

use http::Method;
use netlens_core::{Ctx, ParallelArgs};

use crate::args::{Args, HeaderArg};
use crate::error::Error;
use crate::exchange::{DEFAULT_CONNECT_TIMEOUT, HttpVersion, Settings};
use crate::net::Family;
use crate::payload::{self, Payload};
use crate::render::Printer;
use crate::request::{Credentials, RequestOptions};
use crate::retry::Retry;
use crate::tls::Trust;

/// What `-f` / `--fail-with-body` ask for on a status >= 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fail {
    /// Neither: a status >= 400 is a success.
    Never,
    /// `-f`: exit 1, no body.
    Quiet,
    /// `--fail-with-body`: exit 1, body written.
    WithBody,
}

impl Config {
    /// Whether connections are kept open for later requests: when more than
    /// one request may come, unless `--fresh`.
    pub fn keeps_connections(&self) -> bool {
        let one_url = matches!(self.urls.as_slice(), [one] if one != "-");
        !self.fresh && (self.repeat > 1 || !one_url)
    }
}

/// Everything a run needs to know, typed.
pub(crate) struct Config {
    /// The URLs as given (`-` for stdin lines; none: stdin).
    pub urls: Vec<String>,
    /// How to shape the request.
    pub request: RequestOptions,
    /// `-o`, one per URL in order.
    pub outputs: Vec<PathBuf>,
    /// `-O`.
    pub remote_name: bool,
    /// `-i`.
    pub include: bool,
    /// `-I`.
    pub head: bool,
    /// `-L`.
    pub location: bool,
    /// `--max-redirs`.
    pub max_redirs: u32,
    /// `-f`, `--fail-with-body`.
    pub fail: Fail,
    /// `--offline`.
    pub offline: bool,
    /// `-m`: the limit on one URL's run, or on the whole of `-n`.
    pub max_time: Option<Duration>,
    /// The name of the `-T` file, appended to a URL ending in `/`.
    pub upload_name: Option<String>,
    /// `-x`.
    pub proxy: Option<String>,
    /// `--max-filesize`.
    pub max_filesize: Option<u64>,
    /// `-s`.
    pub silent: bool,
    /// `-b FILE` (cookies to load) and `-c FILE` (where to write them); the
    /// cookie engine runs when either is given.
    pub cookies: Option<(Option<PathBuf>, Option<PathBuf>)>,
    /// `--retry`, `--retry-delay`, `--retry-max-time`.
    pub retry: Retry,
    /// `-n`.
    pub repeat: u32,
    /// `--fresh`.
    pub fresh: bool,
    /// `-v`, `-w`.
    pub printer: Printer,
    /// How to reach servers.
    pub settings: Settings,
    /// `-P`, `--rate`, `--unordered`.
    pub parallel: ParallelArgs,
    /// `--per-host`.
    pub per_host: usize,
}

impl Config {
    /// Check and type the arguments; reads `-d @-` from the context's stdin.
    pub fn new(args: Args, ctx: &mut Ctx) -> Result<Config, Error> {
        let method = match &args.method {
            Some(m) => Some(
                Method::from_bytes(m.as_bytes())
                    .map_err(|_| Error::Usage(format!("method {m:?}: not a valid HTTP method")))?,
            ),
            None if args.upload_file.is_some() => Some(Method::PUT),
            None => None,
        };
        let request = RequestOptions {
            method,
            head: args.head,
            body: body(&args, ctx)?,
            extra: cookie_header(args.cookie.as_deref())
                .into_iter()
                .chain(args.headers)
                .collect(),
            user: args.user.as_deref().map(Credentials::parse),
            compressed: args.compressed,
        };
        let trust = match (args.cacert, args.insecure) {
            (_, true) => Trust::Insecure,
            (Some(path), false) => Trust::File(path),
            (None, false) => Trust::System,
        };
        let mut settings = Settings::new(trust);
        settings.overrides = args.resolve;
        settings.family = match (args.ipv4, args.ipv6) {
            (true, _) => Family::V4,
            (_, true) => Family::V6,
            _ => Family::Any,
        };
        settings.connect_timeout = args.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        settings.http = match (args.http1_1, args.http2_prior_knowledge) {
            (true, _) => HttpVersion::Http1,
            (_, true) => HttpVersion::Http2PriorKnowledge,
            _ => HttpVersion::Negotiated,
        };
        let fail = match (args.fail, args.fail_with_body) {
            (true, _) => Fail::Quiet,
            (_, true) => Fail::WithBody,
            _ => Fail::Never,
        };
        Ok(Config {
            urls: args.urls,
            request,
            outputs: args.output,
            remote_name: args.remote_name,
            include: args.include,
            head: args.head,
            location: args.location,
            max_redirs: args.max_redirs,
            fail,
            offline: args.offline,
            max_time: args.max_time,
            upload_name: args
                .upload_file
                .as_deref()
                .and_then(|path| path.file_name())
                .map(|name| name.to_string_lossy().into_owned()),
            proxy: args.proxy,
            max_filesize: args.max_filesize,
            silent: args.silent,
            cookies: match (args.cookie.as_deref(), args.cookie_jar) {
                (Some(file), jar) if !file.contains('=') => Some((Some(file.into()), jar)),
                (_, Some(jar)) => Some((None, Some(jar))),
                _ => None,
            },
            retry: Retry {
                retries: args.retry,
                delay: args.retry_delay,
                max_time: args.retry_max_time,
            },
            repeat: args.repeat,
            fresh: args.fresh,
            printer: Printer::new(args.verbose, args.timing),
            settings,
            parallel: args.parallel,
            per_host: args.per_host,
        })
    }
}

/// `-b NAME=VALUE`: a `Cookie` header of the user's, like `-H`.
fn cookie_header(cookie: Option<&str>) -> Option<HeaderArg> {
    let cookie = cookie.filter(|c| c.contains('='))?;
    Some(HeaderArg {
        name: "Cookie".to_string(),
        value: cookie.trim().to_string(),
    })
}

/// The body: `-F` parts, the `-T` file, or the form of `-d`,
/// `--data-binary` and `--data-urlencode` (`@-` read from the context's stdin).
fn body(args: &Args, ctx: &mut Ctx) -> Result<Option<Payload>, Error> {
    if !args.form.is_empty() {
        return Ok(Some(payload::multipart(&args.form, &payload::boundary())?));
    }
    if let Some(path) = &args.upload_file {
        return Ok(Some(Payload::file(path)?));
    }
    let mut stdin = || ctx.read_stdin();
    payload::form(
        &args.data,
        &args.data_binary,
        &args.data_urlencode,
        &mut stdin,
    )
}
