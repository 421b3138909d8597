//! The one error type of url-parse, and its exit codes.

use std::io;

use netlens_core::redact::mask_url_password;
use netlens_core::{ExitCode, Failure};
use thiserror::Error;

use crate::edit::Rejected;
use crate::parse::Reason;

/// Everything that can go wrong in url-parse.
#[derive(Debug, Error)]
pub enum Error {
    /// An input that is not a URL.
    #[error("{}: {reason}", mask_url_password(input))]
    Invalid {
        /// The input as given.
        input: String,
        /// Why it is not a URL.
        reason: Reason,
    },
    /// A `--base` that is not a URL itself.
    #[error("base URL {}: {reason}", mask_url_password(base))]
    Base {
        /// The base as given.
        base: String,
        /// Why it is not a URL.
        reason: Reason,
    },
    /// A `--set` value that the component's setter refused.
    #[error("{}: --set {rejected}", mask_url_password(input))]
    Set {
        /// The URL being changed.
        input: String,
        /// What was refused.
        rejected: Rejected,
    },
    /// A `--url-file` that cannot be read.
    #[error("--url-file {path}: {source}")]
    UrlFile {
        /// The file's path.
        path: String,
        /// Why it cannot be read.
        source: io::Error,
    },
    /// Reading input or writing output failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl Failure for Error {
    fn exit_code(&self) -> ExitCode {
        match self {
            Error::Invalid { .. }
            | Error::Base { .. }
            | Error::Set { .. }
            | Error::UrlFile { .. } => ExitCode::Usage,
            // Output that cannot be written is the caller's setup, not the network.
            Error::Io(_) => ExitCode::Usage,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Error::Invalid { reason, .. } => reason.kind(),
            Error::Base { .. } => "invalid_base",
            Error::Set { .. } => "invalid_value",
            Error::UrlFile { .. } => "unreadable_file",
            Error::Io(_) => "io",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_input() {
        let e = Error::Invalid {
            input: "http://h:x/".into(),
            reason: Reason::InvalidPort,
        };
        assert_eq!(e.to_string(), "http://h:x/: invalid port number");
        assert_eq!(e.exit_code(), ExitCode::Usage);
        assert_eq!(e.kind(), "invalid_port");
    }

    #[test]
    fn passwords_are_masked_in_messages() {
        let e = Error::Invalid {
            input: "http://u:secret@h:x/".into(),
            reason: Reason::InvalidPort,
        };
        assert_eq!(e.to_string(), "http://u:****@h:x/: invalid port number");
    }
}
