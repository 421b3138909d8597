//! TLS with rustls (the `ring` provider only): which roots to trust (system,
//! `--cacert`, or none with `-k`), SNI, ALPN (`h2`, `http/1.1`), and what verbose
//! output and JSON show about the session and the server's certificate.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::error::Error;

/// Which certificates to trust.
#[derive(Debug, Clone)]
pub enum Trust {
    /// The system's root store (rustls-native-certs).
    System,
    /// The certificates in a PEM file (`--cacert`).
    File(std::path::PathBuf),
    /// Nothing is checked (`-k`).
    Insecure,
}

/// The negotiated session, as `-v` and `--json` show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TlsInfo {
    /// Protocol version, e.g. `TLSv1.3`.
    pub version: String,
    /// Cipher suite, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher: String,
    /// The ALPN protocol the server chose, if any.
    pub alpn: Option<String>,
    /// The leaf certificate's subject.
    pub peer_subject: Option<String>,
    /// The leaf certificate's issuer.
    pub peer_issuer: Option<String>,
    /// The leaf certificate's expiry, RFC 3339 in UTC.
    pub not_after: Option<String>,
}

/// Build the client configuration for `trust`, offering `alpn`.
pub fn config(trust: &Trust, alpn: Vec<Vec<u8>>) -> Result<Arc<ClientConfig>, Error> {
    let provider = Arc::new(ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Usage(format!("tls configuration: {e}")))?;
    let mut config = match trust {
        Trust::Insecure => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
            .with_no_client_auth(),
        Trust::System => {
            let mut roots = RootCertStore::empty();
            // Unreadable entries in the system store are skipped, as curl does.
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Trust::File(path) => builder
            .with_root_certificates(load_roots(path)?)
            .with_no_client_auth(),
    };
    // See: RFC 7301 (ALPN).
    config.alpn_protocols = alpn;
    Ok(Arc::new(config))
}

/// Read every certificate of a PEM file into a root store.
fn load_roots(path: &Path) -> Result<RootCertStore, Error> {
    let bad = |reason: String| Error::Usage(format!("cacert {}: {reason}", path.display()));
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path).map_err(|e| bad(e.to_string()))?;
    for cert in certs {
        let cert = cert.map_err(|e| bad(e.to_string()))?;
        roots.add(cert).map_err(|e| bad(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(bad("no certificate found".to_string()));
    }
    Ok(roots)
}

/// Run the handshake over `tcp` for `host` (SNI unless it is an address).
pub async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
    config: Arc<ClientConfig>,
    host: &str,
    tcp: S,
) -> Result<(TlsStream<S>, TlsInfo), Error> {
    let name = ServerName::try_from(host.to_string()).map_err(|_| Error::Tls {
        host: host.to_string(),
        reason: "not a valid server name".to_string(),
    })?;
    let stream = TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| classify(host, e))?;
    let info = info(stream.get_ref().1);
    Ok((stream, info))
}

/// A handshake failure: rustls's own errors are TLS failures (5), a broken
/// connection is a network failure (3).
fn classify(host: &str, error: std::io::Error) -> Error {
    let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return Error::Network {
            what: "tls handshake",
            reason: error.to_string(),
        };
    };
    let reason = match tls {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer => {
                "certificate not trusted: unknown issuer (see --cacert, -k)".to_string()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!("certificate is not valid for the name {host}")
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "certificate has expired".to_string()
            }
            other => format!("invalid certificate: {other:?}"),
        },
        other => other.to_string(),
    };
    Error::Tls {
        host: host.to_string(),
        reason,
    }
}

/// What verbose output and JSON show about the session.
fn info(conn: &rustls::ClientConnection) -> TlsInfo {
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
        Some(other) => format!("{other:?}"),
        None => "unknown".to_string(),
    };
    let cipher = conn
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()))
        .unwrap_or_default();
    let alpn = conn
        .alpn_protocol()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let leaf = conn
        .peer_certificates()
        .and_then(|certs| certs.first())
        .and_then(|der| x509_parser::parse_x509_certificate(der).ok())
        .map(|(_, cert)| {
            (
                cert.subject().to_string(),
                cert.issuer().to_string(),
                rfc3339(cert.validity().not_after.timestamp()),
            )
        });
    let (peer_subject, peer_issuer, not_after) = match leaf {
        Some((s, i, n)) => (Some(s), Some(i), Some(n)),
        None => (None, None, None),
    };
    TlsInfo {
        version,
        cipher,
        alpn,
        peer_subject,
        peer_issuer,
        not_after,
    }
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
///
/// See: RFC 3339 §5.6; the civil-date algorithm is Howard Hinnant's `civil_from_days`.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The `-k` verifier: any certificate is accepted, but the handshake
/// signatures are still checked (so the session keys are the server's).
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_unix_time_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn cacert_must_hold_a_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "not a pem\n").unwrap();
        let e = config(&Trust::File(path), Vec::new()).unwrap_err();
        assert!(e.to_string().contains("no certificate found"), "{e}");
        let e = config(&Trust::File(dir.path().join("missing.pem")), Vec::new()).unwrap_err();
        assert_eq!(netlens_core::Failure::exit_code(&e).code(), 2);
        assert!(config(&Trust::Insecure, Vec::new()).is_ok());
    }
}
