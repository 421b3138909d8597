//! url-parse: decode, inspect, change and resolve URLs the way a browser reads
//! them (WHATWG URL Standard, parsed by Ada, the parser Node.js uses).
//!
//! - [`parse`]: parsing, and the reason in words on failure;
//! - [`idn`]: punycode labels shown in Unicode;
//! - [`report`]: the report of a URL (the WHATWG getters and the reader's extras);
//! - [`edit`]: `--set` through the WHATWG setters, and query edits;
//! - [`template`]: `--get TEMPLATE`;
//! - [`job`]: parse, edit and render one input's line;
//! - [`batch`]: many inputs rendered on both cores, written in order;
//! - [`json`]: the JSON line of a report, the batch hot path;
//! - [`render`]: the human reading.

pub mod args;
pub mod batch;
pub mod decode;
pub mod edit;
pub mod error;
pub mod idn;
pub mod job;
pub mod json;
pub mod parse;
pub mod render;
pub mod report;
pub mod template;

use std::borrow::Cow;

use netlens_core::{CommonArgs, Ctx, ExitCode, Tool};

use crate::job::{Job, Output};

pub use args::Args;
pub use error::Error;
pub use parse::{Reason, parse};
pub use render::{Reading, decoded, masked_href};
pub use report::Report;

/// The url-parse tool, for [`netlens_core::main`] and the dispatcher.
pub struct UrlParse;

impl Tool for UrlParse {
    const NAME: &'static str = "url-parse";
    type Args = Args;
    type Error = Error;

    fn common(args: &Args) -> &CommonArgs {
        &args.common
    }

    fn run(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
        run(args, ctx)
    }
}

/// Read every input URL and print it as asked.
pub fn run(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    let base = args.base.as_deref();
    if let Some(base) = base {
        parse::parse(base, None).map_err(|reason| Error::Base {
            base: base.to_string(),
            reason,
        })?;
    }
    let inputs = inputs(&args)?;
    if inputs.is_empty() && !args.url_file.is_empty() {
        // Empty files: nothing to do (no arguments must not mean stdin here).
        return Ok(ExitCode::Success);
    }
    let edits = args.edits();
    let output = match &args.get {
        Some(template) => Some(Output::Template(template)),
        None if ctx.json() => Some(Output::Json),
        None if args.as_idn => Some(Output::Href { unicode: true }),
        None if args.punycode || !edits.is_empty() => Some(Output::Href { unicode: false }),
        None => None,
    };
    let scheme = args.default_scheme.as_deref();
    match output {
        Some(output) => batch::run(ctx, &inputs, &Job::new(base, scheme, &edits, output)),
        None => human(&inputs, &Job::new(base, scheme, &edits, Output::Json), ctx),
    }
}

/// The inputs: the URL arguments, then the lines of each `--url-file` (`-`
/// standing for stdin, read in its turn).
fn inputs(args: &Args) -> Result<Cow<'_, [String]>, Error> {
    if args.url_file.is_empty() {
        return Ok(Cow::Borrowed(&args.urls));
    }
    let mut inputs = args.urls.clone();
    for path in &args.url_file {
        if path == "-" {
            inputs.push(path.clone());
            continue;
        }
        let bytes = std::fs::read(path).map_err(|source| Error::UrlFile {
            path: path.clone(),
            source,
        })?;
        let lines = netlens_core::input::lines(&bytes);
        inputs.extend(lines.map(|line| String::from_utf8_lossy(line).into_owned()));
    }
    Ok(Cow::Owned(inputs))
}

/// The human reading of every input, one after the other.
fn human(urls: &[String], job: &Job<'_>, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    let mut shown = 0usize;
    ctx.for_each_input(urls, |ctx, input| {
        let url = job.url(input)?;
        let color = ctx.color();
        let out = ctx.out();
        if shown > 0 {
            out.write_all(b"\n")?;
        }
        render::human(&Report::new(&url), color, out)?;
        shown += 1;
        Ok(ExitCode::Success)
    })
}
