//! The command-line arguments of `http-get`, shared by its own binary and by
//! `netlens get`. Doc comments are the `--help` text; typed values (`--resolve`,
//! `-H`, durations) are checked while parsing so that a bad flag is a usage error
//! that names the bad token.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Parser;
use netlens_core::{CommonArgs, ParallelArgs};

use crate::payload::FormPart;

/// HTTP/1.1, HTTP/2 and HTTPS requests, every phase shown and timed: resolve,
/// connect, TLS, request, first byte, body; several URLs share a connection.
#[derive(Parser, Debug, Clone)]
#[command(name = "http-get", version, about, after_help = netlens_core::EXIT_CODES_HELP)]
pub struct Args {
    /// The URLs to fetch (http or https), in order, a connection to the
    /// same origin reused; `-` or none: one URL per line on stdin
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,

    /// Request method (GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, ...)
    #[arg(short = 'X', long = "method", value_name = "M")]
    pub method: Option<String>,

    /// Extra request header, repeatable; replaces a default header of the same name
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<HeaderArg>,

    /// Request body (makes the default method POST); @FILE reads it from a
    /// file, @- from stdin; repeatable, joined with &
    #[arg(short = 'd', long = "data", value_name = "DATA|@FILE")]
    pub data: Vec<String>,

    /// Like -d, the bytes exactly as given or as in @FILE
    #[arg(long = "data-binary", value_name = "DATA|@FILE")]
    pub data_binary: Vec<String>,

    /// Like -d, URL-encoded as curl does: CONTENT, =CONTENT, NAME=CONTENT,
    /// @FILE or NAME@FILE
    #[arg(long = "data-urlencode", value_name = "[NAME]=CONTENT|[NAME]@FILE")]
    pub data_urlencode: Vec<String>,

    /// A multipart/form-data part (makes the method POST), repeatable;
    /// ;type=MIME and ;filename=NAME may follow
    #[arg(short = 'F', long = "form", value_name = "NAME=VALUE|NAME=@FILE",
          conflicts_with_all = ["data", "data_binary", "data_urlencode"])]
    pub form: Vec<FormPart>,

    /// Send FILE as the body of a PUT, streamed, with its length (to a URL ending in /, as its name)
    #[arg(short = 'T', long = "upload-file", value_name = "FILE",
          conflicts_with_all = ["data", "data_binary", "data_urlencode", "form"])]
    pub upload_file: Option<PathBuf>,

    /// Basic authentication (also taken from the URL's user:password@)
    #[arg(short = 'u', long = "user", value_name = "USER:PASS")]
    pub user: Option<String>,

    /// Write the body to FILE (through a temporary file renamed when
    /// complete); repeatable, one per URL in order
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with = "remote_name"
    )]
    pub output: Vec<PathBuf>,

    /// Write the body to a file named like the URL's last path segment
    #[arg(short = 'O', long = "remote-name")]
    pub remote_name: bool,

    /// Include the response status line and headers in the output
    #[arg(short = 'i', long = "include")]
    pub include: bool,

    /// Send HEAD and show the response headers only
    #[arg(short = 'I', long = "head")]
    pub head: bool,

    /// Follow redirects
    #[arg(short = 'L', long = "location")]
    pub location: bool,

    /// Most redirects to follow with -L
    #[arg(long = "max-redirs", value_name = "N", default_value_t = 10)]
    pub max_redirs: u32,

    /// Exit 1 on an HTTP status >= 400, writing no body
    #[arg(short = 'f', long = "fail", conflicts_with = "fail_with_body")]
    pub fail: bool,

    /// Exit 1 on an HTTP status >= 400, still writing the body
    #[arg(long = "fail-with-body")]
    pub fail_with_body: bool,

    /// Ask for a compressed body (gzip, deflate, br) and decode it
    #[arg(long = "compressed")]
    pub compressed: bool,

    /// Show every phase on stderr: resolve, socket, connect, TLS, request, response, close
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,

    /// Print a table of phases with durations and offsets from the start (on stderr)
    #[arg(short = 'w', long = "timing")]
    pub timing: bool,

    /// Print the request message that would be sent, and send nothing
    #[arg(long = "offline")]
    pub offline: bool,

    /// Most seconds for resolve, connect and TLS handshake together
    #[arg(long = "connect-timeout", value_name = "SECS", value_parser = netlens_core::args::parse_seconds)]
    pub connect_timeout: Option<Duration>,

    /// Most seconds for each URL's run, redirects included (with -n: for all N requests)
    #[arg(short = 'm', long = "max-time", value_name = "SECS", value_parser = netlens_core::args::parse_seconds)]
    pub max_time: Option<Duration>,

    /// Use ADDR for HOST:PORT instead of resolving it, repeatable
    #[arg(long = "resolve", value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<ResolveArg>,

    /// Accept any server certificate (no verification)
    #[arg(short = 'k', long = "insecure")]
    pub insecure: bool,

    /// Trust the certificates in this PEM file instead of the system roots
    #[arg(long = "cacert", value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Proxy URL (http://[user:pass@]host:port); overrides HTTP_PROXY and HTTPS_PROXY
    #[arg(short = 'x', long = "proxy", value_name = "URL")]
    pub proxy: Option<String>,

    /// Connect over IPv4 only
    #[arg(short = '4', long = "ipv4", conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Connect over IPv6 only
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,

    /// Refuse a body larger than BYTES (announced or decoded)
    #[arg(long = "max-filesize", value_name = "BYTES")]
    pub max_filesize: Option<u64>,

    /// No progress bar
    #[arg(short = 's', long = "silent")]
    pub silent: bool,

    /// Send the same request N times and show statistics per phase (min,
    /// median, p95, max, mean; the first request apart)
    #[arg(short = 'n', long = "repeat", value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,

    /// With -n (and several URLs): a new connection for every request
    #[arg(long = "fresh")]
    pub fresh: bool,

    /// Cookies to send: a Netscape cookie file, or NAME=VALUE[; NAME=VALUE]
    /// sent as is (to the URL's origin only); a file turns the cookie engine on
    #[arg(short = 'b', long = "cookie", value_name = "FILE|NAME=VALUE")]
    pub cookie: Option<String>,

    /// Keep cookies across redirects and URLs, and write them all to FILE
    /// (Netscape format, as curl) at the end
    #[arg(short = 'c', long = "cookie-jar", value_name = "FILE")]
    pub cookie_jar: Option<PathBuf>,

    /// Retry a transient failure (timeout, refused connection, status 408,
    /// 429, 500, 502, 503 or 504) up to N times
    #[arg(
        long = "retry",
        value_name = "N",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    pub retry: u32,

    /// Seconds between retries (default: 1, doubling after each retry);
    /// a Retry-After from the server comes first
    #[arg(long = "retry-delay", value_name = "SECS", value_parser = netlens_core::args::parse_seconds)]
    pub retry_delay: Option<Duration>,

    /// No retry once this many seconds have passed since the first attempt
    #[arg(long = "retry-max-time", value_name = "SECS", value_parser = netlens_core::args::parse_seconds)]
    pub retry_max_time: Option<Duration>,

    /// Speak HTTP/1.1 only (https offers only http/1.1 by ALPN)
    #[arg(long = "http1.1", group = "http_version")]
    pub http1_1: bool,

    /// Prefer HTTP/2 (the default for https, where ALPN offers h2 and http/1.1)
    #[arg(long = "http2", group = "http_version")]
    pub http2: bool,

    /// Speak HTTP/2 from the first byte, also on cleartext http (h2c)
    #[arg(long = "http2-prior-knowledge", group = "http_version")]
    pub http2_prior_knowledge: bool,

    /// With -P: at most N connections (and requests in flight) per host
    #[arg(long = "per-host", value_name = "N", default_value = "6", value_parser = netlens_core::bulk::parse_positive)]
    pub per_host: usize,

    /// Requests in flight at once, requests per second, order of results
    #[command(flatten)]
    pub parallel: ParallelArgs,

    /// Shared flags
    #[command(flatten)]
    pub common: CommonArgs,
}

/// A `-H 'Name: value'` header, checked: a token name and no CR or LF anywhere.
///
/// See: RFC 9110 §5.1 (field names are tokens), §5.5 (CR and LF are not allowed in values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderArg {
    /// The header name as given.
    pub name: String,
    /// The value, leading and trailing whitespace removed.
    pub value: String,
}

impl FromStr for HeaderArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.contains(['\r', '\n']) {
            return Err(format!("header {s:?}: contains CR or LF"));
        }
        let (name, value) = s
            .split_once(':')
            .ok_or_else(|| format!("header {s:?}: expected NAME: VALUE"))?;
        let is_tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if name.is_empty() || !name.chars().all(is_tchar) {
            return Err(format!("header {s:?}: invalid header name {name:?}"));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(format!("header {s:?}: control character in value"));
        }
        Ok(HeaderArg {
            name: name.to_string(),
            value: value.trim().to_string(),
        })
    }
}

/// A `--resolve HOST:PORT:ADDR` override (ADDR may be in brackets for IPv6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveArg {
    /// The host name, lowercase.
    pub host: String,
    /// The port it applies to.
    pub port: u16,
    /// The address to use.
    pub addr: IpAddr,
    /// The port to connect to instead of `port` (none from `--resolve`, which keeps it).
    pub connect_port: Option<u16>,
}

impl ResolveArg {
    /// An override that sends `host:port` to another address *and port*, as
    /// curl's `--connect-to` does: the request (its `Host` header included) is
    /// still the one for `host:port`. `netlens journey --sandbox` reaches its
    /// loopback web server this way.
    pub fn connect_to(host: &str, port: u16, to: SocketAddr) -> ResolveArg {
        ResolveArg {
            host: host.to_ascii_lowercase(),
            port,
            addr: to.ip(),
            connect_port: Some(to.port()),
        }
    }

    /// The socket address to connect to.
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.addr, self.connect_port.unwrap_or(self.port))
    }
}

impl FromStr for ResolveArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| format!("resolve {s:?}: {why}");
        let (host, rest) = s
            .split_once(':')
            .ok_or_else(|| bad("expected HOST:PORT:ADDR"))?;
        let (port, addr) = rest
            .split_once(':')
            .ok_or_else(|| bad("expected HOST:PORT:ADDR"))?;
        if host.is_empty() {
            return Err(bad("empty host"));
        }
        let port = port
            .parse()
            .map_err(|_| bad(&format!("invalid port {port:?}")))?;
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        let addr = addr
            .parse()
            .map_err(|_| bad(&format!("invalid address {addr:?}")))?;
        Ok(ResolveArg {
            host: host.to_ascii_lowercase(),
            port,
            addr,
            connect_port: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("http-get").chain(args.iter().copied()))
    }

    #[test]
    fn parses_the_common_flags() {
        let a = parse(&[
            "-v",
            "-w",
            "-L",
            "--max-redirs",
            "3",
            "-H",
            "X-A: 1",
            "-u",
            "u:p",
            "-m",
            "1.5",
            "http://x/",
        ])
        .unwrap();
        assert!(a.verbose && a.timing && a.location);
        assert_eq!(a.max_redirs, 3);
        assert_eq!(a.headers[0].name, "X-A");
        assert_eq!(a.headers[0].value, "1");
        assert_eq!(a.max_time, Some(Duration::from_millis(1500)));
        assert_eq!(a.urls, ["http://x/"]);
    }

    #[test]
    fn rejects_crlf_and_bad_names_in_headers() {
        assert!(parse(&["-H", "X-A: 1\r\nEvil: 2", "http://x/"]).is_err());
        assert!(parse(&["-H", "X A: 1", "http://x/"]).is_err());
        assert!(parse(&["-H", "novalue", "http://x/"]).is_err());
        assert!("X-A: \u{0}".parse::<HeaderArg>().is_err());
    }

    #[test]
    fn parses_resolve_overrides() {
        let r: ResolveArg = "Example.com:443:[::1]".parse().unwrap();
        assert_eq!(r.host, "example.com");
        assert_eq!(r.socket_addr(), "[::1]:443".parse().unwrap());
        assert!("x:99999:127.0.0.1".parse::<ResolveArg>().is_err());
        assert!("x:80:nope".parse::<ResolveArg>().is_err());
        assert!("x:80".parse::<ResolveArg>().is_err());
        let moved = ResolveArg::connect_to("WWW.test", 80, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(moved.host, "www.test");
        assert_eq!(moved.port, 80);
        assert_eq!(moved.socket_addr(), "127.0.0.1:8080".parse().unwrap());
    }

    #[test]
    fn rejects_conflicts_and_bad_times() {
        assert!(parse(&["-4", "-6", "http://x/"]).is_err());
        assert!(parse(&["-f", "--fail-with-body", "http://x/"]).is_err());
        assert!(parse(&["-m", "0", "http://x/"]).is_err());
        assert!(parse(&["-m", "soon", "http://x/"]).is_err());
        assert!(parse(&["--http1.1", "--http2", "http://x/"]).is_err());
        let e = parse(&["-F", "novalue", "http://x/"]).unwrap_err();
        assert!(e.to_string().contains("novalue"), "{e}");
        assert!(parse(&["-F", "a=1", "-d", "x", "http://x/"]).is_err());
        let e = parse(&["--retry", "-1", "http://x/"]).unwrap_err();
        assert!(e.to_string().contains("'-1'"), "{e}");
        assert_eq!(parse(&["--retry", "3", "http://x/"]).unwrap().retry, 3);
        assert!(
            parse(&["--http2-prior-knowledge", "http://x/"])
                .unwrap()
                .http2_prior_knowledge
        );
        assert!(parse(&[]).unwrap().urls.is_empty());
    }
}
