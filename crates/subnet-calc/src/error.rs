//! The one error type of subnet-calc, and how each error maps onto an exit code.

use netlens_core::{ExitCode, Failure};

/// Everything that can go wrong in subnet-calc. Every variant names the bad input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not an IPv4 or IPv6 address.
    #[error("address {0}: not an IPv4 or IPv6 address")]
    Address(String),
    /// A prefix length that is not a number, or too long for the family.
    #[error("prefix /{prefix}: not a prefix length of {family} (0-{max})")]
    Prefix {
        /// The prefix as written.
        prefix: String,
        /// `IPv4` or `IPv6`.
        family: &'static str,
        /// The longest prefix of the family.
        max: u8,
    },
    /// A netmask whose one bits are not all on the left.
    #[error("netmask {0}: not contiguous")]
    NonContiguous(String),
    /// A netmask of the other family than its address.
    #[error("netmask {netmask}: not a netmask for {address}")]
    MaskFamily {
        /// The netmask as written.
        netmask: String,
        /// The address as written.
        address: String,
    },
    /// More than an address and a netmask on one input.
    #[error("{0}: expected ADDRESS[/PREFIX], ADDRESS/NETMASK or ADDRESS NETMASK")]
    Shape(String),
    /// A `range` whose start comes after its end, or whose ends differ in family.
    #[error("range {start} {end}: {why}")]
    Range {
        /// The start as written.
        start: String,
        /// The end as written.
        end: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A `split` that cannot be done as asked.
    #[error("split {network}: {why}")]
    Split {
        /// The network being split.
        network: String,
        /// What is wrong with the request.
        why: String,
    },
    /// A network of the other address family than the one it is used with.
    #[error("{input}: not of the address family of {network}")]
    Family {
        /// The input as written.
        input: String,
        /// The network it was used with.
        network: String,
    },
    /// A list file (`@FILE`) that cannot be read.
    #[error("@{path}: {source}")]
    File {
        /// The file's path.
        path: String,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// A bad entry of a list file (`@FILE`).
    #[error("@{path}: {source}")]
    Entry {
        /// The file's path.
        path: String,
        /// What is wrong with the entry.
        source: Box<Error>,
    },
    /// A network with more addresses than `list` prints without `--limit`.
    #[error("list {network}: {count} addresses; --limit N lists more than {max}")]
    TooMany {
        /// The network or range.
        network: String,
        /// Its number of addresses.
        count: String,
        /// The most that `list` prints without `--limit`.
        max: u128,
    },
    /// A `free` that cannot be done as asked.
    #[error("free {network}: {why}")]
    Free {
        /// The supernet.
        network: String,
        /// What is wrong with the request.
        why: String,
    },
    /// Reading stdin or writing stdout failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// The exit code and JSON kind of each error, in one place.
    fn class(&self) -> (ExitCode, &'static str) {
        match self {
            Error::Address(_) => (ExitCode::Usage, "invalid_address"),
            Error::Prefix { .. } => (ExitCode::Usage, "invalid_prefix"),
            Error::NonContiguous(_) => (ExitCode::Usage, "non_contiguous_netmask"),
            Error::MaskFamily { .. } => (ExitCode::Usage, "netmask_family"),
            Error::Shape(_) => (ExitCode::Usage, "invalid_input"),
            Error::Range { .. } => (ExitCode::Usage, "invalid_range"),
            Error::Split { .. } => (ExitCode::Usage, "invalid_split"),
            Error::Family { .. } => (ExitCode::Usage, "address_family"),
            Error::File { .. } => (ExitCode::Usage, "unreadable_file"),
            Error::Entry { source, .. } => source.class(),
            Error::TooMany { .. } => (ExitCode::Usage, "too_many_addresses"),
            Error::Free { .. } => (ExitCode::Usage, "invalid_free"),
            // Failing to read stdin or write stdout: nothing better fits than "usage".
            Error::Io(_) => (ExitCode::Usage, "io"),
        }
    }
}

impl Failure for Error {
    fn exit_code(&self) -> ExitCode {
        self.class().0
    }

    fn kind(&self) -> &'static str {
        self.class().1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_bad_input() {
        let e = Error::NonContiguous("235.255.255.0".into());
        assert_eq!(e.to_string(), "netmask 235.255.255.0: not contiguous");
        assert_eq!(e.exit_code(), ExitCode::Usage);
        assert_eq!(e.kind(), "non_contiguous_netmask");
        let e = Error::Prefix {
            prefix: "33".into(),
            family: "IPv4",
            max: 32,
        };
        assert_eq!(
            e.to_string(),
            "prefix /33: not a prefix length of IPv4 (0-32)"
        );
    }
}
