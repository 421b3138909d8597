//! The one error type of url-parse, and its exit codes.

use std::io;

use std::borrow::Cow;

use netlens_core::{ExitCode, Failure};
use thiserror::Error;

use crate::edit::Rejected;
use crate::parse::Reason;
use crate::render::MASK;

/// Everything that can go wrong in url-parse.
#[derive(Debug, Error)]
pub enum Error {
    /// An input that is not a URL.
    #[error("{}: {reason}", mask_password(input))]
    Invalid {
        /// The input as given.
        input: String,
        /// Why it is not a URL.
        reason: Reason,
    },
    /// A `--base` that is not a URL itself.
    #[error("base URL {}: {reason}", mask_password(base))]
    Base {
        /// The base as given.
        base: String,
        /// Why it is not a URL.
        reason: Reason,
    },
    /// A `--set` value that the component's setter refused.
    #[error("{}: --set {rejected}", mask_password(input))]
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

/// The input with the password of its `user:password@` masked, so that error
/// lines (which a CI log keeps) do not show it.
pub fn mask_password(input: &str) -> Cow<'_, str> {
    let Some(scheme_end) = input.find("://") else {
        return Cow::Borrowed(input);
    };
    let start = scheme_end + 3;
    let rest = &input[start..];
    let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let (Some(at), Some(colon)) = (authority.rfind('@'), authority.find(':')) else {
        return Cow::Borrowed(input);
    };
    if colon > at || colon + 1 == at {
        return Cow::Borrowed(input);
    }
    Cow::Owned(format!(
        "{}{}{}",
        &input[..start + colon + 1],
        MASK,
        &input[start + at..]
    ))
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
        assert_eq!(
            mask_password("http://u:secret@h:99999/x"),
            "http://u:********@h:99999/x"
        );
        assert_eq!(mask_password("http://u:s:e@c@h/"), "http://u:********@h/");
        assert_eq!(mask_password("http://u@h:99999/"), "http://u@h:99999/");
        assert_eq!(mask_password("http://h:1/a:b@c"), "http://h:1/a:b@c");
        assert_eq!(mask_password("mailto:a:b@c"), "mailto:a:b@c");
        let e = Error::Invalid {
            input: "http://u:secret@h:x/".into(),
            reason: Reason::InvalidPort,
        };
        assert_eq!(e.to_string(), "http://u:********@h:x/: invalid port number");
    }
}
