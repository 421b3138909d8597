//! Encrypted transports for query mode: DNS over TLS (`--tls`, RFC 7858:
//! TCP framing inside TLS, ALPN `dot`, port 853) and DNS over HTTPS
//! (`--https [URL]`, RFC 8484: the wire format POSTed as
//! `application/dns-message`, HTTP/2 through hyper, ALPN `h2`, port 443).
//!
//! TLS is rustls with the workspace's one provider (`ring`), set up as
//! http-get sets it up: the system's roots, `--cacert FILE`, or nothing
//! checked with `-k`. The certificate must hold `--tls-name`, else the URL's
//! host, else the server's address. A handshake that fails on the certificate
//! is a TLS failure (exit 5).

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use hickory_proto::op::Message;
use http_body_util::{BodyExt, Full};
use http_get::Trust;
use hyper::header::{ACCEPT, CONTENT_TYPE};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::ClientConfig;
use tokio::net::TcpStream;

use crate::args::Args;
use crate::error::Error;
use crate::wire::{Protocol, Reject, WireError, accept, encode, framed_exchange, unreachable};

/// The TLS session, as shown: version, cipher, ALPN, the server's certificate.
pub use http_get::TlsInfo;

/// The path DNS over HTTPS posts to unless the URL names one.
pub(crate) const DOH_PATH: &str = "/dns-query";

/// The media type of DNS messages over HTTPS.
const DNS_MESSAGE: &str = "application/dns-message";

/// How queries travel encrypted.
#[derive(Debug)]
pub(crate) struct Secure {
    kind: Kind,
    config: Arc<ClientConfig>,
    /// The name the certificate must hold.
    name: String,
}

#[derive(Debug)]
enum Kind {
    Tls,
    Https {
        /// The `:authority` of the request (the URL's, else the name).
        authority: Option<String>,
        /// The path of the request.
        path: String,
    },
}

impl Secure {
    /// The transport `--tls`/`--https` ask for, towards `server`; `None` for
    /// plain DNS.
    pub fn from_args(args: &Args, server: Option<SocketAddr>) -> Result<Option<Secure>, Error> {
        let kind = match &args.https {
            _ if args.tls => Kind::Tls,
            Some(url) => https_kind(url)?,
            None => return Ok(None),
        };
        let Some(server) = server else {
            return Err(Error::Usage(
                "--tls and --https ask a named server: give @SERVER or --server".into(),
            ));
        };
        let trust = match (&args.cacert, args.insecure) {
            (_, true) => Trust::Insecure,
            (Some(path), false) => Trust::File(path.clone()),
            (None, false) => Trust::System,
        };
        let (alpn, url_host) = match &kind {
            Kind::Tls => (&b"dot"[..], None),
            Kind::Https { authority, .. } => (&b"h2"[..], authority.as_deref().map(host_of)),
        };
        let config = http_get::tls_config(&trust, vec![alpn.to_vec()]).map_err(|e| match e {
            http_get::Error::Usage(why) => Error::Usage(why),
            other => Error::Usage(other.to_string()),
        })?;
        let name = args
            .tls_name
            .clone()
            .or(url_host)
            .unwrap_or_else(|| server.ip().to_string());
        Ok(Some(Secure { kind, config, name }))
    }

    /// `tls` or `https`.
    pub fn protocol(&self) -> Protocol {
        match self.kind {
            Kind::Tls => Protocol::Tls,
            Kind::Https { .. } => Protocol::Https,
        }
    }

    /// Ask `server` the `request`; the reply, its size and the TLS session.
    pub async fn exchange(
        &self,
        server: SocketAddr,
        request: &Message,
    ) -> Result<((Message, usize), TlsInfo), WireError> {
        let tcp = TcpStream::connect(server).await.map_err(unreachable)?;
        // A question is written in pieces (TLS records, HTTP/2 frames): without
        // this, Nagle holds the last one back until the server's delayed ACK.
        let _ = tcp.set_nodelay(true);
        let (mut stream, info) = http_get::tls_handshake(Arc::clone(&self.config), &self.name, tcp)
            .await
            .map_err(|e| match e {
                http_get::Error::Tls { reason, .. } => WireError::Tls(reason),
                other => WireError::Unreachable(other.to_string()),
            })?;
        let reply = match &self.kind {
            Kind::Tls => framed_exchange(&mut stream, request).await?,
            Kind::Https { authority, path } => {
                let authority = authority.clone().unwrap_or_else(|| self.name.clone());
                post(stream, request, &authority, path).await?
            }
        };
        Ok((reply, info))
    }
}

/// `--https` with `URL` (`""`: the default), as the kind of transport.
fn https_kind(url: &str) -> Result<Kind, Error> {
    if url.is_empty() {
        return Ok(Kind::Https {
            authority: None,
            path: DOH_PATH.into(),
        });
    }
    if url.starts_with('/') {
        return Ok(Kind::Https {
            authority: None,
            path: url.into(),
        });
    }
    let bad = || Error::Usage(format!("--https {url}: not an https:// URL"));
    let rest = url.strip_prefix("https://").ok_or_else(bad)?;
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, DOH_PATH),
    };
    if authority.is_empty() {
        return Err(bad());
    }
    Ok(Kind::Https {
        authority: Some(authority.into()),
        path: path.into(),
    })
}

/// The host of an authority (`dns.example:8443` -> `dns.example`, `[::1]:443` -> `::1`).
fn host_of(authority: &str) -> String {
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => authority,
    };
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_string()
}

/// POST `request` over HTTP/2 on `stream` and read the reply from the body.
async fn post<S>(
    stream: S,
    request: &Message,
    authority: &str,
    path: &str,
) -> Result<(Message, usize), WireError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let http = |e: hyper::Error| WireError::Unreachable(format!("http/2: {e}"));
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .map_err(http)?;
    // The connection ends when the request is done and `sender` dropped.
    tokio::spawn(connection);
    let body = Full::new(Bytes::from(encode(request)?));
    let post = hyper::Request::post(format!("https://{authority}{path}"))
        .header(CONTENT_TYPE, DNS_MESSAGE)
        .header(ACCEPT, DNS_MESSAGE)
        .body(body)
        .map_err(|e| WireError::Malformed(format!("request: {e}")))?;
    let response = sender.send_request(post).await.map_err(http)?;
    if !response.status().is_success() {
        return Err(WireError::Malformed(format!(
            "HTTP status {}",
            response.status()
        )));
    }
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(http)?
        .to_bytes();
    match accept(request, &bytes) {
        Ok(message) => Ok((message, bytes.len())),
        Err(Reject::NotOurs) => Err(WireError::Malformed(
            "the reply does not answer the query".into(),
        )),
        Err(Reject::Bad(why)) => Err(WireError::Malformed(why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_authority_and_path() {
        let Kind::Https { authority, path } = https_kind("https://dns.example:8443/q").unwrap()
        else {
            panic!("not https");
        };
        assert_eq!(
            (authority.as_deref(), path.as_str()),
            (Some("dns.example:8443"), "/q")
        );
        let Kind::Https { authority, path } = https_kind("https://dns.example").unwrap() else {
            panic!("not https");
        };
        assert_eq!(
            (authority.as_deref(), path.as_str()),
            (Some("dns.example"), DOH_PATH)
        );
        assert!(https_kind("http://dns.example/").is_err());
        assert!(https_kind("https:///x").is_err());
        assert_eq!(host_of("dns.example:8443"), "dns.example");
        assert_eq!(host_of("[::1]:443"), "::1");
        assert_eq!(host_of("dns.example"), "dns.example");
    }
}
