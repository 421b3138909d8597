//! A certificate authority and a server certificate made at run time with
//! rcgen (ring backend), so that HTTPS tests need no files and no network:
//! trust the CA (`--cacert`) and the server is valid for its names; don't, and
//! it is an unknown issuer; ask for another name, and it is a mismatch.

use std::io;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The names the server certificate is valid for unless told otherwise.
pub const DEFAULT_NAMES: &[&str] = &[
    "localhost",
    "127.0.0.1",
    "::1",
    "www.lab.glasscom.com",
    "www.lab.cyber.co.kr",
];

/// A CA and one server certificate it signed.
pub struct Pki {
    ca_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: Vec<u8>,
}

impl Pki {
    /// Generate a CA named "netlens sandbox CA" and a server certificate for `names`
    /// (DNS names or IP addresses).
    pub fn generate(names: &[&str]) -> io::Result<Pki> {
        let err = |e: rcgen::Error| io::Error::other(e.to_string());
        let ca_key = KeyPair::generate().map_err(err)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "netlens sandbox CA");
        ca.distinguished_name
            .push(DnType::OrganizationName, "netlens");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
        let issuer = Issuer::new(ca, ca_key);

        let server_key = KeyPair::generate().map_err(err)?;
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut server = CertificateParams::new(names.clone()).map_err(err)?;
        let common_name = names.first().map_or("localhost", String::as_str);
        server
            .distinguished_name
            .push(DnType::CommonName, common_name);
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_cert = server.signed_by(&server_key, &issuer).map_err(err)?;
        Ok(Pki {
            ca_pem: ca_cert.pem(),
            server_chain: vec![server_cert.der().clone()],
            server_key: server_key.serialize_der(),
        })
    }

    /// The CA certificate in PEM, for `--cacert`.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// A rustls server configuration (ring provider, ALPN http/1.1) presenting
    /// the server certificate.
    pub fn server_config(&self) -> io::Result<ServerConfig> {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key.clone()));
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(self.server_chain.clone(), key)
            .map_err(io::Error::other)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}
