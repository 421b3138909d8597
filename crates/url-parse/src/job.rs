//! What to do with each input: read it (against the base, or with the default
//! scheme), apply the edits (once per `--iterate` combination), and render its
//! lines (JSON, template or href) into memory.

use std::borrow::Cow;
use std::io::Write;

use ada_url::Url;

use crate::Error;
use crate::edit::{Edits, Set, combinations};
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
    /// An edit, `--punycode` or `--as-idn` without `--get` or `--json`: the
    /// href, with the host in Unicode form when `unicode`.
    Href {
        /// `--as-idn`.
        unicode: bool,
    },
}

/// The work on each input, the same for every input of a run.
pub struct Job<'a> {
    /// `--base`, already checked.
    pub base: Option<&'a str>,
    /// `--default-scheme`.
    pub default_scheme: Option<&'a str>,
    /// The edits to apply.
    pub edits: &'a Edits,
    /// Every `--iterate` combination (one, empty, without `--iterate`).
    pub combinations: Vec<Vec<Set>>,
    /// What to print.
    pub output: Output<'a>,
}

impl<'a> Job<'a> {
    /// The job for these options.
    pub fn new(
        base: Option<&'a str>,
        default_scheme: Option<&'a str>,
        edits: &'a Edits,
        output: Output<'a>,
    ) -> Job<'a> {
        Job {
            base,
            default_scheme,
            edits,
            combinations: combinations(&edits.iterates),
            output,
        }
    }

    /// Parse `input` (against the base, or with the default scheme) and apply
    /// the edits with the first `--iterate` combination.
    pub fn url(&self, input: &str) -> Result<Url, Error> {
        let mut url = self.parse(input)?;
        self.edit(input, &mut url, &self.combinations[0])?;
        Ok(url)
    }

    /// Append the lines for `input` to `out` (nothing when it fails).
    pub fn render(
        &self,
        input: &str,
        json: &mut LineWriter,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let start = out.len();
        let result = self.render_all(input, json, out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    fn parse(&self, input: &str) -> Result<Url, Error> {
        let text = match self.default_scheme {
            Some(scheme) => parse::with_default_scheme(input, scheme),
            None => Cow::Borrowed(input),
        };
        parse::parse(&text, self.base).map_err(|reason| Error::Invalid {
            input: input.to_string(),
            reason,
        })
    }

    fn edit(&self, input: &str, url: &mut Url, combination: &[Set]) -> Result<(), Error> {
        if self.edits.is_empty() {
            return Ok(());
        }
        self.edits
            .apply(url, combination)
            .map_err(|rejected| Error::Set {
                input: input.to_string(),
                rejected,
            })
    }

    /// Every combination's line; the URL is parsed once.
    fn render_all(
        &self,
        input: &str,
        json: &mut LineWriter,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let parsed = self.parse(input)?;
        if let [only] = self.combinations.as_slice() {
            return self.render_one(input, parsed, only, json, out);
        }
        for combination in &self.combinations {
            self.render_one(input, parsed.clone(), combination, json, out)?;
        }
        Ok(())
    }

    fn render_one(
        &self,
        input: &str,
        mut url: Url,
        combination: &[Set],
        json: &mut LineWriter,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        self.edit(input, &mut url, combination)?;
        let report = Report::new(&url);
        match self.output {
            Output::Template(template) => template.write(&report, out)?,
            Output::Json => json.append(&report, out),
            Output::Href { unicode } => {
                let href = if unicode {
                    report.href_unicode()
                } else {
                    Cow::Borrowed(report.href)
                };
                out.write_all(href.as_bytes())?;
                out.push(b'\n');
            }
        }
        Ok(())
    }
}
