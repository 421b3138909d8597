//! http-get: the `-H NAME: VALUE` and `--resolve HOST:PORT:ADDR` parsers, the
//! request head built from the headers, and the proxy choice (`-x` or
//! `HTTP(S)_PROXY`, `NO_PROXY` matching, the default proxy port); and what
//! an HTTP/2 server answers (hyper's client and http-get's frame tap must
//! turn any bytes into a response or an error, never a panic).
//!
//! Input: a first byte 0 makes the rest the HTTP/2 server's bytes. Else
//! `URL \n NO_PROXY \n PROXY \n HEADER \n RESOLVE`, the URL first so
//! that every input reaches it. A URL line without `://` is taken as what
//! follows `http://` (or `https://` after a leading `s`). A proxy line starting
//! with `-` passes the rest as `-x`, anything else is the environment variable
//! of the URL's scheme.

#![no_main]

use http_get::fuzz;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((0, server)) = data.split_first() {
        let _ = fuzz::h2_response(server);
        return;
    }
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
    let (flag, env_proxy) = match proxy_line.strip_prefix('-') {
        Some(flag) => (Some(flag), ""),
        None => (None, proxy_line),
    };
    let _ = fuzz::request(&url, header, resolve, flag, env_proxy, no_proxy);
});
