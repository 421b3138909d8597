//! The run's typed configuration, made once from the command line: every
//! flag checked and turned into the value the code uses (a method, a body
//! already read, the trust store to use, the printer). Nothing past this
//! point looks at [`Args`].

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use netlens_core::Ctx;

use crate::args::Args;
use crate::error::Error;
use crate::exchange::{DEFAULT_CONNECT_TIMEOUT, HttpVersion, Settings};
use crate::net::Family;
use crate::render::Printer;
use crate::request::{Credentials, RequestOptions};
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

/// Everything a run needs to know, typed.
pub(crate) struct Config {
    /// The URL as given.
    pub url: String,
    /// How to shape the request.
    pub request: RequestOptions,
    /// `-o`.
    pub output: Option<PathBuf>,
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
    /// `-m`.
    pub max_time: Option<Duration>,
    /// `-x`.
    pub proxy: Option<String>,
    /// `--max-filesize`.
    pub max_filesize: Option<u64>,
    /// `-s`.
    pub silent: bool,
    /// `-v`, `-w`.
    pub printer: Printer,
    /// How to reach servers.
    pub settings: Settings,
}

impl Config {
    /// Check and type the arguments; reads `-d @-` from the context's stdin.
    pub fn new(args: Args, ctx: &mut Ctx) -> Result<Config, Error> {
        let method = match &args.method {
            Some(m) => Some(
                Method::from_bytes(m.as_bytes())
                    .map_err(|_| Error::Usage(format!("method {m:?}: not a valid HTTP method")))?,
            ),
            None => None,
        };
        let request = RequestOptions {
            method,
            head: args.head,
            body: body(args.data.as_deref(), ctx)?,
            extra: args.headers,
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
            url: args.url,
            request,
            output: args.output,
            remote_name: args.remote_name,
            include: args.include,
            head: args.head,
            location: args.location,
            max_redirs: args.max_redirs,
            fail,
            offline: args.offline,
            max_time: args.max_time,
            proxy: args.proxy,
            max_filesize: args.max_filesize,
            silent: args.silent,
            printer: Printer::new(args.verbose, args.timing),
            settings,
        })
    }
}

/// The `-d` body: the text itself, a file's bytes (`@FILE`) or stdin (`@-`).
fn body(data: Option<&str>, ctx: &mut Ctx) -> Result<Option<Bytes>, Error> {
    let Some(data) = data else { return Ok(None) };
    let bytes = match data.strip_prefix('@') {
        Some("-") => ctx.read_stdin()?,
        Some(path) => std::fs::read(path).map_err(|source| Error::ReadFile {
            path: path.into(),
            source,
        })?,
        None => data.as_bytes().to_vec(),
    };
    Ok(Some(Bytes::from(bytes)))
}
