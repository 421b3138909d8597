//! The report of one parsed URL: the WHATWG getters as a browser's `URL` returns
//! them, plus what a reader wants next (effective port, host kind, directory and
//! file, decoded segments and query pairs, request target, registrable domain).
//!
//! A [`Report`] borrows from Ada's URL: building one allocates nothing for an
//! ordinary URL (only IDN hosts, percent-escapes and unusual origins do), so
//! batches serialize straight from the parser's buffers.

use std::borrow::Cow;
use std::fmt;

use ada_url::{HostType, Url};
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

use crate::decode::{percent_decode_lossy, query_pairs, raw_query_pairs, split_ascii};
use crate::idn;
use crate::parse::default_port;

/// What kind of host a URL has. See: URL Standard §3.1 (hosts)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HostKind {
    /// A domain name (special schemes), such as `www.example.com`.
    Domain,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address (shown in brackets).
    Ipv6,
    /// An opaque host of a non-special scheme (`foo://anything/`).
    Opaque,
}

impl HostKind {
    /// The kind as JSON names it (`domain`, `ipv4`, `ipv6`, `opaque`).
    pub fn name(self) -> &'static str {
        match self {
            HostKind::Domain => "domain",
            HostKind::Ipv4 => "ipv4",
            HostKind::Ipv6 => "ipv6",
            HostKind::Opaque => "opaque",
        }
    }

    /// The kind in words, for the human reading.
    pub fn describe(self) -> &'static str {
        match self {
            HostKind::Domain => "domain name",
            HostKind::Ipv4 => "IPv4 address",
            HostKind::Ipv6 => "IPv6 address",
            HostKind::Opaque => "opaque host (not interpreted for this scheme)",
        }
    }
}

/// Everything url-parse says about one URL; serializes to the JSON object of SPEC §3.
#[derive(Serialize)]
pub struct Report<'a> {
    /// The whole URL, serialized.
    pub href: &'a str,
    /// The scheme with its colon (`https:`).
    pub protocol: &'a str,
    /// The user name, percent-encoded.
    pub username: &'a str,
    /// The password, percent-encoded.
    pub password: &'a str,
    /// Host and port (the port only when not the scheme's default).
    pub host: &'a str,
    /// The host alone (IPv6 in brackets).
    pub hostname: &'a str,
    /// The explicit port, empty when none or the default.
    pub port: &'a str,
    /// The path.
    pub pathname: &'a str,
    /// The query with its `?`, or empty.
    pub search: &'a str,
    /// The fragment with its `#`, or empty.
    pub hash: &'a str,
    /// The origin (`https://example.com`, or `null`).
    pub origin: Origin<'a>,
    /// The scheme without its colon.
    pub scheme: &'a str,
    /// The explicit port, or the scheme's default one.
    pub effective_port: Option<u16>,
    /// The kind of host, or none.
    pub host_kind: Option<HostKind>,
    /// The host with punycode labels decoded (IDN).
    pub host_unicode: Option<Cow<'a, str>>,
    /// The path up to and including its last `/` (null for an opaque path).
    pub directory: Option<&'a str>,
    /// The path after its last `/` (null for an opaque path).
    pub file: Option<&'a str>,
    /// Whether an HTTP server would answer with its default document (no file name).
    pub default_document: bool,
    /// The path's segments, percent-decoded.
    pub segments: Segments<'a>,
    /// The query's `[name, value]` pairs, decoded, repeated names kept.
    pub query: Query<'a>,
    /// The origin-form request target: path and query (null for an opaque path).
    pub request_target: Option<RequestTarget<'a>>,
    /// The registrable domain (eTLD+1) from the public suffix list.
    pub registrable_domain: Option<&'a str>,
    /// What precedes the registrable domain (empty when nothing does).
    pub subdomain: Option<&'a str>,
}

impl<'a> Report<'a> {
    /// Build the report of a parsed URL.
    pub fn new(url: &'a Url) -> Report<'a> {
        let protocol = url.protocol();
        let scheme = protocol.strip_suffix(':').unwrap_or(protocol);
        let hostname = url.hostname();
        let host = url.host();
        let port = url.port();
        let pathname = url.pathname();
        let search = url.search();
        let host_kind = host_kind(url, scheme, hostname);
        let effective_port = match port.parse::<u16>() {
            Ok(port) => Some(port),
            Err(_) => default_port(scheme),
        };
        let origin = match scheme {
            "http" | "https" | "ws" | "wss" | "ftp" => Origin::Tuple(protocol, host),
            // Only a blob: URL takes the origin of the URL inside it; every
            // other scheme has an opaque origin. See: URL Standard §6.1 (origin)
            "blob" => Origin::Owned(url.origin()),
            _ => Origin::Opaque,
        };
        let hierarchical = pathname.starts_with('/');
        let (directory, file) = if hierarchical {
            let cut = pathname
                .bytes()
                .rposition(|b| b == b'/')
                .map_or(0, |i| i + 1);
            (Some(&pathname[..cut]), Some(&pathname[cut..]))
        } else if pathname.is_empty() && host_kind.is_some() {
            (Some(""), Some(""))
        } else {
            (None, None)
        };
        let default_document = matches!(scheme, "http" | "https") && file == Some("");
        let host_unicode = host_kind.map(|kind| match kind {
            HostKind::Domain => idn::to_unicode(hostname),
            _ => Cow::Borrowed(hostname),
        });
        let (registrable_domain, subdomain) = if host_kind == Some(HostKind::Domain) {
            registrable(hostname)
        } else {
            (None, None)
        };
        Report {
            href: url.href(),
            protocol,
            username: url.username(),
            password: url.password(),
            host,
            hostname,
            port,
            pathname,
            search,
            hash: url.hash(),
            origin,
            scheme,
            effective_port,
            host_kind,
            host_unicode,
            directory,
            file,
            default_document,
            segments: Segments(pathname.strip_prefix('/')),
            query: Query(search.strip_prefix('?').unwrap_or(search)),
            request_target: directory.map(|_| RequestTarget { pathname, search }),
            registrable_domain,
            subdomain,
        }
    }

    /// The href with the host in Unicode form (borrowed when it has no
    /// punycode label): what `--as-idn` prints.
    pub fn href_unicode(&self) -> Cow<'a, str> {
        let Some(Cow::Owned(unicode)) = &self.host_unicode else {
            return Cow::Borrowed(self.href);
        };
        // A domain host: the href is `scheme://[userinfo@]host[:port]...`. The
        // host is replaced in place, so that everything around it stays as
        // written, an empty `?` or `#` included (the getters drop those).
        let mut start = self.protocol.len() + 2;
        if !self.username.is_empty() || !self.password.is_empty() {
            // `@` inside the userinfo is percent-encoded: the first one ends it.
            start += self.href[start..].find('@').map_or(0, |at| at + 1);
        }
        let end = start + self.hostname.len();
        if self.href.get(start..end) != Some(self.hostname) {
            return Cow::Borrowed(self.href);
        }
        Cow::Owned(format!(
            "{}{unicode}{}",
            &self.href[..start],
            &self.href[end..]
        ))
    }

    /// The host and port with the host in Unicode form.
    pub fn host_unicode_with_port(&self) -> Cow<'a, str> {
        match &self.host_unicode {
            Some(Cow::Owned(unicode)) if self.port.is_empty() => Cow::Owned(unicode.clone()),
            Some(Cow::Owned(unicode)) => Cow::Owned(format!("{unicode}:{}", self.port)),
            _ => Cow::Borrowed(self.host),
        }
    }

    /// Path segment `n` (from 0), decoded.
    pub fn segment(&self, n: usize) -> Option<Cow<'a, str>> {
        self.segments.iter().nth(n)
    }

    /// The first value of query parameter `name`, decoded.
    pub fn query_value(&self, name: &str) -> Option<Cow<'a, str>> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Every value of query parameter `name`, decoded, in order.
    pub fn query_values<'n>(&self, name: &'n str) -> impl Iterator<Item = Cow<'a, str>> + 'n
    where
        'a: 'n,
    {
        self.query
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// The host kind: Ada tells domain, IPv4 and IPv6 apart for special schemes;
/// a non-special scheme's host is opaque unless it is a bracketed IPv6 address.
fn host_kind(url: &Url, scheme: &str, hostname: &str) -> Option<HostKind> {
    if hostname.is_empty() {
        return None;
    }
    if crate::parse::is_special(scheme) {
        Some(match url.host_type() {
            HostType::Domain => HostKind::Domain,
            HostType::IPV4 => HostKind::Ipv4,
            HostType::IPV6 => HostKind::Ipv6,
        })
    } else if hostname.starts_with('[') {
        Some(HostKind::Ipv6)
    } else {
        Some(HostKind::Opaque)
    }
}

/// The registrable domain and the subdomain of a domain, from the public
/// suffix list; none when the suffix is not on the list or the host is a suffix.
fn registrable(hostname: &str) -> (Option<&str>, Option<&str>) {
    let name = hostname.strip_suffix('.').unwrap_or(hostname);
    let Some(domain) = psl::domain(name.as_bytes()) else {
        return (None, None);
    };
    if !domain.suffix().is_known() {
        return (None, None);
    }
    let len = domain.as_bytes().len();
    let registrable = &name[name.len() - len..];
    let subdomain = name[..name.len() - len].strip_suffix('.').unwrap_or("");
    (Some(registrable), Some(subdomain))
}

/// The origin: for http(s), ws(s) and ftp the scheme and host, kept as two
/// borrowed pieces; `null` for an opaque origin; for blob: what Ada computes.
pub enum Origin<'a> {
    /// `protocol` + `//` + `host`.
    Tuple(&'a str, &'a str),
    /// An opaque origin, serialized as `null`.
    Opaque,
    /// Computed by Ada (blob: URLs).
    Owned(String),
}

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Tuple(protocol, host) => write!(f, "{protocol}//{host}"),
            Origin::Opaque => f.write_str("null"),
            Origin::Owned(origin) => f.write_str(origin),
        }
    }
}

impl Serialize for Origin<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The request target of an HTTP request for the URL: path and query.
/// See: RFC 9112 §3.2.1 (origin-form)
#[derive(Clone, Copy)]
pub struct RequestTarget<'a> {
    pathname: &'a str,
    search: &'a str,
}

impl<'a> RequestTarget<'a> {
    /// The target's two pieces: the path (`/` when the URL's is empty) and the query.
    pub fn parts(&self) -> [&'a str; 2] {
        // A non-special URL may have an empty path; a request line cannot.
        let path = if self.pathname.is_empty() {
            "/"
        } else {
            self.pathname
        };
        [path, self.search]
    }
}

impl fmt::Display for RequestTarget<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [path, search] = self.parts();
        f.write_str(path)?;
        f.write_str(search)
    }
}

impl Serialize for RequestTarget<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The path's segments (the path without its leading `/`, split on `/`).
#[derive(Clone, Copy)]
pub struct Segments<'a>(Option<&'a str>);

impl<'a> Segments<'a> {
    /// The segments, percent-decoded.
    pub fn iter(&self) -> impl Iterator<Item = Cow<'a, str>> + use<'a> {
        self.raw().map(percent_decode_lossy)
    }

    /// The path without its leading `/` (none for an opaque path).
    pub fn path(&self) -> Option<&'a str> {
        self.0
    }

    /// The segments as written (percent-encoded).
    pub fn raw(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.0.into_iter().flat_map(|path| split_ascii(path, b'/'))
    }
}

impl Serialize for Segments<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for segment in self.iter() {
            seq.serialize_element(&*segment)?;
        }
        seq.end()
    }
}

/// The query's pairs.
#[derive(Clone, Copy)]
pub struct Query<'a>(&'a str);

impl<'a> Query<'a> {
    /// The `(name, value)` pairs, decoded.
    pub fn iter(&self) -> impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)> + use<'a> {
        query_pairs(self.0)
    }

    /// The query without its `?`.
    pub fn text(&self) -> &'a str {
        self.0
    }

    /// The `(name, value)` pairs as written (form-encoded).
    pub fn raw(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        raw_query_pairs(self.0)
    }

    /// Whether the query has no pairs.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

impl Serialize for Query<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for (name, value) in self.iter() {
            seq.serialize_element(&[&*name, &*value])?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn json(input: &str) -> serde_json::Value {
        let url = parse(input, None).unwrap();
        serde_json::to_value(Report::new(&url)).unwrap()
    }

    #[test]
    fn http_url_in_full() {
        let v = json("http://user:pw@www.cyber.co.kr:80/dir/file1.html?q=a+b&q=%41#top");
        assert_eq!(
            v["href"],
            "http://user:pw@www.cyber.co.kr/dir/file1.html?q=a+b&q=%41#top"
        );
        assert_eq!(v["origin"], "http://www.cyber.co.kr");
        assert_eq!(v["port"], "");
        assert_eq!(v["effective_port"], 80);
        assert_eq!(v["host_kind"], "domain");
        assert_eq!(v["directory"], "/dir/");
        assert_eq!(v["file"], "file1.html");
        assert_eq!(v["default_document"], false);
        assert_eq!(v["segments"], serde_json::json!(["dir", "file1.html"]));
        assert_eq!(v["query"], serde_json::json!([["q", "a b"], ["q", "A"]]));
        assert_eq!(v["request_target"], "/dir/file1.html?q=a+b&q=%41");
        assert_eq!(v["registrable_domain"], "cyber.co.kr");
        assert_eq!(v["subdomain"], "www");
    }

    #[test]
    fn the_unicode_href_keeps_everything_but_the_host_as_written() {
        // Found by the url_parse fuzz target: an empty fragment (and query)
        // has an empty getter, so a href rebuilt from the getters lost its `#`.
        for (input, unicode) in [
            ("ws:n\u{447}o.ua/#", "ws://n\u{447}o.ua/#"),
            (
                "http://xn--nxasmq6b.example/?",
                "http://\u{3b2}\u{3cc}\u{3bb}\u{3bf}\u{3c3}.example/?",
            ),
            (
                "http://u:p%40q@xn--nxasmq6b.example:81/a?b#c",
                "http://u:p%40q@\u{3b2}\u{3cc}\u{3bb}\u{3bf}\u{3c3}.example:81/a?b#c",
            ),
        ] {
            let url = parse(input, None).unwrap();
            let report = Report::new(&url);
            assert_eq!(report.href_unicode(), unicode, "{input}");
            assert_eq!(parse(unicode, None).unwrap().href(), report.href, "{input}");
        }
    }

    #[test]
    fn hosts_of_every_kind() {
        assert_eq!(json("http://10.0.0.1/")["host_kind"], "ipv4");
        assert_eq!(json("http://[::1]:8080/")["host_kind"], "ipv6");
        assert_eq!(
            json("http://[::1]:8080/")["registrable_domain"],
            serde_json::Value::Null
        );
        assert_eq!(json("foo://bar/x")["host_kind"], "opaque");
        assert_eq!(
            json("mailto:a@b.example")["host_kind"],
            serde_json::Value::Null
        );
        assert_eq!(json("https://faß.example/")["host_unicode"], "faß.example");
        assert_eq!(
            json("https://example.invalidtld/")["registrable_domain"],
            serde_json::Value::Null
        );
        assert_eq!(json("https://example.com/")["subdomain"], "");
    }

    #[test]
    fn opaque_paths_have_no_directory() {
        let v = json("mailto:someone@example.com?subject=Hi%20there");
        assert_eq!(v["directory"], serde_json::Value::Null);
        assert_eq!(v["request_target"], serde_json::Value::Null);
        assert_eq!(v["segments"], serde_json::json!([]));
        assert_eq!(v["query"], serde_json::json!([["subject", "Hi there"]]));
        assert_eq!(v["origin"], "null");
    }

    #[test]
    fn default_document_when_no_file_name() {
        let v = json("https://example.com");
        assert_eq!(v["default_document"], true);
        assert_eq!(v["segments"], serde_json::json!([""]));
        assert_eq!(v["effective_port"], 443);
    }

    #[test]
    fn lookups_by_name_and_index() {
        let url = parse("https://e.example/a/b%20c?x=1&y=2&x=3", None).unwrap();
        let report = Report::new(&url);
        assert_eq!(report.segment(1).as_deref(), Some("b c"));
        assert_eq!(report.segment(2), None);
        assert_eq!(report.query_value("x").as_deref(), Some("1"));
        let all: Vec<_> = report.query_values("x").collect();
        assert_eq!(all, ["1", "3"]);
    }
}
