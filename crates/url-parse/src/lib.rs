//! url-parse: decode, inspect, change and resolve URLs the way a browser reads
//! them (WHATWG URL Standard, parsed by Ada, the parser Node.js uses).
//!
//! - [`parse`]: parsing, and the reason in words on failure;
//! - [`idn`]: punycode labels, decoded and checked;
//! - [`report`]: the report of a URL (the WHATWG getters and the reader's extras);
//! - [`edit`]: `--set` through the WHATWG setters, and query edits;
//! - [`template`]: `--get TEMPLATE`;
//! - [`json`]: the JSON line of a report, the batch hot path;
//! - [`render`]: the human reading.

pub mod args;
pub mod decode;
pub mod edit;
pub mod error;
pub mod idn;
pub mod json;
pub mod parse;
pub mod render;
pub mod report;
pub mod template;

use netlens_core::{CommonArgs, Ctx, ExitCode, Tool};

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

/// How each URL is printed.
enum Mode<'a> {
    /// `--get TEMPLATE`.
    Template(&'a template::Template),
    /// `--json`: one object per URL.
    Json,
    /// An edit without `--get` or `--json`: the new URL.
    Href,
    /// The table and the browser's reading.
    Human,
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
    let mode = match &args.get {
        Some(template) => Mode::Template(template),
        None if ctx.json() => Mode::Json,
        None if !edits.is_empty() => Mode::Href,
        None => Mode::Human,
    };
    // One buffer for every JSON line: serialized in memory, written in one call.
    let mut json = json::LineWriter::new();
    let mut shown = 0usize;
    ctx.for_each_input(&args.urls, |ctx, input| {
        let mut url = parse::parse(input, base).map_err(|reason| Error::Invalid {
            input: input.to_string(),
            reason,
        })?;
        if !edits.is_empty() {
            edits.apply(&mut url).map_err(|rejected| Error::Set {
                input: input.to_string(),
                rejected,
            })?;
        }
        let report = Report::new(&url);
        match mode {
            Mode::Template(template) => template.write(&report, ctx.out())?,
            Mode::Json => {
                ctx.out().write_all(json.line(&report))?;
            }
            Mode::Href => {
                let out = ctx.out();
                out.write_all(report.href.as_bytes())?;
                out.write_all(b"\n")?;
            }
            Mode::Human => {
                let color = ctx.color();
                let out = ctx.out();
                if shown > 0 {
                    out.write_all(b"\n")?;
                }
                render::human(&report, color, out)?;
            }
        }
        shown += 1;
        Ok(ExitCode::Success)
    })
}
