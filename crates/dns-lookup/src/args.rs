//! Command-line arguments of dns-lookup (shared by its binary and `netlens dns`).

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use netlens_core::{CommonArgs, EXIT_CODES_HELP};

/// Look up DNS records through the system resolver or a named server, or trace
/// the resolution iteratively from the root servers, every referral shown.
#[derive(Parser, Debug, Clone)]
#[command(name = "dns-lookup", version, about, after_help = EXIT_CODES_HELP)]
#[command(group(clap::ArgGroup::new("iterative").args(["trace", "nssearch"])))]
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

    /// Ask every server of the name's zone for its SOA and compare the serials
    #[arg(long)]
    pub nssearch: bool,

    /// Root hints in zone-file format (NS + A/AAAA) for --trace and --nssearch [default: built in]
    #[arg(long, value_name = "FILE", requires = "iterative")]
    pub root_hints: Option<PathBuf>,

    /// Destination port for every query [default: 53]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,

    /// Use TCP for every query (otherwise UDP, and TCP when a reply is truncated)
    #[arg(long)]
    pub tcp: bool,

    /// DNS over TLS (RFC 7858) to the named server, port 853 unless --port
    #[arg(long, conflicts_with_all = ["https", "tcp", "iterative"])]
    pub tls: bool,

    /// DNS over HTTPS (RFC 8484, POST, HTTP/2) to the named server, port 443
    /// unless --port [default URL: https://SERVER/dns-query]
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "", conflicts_with_all = ["tcp", "iterative"])]
    pub https: Option<String>,

    /// The name the server's certificate must hold [default: the URL's host, or the server's address]
    #[arg(long, value_name = "NAME")]
    pub tls_name: Option<String>,

    /// Trust the CA certificates of this PEM file instead of the system's
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Do not check the server's certificate (--tls, --https)
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// Seconds to wait for each reply (fractions allowed)
    #[arg(long, value_name = "SECS", default_value = "2", value_parser = netlens_core::args::parse_seconds)]
    pub timeout: Duration,

    /// Times to resend a query that got no reply
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub retries: u32,

    /// Bound on one name's whole resolution, every server and retry included
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = netlens_core::args::parse_seconds)]
    pub max_time: Duration,

    /// EDNS UDP payload size to advertise
    #[arg(long, value_name = "N", default_value_t = 1232)]
    pub bufsize: u16,

    /// Send no EDNS OPT record (and so no EDNS option)
    #[arg(long, conflicts_with_all = ["nsid", "subnet", "cookie", "padding", "ednsopt", "dnssec", "validate"])]
    pub no_edns: bool,

    /// Ask for the server's identifier (EDNS NSID)
    #[arg(long)]
    pub nsid: bool,

    /// Send an EDNS client subnet (ECS)
    #[arg(long, value_name = "ADDR/PREFIX")]
    pub subnet: Option<String>,

    /// Send a DNS cookie: HEX, or a random client cookie
    #[arg(long, value_name = "HEX", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub cookie: Option<String>,

    /// Pad queries to 128-byte blocks (EDNS padding)
    #[arg(long)]
    pub padding: bool,

    /// Send any EDNS option, its data in hex (repeatable)
    #[arg(long, value_name = "CODE[:HEX]")]
    pub ednsopt: Vec<String>,

    /// Clear RD (recursion desired) in query mode
    #[arg(long)]
    pub norecurse: bool,

    /// Set CD (checking disabled)
    #[arg(long)]
    pub cd: bool,

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

impl Args {
    /// `--https NAME`: a value that is no URL (no `://`, no leading `/`) is
    /// the first name to look up, not the URL.
    pub(crate) fn with_https_value_checked(mut self) -> Args {
        if let Some(value) = self.https.as_mut()
            && !value.is_empty()
            && !value.contains("://")
            && !value.starts_with('/')
        {
            self.targets.insert(0, std::mem::take(value));
        }
        self
    }
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
        assert_eq!(args.max_time, Duration::from_secs(10));
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
        assert!(Args::try_parse_from(["dns-lookup", "--no-edns", "--dnssec", "x"]).is_err());
    }

    #[test]
    fn edns_flags_parse() {
        let args = Args::try_parse_from([
            "dns-lookup",
            "--nsid",
            "--cookie",
            "--subnet",
            "192.0.2.0/24",
            "--ednsopt",
            "65001:ab",
            "--ednsopt",
            "3",
            "--bufsize",
            "4096",
            "--padding",
            "--cd",
            "--norecurse",
            "x",
        ])
        .unwrap();
        assert!(args.nsid && args.padding && args.cd && args.norecurse);
        assert_eq!(args.cookie.as_deref(), Some(""));
        assert_eq!(args.ednsopt, ["65001:ab", "3"]);
        assert_eq!(args.bufsize, 4096);
        assert_eq!(args.targets, ["x"]);
        let args = Args::try_parse_from(["dns-lookup", "--cookie=0102030405060708", "x"]).unwrap();
        assert_eq!(args.cookie.as_deref(), Some("0102030405060708"));
        assert!(Args::try_parse_from(["dns-lookup", "--no-edns", "--nsid", "x"]).is_err());
    }

    #[test]
    fn https_takes_a_url_or_leaves_the_name() {
        let args = Args::try_parse_from(["dns-lookup", "--https", "www.example", "AAAA"])
            .unwrap()
            .with_https_value_checked();
        assert_eq!(args.https.as_deref(), Some(""));
        assert_eq!(args.targets, ["www.example", "AAAA"]);
        let args = Args::try_parse_from(["dns-lookup", "--https", "https://d.example/q", "x"])
            .unwrap()
            .with_https_value_checked();
        assert_eq!(args.https.as_deref(), Some("https://d.example/q"));
        assert_eq!(args.targets, ["x"]);
        assert!(Args::try_parse_from(["dns-lookup", "--tls", "--https", "x"]).is_err());
        assert!(Args::try_parse_from(["dns-lookup", "--tls", "--trace", "x"]).is_err());
    }

    #[test]
    fn bad_values_are_rejected() {
        for bad in [
            &["dns-lookup", "--timeout", "0", "x"][..],
            &["dns-lookup", "--timeout", "soon", "x"],
            &["dns-lookup", "--port", "0", "x"],
            &["dns-lookup", "--port", "70000", "x"],
            &["dns-lookup", "--root-hints", "f", "x"],
        ] {
            assert!(Args::try_parse_from(bad).is_err(), "{bad:?}");
        }
    }
}
