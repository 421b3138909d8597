//! The TLS client of `--tls` and `--https`: rustls with the workspace's one
//! provider (`ring`); the system's roots, `--cacert FILE`, or no certificate
//! check with `-k` (the handshake signatures are still checked); ALPN `dot`
//! or `h2`; and the session as the report shows it.
//!
//! See: RFC 7858 §3.2 (DoT's ALPN), RFC 8310 (authenticating DNS over TLS).

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde::Serialize;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::error::Error;
use crate::wire::{WireError, unreachable};

/// The TLS session of a query.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct TlsInfo {
    /// `TLSv1.3` or `TLSv1.2`.
    pub version: String,
    /// The cipher suite (`TLS13_AES_256_GCM_SHA384`).
    pub cipher: String,
    /// The ALPN protocol agreed (`dot`, `h2`), if any.
    pub alpn: Option<String>,
    /// The subject of the server's certificate.
    pub subject: Option<String>,
    /// Its issuer.
    pub issuer: Option<String>,
}

/// The client configuration: which roots to trust (`cacert`, or the
/// system's; none checked when `insecure`), offering `alpn`.
pub(crate) fn config(
    cacert: Option<&Path>,
    insecure: bool,
    alpn: &[u8],
) -> Result<Arc<ClientConfig>, Error> {
    let provider = Arc::new(ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Usage(format!("tls configuration: {e}")))?;
    let mut config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
            .with_no_client_auth()
    } else {
        let roots = match cacert {
            Some(path) => roots_from(path)?,
            None => {
                let mut roots = RootCertStore::empty();
                // Unreadable entries of the system store are skipped.
                roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
                roots
            }
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    config.alpn_protocols = vec![alpn.to_vec()];
    Ok(Arc::new(config))
}

/// Every certificate of a PEM file, as roots.
fn roots_from(path: &Path) -> Result<RootCertStore, Error> {
    let bad = |why: String| Error::Usage(format!("--cacert {}: {why}", path.display()));
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(e.to_string()))? {
        roots
            .add(cert.map_err(|e| bad(e.to_string()))?)
            .map_err(|e| bad(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(bad("no certificate in the file".into()));
    }
    Ok(roots)
}

/// The TLS handshake over `tcp`, the certificate checked for `name`.
pub(crate) async fn connect(
    config: Arc<ClientConfig>,
    name: &str,
    tcp: TcpStream,
) -> Result<(TlsStream<TcpStream>, TlsInfo), WireError> {
    let server_name = ServerName::try_from(name.to_string())
        .map_err(|_| WireError::Tls(format!("{name}: not a server name or address")))?;
    let stream = TlsConnector::from(config)
        .connect(server_name, tcp)
        .await
        .map_err(|e| handshake_error(name, e))?;
    let info = session(stream.get_ref().1);
    Ok((stream, info))
}

/// A certificate problem is a TLS failure; a broken connection is not.
fn handshake_error(name: &str, error: std::io::Error) -> WireError {
    let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return unreachable(error);
    };
    WireError::Tls(match tls {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "certificate not trusted: unknown issuer (see --cacert, -k)".into()
        }
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!("certificate is not valid for the name {name} (see --tls-name)"),
        rustls::Error::InvalidCertificate(other) => format!("invalid certificate: {other:?}"),
        other => other.to_string(),
    })
}

/// What the report shows of a session.
fn session(conn: &rustls::ClientConnection) -> TlsInfo {
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
        other => format!("{other:?}"),
    };
    let certificate = conn
        .peer_certificates()
        .and_then(|chain| chain.first())
        .and_then(|der| x509_parser::parse_x509_certificate(der).ok())
        .map(|(_, cert)| (cert.subject().to_string(), cert.issuer().to_string()));
    let (subject, issuer) = certificate.unzip();
    TlsInfo {
        version,
        cipher: conn
            .negotiated_cipher_suite()
            .map(|suite| format!("{:?}", suite.suite()))
            .unwrap_or_default(),
        alpn: conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
        subject,
        issuer,
    }
}

/// `-k`: any certificate, the handshake's signatures still verified.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cacert_files_must_hold_certificates() {
        let dir = std::env::temp_dir().join(format!("dns-lookup-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "nothing here\n").unwrap();
        let err = config(Some(&empty), false, b"dot").unwrap_err();
        assert!(
            err.to_string().ends_with("no certificate in the file"),
            "{err}"
        );
        assert!(config(Some(&dir.join("missing.pem")), false, b"dot").is_err());
        assert!(config(None, true, b"h2").is_ok());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
