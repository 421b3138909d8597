//! The URL being fetched, parsed with ada-url (the WHATWG URL Standard), and
//! what the request needs from it: host, port, request target, origin, the
//! `Host` header, the credentials in its userinfo, and a form safe to show.

use std::fmt;

use ada_url::{HostType, Url};
use netlens_core::redact::{MASK, mask_url_password};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::Error;

/// The two schemes http-get speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `http`, port 80.
    Http,
    /// `https`, port 443.
    Https,
}

impl Scheme {
    /// The scheme's default port.
    ///
    /// See: RFC 9110 §4.2.1 and §4.2.2.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// The scheme's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A parsed http or https URL.
#[derive(Clone)]
pub struct Target {
    url: Url,
    /// The scheme.
    pub scheme: Scheme,
    /// The host name or address, without IPv6 brackets (what DNS and SNI see).
    pub host: String,
    /// Whether the host is an IP address literal.
    pub host_is_ip: bool,
    /// The port: explicit or the scheme's default.
    pub port: u16,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Target({})", self.display())
    }
}

impl Target {
    /// Parse `input`, relative to `base` when given (a redirect's Location).
    pub fn parse(input: &str, base: Option<&str>) -> Result<Target, Error> {
        let url = Url::parse(input, base).map_err(|_| Error::InvalidUrl {
            url: mask_url_password(input).into_owned(),
            reason: "not a valid URL".to_string(),
        })?;
        let scheme = match url.protocol() {
            "http:" => Scheme::Http,
            "https:" => Scheme::Https,
            other => {
                return Err(Error::InvalidUrl {
                    url: mask_url_password(input).into_owned(),
                    reason: format!(
                        "unsupported scheme {:?}: only http and https",
                        other.trim_end_matches(':')
                    ),
                });
            }
        };
        let hostname = url.hostname();
        if hostname.is_empty() {
            return Err(Error::InvalidUrl {
                url: mask_url_password(input).into_owned(),
                reason: "no host".to_string(),
            });
        }
        let host_is_ip = matches!(url.host_type(), HostType::IPV4 | HostType::IPV6);
        let host = hostname
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = match url.port() {
            "" => scheme.default_port(),
            p => p.parse().map_err(|_| Error::InvalidUrl {
                url: mask_url_password(input).into_owned(),
                reason: format!("invalid port {p:?}"),
            })?,
        };
        Ok(Target {
            url,
            scheme,
            host,
            host_is_ip,
            port,
        })
    }

    /// The full URL, password included: only for resolving relative references.
    pub fn href(&self) -> &str {
        self.url.href()
    }

    /// The URL with the password masked and the fragment dropped, safe to
    /// show in verbose output, errors and JSON.
    pub fn display(&self) -> String {
        let mut url = self.url.clone();
        if !url.password().is_empty() {
            // Setting a password on an http(s) URL cannot fail.
            let _ = url.set_password(Some(MASK));
        }
        url.set_hash(None);
        url.href().to_string()
    }

    /// The origin-form request target: path and query.
    ///
    /// See: RFC 9112 §3.2.1.
    pub fn request_target(&self) -> String {
        format!("{}{}", self.url.pathname(), self.url.search())
    }

    /// The absolute-form request target sent to an HTTP proxy: the URL without
    /// userinfo or fragment.
    ///
    /// See: RFC 9112 §3.2.2.
    pub fn absolute_target(&self) -> String {
        format!(
            "{}//{}{}",
            self.url.protocol(),
            self.url.host(),
            self.request_target()
        )
    }

    /// The `Host` header value: the host, with the port only when it is not
    /// the scheme's default (ada-url already drops a default port).
    ///
    /// See: RFC 9110 §7.2.
    pub fn host_header(&self) -> String {
        self.url.host().to_string()
    }

    /// `host:port` as a CONNECT request target (IPv6 in brackets).
    ///
    /// See: RFC 9110 §9.3.6.
    pub fn authority(&self) -> String {
        format!("{}:{}", self.url.hostname(), self.port)
    }

    /// The origin (scheme, host, port): credentials stay within one origin.
    ///
    /// See: RFC 6454 §4.
    pub fn origin(&self) -> (Scheme, String, u16) {
        (self.scheme, self.host.to_ascii_lowercase(), self.port)
    }

    /// The decoded `user:password` from the URL, if it has a user name.
    pub fn userinfo(&self) -> Option<(String, String)> {
        let user = self.url.username();
        if user.is_empty() {
            return None;
        }
        Some((percent_decode(user), percent_decode(self.url.password())))
    }

    /// Where `-T` sends the file `name`: when the path ends in `/`, the name
    /// is appended to it, percent-encoded, as curl does; else the URL as it is.
    pub fn upload_to(mut self, name: &str) -> Target {
        let path = self.url.pathname();
        if !path.ends_with('/') {
            return self;
        }
        let path = format!("{path}{}", utf8_percent_encode(name, FILE_NAME));
        // A path of escaped characters is always a valid http(s) path.
        let _ = self.url.set_pathname(Some(&path));
        self
    }

    /// The last path segment, decoded: the file name for `-O`.
    pub fn file_name(&self) -> Option<String> {
        let last = self.url.pathname().rsplit('/').next()?;
        let name = percent_decode(last);
        (!name.is_empty() && name != "." && name != ".." && !name.contains('/')).then_some(name)
    }
}

/// What stays as it is in a file name put into a URL path: letters, digits
/// and `-._~` (curl escapes every other byte).
///
/// See: RFC 3986 §2.3 (unreserved characters).
const FILE_NAME: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Decode `%XX` escapes (invalid escapes are kept as they are).
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_port_is_left_out_of_host() {
        let t = Target::parse("http://Example.COM:80/a/b?q=1#frag", None).unwrap();
        assert_eq!(t.port, 80);
        assert_eq!(t.host_header(), "example.com");
        assert_eq!(t.request_target(), "/a/b?q=1");
        let t = Target::parse("https://example.com:8443", None).unwrap();
        assert_eq!(t.host_header(), "example.com:8443");
        assert_eq!(t.request_target(), "/");
        assert_eq!(t.authority(), "example.com:8443");
    }

    #[test]
    fn ipv6_hosts_lose_brackets_but_keep_them_in_headers() {
        let t = Target::parse("http://[::1]:8080/x", None).unwrap();
        assert_eq!(t.host, "::1");
        assert!(t.host_is_ip);
        assert_eq!(t.host_header(), "[::1]:8080");
        assert_eq!(t.authority(), "[::1]:8080");
    }

    #[test]
    fn passwords_are_masked_and_decoded() {
        let t = Target::parse("http://al%20ice:s%3Ecret@h/p#f", None).unwrap();
        assert_eq!(
            t.userinfo(),
            Some(("al ice".to_string(), "s>cret".to_string()))
        );
        assert!(!t.display().contains("cret"));
        assert!(t.display().contains("****"));
        assert!(!t.display().contains("#f"));
        assert_eq!(t.absolute_target(), "http://h/p");
    }

    #[test]
    fn rejects_other_schemes_and_masks_bad_input() {
        let e = Target::parse("ftp://h/", None).unwrap_err();
        assert!(e.to_string().contains("unsupported scheme \"ftp\""));
        let e = Target::parse("http://u:secret@[bad/", None).unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn resolves_relative_locations_and_file_names() {
        let base = "http://a.test/dir/page.html";
        let t = Target::parse("../img/x%20y.png?z", Some(base)).unwrap();
        assert_eq!(t.href(), "http://a.test/img/x%20y.png?z");
        assert_eq!(t.file_name().as_deref(), Some("x y.png"));
        assert_eq!(
            Target::parse("http://a.test/", None).unwrap().file_name(),
            None
        );
        let a = Target::parse("http://A.test:80/", None).unwrap();
        let b = Target::parse("http://a.test/other", None).unwrap();
        assert_eq!(a.origin(), b.origin());
    }

    #[test]
    fn uploads_to_a_directory_name_the_file() {
        let to = |url: &str| Target::parse(url, None).unwrap().upload_to("my file+1.txt");
        assert_eq!(
            to("http://h/up/?q=1").href(),
            "http://h/up/my%20file%2B1.txt?q=1"
        );
        assert_eq!(to("http://h").href(), "http://h/my%20file%2B1.txt");
        assert_eq!(to("http://h/up/name").href(), "http://h/up/name");
    }
}
