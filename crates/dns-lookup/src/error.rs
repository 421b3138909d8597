//! The one error type of dns-lookup, and how each error maps to an exit code.
//!
//! One rule for I/O: a local file or stream that cannot be read or written
//! (`--root-hints`, stdin, stdout) is the caller's input or setup, exit 2, as
//! in every tool; anything that went wrong on the network is a network error
//! ([`Error::Timeout`], [`Error::Unreachable`]: exit 3) and never [`Error::Io`].

use std::path::PathBuf;

use netlens_core::{ExitCode, Failure};

/// Everything that can go wrong in a dns-lookup run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A name that is not a valid domain name.
    #[error("name {name}: {why}")]
    BadName {
        /// The name as given.
        name: String,
        /// Why it is not valid.
        why: String,
    },
    /// An address given to `-x` that is not an IP address.
    #[error("address {0}: not an IPv4 or IPv6 address")]
    BadAddress(String),
    /// A server given to `@`/`--server` that is not `ADDR[:PORT]`.
    #[error("server {0}: not an address with an optional port (ADDR, ADDR:PORT, [V6]:PORT)")]
    BadServer(String),
    /// More than one server named.
    #[error("server {0}: only one server can be named")]
    TwoServers(String),
    /// A usage mistake on the command line.
    #[error("{0}")]
    Usage(String),
    /// A root hints file that cannot be read or holds no usable server.
    #[error("root hints {path}: {why}")]
    RootHints {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// A trust anchor file that cannot be read or holds no usable key.
    #[error("trust anchor {path}: {why}")]
    TrustAnchor {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// The answer failed DNSSEC validation.
    #[error("{name}: bogus: {why}")]
    Bogus {
        /// The name asked.
        name: String,
        /// Why the answer is bogus.
        why: String,
    },
    /// The system resolver configuration could not be read.
    #[error("system resolver configuration: {0}")]
    SystemConfig(String),
    /// No response from any server in time.
    #[error("{0}: no response in time")]
    Timeout(String),
    /// A server could not be reached at all (refused connection, unreachable).
    #[error("{what}: unreachable: {why}")]
    Unreachable {
        /// The server or zone.
        what: String,
        /// The socket error.
        why: String,
    },
    /// The server answered SERVFAIL, REFUSED or another error rcode.
    #[error("{name}: server answered {rcode}{}", ede.as_deref().map(|e| format!(" ({e})")).unwrap_or_default())]
    Rcode {
        /// The name asked.
        name: String,
        /// The response code.
        rcode: String,
        /// The Extended DNS Error that says why, if the reply had one.
        ede: Option<String>,
    },
    /// The TLS handshake failed: a certificate not trusted or not for the name.
    #[error("{server}: {why}")]
    Tls {
        /// The server.
        server: String,
        /// What was wrong.
        why: String,
    },
    /// A response that does not parse or does not fit the question.
    #[error("{server}: malformed response: {why}")]
    Malformed {
        /// The server that sent it.
        server: String,
        /// What was wrong.
        why: String,
    },
    /// No server of a zone replied: every one silent or unreachable.
    #[error("{zone}: no server replied ({servers})")]
    NoReply {
        /// The zone.
        zone: String,
        /// Each server and why it gave no reply.
        servers: String,
    },
    /// Every server of a delegation that replied was no use (refusals,
    /// SERVFAIL, nonsense).
    #[error("{zone}: every server is lame ({why})")]
    Lame {
        /// The delegated zone.
        zone: String,
        /// The last failure seen.
        why: String,
    },
    /// A referral that leads back to where it came from (or a glueless cycle).
    #[error("{zone}: referral loop ({why})")]
    ReferralLoop {
        /// The zone where the loop was seen.
        zone: String,
        /// What repeated.
        why: String,
    },
    /// CNAMEs that lead back to a name already seen, or a chain too long.
    #[error("{name}: CNAME loop ({why})")]
    CnameLoop {
        /// The name that repeated.
        name: String,
        /// The chain.
        why: String,
    },
    /// The trace needed more steps or nesting than allowed.
    #[error("{name}: gave up after {why}")]
    Limit {
        /// The name being resolved.
        name: String,
        /// Which bound was hit.
        why: String,
    },
    /// The hickory resolver failed in a way not covered above.
    #[error("{name}: {why}")]
    Resolver {
        /// The name asked.
        name: String,
        /// The resolver's message.
        why: String,
    },
    /// A local I/O failure: reading input, writing output (exit 2, like a bad
    /// input; network I/O errors are [`Error::Unreachable`] instead).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// The resolution of `name` ran out of its `limit` (`--max-time`).
    pub(crate) fn time_limit(name: &dyn std::fmt::Display, limit: std::time::Duration) -> Error {
        Error::Timeout(format!("{name} (time limit of {} s)", limit.as_secs_f64()))
    }
}

impl Failure for Error {
    fn exit_code(&self) -> ExitCode {
        match self {
            Error::BadName { .. }
            | Error::BadAddress(_)
            | Error::BadServer(_)
            | Error::TwoServers(_)
            | Error::Usage(_)
            | Error::RootHints { .. }
            | Error::TrustAnchor { .. }
            | Error::Io(_) => ExitCode::Usage,
            Error::SystemConfig(_)
            | Error::Timeout(_)
            | Error::Unreachable { .. }
            | Error::NoReply { .. } => ExitCode::Network,
            Error::Tls { .. } => ExitCode::Tls,
            Error::Rcode { .. }
            | Error::Malformed { .. }
            | Error::Lame { .. }
            | Error::ReferralLoop { .. }
            | Error::CnameLoop { .. }
            | Error::Limit { .. }
            | Error::Resolver { .. } => ExitCode::Remote,
            Error::Bogus { .. } => ExitCode::Tls,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Error::BadName { .. } => "invalid_name",
            Error::BadAddress(_) => "invalid_address",
            Error::BadServer(_) | Error::TwoServers(_) => "invalid_server",
            Error::Usage(_) => "usage",
            Error::RootHints { .. } => "invalid_root_hints",
            Error::TrustAnchor { .. } => "invalid_trust_anchor",
            Error::Bogus { .. } => "dnssec_bogus",
            Error::SystemConfig(_) => "system_config",
            Error::Timeout(_) => "timeout",
            Error::Unreachable { .. } => "unreachable",
            Error::NoReply { .. } => "no_reply",
            Error::Rcode { .. } => "rcode",
            Error::Tls { .. } => "tls",
            Error::Malformed { .. } => "malformed_response",
            Error::Lame { .. } => "lame_delegation",
            Error::ReferralLoop { .. } => "referral_loop",
            Error::CnameLoop { .. } => "cname_loop",
            Error::Limit { .. } => "limit",
            Error::Resolver { .. } => "resolver",
            Error::Io(_) => "io",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_the_documented_codes() {
        assert_eq!(Error::BadServer("x".into()).exit_code(), ExitCode::Usage);
        assert_eq!(Error::Timeout("a".into()).exit_code(), ExitCode::Network);
        let local = Error::Io(std::io::Error::other("broken pipe"));
        assert_eq!(local.exit_code(), ExitCode::Usage);
        let lame = Error::Lame {
            zone: "dead.com.".into(),
            why: "timeout".into(),
        };
        assert_eq!(lame.exit_code(), ExitCode::Remote);
        assert_eq!(lame.kind(), "lame_delegation");
        assert_eq!(
            lame.to_string(),
            "dead.com.: every server is lame (timeout)"
        );
    }
}
