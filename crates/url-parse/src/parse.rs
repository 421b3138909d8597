//! Parsing a URL with Ada, and the reason in words when parsing fails.
//!
//! Ada (the parser Node.js uses) implements the WHATWG URL Standard; it only says
//! whether an input parsed. When it did not, [`diagnose`] looks at the input
//! again to name the part that is wrong (`invalid port number`, `empty host`...).
//!
//! See: <https://url.spec.whatwg.org/#concept-basic-url-parser>

use std::borrow::Cow;
use std::fmt;

use ada_url::Url;

/// Why an input is not a URL, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// No scheme, and no `--base` to resolve it against.
    RelativeWithoutBase,
    /// A relative reference against a base whose path is opaque (`mailto:...`).
    OpaqueBase,
    /// A port that is not a number of 0..=65535.
    InvalidPort,
    /// A special scheme (http, https, ws, wss, ftp) without a host.
    EmptyHost,
    /// A bracketed host that is not an IPv6 address.
    InvalidIpv6,
    /// A host ending in a number that is not a valid IPv4 address.
    InvalidIpv4,
    /// A host with a code point that hosts may not contain.
    ForbiddenHostCodePoint(char),
    /// A label that IDNA processing rejects (UTS #46).
    InvalidIdn(String),
    /// Anything else the parser rejected.
    Invalid,
}

impl Reason {
    /// A short machine-readable kind for JSON error objects.
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::RelativeWithoutBase => "relative_url_without_base",
            Reason::OpaqueBase => "base_cannot_have_relative_urls",
            Reason::InvalidPort => "invalid_port",
            Reason::EmptyHost => "empty_host",
            Reason::InvalidIpv6 => "invalid_ipv6",
            Reason::InvalidIpv4 => "invalid_ipv4",
            Reason::ForbiddenHostCodePoint(_) => "forbidden_host_code_point",
            Reason::InvalidIdn(_) => "invalid_idn",
            Reason::Invalid => "invalid_url",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::RelativeWithoutBase => f.write_str("relative URL without a base"),
            Reason::OpaqueBase => {
                f.write_str("relative URL against a base that cannot have relative URLs")
            }
            Reason::InvalidPort => f.write_str("invalid port number"),
            Reason::EmptyHost => f.write_str("empty host"),
            Reason::InvalidIpv6 => f.write_str("invalid IPv6 address"),
            Reason::InvalidIpv4 => f.write_str("invalid IPv4 address"),
            Reason::ForbiddenHostCodePoint(c) => {
                write!(f, "forbidden code point {c:?} in host")
            }
            Reason::InvalidIdn(label) => {
                write!(f, "invalid international domain name: label {label}")
            }
            Reason::Invalid => f.write_str("not a valid URL"),
        }
    }
}

/// Parse `input` (against `base` when given) the way a browser's `new URL()` does.
pub fn parse(input: &str, base: Option<&str>) -> Result<Url, Reason> {
    Url::parse(input, base).map_err(|_| diagnose(input, base))
}

/// Schemes that an address bar takes as schemes though no `//` follows them
/// (the special ones, and those written `scheme:data`).
const SCHEMES_WITHOUT_SLASHES: &[&str] = &[
    "http",
    "https",
    "ws",
    "wss",
    "ftp",
    "file",
    "about",
    "blob",
    "data",
    "javascript",
    "mailto",
    "tel",
    "urn",
    "news",
    "sms",
    "sip",
    "sips",
    "magnet",
    "geo",
    "view-source",
];

/// The input as a browser's address bar reads it: `SCHEME://` put in front of
/// an input without a scheme of its own (`example.com/a`, `localhost:8080`,
/// `//host/x`). An input with `scheme://`, or one of the schemes written
/// without slashes (`mailto:`, `data:`...), is left as it is.
pub fn with_default_scheme<'a>(input: &'a str, scheme: &str) -> Cow<'a, str> {
    let trimmed = input.trim_start_matches(|c: char| c <= ' ');
    if let Some(rest) = trimmed.strip_prefix("//") {
        return Cow::Owned(format!("{scheme}://{rest}"));
    }
    let has_scheme = split_scheme(trimmed).is_some_and(|(name, rest)| {
        rest.starts_with("//")
            || SCHEMES_WITHOUT_SLASHES
                .iter()
                .any(|known| known.eq_ignore_ascii_case(name))
    });
    if has_scheme {
        Cow::Borrowed(input)
    } else {
        Cow::Owned(format!("{scheme}://{trimmed}"))
    }
}

/// Name what is wrong with an input that Ada rejected.
pub fn diagnose(input: &str, base: Option<&str>) -> Reason {
    // The parser strips C0 controls and spaces around the input, and tabs and
    // newlines anywhere in it. See: URL Standard, basic URL parser, steps 1-3.
    let cleaned: String = input
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, rest) = match split_scheme(&cleaned) {
        Some((scheme, rest)) => (Some(scheme.to_ascii_lowercase()), rest),
        None => (None, cleaned.as_str()),
    };
    let special = scheme.as_deref().is_some_and(is_special);
    let base_url = base.and_then(|b| Url::parse(b, None).ok());
    if scheme.is_none() {
        match &base_url {
            None => return Reason::RelativeWithoutBase,
            Some(b) if !b.pathname().starts_with('/') && !rest.starts_with('#') => {
                return Reason::OpaqueBase;
            }
            Some(_) => {}
        }
    }
    let base_special = base_url
        .as_ref()
        .is_some_and(|b| is_special(b.protocol().trim_end_matches(':')));
    let slashes = |c: char| c == '/' || (c == '\\' && (special || base_special));
    let after_slashes = rest.trim_start_matches(slashes);
    let has_authority = if scheme.is_some() && special {
        true
    } else {
        rest.len() - after_slashes.len() >= 2
    };
    if !has_authority {
        return Reason::Invalid;
    }
    let authority_end = after_slashes
        .find(|c: char| matches!(c, '/' | '?' | '#') || (c == '\\' && (special || base_special)))
        .unwrap_or(after_slashes.len());
    let authority = &after_slashes[..authority_end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    diagnose_host_port(host_port, special || (scheme.is_none() && base_special))
}

/// Name what is wrong with the `host[:port]` part of an authority.
fn diagnose_host_port(host_port: &str, special: bool) -> Reason {
    if let Some(bracketed) = host_port.strip_prefix('[') {
        let port = bracketed
            .split_once(']')
            .and_then(|(_, after)| after.strip_prefix(':'));
        if port.is_some_and(|p| !port_is_valid(p)) {
            return Reason::InvalidPort;
        }
        return Reason::InvalidIpv6;
    }
    let (host, port) = match host_port.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_port, None),
    };
    if let Some(port) = port
        && !port_is_valid(port)
    {
        return Reason::InvalidPort;
    }
    if host.is_empty() {
        return if special {
            Reason::EmptyHost
        } else {
            Reason::Invalid
        };
    }
    let decoded = crate::decode::percent_decode_lossy(host);
    if let Some(c) = decoded.chars().find(|&c| forbidden_in_host(c, special)) {
        return Reason::ForbiddenHostCodePoint(c);
    }
    if special && ends_in_a_number(&decoded) {
        return Reason::InvalidIpv4;
    }
    if special {
        let label = decoded
            .split(['.', '。', '．', '｡'])
            .find(|l| !l.is_ascii() || l.to_ascii_lowercase().starts_with("xn--"))
            .unwrap_or(&decoded);
        return Reason::InvalidIdn(label.to_string());
    }
    Reason::Invalid
}

/// Whether `port` is what the port state accepts: empty, or digits up to 65535.
fn port_is_valid(port: &str) -> bool {
    port.is_empty()
        || (port.bytes().all(|b| b.is_ascii_digit())
            && port.trim_start_matches('0').len() <= 5
            && port.parse::<u32>().is_ok_and(|p| p <= 65535))
}

/// Forbidden host code points (plus, for special schemes, domain ones).
/// See: URL Standard §3.1, forbidden host code point / forbidden domain code point
fn forbidden_in_host(c: char, special: bool) -> bool {
    let host = matches!(
        c,
        '\0' | '\t'
            | '\n'
            | '\r'
            | ' '
            | '#'
            | '/'
            | ':'
            | '<'
            | '>'
            | '?'
            | '@'
            | '['
            | '\\'
            | ']'
            | '^'
            | '|'
    );
    host || (special && (c <= '\u{1f}' || c == '%' || c == '\u{7f}'))
}

/// The "ends in a number" checker. See: URL Standard §3.5
fn ends_in_a_number(host: &str) -> bool {
    let mut labels: Vec<&str> = host.split('.').collect();
    if labels.last() == Some(&"") {
        if labels.len() == 1 {
            return false;
        }
        labels.pop();
    }
    let Some(last) = labels.last() else {
        return false;
    };
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let hex = last.strip_prefix("0x").or_else(|| last.strip_prefix("0X"));
    hex.is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Split `scheme:rest` when the input starts with a valid scheme.
/// See: URL Standard §4.4, scheme start state and scheme state
fn split_scheme(input: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = input.split_once(':')?;
    let mut bytes = scheme.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    (first_ok && rest_ok).then_some((scheme, rest))
}

/// The special schemes. See: URL Standard §4.1
pub fn is_special(scheme: &str) -> bool {
    matches!(scheme, "http" | "https" | "ws" | "wss" | "ftp" | "file")
}

/// The default port of a special scheme. See: URL Standard §4.1
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(input: &str) -> Reason {
        parse(input, None).expect_err(input)
    }

    #[test]
    fn parses_a_plain_url() {
        let url = parse("HTTP://Example.COM:80/a/../b", None).unwrap();
        assert_eq!(url.href(), "http://example.com/b");
    }

    #[test]
    fn names_the_reason() {
        assert_eq!(reason("http://example.com:99999/"), Reason::InvalidPort);
        assert_eq!(reason("http://example.com:8a/"), Reason::InvalidPort);
        assert_eq!(reason("http://"), Reason::EmptyHost);
        assert_eq!(reason("https://user:pw@/x"), Reason::EmptyHost);
        assert_eq!(reason("/just/a/path"), Reason::RelativeWithoutBase);
        assert_eq!(reason("http://[::1/"), Reason::InvalidIpv6);
        assert_eq!(reason("http://[1:2:3]/"), Reason::InvalidIpv6);
        assert_eq!(reason("http://1.2.3.256/"), Reason::InvalidIpv4);
        assert_eq!(reason("http://a<b/"), Reason::ForbiddenHostCodePoint('<'));
        assert!(matches!(reason("http://xn--tešla/"), Reason::InvalidIdn(l) if l == "xn--tešla"));
    }

    #[test]
    fn address_bar_reading() {
        let read = |input| with_default_scheme(input, "https").into_owned();
        assert_eq!(read("example.com/a"), "https://example.com/a");
        assert_eq!(read("localhost:8080"), "https://localhost:8080");
        assert_eq!(read("example.com:8080/a"), "https://example.com:8080/a");
        assert_eq!(read("//cdn.example/x"), "https://cdn.example/x");
        assert_eq!(read("http://example.com/"), "http://example.com/");
        assert_eq!(read("foo://x/"), "foo://x/");
        assert_eq!(read("mailto:a@b.example"), "mailto:a@b.example");
        assert_eq!(read("HTTP:example.com"), "HTTP:example.com");
        assert_eq!(read("user@host.example"), "https://user@host.example");
    }

    #[test]
    fn relative_against_an_opaque_base() {
        assert_eq!(
            parse("x", Some("mailto:a@b.example")).unwrap_err(),
            Reason::OpaqueBase
        );
        assert_eq!(
            parse("../c", Some("http://h.example/a/b")).unwrap().href(),
            "http://h.example/c"
        );
    }

    #[test]
    fn ports_and_numbers() {
        assert!(port_is_valid(""));
        assert!(port_is_valid("00080"));
        assert!(!port_is_valid("65536"));
        assert!(ends_in_a_number("1.2.3.4."));
        assert!(ends_in_a_number("a.0x1f"));
        assert!(!ends_in_a_number("a.b"));
    }
}
