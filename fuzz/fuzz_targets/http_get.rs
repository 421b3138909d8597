//! http-get: the `-H NAME: VALUE` and `--resolve HOST:PORT:ADDR` parsers, the
//! request head built from the headers, and the proxy choice (`-x` or
//! `HTTP(S)_PROXY`, `NO_PROXY` matching, the default proxy port).
//!
//! Input: `URL \n NO_PROXY \n PROXY \n HEADER \n RESOLVE`, the URL first so
//! that every input reaches it. A URL line without `://` is taken as what
//! follows `http://` (or `https://` after a leading `s`). A proxy line starting
//! with `-` passes the rest as `-x`, anything else is the environment variable
//! of the URL's scheme.

#![no_main]

use http::Method;
use http_get::args::{HeaderArg, ResolveArg};
use http_get::proxy;
use http_get::request::{self, RequestSpec};
use http_get::target::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(5, '\n');
    let line = parts.next().unwrap_or("");
    let no_proxy = parts.next().unwrap_or("");
    let proxy_line = parts.next().unwrap_or("");
    let header = parts.next().unwrap_or("");
    let resolve = parts.next().unwrap_or("");
    let url = match line.strip_prefix('s') {
        _ if line.contains("://") => line.to_string(),
        Some(rest) => format!("https://{rest}"),
        None => format!("http://{line}"),
    };

    let header = header.parse::<HeaderArg>().ok();
    if let Ok(resolve) = resolve.parse::<ResolveArg>() {
        let _ = resolve.socket_addr();
    }
    let _ = proxy::bypass(no_proxy, line);

    let Ok(target) = Target::parse(&url, None) else {
        return;
    };
    let (flag, env_proxy) = match proxy_line.strip_prefix('-') {
        Some(flag) => (Some(flag), None),
        None => (None, Some(proxy_line.to_string())),
    };
    let env = |name: &str| match name {
        "http_proxy" | "https_proxy" => env_proxy.clone(),
        "no_proxy" => Some(no_proxy.to_string()),
        _ => None,
    };
    let chosen = proxy::select(flag, &target, env).ok().flatten();

    let spec = RequestSpec {
        method: Method::GET,
        body: None,
        extra: header.into_iter().collect(),
        credentials: target
            .userinfo()
            .map(|(u, p)| request::Credentials::new(&u, &p)),
        compressed: false,
        origin: target.origin(),
    };
    let headers = spec.headers(
        &target,
        chosen.as_ref().and_then(|p| p.credentials.as_ref()),
    );
    let message = request::render(&Method::GET, &target.request_target(), &headers, b"");
    let _ = request::redact_message(&message);
});
