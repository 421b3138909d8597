//! The request message: method, headers (defaults, `-H`, credentials), body,
//! and how it changes when a redirect is followed.
//!
//! hyper writes the message; this module decides what is in it. A
//! [`RequestHead`] is the one description of the head: hyper is given it, and
//! `--offline` and `-v` print it the way hyper writes it (title-case names,
//! CRLF), with credentials masked.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::Method;
use netlens_core::redact::MASK;

use crate::args::HeaderArg;
use crate::error::Error;
use crate::payload::Payload;
use crate::proxy::Proxy;
use crate::target::{Scheme, Target};

/// The `User-Agent` sent unless `-H` replaces it.
pub(crate) const USER_AGENT: &str = concat!("netlens-http-get/", env!("CARGO_PKG_VERSION"));

/// A user name and password for Basic authentication.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Credentials {
    /// The user name (shown in verbose output).
    pub(crate) user: String,
    password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}:****)", self.user)
    }
}

impl Credentials {
    /// Split `USER:PASS` (a missing `:PASS` is an empty password).
    pub(crate) fn parse(userpass: &str) -> Credentials {
        let (user, password) = userpass.split_once(':').unwrap_or((userpass, ""));
        Credentials::new(user, password)
    }

    /// Credentials from their parts.
    pub(crate) fn new(user: &str, password: &str) -> Credentials {
        Credentials {
            user: user.to_string(),
            password: password.to_string(),
        }
    }

    /// The `Basic ...` header value.
    ///
    /// See: RFC 7617 §2.
    pub(crate) fn basic(&self) -> String {
        format!(
            "Basic {}",
            BASE64.encode(format!("{}:{}", self.user, self.password))
        )
    }
}

/// How the user shaped the request (`-X`, `-I`, `-d`, `-H`, `-u`,
/// `--compressed`), before it meets a URL.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestOptions {
    /// `-X`.
    pub method: Option<Method>,
    /// `-I`.
    pub head: bool,
    /// The body (`-d`, `--data-*`, `-F`, `-T`), files not read yet.
    pub body: Option<Payload>,
    /// `-H`, in order.
    pub extra: Vec<HeaderArg>,
    /// `-u`.
    pub user: Option<Credentials>,
    /// `--compressed`.
    pub compressed: bool,
}

/// What to send, independent of where: it survives redirects, changing as
/// RFC 9110 §15.4 says.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    /// The method.
    pub(crate) method: Method,
    /// The body, if any.
    pub(crate) body: Option<Payload>,
    /// `-H` headers in order (an empty value removes a default header).
    pub(crate) extra: Vec<HeaderArg>,
    /// Basic credentials from `-u` or the URL.
    pub(crate) credentials: Option<Credentials>,
    /// Whether to ask for a compressed body.
    pub(crate) compressed: bool,
    /// The origin the user addressed: `Authorization` and `Cookie` go only there.
    pub(crate) origin: (Scheme, String, u16),
    /// Cookies from the jar for this request's URL (already matched to it).
    pub(crate) cookie: Option<String>,
}

impl RequestSpec {
    /// The request `http-get URL` sends: a GET with the default headers, and
    /// Basic credentials when the URL has a user name.
    pub fn get(target: &Target) -> RequestSpec {
        RequestSpec::new(&RequestOptions::default(), target)
    }

    /// The same request with the header `name: value` set, as `-H` sets it
    /// (replacing a default header of that name).
    pub fn with_header(mut self, name: &str, value: &str) -> RequestSpec {
        self.extra.push(HeaderArg {
            name: name.to_string(),
            value: value.to_string(),
        });
        self
    }

    /// The first request for `target`, shaped by `options`.
    pub(crate) fn new(options: &RequestOptions, target: &Target) -> RequestSpec {
        let method = match (&options.method, options.head, &options.body) {
            (Some(m), _, _) => m.clone(),
            (None, true, _) => Method::HEAD,
            (None, false, Some(_)) => Method::POST,
            (None, false, None) => Method::GET,
        };
        let credentials = match &options.user {
            Some(user) => Some(user.clone()),
            None => target.userinfo().map(|(u, p)| Credentials::new(&u, &p)),
        };
        RequestSpec {
            method,
            body: options.body.clone(),
            extra: options.extra.clone(),
            credentials,
            compressed: options.compressed,
            origin: target.origin(),
            cookie: None,
        }
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request message for `target` as `--offline` prints it (no proxy),
    /// credentials masked.
    pub fn message(&self, target: &Target) -> Result<Vec<u8>, Error> {
        let body = self.body.as_ref().map(Payload::to_vec).transpose()?;
        Ok(self.head(target, None).masked_message(body.as_deref()))
    }

    /// The request head for `target`, sent directly (no proxy).
    pub fn direct_head(&self, target: &Target) -> RequestHead {
        self.head(target, None)
    }

    /// The request line and header lines for `target`: absolute form (with
    /// the proxy's credentials) through an http proxy, origin form otherwise.
    ///
    /// See: RFC 9112 §3.2.1 and §3.2.2.
    pub(crate) fn head(&self, target: &Target, proxy: Option<&Proxy>) -> RequestHead {
        let absolute = proxy.is_some() && target.scheme == Scheme::Http;
        let (request_target, headers) = if absolute {
            let credentials = proxy.and_then(|p| p.credentials.as_ref());
            (target.absolute_target(), self.headers(target, credentials))
        } else {
            (target.request_target(), self.headers(target, None))
        };
        RequestHead {
            method: self.method.clone(),
            target: request_target,
            headers,
        }
    }

    /// The same request with the jar's cookies for its URL.
    pub(crate) fn with_cookie(&self, cookie: Option<String>) -> RequestSpec {
        RequestSpec {
            cookie,
            ..self.clone()
        }
    }

    /// The request to send after a redirect with `status`.
    ///
    /// See: RFC 9110 §15.4.4 (303 becomes GET), §15.4.2 and §15.4.3 (301 and 302
    /// after POST become GET, as browsers do), §15.4.8 and §15.4.9 (307 and 308
    /// keep method and body).
    pub(crate) fn redirected(&self, status: u16) -> RequestSpec {
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
    pub(crate) fn headers(
        &self,
        target: &Target,
        proxy: Option<&Credentials>,
    ) -> Vec<(String, String)> {
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
            if let Some(content_type) = &body.content_type {
                headers.push(("Content-Type".into(), content_type.clone()));
            }
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
        if let Some(jar) = &self.cookie {
            match headers
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case("cookie"))
            {
                Some((_, value)) => *value = format!("{value}; {jar}"),
                None => headers.push(("Cookie".into(), jar.clone())),
            }
        }
        headers
    }
}

/// A request head as given to hyper: method, request target, header fields
/// in order. It is the one description of the head: hyper writes it,
/// `--offline` and `-v` print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// The method.
    pub method: Method,
    /// The request target (origin or absolute form).
    pub target: String,
    /// Header fields in order, names as given.
    pub headers: Vec<(String, String)>,
}

impl RequestHead {
    /// The request line and the header lines as hyper writes them (title-case
    /// names), credentials masked.
    ///
    /// See: RFC 9112 §3 (request line) and §5 (field lines).
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!("{} {} HTTP/1.1", self.method, self.target)];
        lines.extend(
            self.headers
                .iter()
                .map(|(name, value)| redact(&format!("{}: {value}", title_case(name)))),
        );
        lines
    }

    /// The size of the head on the wire in HTTP/1.1, blank line included.
    pub fn wire_len(&self) -> usize {
        let line = format!("{} {} HTTP/1.1\r\n", self.method, self.target).len();
        let fields: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.len() + 2 + value.len() + 2)
            .sum();
        line + fields + 2
    }

    /// The fields of the head as HTTP/2 sends them for `target`: the
    /// pseudo-header fields first, then the other fields in lower case,
    /// `Host` becoming `:authority`.
    ///
    /// See: RFC 9113 §8.3.1 (request pseudo-header fields), §8.2.2 (no
    /// connection-specific fields).
    pub fn h2_fields(&self, target: &Target) -> Vec<(String, String)> {
        let mut fields = vec![
            (":method".to_string(), self.method.to_string()),
            (":scheme".to_string(), target.scheme.as_str().to_string()),
            (":authority".to_string(), target.host_header()),
            (":path".to_string(), target.request_target()),
        ];
        fields.extend(
            self.headers
                .iter()
                .filter(|(name, _)| !name.eq_ignore_ascii_case("host"))
                .map(|(name, value)| (name.to_ascii_lowercase(), value.clone())),
        );
        fields
    }

    /// The whole message with its credentials masked: the head, then `body`.
    pub(crate) fn masked_message(&self, body: Option<&[u8]>) -> Vec<u8> {
        let mut out = self.lines().join("\r\n").into_bytes();
        out.extend_from_slice(b"\r\n\r\n");
        out.extend_from_slice(body.unwrap_or_default());
        out
    }
}

/// Write a header name the way hyper's `title_case_headers` does: upper case
/// at the start and after each `-`, lower case elsewhere.
pub(crate) fn title_case(name: &str) -> String {
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

/// Mask the credentials in a rendered header line: `Authorization: Basic ****`.
pub(crate) fn redact(line: &str) -> String {
    let Some((name, value)) = line.split_once(':') else {
        return line.to_string();
    };
    let lower = name.to_ascii_lowercase();
    if lower != "authorization" && lower != "proxy-authorization" && lower != "cookie" {
        return line.to_string();
    }
    let value = value.trim_start();
    match value.split_once(' ') {
        Some((scheme, _)) if lower != "cookie" => format!("{name}: {scheme} {MASK}"),
        _ => format!("{name}: {MASK}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(text: &str) -> HeaderArg {
        text.parse().unwrap()
    }

    fn spec(options: RequestOptions, url: &str) -> (RequestSpec, Target) {
        let target = Target::parse(url, None).unwrap();
        (RequestSpec::new(&options, &target), target)
    }

    #[test]
    fn default_headers_and_basic_auth_from_the_url() {
        let (s, t) = spec(RequestOptions::default(), "http://al:pw@h.test:8080/x");
        let h = s.headers(&t, None);
        assert_eq!(h[0], ("Host".into(), "h.test:8080".into()));
        assert_eq!(h[1].1, USER_AGENT);
        assert_eq!(h[2], ("Accept".into(), "*/*".into()));
        assert_eq!(h[3], ("Authorization".into(), "Basic YWw6cHc=".into()));
        assert_eq!(s.method, Method::GET);
        assert_eq!(RequestSpec::get(&t).headers(&t, None), h);
    }

    #[test]
    fn extra_headers_replace_and_remove_defaults() {
        let options = RequestOptions {
            extra: vec![
                header("user-agent: me"),
                header("Accept:"),
                header("X-A: 1"),
            ],
            ..RequestOptions::default()
        };
        let (s, t) = spec(options, "http://h/");
        let h = s.headers(&t, None);
        let names: Vec<&str> = h.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Host", "User-Agent", "X-A"]);
        assert_eq!(h[1].1, "me");
    }

    #[test]
    fn data_makes_a_post_and_303_makes_it_a_get() {
        let data = RequestOptions {
            body: Some(Payload::bytes(
                &b"a=1"[..],
                Some("application/x-www-form-urlencoded"),
            )),
            ..RequestOptions::default()
        };
        let (s, t) = spec(data.clone(), "http://h/");
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
        let kept = s.redirected(308).body.unwrap().to_vec().unwrap();
        assert_eq!(kept, b"a=1");
        let put = RequestOptions {
            method: Some(Method::PUT),
            ..data
        };
        let (put, _) = spec(put, "http://h/");
        assert_eq!(put.redirected(301).method, Method::PUT);
    }

    #[test]
    fn credentials_and_cookies_stay_with_their_origin() {
        let options = RequestOptions {
            user: Some(Credentials::parse("u:p")),
            extra: vec![header("Cookie: c=1"), header("X-K: v")],
            ..RequestOptions::default()
        };
        let (s, _) = spec(options, "http://a.test/");
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
    fn heads_print_like_hyper_writes_and_mask_credentials() {
        let head = RequestHead {
            method: Method::GET,
            target: "/".into(),
            headers: vec![
                ("x-a".into(), "1".into()),
                ("Authorization".into(), "Basic YWw6cHc=".into()),
            ],
        };
        assert_eq!(
            head.lines(),
            ["GET / HTTP/1.1", "X-A: 1", "Authorization: Basic ****"]
        );
        assert_eq!(
            head.masked_message(Some(b"body")),
            b"GET / HTTP/1.1\r\nX-A: 1\r\nAuthorization: Basic ****\r\n\r\nbody"
        );
        let plain = RequestHead {
            headers: vec![("x-a".into(), "1".into())],
            ..head
        };
        assert_eq!(plain.wire_len(), plain.masked_message(None).len());
        assert_eq!(title_case("content-LENGTH"), "Content-Length");
        assert_eq!(redact("cookie: a=b"), "cookie: ****");
        assert_eq!(redact("Accept: */*"), "Accept: */*");
    }

    #[test]
    fn http2_fields_start_with_the_pseudo_headers() {
        let t = Target::parse("https://h.test:8443/x?y", None).unwrap();
        let fields = RequestSpec::get(&t).direct_head(&t).h2_fields(&t);
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                ":method",
                ":scheme",
                ":authority",
                ":path",
                "user-agent",
                "accept"
            ]
        );
        assert_eq!(fields[2].1, "h.test:8443");
        assert_eq!(fields[3].1, "/x?y");
    }

    #[test]
    fn the_offline_message_is_the_masked_head() {
        let t = Target::parse("http://al:pw@h.test/x", None).unwrap();
        let text = String::from_utf8(RequestSpec::get(&t).message(&t).unwrap()).unwrap();
        assert!(
            text.starts_with("GET /x HTTP/1.1\r\nHost: h.test\r\n"),
            "{text}"
        );
        assert!(
            text.ends_with("Authorization: Basic ****\r\n\r\n"),
            "{text}"
        );
    }
}
