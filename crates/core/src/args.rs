//! Flags that every tool shares, defined once and flattened into each tool's `Args`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::select::{Selection, Shard};

/// The longest timeout any flag takes, in seconds (a little over 11 days).
const MAX_SECONDS: f64 = 1_000_000.0;

/// The flags every tool has.
#[derive(Args, Debug, Clone, Default, PartialEq, Eq)]
pub struct CommonArgs {
    /// Print machine-readable JSON: one object per input (JSON Lines for several)
    #[arg(long, global = true)]
    pub json: bool,

    /// When to use color [NO_COLOR in the environment turns "auto" off]
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Read inputs from FILE, one per line, after any given as arguments ("-" for stdin)
    #[arg(long, value_name = "FILE", global = true)]
    pub input_file: Option<PathBuf>,

    /// Input lines are JSON objects (another tool's JSON Lines); the input is this field
    #[arg(long, value_name = "NAME", global = true)]
    pub input_field: Option<String>,

    /// Take only the inputs of shard K of N (K from 1), by a stable hash of the input text
    #[arg(long, value_name = "K/N", global = true)]
    pub shard: Option<Shard>,
}

impl CommonArgs {
    /// Which inputs the run takes (`--input-field`, `--shard`).
    pub fn selection(&self) -> Selection {
        Selection {
            field: self.input_field.clone(),
            shard: self.shard,
        }
    }
}

/// When to color output.
#[derive(ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// Color when the stream is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

impl ColorChoice {
    /// Whether to color a stream, given whether it is a terminal.
    ///
    /// See: <https://no-color.org> (`NO_COLOR` set and non-empty disables "auto").
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Parse a timeout flag: a positive number of seconds, fractions allowed (`0.5`).
/// Shared by every tool's `--timeout`-like flags as a clap `value_parser`.
pub fn parse_seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text}: not a number of seconds"))?;
    if !secs.is_finite() || secs <= 0.0 || secs > MAX_SECONDS {
        return Err(format!(
            "{text}: must be more than 0 and at most {MAX_SECONDS} seconds"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser, Debug)]
    struct Probe {
        #[command(flatten)]
        common: CommonArgs,
    }

    #[test]
    fn parses_shared_flags() {
        let p = Probe::try_parse_from(["t", "--json", "--color", "never"]).unwrap();
        assert!(p.common.json);
        assert_eq!(p.common.color, ColorChoice::Never);
        let p = Probe::try_parse_from(["t"]).unwrap();
        assert_eq!(p.common, CommonArgs::default());
        assert!(Probe::try_parse_from(["t", "--color", "sometimes"]).is_err());
        let p = Probe::try_parse_from(["t", "--shard", "3/4", "--input-field", "url"]).unwrap();
        assert_eq!(p.common.shard, Some(Shard { index: 3, count: 4 }));
        assert_eq!(p.common.selection().field.as_deref(), Some("url"));
        for bad in ["0/4", "5/4", "x"] {
            let error = Probe::try_parse_from(["t", "--shard", bad]).unwrap_err();
            assert!(error.to_string().contains(bad), "{error}");
        }
    }

    #[test]
    fn seconds_take_fractions_and_refuse_nonsense() {
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_seconds(" 2 "), Ok(Duration::from_secs(2)));
        for bad in ["0", "-1", "NaN", "inf", "1e7", "soon", ""] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn always_and_never_ignore_the_terminal() {
        assert!(ColorChoice::Always.enabled(false));
        assert!(!ColorChoice::Never.enabled(true));
        assert!(!ColorChoice::Auto.enabled(false));
    }
}
