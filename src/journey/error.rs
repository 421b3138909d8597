//! The one error type of `netlens journey`, and its exit codes.
//!
//! A step that fails in a library keeps that library's error (and so its exit
//! code and kind); journey adds only what is its own: a URL it cannot follow,
//! a name with no address, the sandbox, and the time limit of a step.

use dns_lookup::Negative;
use netlens_core::{ExitCode, Failure};

/// Everything that can end a journey early.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is not a URL (url-parse's reason).
    #[error("{}: {reason}", netlens_core::redact::mask_url_password(input))]
    Url {
        /// The input as given.
        input: String,
        /// Why it is not a URL.
        reason: url_parse::Reason,
    },
    /// The name was resolved, and has no address: NXDOMAIN, or no A or AAAA records.
    #[error("{name}: {}", no_address(*why))]
    NoAddress {
        /// The name, fully qualified.
        name: String,
        /// NXDOMAIN, or no A or AAAA records (NODATA).
        why: Negative,
    },
    /// No DNS server is configured (the system's resolver configuration).
    #[error("resolver: no DNS server to ask: {0}")]
    NoResolver(String),
    /// The nearest DNS server never answered the stub resolver.
    #[error(
        "DNS server {server}: no reply within {secs} s: the network or the DNS server cannot be reached"
    )]
    Unreachable {
        /// The DNS server asked.
        server: std::net::SocketAddr,
        /// How long the stub waited in all.
        secs: f64,
    },
    /// The loopback sandbox could not be started.
    #[error("sandbox: cannot start: {0}")]
    Sandbox(std::io::Error),
    /// A network step took longer than `--timeout`.
    #[error("{what}: no answer within {secs} s")]
    Timeout {
        /// The step.
        what: &'static str,
        /// The limit, in seconds.
        secs: f64,
    },
    /// The request or the connection failed (http-get's error).
    #[error(transparent)]
    Http(#[from] http_get::Error),
    /// The resolution failed (dns-lookup's error).
    #[error(transparent)]
    Dns(#[from] dns_lookup::Error),
    /// Writing the narration failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Why a name has no address, in words.
fn no_address(why: Negative) -> &'static str {
    match why {
        Negative::NxDomain => "does not exist (NXDOMAIN)",
        Negative::NoData => "has no A or AAAA records (NODATA)",
    }
}

impl Failure for Error {
    fn exit_code(&self) -> ExitCode {
        match self {
            Error::Url { .. } => ExitCode::Usage,
            Error::NoAddress { .. } => ExitCode::Negative,
            Error::Sandbox(_)
            | Error::Timeout { .. }
            | Error::NoResolver(_)
            | Error::Unreachable { .. } => ExitCode::Network,
            Error::Http(e) => e.exit_code(),
            Error::Dns(e) => e.exit_code(),
            // Output that cannot be written is the caller's setup, not the network.
            Error::Io(_) => ExitCode::Usage,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Error::Url { reason, .. } => reason.kind(),
            Error::NoAddress {
                why: Negative::NxDomain,
                ..
            } => "nxdomain",
            Error::NoAddress {
                why: Negative::NoData,
                ..
            } => "nodata",
            Error::Sandbox(_) => "sandbox",
            Error::NoResolver(_) => "no_resolver",
            Error::Unreachable { .. } => "unreachable",
            Error::Timeout { .. } => "timeout",
            Error::Http(e) => e.kind(),
            Error::Dns(e) => e.kind(),
            Error::Io(_) => "io",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_kinds() {
        let e = Error::NoAddress {
            name: "nosuch.lab.glasscom.com.".into(),
            why: Negative::NxDomain,
        };
        assert_eq!(e.exit_code(), ExitCode::Negative);
        assert_eq!(e.kind(), "nxdomain");
        assert_eq!(
            e.to_string(),
            "nosuch.lab.glasscom.com.: does not exist (NXDOMAIN)"
        );
        let e = Error::Url {
            input: "http://u:secret@h:99999/".into(),
            reason: url_parse::Reason::InvalidPort,
        };
        assert_eq!(e.exit_code(), ExitCode::Usage);
        assert_eq!(e.to_string(), "http://u:****@h:99999/: invalid port number");
        let e = Error::Timeout {
            what: "connection",
            secs: 0.5,
        };
        assert_eq!(e.exit_code(), ExitCode::Network);
    }
}
