//! Entry points for the fuzz targets (`fuzz/fuzz_targets/http_get.rs`): the
//! parsers and builders that take untrusted text, reachable without the
//! network.

use crate::args::{HeaderArg, ResolveArg};
use crate::proxy;
use crate::request::RequestSpec;
use crate::target::Target;

/// Parse a `-H` value, a `--resolve` value and `url`, choose the proxy for it
/// (`proxy_flag` as `-x`, else `env_proxy` as the scheme's variable, with
/// `no_proxy` as `NO_PROXY`), and build and mask the request head; returns
/// the masked message when the URL parses.
pub fn request(
    url: &str,
    header: &str,
    resolve: &str,
    proxy_flag: Option<&str>,
    env_proxy: &str,
    no_proxy: &str,
) -> Option<Vec<u8>> {
    if let Ok(resolve) = resolve.parse::<ResolveArg>() {
        let _ = resolve.socket_addr();
    }
    let header = header.parse::<HeaderArg>().ok();
    let _ = proxy::bypass(no_proxy, url);
    let target = Target::parse(url, None).ok()?;
    let env = |name: &str| match name {
        "http_proxy" | "https_proxy" => Some(env_proxy.to_string()),
        "no_proxy" => Some(no_proxy.to_string()),
        _ => None,
    };
    let chosen = proxy::select(proxy_flag, &target, env).ok().flatten();
    let mut spec = RequestSpec::get(&target);
    spec.extra.extend(header);
    let head = spec.head(&target, chosen.as_ref());
    Some(head.masked_message(None))
}
