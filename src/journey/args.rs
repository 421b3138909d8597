//! Command-line arguments of `netlens journey`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::Parser;
use netlens_core::{CommonArgs, EXIT_CODES_HELP};

/// Follow one request out of a browser, step by step: the URL decoded, the
/// request message built, the resolver asking the nearest DNS server (and
/// what that server did behind it), the address placed in its subnet, the
/// socket's descriptor, connect, writes and reads, the response, what the page
/// asks for next over the same connection, and close.
#[derive(Parser, Debug, Clone)]
#[command(name = "journey", version, about, after_help = EXIT_CODES_HELP)]
pub struct JourneyArgs {
    /// The URL to follow (http or https)
    #[arg(value_name = "URL")]
    pub url: String,

    /// Run offline against the built-in loopback internet: a DNS hierarchy on
    /// 127.53.x.y and a web server on 127.0.0.1, started in-process
    #[arg(long)]
    pub sandbox: bool,

    /// Without --sandbox: the DNS server the stub resolver asks (IP or
    /// IP:PORT), instead of the first one of the system's configuration
    #[arg(long, value_name = "ADDR", value_parser = parse_resolver)]
    pub resolver: Option<SocketAddr>,

    /// Teaching mode: on a terminal, wait for Enter between steps
    #[arg(long)]
    pub step: bool,

    /// Seconds for each network step: every DNS reply, and the connection
    /// with its request and response (fractions allowed)
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = netlens_core::args::parse_seconds)]
    pub timeout: Duration,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
}

/// `IP` (port 53) or `IP:PORT`.
fn parse_resolver(text: &str) -> Result<SocketAddr, String> {
    text.parse::<SocketAddr>()
        .or_else(|_| text.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
        .map_err(|_| format!("{text:?} is not an IP address or IP:PORT"))
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, FromArgMatches};

    use super::*;

    /// The arguments as the `journey` subcommand parses them.
    fn parse(argv: &[&str]) -> Result<JourneyArgs, clap::Error> {
        let matches = JourneyArgs::command().try_get_matches_from(argv)?;
        JourneyArgs::from_arg_matches(&matches)
    }

    #[test]
    fn url_and_flags_parse() {
        let args = parse(&[
            "journey",
            "--sandbox",
            "--json",
            "--timeout",
            "0.5",
            "http://www.lab.glasscom.com/sample.htm",
        ])
        .unwrap();
        assert!(args.sandbox && args.common.json);
        assert_eq!(args.timeout, Duration::from_millis(500));
        assert_eq!(args.url, "http://www.lab.glasscom.com/sample.htm");
        let args = parse(&["journey", "--resolver", "127.0.0.9", "http://h/"]).unwrap();
        assert_eq!(args.resolver, Some("127.0.0.9:53".parse().unwrap()));
        let args = parse(&["journey", "http://h/"]).unwrap();
        assert!(!args.sandbox);
        assert_eq!(args.timeout, Duration::from_secs(5));
    }

    #[test]
    fn bad_values_are_rejected() {
        for bad in [
            &["journey"][..],
            &["journey", "--timeout", "0", "http://h/"],
            &["journey", "--timeout", "soon", "http://h/"],
            &["journey", "http://a/", "http://b/"],
            &["journey", "--resolver", "ns.example", "http://h/"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
