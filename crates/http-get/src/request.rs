//! The request message: method, headers (defaults, `-H`, credentials), body,
//! and how it changes when a redirect is followed.
//!
//! hyper writes the message; this module decides what is in it. [`render`]
//! writes the same message the way hyper does (title-case names, CRLF), for
//! `--offline`, and [`redact`] masks credentials in any rendered message.

use std::io::Read;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use http::Method;

use crate::args::{Args, HeaderArg};
use crate::error::Error;
use crate::target::{Scheme, Target};

/// The `User-Agent` sent unless `-H` replaces it.
pub const USER_AGENT: &str = concat!("netlens-http-get/", env!("CARGO_PKG_VERSION"));

/// A user name and password for Basic authentication.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name (shown in verbose output).
    pub user: String,
    password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}:****)", self.user)
    }
}

impl Credentials {
    /// Split `USER:PASS` (a missing `:PASS` is an empty password).
    pub fn parse(userpass: &str) -> Credentials {
        let (user, password) = userpass.split_once(':').unwrap_or((userpass, ""));
        Credentials::new(user, password)
    }

    /// Credentials from their parts.
    pub fn new(user: &str, password: &str) -> Credentials {
        Credentials {
            user: user.to_string(),
            password: password.to_string(),
        }
    }

    /// The `Basic ...` header value.
    ///
    /// See: RFC 7617 §2.
    pub fn basic(&self) -> String {
        format!(
            "Basic {}",
            BASE64.encode(format!("{}:{}", self.user, self.password))
        )
    }
}

/// What to send, independent of where: it survives redirects, changing as
/// RFC 9110 §15.4 says.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    /// The method.
    pub method: Method,
    /// The body, if any.
    pub body: Option<Bytes>,
    /// `-H` headers in order (an empty value removes a default header).
    pub extra: Vec<HeaderArg>,
    /// Basic credentials from `-u` or the URL.
    pub credentials: Option<Credentials>,
    /// Whether to ask for a compressed body.
    pub compressed: bool,
    /// The origin the user addressed: `Authorization` and `Cookie` go only there.
    pub origin: (Scheme, String, u16),
}

impl RequestSpec {
    /// Build the first request from the arguments and the parsed URL.
    pub fn from_args(args: &Args, target: &Target) -> Result<RequestSpec, Error> {
        let body = match args.data.as_deref() {
            None => None,
            Some("@-") => {
                let mut data = Vec::new();
                std::io::stdin().read_to_end(&mut data)?;
                Some(Bytes::from(data))
            }
            Some(data) => match data.strip_prefix('@') {
                Some(path) => Some(Bytes::from(std::fs::read(path).map_err(|source| {
                    Error::ReadFile {
                        path: path.into(),
                        source,
                    }
                })?)),
                None => Some(Bytes::from(data.to_string())),
            },
        };
        let method = match (&args.method, args.head, &body) {
            (Some(m), _, _) => Method::from_bytes(m.as_bytes())
                .map_err(|_| Error::Usage(format!("method {m:?}: not a valid HTTP method")))?,
            (None, true, _) => Method::HEAD,
            (None, false, Some(_)) => Method::POST,
            (None, false, None) => Method::GET,
        };
        let credentials = match &args.user {
            Some(userpass) => Some(Credentials::parse(userpass)),
            None => target.userinfo().map(|(u, p)| Credentials::new(&u, &p)),
        };
        Ok(RequestSpec {
            method,
            body,
            extra: args.headers.clone(),
            credentials,
            compressed: args.compressed,
            origin: target.origin(),
        })
    }

    /// The request to send after a redirect with `status`.
    ///
    /// See: RFC 9110 §15.4.4 (303 becomes GET), §15.4.2 and §15.4.3 (301 and 302
    /// after POST become GET, as browsers do), §15.4.8 and §15.4.9 (307 and 308
    /// keep method and body).
    pub fn redirected(&self, status: u16) -> RequestSpec {
        let to_get = status == 303 && self.method != Method::HEAD
            || matches!(status, 301 | 302) && self.method == Method::POST;
        let mut next = self.clone();
        if to_get {
            next.method = Method::GET;
            next.body = None;
            next.extra.retain(|h| {
                !h.name.eq_ignore_ascii_case("content-type")
                    && !h.name.eq_ignore_ascii_case("content-length")
            });
        }
        next
    }

    /// The header lines for a request to `target`, in the order they are sent.
    ///
    /// `Authorization` (from `-u`, the URL or `-H`) and `Cookie` are sent only to
    /// the origin the user addressed. See: RFC 9110 §15.4 (a client should not
    /// forward credentials to another origin).
    pub fn headers(&self, target: &Target, proxy: Option<&Credentials>) -> Vec<(String, String)> {
        let same_origin = target.origin() == self.origin;
        let mut headers: Vec<(String, String)> = vec![
            ("Host".into(), target.host_header()),
            ("User-Agent".into(), USER_AGENT.into()),
            ("Accept".into(), "*/*".into()),
        ];
        if self.compressed {
            headers.push(("Accept-Encoding".into(), "gzip, deflate, br".into()));
        }
        if let Some(credentials) = self.credentials.as_ref().filter(|_| same_origin) {
            headers.push(("Authorization".into(), credentials.basic()));
        }
        if let Some(proxy) = proxy {
            headers.push(("Proxy-Authorization".into(), proxy.basic()));
        }
        if let Some(body) = &self.body {
            headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
            headers.push(("Content-Length".into(), body.len().to_string()));
        }
        for extra in &self.extra {
            let sensitive = extra.name.eq_ignore_ascii_case("authorization")
                || extra.name.eq_ignore_ascii_case("cookie");
            if sensitive && !same_origin {
                continue;
            }
            let existing = headers
                .iter()
                .position(|(name, _)| name.eq_ignore_ascii_case(&extra.name));
            match (existing, extra.value.is_empty()) {
                (Some(i), true) => {
                    headers.remove(i);
                }
                (Some(i), false) => headers[i].1 = extra.value.clone(),
                (None, true) => {}
                (None, false) => headers.push((extra.name.clone(), extra.value.clone())),
            }
        }
        headers
    }
}

/// Write a header name the way hyper's `title_case_headers` does: upper case
/// at the start and after each `-`, lower case elsewhere.
pub fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
        upper = c == '-';
    }
    out
}

/// The request message as hyper writes it: request line, title-case headers,
/// an empty line, then the body.
///
/// See: RFC 9112 §3 (request line) and §5 (field lines).
pub fn render(method: &Method, target: &str, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{}: {value}\r\n", title_case(name)).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// A rendered message with the credentials in its head masked (see [`redact`]).
pub fn redact_message(message: &[u8]) -> Vec<u8> {
    let head_end = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(message.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&message[..head_end]);
    let mut out: Vec<u8> = head
        .split("\r\n")
        .map(redact)
        .collect::<Vec<_>>()
        .join("\r\n")
        .into_bytes();
    out.extend_from_slice(&message[head_end..]);
    out
}

/// Mask the credentials in a rendered request head: `Authorization: Basic ****`.
pub fn redact(line: &str) -> String {
    let Some((name, value)) = line.split_once(':') else {
        return line.to_string();
    };
    let lower = name.to_ascii_lowercase();
    if lower != "authorization" && lower != "proxy-authorization" && lower != "cookie" {
        return line.to_string();
    }
    let value = value.trim_start();
    match value.split_once(' ') {
        Some((scheme, _)) if lower != "cookie" => format!("{name}: {scheme} ****"),
        _ => format!("{name}: ****"),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn spec(argv: &[&str]) -> (RequestSpec, Target) {
        let args =
            Args::try_parse_from(std::iter::once("http-get").chain(argv.iter().copied())).unwrap();
        let target = Target::parse(&args.url, None).unwrap();
        (RequestSpec::from_args(&args, &target).unwrap(), target)
    }

    #[test]
    fn default_headers_and_basic_auth_from_the_url() {
        let (s, t) = spec(&["http://al:pw@h.test:8080/x"]);
        let h = s.headers(&t, None);
        assert_eq!(h[0], ("Host".into(), "h.test:8080".into()));
        assert_eq!(h[1].1, USER_AGENT);
        assert_eq!(h[2], ("Accept".into(), "*/*".into()));
        assert_eq!(h[3], ("Authorization".into(), "Basic YWw6cHc=".into()));
        assert_eq!(s.method, Method::GET);
    }

    #[test]
    fn extra_headers_replace_and_remove_defaults() {
        let (s, t) = spec(&[
            "-H",
            "user-agent: me",
            "-H",
            "Accept:",
            "-H",
            "X-A: 1",
            "http://h/",
        ]);
        let h = s.headers(&t, None);
        let names: Vec<&str> = h.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Host", "User-Agent", "X-A"]);
        assert_eq!(h[1].1, "me");
    }

    #[test]
    fn data_makes_a_post_and_303_makes_it_a_get() {
        let (s, t) = spec(&["-d", "a=1", "http://h/"]);
        assert_eq!(s.method, Method::POST);
        assert!(
            s.headers(&t, None)
                .contains(&("Content-Length".into(), "3".into()))
        );
        let after = s.redirected(303);
        assert_eq!(after.method, Method::GET);
        assert!(after.body.is_none());
        assert_eq!(s.redirected(302).method, Method::GET);
        assert_eq!(s.redirected(307).method, Method::POST);
        assert_eq!(s.redirected(308).body.as_deref(), Some(&b"a=1"[..]));
        let (put, _) = spec(&["-X", "PUT", "-d", "x", "http://h/"]);
        assert_eq!(put.redirected(301).method, Method::PUT);
    }

    #[test]
    fn credentials_and_cookies_stay_with_their_origin() {
        let (s, _) = spec(&[
            "-u",
            "u:p",
            "-H",
            "Cookie: c=1",
            "-H",
            "X-K: v",
            "http://a.test/",
        ]);
        let other = Target::parse("http://b.test/", None).unwrap();
        let h = s.headers(&other, None);
        assert!(h.iter().all(|(n, _)| n != "Authorization" && n != "Cookie"));
        assert!(h.iter().any(|(n, _)| n == "X-K"));
        let same = Target::parse("http://a.test/next", None).unwrap();
        assert!(
            s.headers(&same, None)
                .iter()
                .any(|(n, _)| n == "Authorization")
        );
    }

    #[test]
    fn renders_like_hyper_and_redacts() {
        let msg = render(&Method::GET, "/", &[("x-a".into(), "1".into())], b"");
        assert_eq!(msg, b"GET / HTTP/1.1\r\nX-A: 1\r\n\r\n");
        assert_eq!(title_case("content-LENGTH"), "Content-Length");
        assert_eq!(
            redact("Authorization: Basic YWw6cHc="),
            "Authorization: Basic ****"
        );
        assert_eq!(redact("cookie: a=b"), "cookie: ****");
        assert_eq!(redact("Accept: */*"), "Accept: */*");
        let msg = b"GET / HTTP/1.1\r\nAuthorization: Basic YWw6cHc=\r\n\r\nbody";
        assert_eq!(
            redact_message(msg),
            b"GET / HTTP/1.1\r\nAuthorization: Basic ****\r\n\r\nbody"
        );
    }
}
