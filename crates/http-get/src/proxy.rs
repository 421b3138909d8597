//! Which proxy, if any: `-x URL`, else `HTTP_PROXY` / `HTTPS_PROXY` (either
//! case) for the URL's scheme, unless `NO_PROXY` names the host. An http URL
//! goes through the proxy in absolute form; an https URL through a CONNECT
//! tunnel ([`tunnel`]), so that TLS stays end to end.

use std::net::IpAddr;

use bytes::Bytes;
use http::Request;
use http_body_util::Empty;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use netlens_core::Ctx;
use netlens_core::redact::mask_url_password;

use crate::conn::Stream;
use crate::error::Error;
use crate::exchange::idle;
use crate::render::Printer;
use crate::request::Credentials;
use crate::target::{Scheme, Target};

/// The port of a proxy URL that names none, as curl uses.
const DEFAULT_PROXY_PORT: &str = "1080";

/// A proxy to go through.
#[derive(Debug, Clone)]
pub(crate) struct Proxy {
    /// The proxy's address (an http URL).
    pub(crate) target: Target,
    /// `Proxy-Authorization` credentials from the proxy URL's userinfo.
    pub credentials: Option<Credentials>,
    /// Where the proxy setting came from, for verbose output.
    pub from: &'static str,
}

/// Pick the proxy for `target`; `env` looks up an environment variable.
pub(crate) fn select(
    flag: Option<&str>,
    target: &Target,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Proxy>, Error> {
    let var = |names: [&'static str; 2]| {
        names
            .into_iter()
            .find_map(|n| env(n).filter(|v| !v.trim().is_empty()).map(|v| (v, n)))
    };
    let chosen = match flag {
        Some(url) => Some((url.to_string(), "-x")),
        None => match target.scheme {
            Scheme::Http => var(["http_proxy", "HTTP_PROXY"]),
            Scheme::Https => var(["https_proxy", "HTTPS_PROXY"]),
        },
    };
    let Some((url, from)) = chosen else {
        return Ok(None);
    };
    if flag.is_some_and(str::is_empty) {
        // `-x ''` turns proxies off, as in curl.
        return Ok(None);
    }
    if let Some((no_proxy, _)) = var(["no_proxy", "NO_PROXY"])
        && bypass(&no_proxy, &target.host)
    {
        return Ok(None);
    }
    let with_scheme = if url.contains("://") {
        url.clone()
    } else {
        format!("http://{url}")
    };
    let parsed = Target::parse(&with_scheme, None).map_err(|_| {
        Error::Usage(format!(
            "proxy {}: not a valid proxy URL",
            mask_url_password(&with_scheme)
        ))
    })?;
    if parsed.scheme != Scheme::Http {
        return Err(Error::Usage(format!(
            "proxy {}: only http:// proxies are supported",
            parsed.display()
        )));
    }
    // A port other than 80 shows in the parsed URL; an explicit 80, which the
    // parser drops as the default, only in the text.
    let parsed = if parsed.port != Scheme::Http.default_port() || has_explicit_port(&with_scheme) {
        parsed
    } else {
        // Cut the parsed href, not the text given: it starts with `http://` and
        // is ASCII up to the path (userinfo percent-encoded, host in punycode),
        // so byte offsets fall on character boundaries.
        let mut url = parsed.href().to_string();
        let authority_end = url[7..].find(['/', '?', '#']).map_or(url.len(), |i| i + 7);
        url.insert_str(authority_end, &format!(":{DEFAULT_PROXY_PORT}"));
        Target::parse(&url, None)?
    };
    Ok(Some(Proxy {
        credentials: parsed.userinfo().map(|(u, p)| Credentials::new(&u, &p)),
        target: parsed,
        from,
    }))
}

/// Ask the proxy for a tunnel to the target with CONNECT, through hyper.
///
/// See: RFC 9110 §9.3.6.
pub(crate) async fn tunnel(
    ctx: &mut Ctx,
    printer: &Printer,
    stream: Box<dyn Stream>,
    target: &Target,
    proxy: &Proxy,
) -> Result<Box<dyn Stream>, Error> {
    let authority = target.authority();
    let (mut sender, conn) = http1::Builder::new()
        .title_case_headers(true)
        .handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
        .await
        .map_err(|e| Error::from_hyper("proxy handshake", &e))?;
    let driver = tokio::spawn(conn.with_upgrades());
    let mut request = Request::connect(authority.as_str()).header("Host", authority.as_str());
    if let Some(credentials) = &proxy.credentials {
        request = request.header("Proxy-Authorization", credentials.basic());
    }
    let request = request
        .body(Empty::new())
        .map_err(|e| Error::Usage(format!("CONNECT {authority}: {e}")))?;
    printer.tunnel(ctx, &authority);
    let response = idle("proxy CONNECT", sender.send_request(request))
        .await?
        .map_err(|e| Error::from_hyper("proxy CONNECT", &e))?;
    let status = response.status();
    printer.tunnel_answer(ctx, status);
    if !status.is_success() {
        driver.abort();
        return Err(Error::Protocol(format!(
            "proxy {}: CONNECT {authority} refused with {status}",
            proxy.target.authority()
        )));
    }
    let upgraded = hyper::upgrade::on(response)
        .await
        .map_err(|e| Error::from_hyper("proxy tunnel", &e))?;
    Ok(Box::new(TokioIo::new(upgraded)))
}

fn has_explicit_port(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    match host_port.rfind(']') {
        Some(close) => host_port[close..].contains(':'),
        None => host_port.contains(':'),
    }
}

/// Whether `NO_PROXY` exempts `host`: `*`, a domain (and its subdomains, with
/// or without a leading dot), an address, or an address block in CIDR form.
pub(crate) fn bypass(no_proxy: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host_ip = host.parse::<IpAddr>().ok();
    no_proxy
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = entry.to_ascii_lowercase();
            if let (Some(ip), Some((net, len))) = (host_ip, entry.split_once('/')) {
                return in_block(ip, net, len);
            }
            let entry = entry.trim_start_matches('.').trim_end_matches('.');
            let entry = entry
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or(entry);
            host == entry || host.ends_with(&format!(".{entry}"))
        })
}

fn in_block(ip: IpAddr, net: &str, len: &str) -> bool {
    let (Ok(net), Ok(len)) = (net.parse::<IpAddr>(), len.parse::<u32>()) else {
        return false;
    };
    let (a, b, bits) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(a.to_bits()), u128::from(b.to_bits()), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (a.to_bits(), b.to_bits(), 128),
        _ => return false,
    };
    if len > bits {
        return false;
    }
    let shift = bits - len;
    shift >= 128 || a >> shift == b >> shift
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn picks_the_variable_for_the_scheme() {
        let e = env(&[
            ("HTTP_PROXY", "127.0.0.9:3128"),
            ("https_proxy", "http://u:p@p.test"),
        ]);
        let http = Target::parse("http://a.test/", None).unwrap();
        let p = select(None, &http, &e).unwrap().unwrap();
        assert_eq!(p.target.authority(), "127.0.0.9:3128");
        assert!(p.credentials.is_none());
        let https = Target::parse("https://a.test/", None).unwrap();
        let p = select(None, &https, &e).unwrap().unwrap();
        assert_eq!(p.target.authority(), "p.test:1080");
        assert_eq!(p.credentials.unwrap().user, "u");
    }

    #[test]
    fn flag_wins_and_no_proxy_exempts() {
        let e = env(&[
            ("HTTP_PROXY", "http://env.test:1"),
            ("NO_PROXY", ".local, 10.0.0.0/8"),
        ]);
        let t = Target::parse("http://a.test/", None).unwrap();
        let p = select(Some("http://flag.test:2"), &t, &e).unwrap().unwrap();
        assert_eq!(p.from, "-x");
        assert!(select(Some(""), &t, &e).unwrap().is_none());
        let local = Target::parse("http://x.local/", None).unwrap();
        assert!(select(None, &local, &e).unwrap().is_none());
        let ten = Target::parse("http://10.1.2.3/", None).unwrap();
        assert!(select(None, &ten, &e).unwrap().is_none());
        assert!(select(Some("socks5://h:1"), &t, &e).is_err());
    }

    /// The default port was once put in by cutting the text given at byte 7,
    /// which panicked inside a character (`http:/é://x` reads as `http://é`).
    #[test]
    fn default_port_goes_after_the_parsed_authority() {
        let t = Target::parse("http://a.test/", None).unwrap();
        let e = env(&[]);
        let p = select(Some("http:/\u{e9}://x"), &t, &e).unwrap().unwrap();
        assert_eq!(p.target.authority(), "xn--9ca:1080");
        let p = select(Some("u:p@p.test/x"), &t, &e).unwrap().unwrap();
        assert_eq!(p.target.authority(), "p.test:1080");
        assert_eq!(p.credentials.unwrap().user, "u");
        let p = select(Some("http://p.test:80"), &t, &e).unwrap().unwrap();
        assert_eq!(p.target.authority(), "p.test:80");
        let p = select(Some("http://p.test:8080"), &t, &e).unwrap().unwrap();
        assert_eq!(p.target.authority(), "p.test:8080");
    }

    #[test]
    fn no_proxy_matching() {
        assert!(bypass("*", "anything"));
        assert!(bypass("example.com", "www.example.com"));
        assert!(bypass("example.com", "example.com"));
        assert!(!bypass("example.com", "badexample.com"));
        assert!(bypass("127.0.0.1", "127.0.0.1"));
        assert!(bypass("::1", "::1"));
        assert!(bypass("127.0.0.0/8", "127.9.9.9"));
        assert!(!bypass("127.0.0.0/8", "128.0.0.1"));
        assert!(bypass("::/0", "2001:db8::1"));
    }
}
