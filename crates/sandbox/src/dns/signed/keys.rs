//! Zone keys made at start-up: nothing private is ever written to disk or
//! committed.
//!
//! ECDSA P-256 (algorithm 13) and Ed25519 (15) keys come from ring through
//! hickory-proto. ring cannot generate RSA keys, so the RSA/SHA-256 key
//! (algorithm 8) is made by `openssl genpkey` and loaded from its DER output.
//!
//! See: RFC 4034 §2 (DNSKEY), RFC 5702 (RSA/SHA-256), RFC 6605 (ECDSA),
//! RFC 8080 (Ed25519).

use std::io;
use std::process::Command;

use hickory_proto::dnssec::crypto::{EcdsaSigningKey, Ed25519SigningKey, RsaSigningKey};
use hickory_proto::dnssec::rdata::{DNSKEY, DS};
use hickory_proto::dnssec::{Algorithm, DigestType, SigningKey, TBS};
use hickory_proto::rr::Name;
use rustls_pki_types::PrivateKeyDer;

/// One zone's key: it signs every RRset of the zone (a combined signing key,
/// flags 257).
pub struct ZoneKey {
    signing: Box<dyn SigningKey>,
    dnskey: DNSKEY,
    key_tag: u16,
}

impl ZoneKey {
    /// A fresh key of `algorithm` (8, 13 or 15).
    pub fn generate(algorithm: Algorithm) -> io::Result<ZoneKey> {
        let signing: Box<dyn SigningKey> = match algorithm {
            Algorithm::RSASHA256 => {
                let der = rsa_der()?;
                // OpenSSL 3.0 writes PKCS#1, later versions PKCS#8: the DER says which.
                let der = PrivateKeyDer::try_from(der).map_err(other)?;
                Box::new(RsaSigningKey::from_key_der(&der, algorithm).map_err(other)?)
            }
            Algorithm::ED25519 => {
                let der = Ed25519SigningKey::generate_pkcs8().map_err(other)?;
                Box::new(Ed25519SigningKey::from_pkcs8(&der).map_err(other)?)
            }
            _ => {
                let der = EcdsaSigningKey::generate_pkcs8(algorithm).map_err(other)?;
                Box::new(EcdsaSigningKey::from_pkcs8(&der, algorithm).map_err(other)?)
            }
        };
        let dnskey = DNSKEY::new(true, true, false, signing.to_public_key().map_err(other)?);
        let key_tag = dnskey.calculate_key_tag().map_err(other)?;
        Ok(ZoneKey {
            signing,
            dnskey,
            key_tag,
        })
    }

    /// The public key as a DNSKEY record's data.
    pub fn dnskey(&self) -> &DNSKEY {
        &self.dnskey
    }

    /// The key tag (RFC 4034 Appendix B).
    pub fn key_tag(&self) -> u16 {
        self.key_tag
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.signing.algorithm()
    }

    /// The SHA-256 DS record data of this key as the DNSKEY of `zone`.
    pub fn ds(&self, zone: &Name) -> io::Result<DS> {
        let digest = self
            .dnskey
            .to_digest(zone, DigestType::SHA256)
            .map_err(other)?;
        Ok(DS::new(
            self.key_tag,
            self.algorithm(),
            DigestType::SHA256,
            digest.as_ref().to_vec(),
        ))
    }

    /// A signature over `tbs`.
    pub fn sign(&self, tbs: &TBS) -> io::Result<Vec<u8>> {
        self.signing.sign(tbs).map_err(other)
    }
}

/// A 2048-bit RSA private key in DER (PKCS#1 or PKCS#8), from `openssl genpkey`.
fn rsa_der() -> io::Result<Vec<u8>> {
    let output = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-outform",
            "DER",
        ])
        .output()
        .map_err(|e| io::Error::new(e.kind(), format!("openssl genpkey: {e}")))?;
    if !output.status.success() || output.stdout.is_empty() {
        return Err(io::Error::other(format!(
            "openssl genpkey: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(output.stdout)
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_each_algorithm_have_matching_ds() {
        let zone = Name::from_ascii("example.").unwrap();
        for algorithm in [
            Algorithm::RSASHA256,
            Algorithm::ECDSAP256SHA256,
            Algorithm::ED25519,
        ] {
            let key = ZoneKey::generate(algorithm).unwrap();
            assert_eq!(key.algorithm(), algorithm);
            assert_eq!(key.dnskey().flags(), 257);
            assert!(key.ds(&zone).unwrap().covers(&zone, key.dnskey()).unwrap());
        }
    }
}
