//! What the sandbox web server serves: the textbook's sample page with its
//! image, bodies of any size (by Content-Length or chunked), compressed
//! bodies, redirect chains and loops, basic auth, an echo of the request as
//! received, any status, and a 404 for everything else.
//!
//! | path | answer |
//! |------|--------|
//! | `/`, `/index.html` | a small index page |
//! | `/sample.htm` | the sample page, with `<img src="gazou.jpg">` |
//! | `/gazou.jpg` | its image, an 8×8 grey JPEG |
//! | `/sample.png` | a 1×1 PNG |
//! | `/bytes/N` | N bytes with `Content-Length` |
//! | `/chunked/N` | N bytes, chunked |
//! | `/big` | 100 MiB with `Content-Length` |
//! | `/gzip`, `/deflate`, `/br` | the sample page, encoded (whatever the request asked) |
//! | `/redirect/N` | 302 to `/redirect/N-1`; `/redirect/0` is a page |
//! | `/redirect-to?url=U&status=S` | S (default 302) to U |
//! | `/loop/a`, `/loop/b` | 302 to each other |
//! | `/basic-auth/USER/PASS` | 200 with those credentials, else 401 |
//! | `/echo`, `/echo/ANYTHING` | the request line, headers (as received, in order) and body size |
//! | `/cookies` | the request's `Cookie` header |
//! | `/cookies/set/NAME/VALUE` | 302 to `/cookies`, setting the cookie (path `/`) |
//! | `/cookies/require/NAME/VALUE` | 200 with that cookie, else 403 |
//! | `/echo/body` | the request body as received, with the request's `Content-Type` |
//! | `/status/N` | status N |
//! | `/flaky/N/KEY?status=S&retry-after=R` | S (default 503; `Retry-After: R` if given) to the first N requests for KEY, then 200 |
//! | `/throttle/N/KEY/...?status=S&retry-after=R` | S (default 429; `Retry-After: R` if given) to the first N requests under KEY, then 200; each arrival is logged |
//! | `/throttle-log/KEY` | when each request under KEY arrived (ms after the first) and the status it got, one per line |
//! | `/close/PATH` | PATH's answer with `Connection: close`: the server closes after it |

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::Write;
use std::pin::Pin;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming, SizeHint};

/// The sample page of the textbook: a heading, a paragraph and an image.
pub const SAMPLE_PAGE: &str = "<!DOCTYPE html>
<html>
<head><title>Sample page</title></head>
<body>
<h1>www.lab.glasscom.com</h1>
<p>This is a sample page. The browser asks for it, then for the image below.</p>
<img src=\"gazou.jpg\" alt=\"sample image\">
</body>
</html>
";

/// A 1×1 transparent PNG.
pub const SAMPLE_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// The sample page's image: an 8×8 mid-grey baseline JPEG, as small as a
/// valid one gets: one quantisation table, one DC and one AC Huffman table
/// of a single code each, and one block whose DC difference is 0 and whose
/// AC coefficients end at once (EOB).
///
/// See: ITU-T T.81 (JPEG), Annex B (the interchange format).
pub fn gazou_jpeg() -> Vec<u8> {
    fn segment(out: &mut Vec<u8>, marker: u8, payload: &[u8]) {
        out.extend_from_slice(&[0xff, marker]);
        out.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        out.extend_from_slice(payload);
    }
    let mut jpeg = vec![0xff, 0xd8]; // SOI
    segment(&mut jpeg, 0xe0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"); // APP0
    let mut dqt = vec![0x00]; // 8-bit table 0
    dqt.extend_from_slice(&[1; 64]);
    segment(&mut jpeg, 0xdb, &dqt);
    // SOF0: 8 bits, 8×8, one component (id 1, sampling 1×1, table 0).
    segment(&mut jpeg, 0xc0, &[8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
    // DHT: one code of length 1 in each table: DC category 0, AC end-of-block.
    for class in [0x00, 0x10] {
        let mut dht = vec![class, 1];
        dht.extend_from_slice(&[0; 15]);
        dht.push(0);
        segment(&mut jpeg, 0xc4, &dht);
    }
    segment(&mut jpeg, 0xda, &[1, 1, 0x00, 0, 63, 0]); // SOS
    // The block: DC code 0, EOB code 0, padded with 1 bits.
    jpeg.extend_from_slice(&[0b0011_1111, 0xff, 0xd9]); // data, EOI
    jpeg
}

/// Size of `/big`.
pub const BIG: u64 = 100 * 1024 * 1024;

/// Size of the chunks large bodies are sent in.
const CHUNK: usize = 256 * 1024;

/// The byte at `offset` of every generated body (`/bytes/N`, `/chunked/N`, `/big`),
/// so that a test can check what it received.
pub fn pattern_byte(offset: u64) -> u8 {
    b"0123456789abcdef"[(offset % 16) as usize]
}

/// A response body: bytes in memory, or a generated stream of any length.
pub enum Body {
    /// Bytes in memory.
    Full(Option<Bytes>),
    /// `left` bytes of the pattern, announced with a length or sent chunked.
    Pattern {
        /// Bytes still to send.
        left: u64,
        /// Whether to send it chunked (no length announced).
        chunked: bool,
    },
}

impl Body {
    fn text(text: impl Into<Bytes>) -> Body {
        Body::Full(Some(text.into()))
    }
}

fn pattern_chunk() -> &'static Bytes {
    static CHUNK_BYTES: OnceLock<Bytes> = OnceLock::new();
    CHUNK_BYTES.get_or_init(|| {
        (0..CHUNK as u64)
            .map(pattern_byte)
            .collect::<Vec<u8>>()
            .into()
    })
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match &mut *self {
            Body::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Body::Pattern { left, .. } => {
                if *left == 0 {
                    return Poll::Ready(None);
                }
                // CHUNK is a multiple of 16, so every chunk starts the pattern afresh.
                let n = (*left).min(CHUNK as u64) as usize;
                *left -= n as u64;
                Poll::Ready(Some(Ok(Frame::data(pattern_chunk().slice(..n)))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Full(bytes) => bytes.is_none(),
            Body::Pattern { left, .. } => *left == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Body::Pattern {
                left,
                chunked: false,
            } => SizeHint::with_exact(*left),
            Body::Pattern { chunked: true, .. } => SizeHint::default(),
        }
    }
}

/// Answer one request.
pub async fn route(request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if let ["close", rest @ ..] = segments.as_slice() {
        // hyper's server closes the connection after a response that says so.
        let mut response = route_path(request, rest, &query).await;
        let close = header::HeaderValue::from_static("close");
        response.headers_mut().insert(header::CONNECTION, close);
        return Ok(response);
    }
    Ok(route_path(request, &segments, &query).await)
}

/// Answer one request for the path `segments`.
async fn route_path(request: Request<Incoming>, segments: &[&str], query: &str) -> Response<Body> {
    match segments {
        [""] | ["index.html"] => page("text/html", INDEX),
        ["sample.htm"] => page("text/html; charset=utf-8", SAMPLE_PAGE),
        ["sample.png"] => page("image/png", SAMPLE_PNG),
        ["gazou.jpg"] => page("image/jpeg", gazou_jpeg()),
        ["bytes", n] => pattern(n, false),
        ["chunked", n] => pattern(n, true),
        ["big"] => pattern(&BIG.to_string(), false),
        ["gzip"] => encoded("gzip"),
        ["deflate"] => encoded("deflate"),
        ["br"] => encoded("br"),
        ["redirect", n] => match n.parse::<u32>() {
            Ok(0) => page("text/plain", "redirects done\n"),
            Ok(n) => redirect(302, &format!("/redirect/{}", n - 1)),
            Err(_) => not_found(),
        },
        ["redirect-to"] => {
            let url = query_value(query, "url");
            let status = query_value(query, "status")
                .and_then(|s| s.parse().ok())
                .unwrap_or(302);
            match url {
                Some(url) => redirect(status, &url),
                None => status_page(400),
            }
        }
        ["loop", "a"] => redirect(302, "/loop/b"),
        ["loop", "b"] => redirect(302, "/loop/a"),
        ["basic-auth", user, pass] => basic_auth(&request, user, pass),
        ["echo", "body"] => echo_body(request).await,
        ["echo", ..] => echo(request).await,
        ["cookies"] => page(
            "text/plain",
            format!("cookie: {}\n", cookie_header(&request).unwrap_or("(none)")),
        ),
        ["cookies", "set", name, value] => {
            let mut response = redirect(302, "/cookies");
            if let Ok(cookie) = format!("{name}={value}; Path=/").parse() {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        ["cookies", "require", name, value] => {
            let wanted = format!("{name}={value}");
            let cookies = cookie_header(&request).unwrap_or_default();
            match cookies.split("; ").any(|c| c == wanted) {
                true => page("text/plain", format!("welcome, {wanted}\n")),
                false => respond(
                    403,
                    "text/plain",
                    Body::text(format!("{wanted} required\n")),
                ),
            }
        }
        ["flaky", n, key] => match n.parse() {
            Ok(n) => flaky(n, key, query),
            Err(_) => not_found(),
        },
        ["throttle", n, key, ..] => match n.parse() {
            Ok(n) => throttle(n, key, query),
            Err(_) => not_found(),
        },
        ["throttle-log", key] => page("text/plain", throttle_log(key)),
        ["status", n] => match n.parse() {
            Ok(code) => status_page(code),
            Err(_) => not_found(),
        },
        _ => not_found(),
    }
}

const INDEX: &str = "<!DOCTYPE html>
<html><body><h1>netlens sandbox</h1>
<ul><li><a href=\"/sample.htm\">sample page</a></li><li><a href=\"/echo\">echo</a></li></ul>
</body></html>
";

fn respond(status: u16, content_type: &str, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Ok(value) = content_type.parse() {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

fn page(content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    respond(200, content_type, Body::text(body))
}

fn not_found() -> Response<Body> {
    respond(404, "text/plain", Body::text("not found\n"))
}

fn status_page(code: u16) -> Response<Body> {
    let code = if (200..=599).contains(&code) {
        code
    } else {
        400
    };
    respond(code, "text/plain", Body::text(format!("status {code}\n")))
}

fn pattern(n: &str, chunked: bool) -> Response<Body> {
    match n.parse() {
        Ok(left) => respond(
            200,
            "application/octet-stream",
            Body::Pattern { left, chunked },
        ),
        Err(_) => not_found(),
    }
}

fn encoded(coding: &str) -> Response<Body> {
    let mut response = page(
        "text/html; charset=utf-8",
        encode(coding, SAMPLE_PAGE.as_bytes()),
    );
    if let Ok(value) = coding.parse() {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, value);
    }
    response
}

/// `data` in the content coding named `coding` (gzip, deflate, br).
pub fn encode(coding: &str, data: &[u8]) -> Vec<u8> {
    let level = flate2::Compression::default();
    let result = match coding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
            e.write_all(data).and_then(|()| e.finish())
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), level);
            e.write_all(data).and_then(|()| e.finish())
        }
        _ => {
            let mut out = Vec::new();
            brotli::BrotliCompress(&mut &data[..], &mut out, &Default::default()).map(|_| out)
        }
    };
    // Encoding into memory cannot fail.
    result.unwrap_or_default()
}

fn redirect(status: u16, location: &str) -> Response<Body> {
    let mut response = respond(
        status,
        "text/plain",
        Body::text(format!("see {location}\n")),
    );
    if let Ok(value) = location.parse() {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn basic_auth(request: &Request<Incoming>, user: &str, pass: &str) -> Response<Body> {
    let expected = format!("Basic {}", BASE64.encode(format!("{user}:{pass}")));
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if given == Some(expected.as_str()) {
        return page("text/plain", format!("authenticated as {user}\n"));
    }
    let mut response = respond(401, "text/plain", Body::text("authentication required\n"));
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        http::HeaderValue::from_static("Basic realm=\"sandbox\""),
    );
    response
}

/// The request as received: request line, headers in order (names in lower
/// case, as hyper hands them over), then the body's size.
async fn echo(request: Request<Incoming>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    // HTTP/2 has no request line: the target is shown in origin form, the
    // authority as a `host` field, as an HTTP/1.1 request would carry them.
    let mut text = match (parts.version, parts.uri.path_and_query()) {
        (http::Version::HTTP_2, Some(path)) => format!(
            "{} {path} {:?}\nhost: {}\n",
            parts.method,
            parts.version,
            parts.uri.authority().map_or("", |a| a.as_str())
        ),
        _ => format!("{} {} {:?}\n", parts.method, parts.uri, parts.version),
    };
    for (name, value) in &parts.headers {
        text.push_str(&format!(
            "{name}: {}\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    let size = body.collect().await.map_or(0, |b| b.to_bytes().len());
    text.push_str(&format!("\nbody: {size} bytes\n"));
    page("text/plain", text)
}

/// Requests seen so far per `/flaky` key.
fn flaky_counts() -> &'static Mutex<HashMap<String, u32>> {
    static COUNTS: OnceLock<Mutex<HashMap<String, u32>>> = OnceLock::new();
    COUNTS.get_or_init(Mutex::default)
}

/// A failure for the first `failures` requests for `key`, then a page.
fn flaky(failures: u32, key: &str, query: &str) -> Response<Body> {
    let seen = {
        let mut counts = flaky_counts()
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(key.to_string()).or_default();
        *count += 1;
        *count
    };
    if seen > failures {
        return page("text/plain", format!("ok after {failures} failures\n"));
    }
    let status = query_value(query, "status")
        .and_then(|s| s.parse().ok())
        .unwrap_or(503);
    let mut response = status_page(status);
    if let Some(value) = query_value(query, "retry-after").and_then(|v| v.parse().ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Per `/throttle` key: when the first request arrived, and each arrival
/// since (its offset and the status it got).
type ThrottleLog = HashMap<String, (Instant, Vec<(f64, u16)>)>;

fn throttle_logs() -> &'static Mutex<ThrottleLog> {
    static LOGS: OnceLock<Mutex<ThrottleLog>> = OnceLock::new();
    LOGS.get_or_init(Mutex::default)
}

/// A rate limiter that says no to the first `refusals` requests under `key`
/// (429 unless the query names another status), then lets every request
/// through; each arrival is logged with the server's own clock.
fn throttle(refusals: usize, key: &str, query: &str) -> Response<Body> {
    let now = Instant::now();
    let mut logs = throttle_logs()
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let (first, log) = logs.entry(key.to_string()).or_insert((now, Vec::new()));
    let status = if log.len() < refusals {
        query_value(query, "status")
            .and_then(|s| s.parse().ok())
            .unwrap_or(429)
    } else {
        200
    };
    let offset = now.duration_since(*first).as_secs_f64() * 1000.0;
    log.push((offset, status));
    let mut response = status_page(status);
    if status != 200
        && let Some(value) = query_value(query, "retry-after").and_then(|v| v.parse().ok())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The arrivals under a `/throttle` key: `MS STATUS` per line, in order.
fn throttle_log(key: &str) -> String {
    let logs = throttle_logs()
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let arrivals = logs.get(key).map_or(&[][..], |(_, log)| log.as_slice());
    arrivals
        .iter()
        .map(|(ms, status)| format!("{ms:.3} {status}\n"))
        .collect()
}

/// The request's `Cookie` header, if any.
fn cookie_header(request: &Request<Incoming>) -> Option<&str> {
    request.headers().get(header::COOKIE)?.to_str().ok()
}

/// The request body, sent back as it came.
async fn echo_body(request: Request<Incoming>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut response = Response::new(Body::Full(Some(bytes)));
    if let Some(content_type) = parts.headers.get(header::CONTENT_TYPE) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type.clone());
    }
    response
}

/// The first value of `key` in a query string, percent-decoded.
fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

/// Decode a form value: `+` is a space, then `%XX` escapes.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            query_value(
                "a=1&url=http%3A%2F%2F127.0.0.2%3A80%2Fecho&status=307",
                "url"
            )
            .as_deref(),
            Some("http://127.0.0.2:80/echo")
        );
        assert_eq!(query_value("a=1", "url"), None);
    }

    #[test]
    fn pattern_chunks_line_up() {
        let chunk = pattern_chunk();
        assert_eq!(chunk.len(), CHUNK);
        assert_eq!(chunk[CHUNK - 1], pattern_byte(CHUNK as u64 - 1));
        assert_eq!(pattern_byte(CHUNK as u64), chunk[0]);
    }
}
