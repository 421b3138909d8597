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

use netlens_core::{CommonArgs, Ctx, ExitCode, Tool};

use crate::job::{Job, Output};

pub use args::Args;
pub use error::Error;
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
    let edits = args.edits();
    let output = match &args.get {
        Some(template) => Output::Template(template),
        None if ctx.json() => Output::Json,
        None if !edits.is_empty() => Output::Href,
        None => return human(&args.urls, base, ctx),
    };
    let job = Job {
        base,
        edits: &edits,
        output,
    };
    batch::run(ctx, &args.urls, &job)
}

/// The human reading of every input, one after the other.
fn human(urls: &[String], base: Option<&str>, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    let edits = edit::Edits::default();
    let job = Job {
        base,
        edits: &edits,
        output: Output::Href,
    };
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
