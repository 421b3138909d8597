//! Exit codes shared by every tool, and the trait that maps errors onto them.
//!
//! The codes are ordered by severity so that a batch of inputs can combine its
//! outcomes with `max()`: the run exits with the highest code among its inputs.

use std::fmt;

/// The exit-code table, as every tool's `--help` ends with it.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  negative answer: a false check, HTTP status >= 400 under --fail, NXDOMAIN or NODATA
  2  bad usage or bad input
  3  network failure: cannot resolve, connect, refused, unreachable, timeout
  4  remote or protocol error: malformed response, SERVFAIL/REFUSED, loops, short body
  5  TLS or security failure: untrusted certificate, hostname mismatch
With several inputs the exit code is the highest among them.";

/// How a run (or one input of a batch) ended, as a process exit code.
///
/// | code | meaning |
/// |------|---------|
/// | 0 | success |
/// | 1 | a negative answer: a false check, HTTP >= 400 under `--fail`, NXDOMAIN or NODATA |
/// | 2 | bad usage or bad input |
/// | 3 | network failure: cannot resolve, connect, timeout |
/// | 4 | remote or protocol error: malformed response, SERVFAIL/REFUSED, loops |
/// | 5 | TLS or security failure |
///
/// I/O errors follow one rule in every tool: local files and output that
/// cannot be read or written are [`ExitCode::Usage`]; only network I/O is
/// [`ExitCode::Network`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExitCode {
    /// 0: everything asked for was done.
    #[default]
    Success = 0,
    /// 1: the answer is "no" (false check, HTTP error status under `--fail`, NXDOMAIN, NODATA).
    Negative = 1,
    /// 2: bad usage or unparseable input.
    Usage = 2,
    /// 3: the network failed (resolve, connect, refused, unreachable, timeout).
    Network = 3,
    /// 4: the remote side misbehaved (malformed response, SERVFAIL, REFUSED, loops).
    Remote = 4,
    /// 5: TLS or security failure (untrusted certificate, hostname mismatch).
    Tls = 5,
}

impl ExitCode {
    /// The numeric process exit code.
    pub fn code(self) -> i32 {
        self as i32
    }
}

impl fmt::Display for ExitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// A tool's error type: says which exit code it maps to and gives a short kind
/// for JSON error objects (`{"error": {"kind": ..., "message": ...}}`).
///
/// Each tool implements this once, with one exhaustive match, so that the
/// mapping from error to exit code lives in one place per crate.
pub trait Failure: std::error::Error {
    /// The exit code this error maps to.
    fn exit_code(&self) -> ExitCode;
    /// A short machine-readable kind, such as `invalid_input` or `timeout`.
    fn kind(&self) -> &'static str;
}

/// The `error` member of a failed input's JSON object (SPEC §2): the same
/// shape in every tool.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ErrorOut {
    /// Short machine-readable kind ([`Failure::kind`]).
    pub kind: &'static str,
    /// The message, as on stderr.
    pub message: String,
}

impl ErrorOut {
    /// The error object of `error`.
    pub fn of(error: &dyn Failure) -> ErrorOut {
        ErrorOut {
            kind: error.kind(),
            message: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ordered_by_severity() {
        let worst = [ExitCode::Negative, ExitCode::Tls, ExitCode::Usage]
            .into_iter()
            .max()
            .unwrap();
        assert_eq!(worst, ExitCode::Tls);
        assert_eq!(ExitCode::default().code(), 0);
        assert_eq!(ExitCode::Remote.code(), 4);
    }
}
