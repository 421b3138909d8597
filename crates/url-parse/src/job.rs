//! What to do with each input: parse it (against the base), apply the edits,
//! and render its line (JSON, template or href) into memory.

use std::io::Write;

use crate::Error;
use crate::edit::Edits;
use crate::json::LineWriter;
use crate::parse;
use crate::report::Report;
use crate::template::Template;

/// The line printed for each URL (the human reading is not a line: see `render`).
pub enum Output<'a> {
    /// `--get TEMPLATE`.
    Template(&'a Template),
    /// `--json`: one object per URL.
    Json,
    /// An edit without `--get` or `--json`: the new href.
    Href,
}

/// The work on each input, the same for every input of a run.
pub struct Job<'a> {
    /// `--base`, already checked.
    pub base: Option<&'a str>,
    /// The edits to apply.
    pub edits: &'a Edits,
    /// What to print.
    pub output: Output<'a>,
}

impl Job<'_> {
    /// Parse `input` against the base and apply the edits.
    pub fn url(&self, input: &str) -> Result<ada_url::Url, Error> {
        let mut url = parse::parse(input, self.base).map_err(|reason| Error::Invalid {
            input: input.to_string(),
            reason,
        })?;
        if !self.edits.is_empty() {
            self.edits.apply(&mut url).map_err(|rejected| Error::Set {
                input: input.to_string(),
                rejected,
            })?;
        }
        Ok(url)
    }

    /// Append the line for `input` to `out`.
    pub fn render(
        &self,
        input: &str,
        json: &mut LineWriter,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let url = self.url(input)?;
        let report = Report::new(&url);
        match self.output {
            Output::Template(template) => template.write(&report, out)?,
            Output::Json => json.append(&report, out),
            Output::Href => {
                out.write_all(report.href.as_bytes())?;
                out.push(b'\n');
            }
        }
        Ok(())
    }
}
