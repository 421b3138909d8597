//! Entry points for the fuzz targets (`fuzz/fuzz_targets/http_get.rs`): the
//! parsers and builders that take untrusted text, and HTTP/2 answers from a
//! server, reachable without the network.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::args::{HeaderArg, ResolveArg};
use crate::error::Error;
use crate::frames::FrameReader;
use crate::proxy;
use crate::request::RequestSpec;
use crate::tap::Tap;
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

/// Play `bytes` as everything an HTTP/2 server sends on a connection, to
/// hyper's client over the tap, for one GET, once the request came; returns
/// the status, or the error as http-get reports it (a frame it cannot take
/// is a protocol error, exit 4). The server's side is closed after `bytes`.
pub fn h2_response(bytes: &[u8]) -> Result<u16, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let bytes = bytes.to_vec();
    runtime.block_on(async move {
        let (client, mut server) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            // Answer once the request's HEADERS frame has come, then close.
            let mut reader = FrameReader::client();
            let mut asked = false;
            let mut chunk = [0u8; 4096];
            while !asked {
                match server.read(&mut chunk).await {
                    Ok(n) if n > 0 => {
                        reader.feed(&chunk[..n], &mut |f| asked |= f.is_header_block());
                    }
                    _ => return,
                }
            }
            let _ = server.write_all(&bytes).await;
        });
        let exchange = async {
            let (tapped, _) = Tap::new(client, true);
            let (mut sender, conn) = http2::Builder::new(TokioExecutor::new())
                .handshake::<_, Empty<Bytes>>(TokioIo::new(tapped))
                .await
                .map_err(|e| Error::from_hyper("http/2 handshake", &e))?;
            tokio::spawn(conn);
            let request = http::Request::get("http://fuzz.test/")
                .body(Empty::new())
                .map_err(|e| Error::Usage(e.to_string()))?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| Error::from_hyper("reading the response", &e))?;
            let status = response.status().as_u16();
            response
                .into_body()
                .collect()
                .await
                .map_err(|e| Error::from_hyper("reading the body", &e))?;
            Ok(status)
        };
        tokio::time::timeout(Duration::from_secs(5), exchange)
            .await
            .unwrap_or(Err(Error::Timeout {
                what: "fuzz exchange",
                secs: 5.0,
            }))
    })
}

#[cfg(test)]
mod tests {
    use netlens_core::Failure;

    use super::*;

    fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let mut out = (payload.len() as u32).to_be_bytes()[1..].to_vec();
        out.extend_from_slice(&[kind, flags]);
        out.extend_from_slice(&stream.to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn a_plain_answer_goes_through() {
        let mut bytes = frame(0x4, 0, 0, &[]);
        // :status 200 is entry 8 of HPACK's static table. See: RFC 7541 Appendix A.
        bytes.extend(frame(0x1, 0x4 | 0x1, 1, &[0x88]));
        assert_eq!(h2_response(&bytes).unwrap(), 200);
    }

    #[test]
    fn bad_frames_are_protocol_errors_never_panics() {
        let goaway = [
            frame(0x4, 0, 0, &[]),
            frame(0x7, 0, 0, &[0, 0, 0, 0, 0, 0, 0, 1]),
        ]
        .concat();
        let too_big_window = [
            frame(0x4, 0, 0, &[]),
            frame(0x8, 0, 0, &0x7fff_ffffu32.to_be_bytes()),
        ]
        .concat();
        let data_on_stream_0 = [frame(0x4, 0, 0, &[]), frame(0x0, 0, 0, b"x")].concat();
        let cases: [&[u8]; 5] = [
            &goaway,
            &too_big_window,
            &data_on_stream_0,
            b"HTTP/1.1 200 OK\r\n\r\n",
            &[0xff; 40],
        ];
        for bytes in cases {
            let error = h2_response(bytes).unwrap_err();
            assert_eq!(error.exit_code().code(), 4, "{error}");
        }
        let _ = h2_response(&[]);
    }
}
