//! The one error type of `http-get`, and its mapping onto the shared exit codes.
//!
//! Errors are classified where they are raised (a refused connection is
//! [`Error::Connect`], a response hyper cannot parse is [`Error::Protocol`]), so
//! the mapping below is one exhaustive match. Messages never contain a password:
//! URLs in them are shown through `Target::display`, which masks it.

use std::path::PathBuf;

use netlens_core::{ExitCode, Failure};

/// Everything that can make a run of `http-get` fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL does not parse.
    #[error("url {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A flag's value or combination cannot be used.
    #[error("{0}")]
    Usage(String),
    /// A file named by a flag cannot be read.
    #[error("{path}: {source}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// The host name does not resolve.
    #[error("resolve {host}: {reason}")]
    Resolve {
        /// The host name.
        host: String,
        /// The resolver's reason.
        reason: String,
    },
    /// No address could be connected to.
    #[error("connect {to}: {reason}")]
    Connect {
        /// The address or addresses tried.
        to: String,
        /// The last reason.
        reason: String,
    },
    /// A time limit ran out.
    #[error("{what}: timed out after {secs} s")]
    Timeout {
        /// What was going on (connect, the whole run, waiting for data).
        what: &'static str,
        /// The limit in seconds.
        secs: f64,
    },
    /// The connection broke while exchanging the message.
    #[error("{what}: {reason}")]
    Network {
        /// What was going on.
        what: &'static str,
        /// The reason.
        reason: String,
    },
    /// The TLS handshake failed: untrusted certificate, hostname mismatch, ...
    #[error("tls {host}: {reason}")]
    Tls {
        /// The server name.
        host: String,
        /// The reason.
        reason: String,
    },
    /// The server (or proxy) sent something that is not valid HTTP or not what was announced.
    #[error("{0}")]
    Protocol(String),
    /// Too many redirects, a loop, or a Location that cannot be followed.
    #[error("redirect: {0}")]
    Redirect(String),
    /// The body is larger than `--max-filesize`.
    #[error("body larger than --max-filesize {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// The output cannot be written.
    #[error("write {path}: {source}")]
    Output {
        /// Where the output was going.
        path: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// Another I/O failure on a local stream.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl Failure for Error {
    fn exit_code(&self) -> ExitCode {
        match self {
            Error::InvalidUrl { .. }
            | Error::Usage(_)
            | Error::ReadFile { .. }
            | Error::Output { .. }
            | Error::Io(_) => ExitCode::Usage,
            Error::Resolve { .. }
            | Error::Connect { .. }
            | Error::Timeout { .. }
            | Error::Network { .. } => ExitCode::Network,
            Error::Protocol(_) | Error::Redirect(_) | Error::TooLarge { .. } => ExitCode::Remote,
            Error::Tls { .. } => ExitCode::Tls,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Error::InvalidUrl { .. } => "invalid_url",
            Error::Usage(_) => "usage",
            Error::ReadFile { .. } => "read_file",
            Error::Resolve { .. } => "resolve",
            Error::Connect { .. } => "connect",
            Error::Timeout { .. } => "timeout",
            Error::Network { .. } => "network",
            Error::Tls { .. } => "tls",
            Error::Protocol(_) => "protocol",
            Error::Redirect(_) => "redirect",
            Error::TooLarge { .. } => "too_large",
            Error::Output { .. } => "output",
            Error::Io(_) => "io",
        }
    }
}

impl Error {
    /// Classify a hyper error raised while `what` was going on: a broken
    /// connection is a network failure (3); anything hyper could not parse, a
    /// message cut short or a broken chunk is a protocol error (4).
    pub fn from_hyper(what: &'static str, error: &hyper::Error) -> Error {
        use std::io::ErrorKind;
        // hyper wraps the socket's io::Error, and reports framing problems in
        // bodies as io::Errors of its own (UnexpectedEof, InvalidInput).
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(e) = source {
            if let Some(h2) = e.downcast_ref::<h2::Error>()
                && let Some(reason) = h2.reason()
            {
                return Error::Protocol(format!("{what}: {}", describe_h2(h2, reason)));
            }
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                let framing = matches!(
                    io.kind(),
                    ErrorKind::UnexpectedEof | ErrorKind::InvalidData | ErrorKind::InvalidInput
                );
                if !framing {
                    return Error::Network {
                        what,
                        reason: crate::net::describe(io),
                    };
                }
                return Error::Protocol(format!("{what}: {}", crate::net::describe(io)));
            }
            source = e.source();
        }
        if error.is_incomplete_message() {
            return Error::Protocol(format!(
                "{what}: connection closed before the message was complete"
            ));
        }
        let detail = std::error::Error::source(error)
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        Error::Protocol(format!("{what}: {error}{detail}"))
    }
}

/// An HTTP/2 error, its code named: sent by the server (GOAWAY, RST_STREAM)
/// or found in what it sent.
///
/// See: RFC 9113 §5.4 (error handling), §7 (error codes).
fn describe_h2(error: &h2::Error, reason: h2::Reason) -> String {
    let how = match (error.is_remote(), error.is_go_away(), error.is_reset()) {
        (true, true, _) => "the server sent GOAWAY",
        (true, _, true) => "the server reset the stream (RST_STREAM)",
        (true, _, _) => "the server sent an HTTP/2 error",
        (false, _, _) => "the server broke HTTP/2:",
    };
    format!("{how} {reason:?} ({reason})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_maps_to_its_exit_code() {
        let cases = [
            (Error::Usage("x".into()), 2),
            (
                Error::Resolve {
                    host: "h".into(),
                    reason: "r".into(),
                },
                3,
            ),
            (
                Error::Timeout {
                    what: "run",
                    secs: 2.0,
                },
                3,
            ),
            (Error::Protocol("p".into()), 4),
            (Error::Redirect("loop".into()), 4),
            (Error::TooLarge { limit: 1 }, 4),
            (
                Error::Tls {
                    host: "h".into(),
                    reason: "r".into(),
                },
                5,
            ),
        ];
        for (error, code) in cases {
            assert_eq!(error.exit_code().code(), code, "{error}");
            assert!(!error.kind().is_empty());
        }
    }

    #[test]
    fn messages_are_lowercase_without_period() {
        let e = Error::Timeout {
            what: "whole run",
            secs: 2.0,
        };
        assert_eq!(e.to_string(), "whole run: timed out after 2 s");
    }
}
