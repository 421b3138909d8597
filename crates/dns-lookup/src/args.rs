//! Command-line arguments of dns-lookup (shared by its binary and `netlens dns`).

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use netlens_core::{CommonArgs, EXIT_CODES_HELP};

/// Look up DNS records through the system resolver or a named server, or trace
/// the resolution iteratively from the root servers, every referral shown.
#[derive(Parser, Debug, Clone)]
#[command(name = "dns-lookup", version, about, after_help = EXIT_CODES_HELP)]
pub struct Args {
    /// Names to look up, each followed by its record types (A AAAA MX NS CNAME
    /// TXT SOA PTR SRV CAA ...; default A); `@SERVER` asks that server; `-` or
    /// no name reads "NAME [TYPE]..." lines from stdin
    #[arg(value_name = "NAME [TYPE]... | @SERVER")]
    pub targets: Vec<String>,

    /// Ask this server instead of the system resolver (ADDR, ADDR:PORT or [V6]:PORT)
    #[arg(long, value_name = "ADDR[:PORT]")]
    pub server: Option<String>,

    /// Reverse lookup: every NAME is an IP address, asked as PTR
    #[arg(short = 'x', long = "reverse")]
    pub reverse: bool,

    /// Resolve iteratively from the root hints and print every step
    #[arg(long)]
    pub trace: bool,

    /// Root hints in zone-file format (NS + A/AAAA) for --trace [default: built in]
    #[arg(long, value_name = "FILE", requires = "trace")]
    pub root_hints: Option<PathBuf>,

    /// Destination port for every query [default: 53]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,

    /// Use TCP for every query (otherwise UDP, and TCP when a reply is truncated)
    #[arg(long)]
    pub tcp: bool,

    /// Seconds to wait for each reply (fractions allowed)
    #[arg(long, value_name = "SECS", default_value = "2", value_parser = netlens_core::args::parse_seconds)]
    pub timeout: Duration,

    /// Times to resend a query that got no reply
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub retries: u32,

    /// Set the DO bit: show RRSIG, NSEC/NSEC3, DS and DNSKEY records and the AD flag
    #[arg(long)]
    pub dnssec: bool,

    /// Validate the answer from the trust anchor down (implies --dnssec); with
    /// --trace, at every delegation: DS in the parent -> DNSKEY -> RRSIG
    #[arg(long)]
    pub validate: bool,

    /// Trust anchor: DS or DNSKEY records in zone-file format [default: the
    /// root's KSKs, built in]
    #[arg(long, value_name = "FILE", requires = "validate")]
    pub trust_anchor: Option<PathBuf>,

    /// Print only the record data, one per line (like `dig +short`)
    #[arg(long)]
    pub short: bool,

    /// Say on stderr how the arguments were read (a type word taken as the name)
    #[arg(short = 'v', long)]
    pub verbose: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_types_and_server_are_positional() {
        let args = Args::try_parse_from(["dns-lookup", "@127.0.0.1", "example.com", "MX"]).unwrap();
        assert_eq!(args.targets, ["@127.0.0.1", "example.com", "MX"]);
        assert_eq!(args.timeout, Duration::from_secs(2));
        assert_eq!(args.retries, 1);
        assert!(!args.trace && !args.tcp && !args.short && !args.reverse);
        assert!(!args.dnssec && !args.validate && args.trust_anchor.is_none());
    }

    #[test]
    fn flags_parse() {
        let args = Args::try_parse_from([
            "dns-lookup",
            "--trace",
            "--root-hints",
            "hints",
            "--port",
            "5353",
            "--tcp",
            "--timeout",
            "0.25",
            "--retries",
            "0",
            "--short",
            "--json",
            "-x",
            "192.0.2.1",
        ])
        .unwrap();
        assert!(args.trace && args.tcp && args.short && args.reverse && args.common.json);
        assert_eq!(args.root_hints, Some(PathBuf::from("hints")));
        assert_eq!(args.port, Some(5353));
        assert_eq!(args.timeout, Duration::from_millis(250));
        assert_eq!(args.retries, 0);
        assert_eq!(args.targets, ["192.0.2.1"]);
    }

    #[test]
    fn dnssec_flags_parse() {
        let args = Args::try_parse_from([
            "dns-lookup",
            "--validate",
            "--trust-anchor",
            "root.ds",
            "--dnssec",
            "x",
        ])
        .unwrap();
        assert!(args.validate && args.dnssec);
        assert_eq!(args.trust_anchor, Some(PathBuf::from("root.ds")));
    }

    #[test]
    fn bad_values_are_rejected() {
        for bad in [
            &["dns-lookup", "--timeout", "0", "x"][..],
            &["dns-lookup", "--timeout", "soon", "x"],
            &["dns-lookup", "--port", "0", "x"],
            &["dns-lookup", "--port", "70000", "x"],
            &["dns-lookup", "--root-hints", "f", "x"],
            &["dns-lookup", "--trust-anchor", "f", "x"],
        ] {
            assert!(Args::try_parse_from(bad).is_err(), "{bad:?}");
        }
    }
}
