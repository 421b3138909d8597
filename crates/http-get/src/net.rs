//! Finding the server and opening the socket: name resolution (hickory-resolver
//! with the system configuration, or `--resolve`) and Happy Eyeballs connection
//! racing over the addresses found.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::TokioResolver;
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use crate::args::ResolveArg;
use crate::error::Error;

/// How long to wait for one attempt before starting the next in parallel.
///
/// See: RFC 8305 §5 (Connection Attempt Delay, recommended 250 ms).
const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// Which address family to connect over (`-4`, `-6`, or either).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// IPv4 and IPv6, raced.
    Any,
    /// IPv4 only.
    V4,
    /// IPv6 only.
    V6,
}

impl Family {
    fn allows(self, ip: &IpAddr) -> bool {
        match self {
            Family::Any => true,
            Family::V4 => ip.is_ipv4(),
            Family::V6 => ip.is_ipv6(),
        }
    }
}

/// Where the addresses came from, for verbose output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The host is an address literal.
    Literal,
    /// A `--resolve` override.
    Override,
    /// The system resolver configuration (hickory-resolver).
    Resolver,
}

impl Source {
    /// How verbose output names the source.
    pub fn describe(self) -> &'static str {
        match self {
            Source::Literal => "address literal, no lookup",
            Source::Override => "from --resolve",
            Source::Resolver => "from the system resolver",
        }
    }
}

/// Addresses to connect to, in the order to try them.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The addresses, families interleaved (RFC 8305 §4).
    pub addrs: Vec<SocketAddr>,
    /// Where they came from.
    pub source: Source,
}

/// Resolve `host` for `port`, honoring `--resolve` overrides and `-4`/`-6`.
pub async fn resolve(
    host: &str,
    port: u16,
    overrides: &[ResolveArg],
    family: Family,
) -> Result<Resolved, Error> {
    let lower = host.to_ascii_lowercase();
    let overridden: Vec<SocketAddr> = overrides
        .iter()
        .filter(|r| r.host == lower && r.port == port)
        .map(ResolveArg::socket_addr)
        .collect();
    let (ips, source) = if !overridden.is_empty() {
        (
            overridden.iter().map(SocketAddr::ip).collect(),
            Source::Override,
        )
    } else if let Ok(ip) = host.parse::<IpAddr>() {
        (vec![ip], Source::Literal)
    } else {
        (system_lookup(host).await?, Source::Resolver)
    };
    // An override may move the port too (`ResolveArg::connect_to`).
    let to_port = overridden.first().map_or(port, SocketAddr::port);
    let ips: Vec<IpAddr> = ips.into_iter().filter(|ip| family.allows(ip)).collect();
    if ips.is_empty() {
        return Err(Error::Resolve {
            host: host.to_string(),
            reason: format!(
                "no {} address",
                match family {
                    Family::V4 => "IPv4",
                    Family::V6 => "IPv6",
                    Family::Any => "IP",
                }
            ),
        });
    }
    let addrs = interleave(ips)
        .into_iter()
        .map(|ip| SocketAddr::new(ip, to_port))
        .collect();
    Ok(Resolved { addrs, source })
}

/// Ask the system's resolver configuration through hickory-resolver.
async fn system_lookup(host: &str) -> Result<Vec<IpAddr>, Error> {
    let fail = |reason: String| Error::Resolve {
        host: host.to_string(),
        reason,
    };
    let resolver = TokioResolver::builder_tokio()
        .map_err(|e| fail(format!("system resolver configuration: {e}")))?
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let lookup = resolver
        .lookup_ip(host)
        .await
        .map_err(|e| fail(e.to_string()))?;
    Ok(lookup.iter().collect())
}

/// Order addresses for Happy Eyeballs: alternate families, starting with the
/// family of the first address returned, keeping each family's own order.
///
/// See: RFC 8305 §4.
pub fn interleave(ips: Vec<IpAddr>) -> Vec<IpAddr> {
    let first_v6 = ips.first().is_some_and(IpAddr::is_ipv6);
    let (mut v6, mut v4): (Vec<_>, Vec<_>) = ips.into_iter().partition(IpAddr::is_ipv6);
    let (first, second) = if first_v6 {
        (&mut v6, &mut v4)
    } else {
        (&mut v4, &mut v6)
    };
    let mut out = Vec::with_capacity(first.len() + second.len());
    let mut a = first.drain(..);
    let mut b = second.drain(..);
    loop {
        match (a.next(), b.next()) {
            (None, None) => break,
            (x, y) => out.extend(x.into_iter().chain(y)),
        }
    }
    out
}

/// An I/O error as a message in house style: lower case, no `(os error N)`.
pub fn describe(error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text.to_string(),
    }
}

/// One failed connection attempt, for verbose output.
#[derive(Debug, Clone)]
pub struct Failed {
    /// The address tried.
    pub addr: SocketAddr,
    /// Why it failed.
    pub reason: String,
}

/// Connect to the first address that answers, racing attempts Happy Eyeballs
/// style: a new attempt starts when the previous one fails or after
/// [`ATTEMPT_DELAY`], and the first connection established wins (the others
/// are dropped).
///
/// See: RFC 8305 §5.
pub async fn connect(addrs: &[SocketAddr]) -> Result<(TcpStream, Vec<Failed>), Error> {
    let mut attempts = JoinSet::new();
    let mut failed = Vec::new();
    let mut next = 0;
    let mut start_next = true;
    loop {
        if start_next && next < addrs.len() {
            let addr = addrs[next];
            attempts.spawn(async move { (addr, TcpStream::connect(addr).await) });
            next += 1;
        }
        if attempts.is_empty() {
            break;
        }
        let more = next < addrs.len();
        tokio::select! {
            joined = attempts.join_next() => {
                match joined {
                    Some(Ok((_, Ok(stream)))) => {
                        // Nagle would hold back a small request behind its own headers.
                        let _ = stream.set_nodelay(true);
                        return Ok((stream, failed));
                    }
                    Some(Ok((addr, Err(e)))) => {
                        failed.push(Failed { addr, reason: describe(&e) });
                        start_next = true;
                    }
                    Some(Err(e)) => {
                        failed.push(Failed { addr: addrs[next - 1], reason: e.to_string() });
                        start_next = true;
                    }
                    None => break,
                }
            }
            _ = tokio::time::sleep(ATTEMPT_DELAY), if more => start_next = true,
        }
    }
    let to = addrs
        .iter()
        .map(SocketAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let reason = failed
        .last()
        .map(|f| f.reason.clone())
        .unwrap_or_else(|| "no address to connect to".to_string());
    Err(Error::Connect { to, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn io_errors_read_in_house_style() {
        let e = std::io::Error::from_raw_os_error(111);
        assert_eq!(describe(&e), "connection refused");
    }

    #[test]
    fn interleaves_families_starting_with_the_first() {
        let got = interleave(vec![ip("::1"), ip("::2"), ip("::3"), ip("10.0.0.1")]);
        assert_eq!(got, vec![ip("::1"), ip("10.0.0.1"), ip("::2"), ip("::3")]);
        let got = interleave(vec![ip("10.0.0.1"), ip("10.0.0.2"), ip("::1")]);
        assert_eq!(got, vec![ip("10.0.0.1"), ip("::1"), ip("10.0.0.2")]);
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn overrides_and_literals_need_no_resolver() {
        let rt = runtime();
        let overrides = vec!["a.test:80:127.0.0.2".parse().unwrap()];
        let r = rt
            .block_on(resolve("A.test", 80, &overrides, Family::Any))
            .unwrap();
        assert_eq!(r.addrs, vec!["127.0.0.2:80".parse().unwrap()]);
        assert_eq!(r.source, Source::Override);
        let moved = vec![ResolveArg::connect_to(
            "a.test",
            80,
            "127.0.0.3:8080".parse().unwrap(),
        )];
        let r = rt
            .block_on(resolve("a.test", 80, &moved, Family::Any))
            .unwrap();
        assert_eq!(r.addrs, vec!["127.0.0.3:8080".parse().unwrap()]);
        let r = rt.block_on(resolve("::1", 8080, &[], Family::Any)).unwrap();
        assert_eq!(r.source, Source::Literal);
        let e = rt
            .block_on(resolve("::1", 8080, &[], Family::V4))
            .unwrap_err();
        assert!(e.to_string().contains("no IPv4 address"), "{e}");
    }

    #[test]
    fn a_silent_address_is_raced_after_the_attempt_delay() {
        let silent =
            netlens_sandbox::web::scripted::blackhole("127.0.0.1:0".parse().unwrap()).unwrap();
        let rt = runtime();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let good = listener.local_addr().unwrap();
            // The silent attempt is still pending when the second one wins.
            let (stream, failed) = connect(&[silent, good]).await.unwrap();
            assert_eq!(stream.peer_addr().unwrap(), good);
            assert!(failed.is_empty(), "{failed:?}");
        });
    }

    #[test]
    fn a_refused_address_falls_through_to_the_next() {
        let rt = runtime();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let good = listener.local_addr().unwrap();
            let refused = {
                let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                l.local_addr().unwrap()
            };
            let (stream, failed) = connect(&[refused, good]).await.unwrap();
            assert_eq!(stream.peer_addr().unwrap(), good);
            assert_eq!(failed.len(), 1);
            assert_eq!(failed[0].addr, refused);
            let e = connect(&[refused]).await.unwrap_err();
            assert_eq!(netlens_core::Failure::exit_code(&e).code(), 3);
        });
    }
}
