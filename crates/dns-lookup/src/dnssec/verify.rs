//! Checking one RRset's signatures: the RRSIGs that cover it, made by the
//! zone's keys, inside their validity period, verified by hickory-proto (ring).
//!
//! See: RFC 4035 §5.3 (checking the RRSIG RR validity and the signature),
//! RFC 6840 §5.2 and §5.4 (unsupported algorithms), RFC 1982 (serial arithmetic
//! for the validity times).

use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, RRSIG};
use hickory_proto::dnssec::{Algorithm, PublicKey, Verifier};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

/// Why an RRset did not verify. Ordered from the least to the most telling.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SigError {
    /// Every RRSIG uses an algorithm we cannot check (RFC 6840 §5.2: insecure).
    Unsupported(Algorithm),
    /// No RRSIG by the zone covers the RRset.
    Missing,
    /// No key of the zone has the RRSIG's key tag and algorithm.
    NoKey(u16),
    /// The signature's inception lies in the future.
    NotYetValid,
    /// The signature's expiration lies in the past.
    Expired,
    /// The signature does not verify over the RRset with the key.
    BadSignature(u16),
}

impl SigError {
    /// The reason in words, for the RRset `what` (`"www.example. A"`).
    pub fn reason(&self, what: &str) -> String {
        match self {
            SigError::Unsupported(algorithm) => {
                format!("unsupported algorithm {} for {what}", u8::from(*algorithm))
            }
            SigError::Missing => format!("RRSIG missing for {what}"),
            SigError::NoKey(tag) => format!("no DNSKEY with key tag {tag} for the RRSIG of {what}"),
            SigError::NotYetValid => format!("signature not yet valid for {what}"),
            SigError::Expired => format!("signature expired for {what}"),
            SigError::BadSignature(tag) => {
                format!("signature does not verify for {what} (key {tag})")
            }
        }
    }
}

/// Whether we can check signatures of `algorithm` (RSA/SHA-256 and -512,
/// ECDSA P-256 and P-384, Ed25519).
pub fn supported(algorithm: Algorithm) -> bool {
    matches!(
        algorithm,
        Algorithm::RSASHA256
            | Algorithm::RSASHA512
            | Algorithm::ECDSAP256SHA256
            | Algorithm::ECDSAP384SHA384
            | Algorithm::ED25519
    )
}

/// The RRSIG data of a record, if it is one.
pub fn as_rrsig(record: &Record) -> Option<&RRSIG> {
    match &record.data {
        RData::DNSSEC(DNSSECRData::RRSIG(sig)) => Some(sig),
        _ => None,
    }
}

/// The DNSKEY data of a record, if it is one.
pub fn as_dnskey(record: &Record) -> Option<&DNSKEY> {
    match &record.data {
        RData::DNSSEC(DNSSECRData::DNSKEY(key)) => Some(key),
        _ => None,
    }
}

/// The records of the RRset (`owner`, `rtype`) in `section`.
pub fn rrset(section: &[Record], owner: &Name, rtype: RecordType) -> Vec<Record> {
    section
        .iter()
        .filter(|r| r.record_type() == rtype && r.name == *owner)
        .cloned()
        .collect()
}

/// When the RRset (`owner`, `rtype`) of `section` was synthesized from a
/// wildcard, the number of labels of the name the wildcard stands under: its
/// RRSIGs count fewer labels than the owner has (RFC 4035 §5.3.4).
pub fn expanded_from(section: &[Record], owner: &Name, rtype: RecordType) -> Option<u8> {
    section
        .iter()
        .filter(|r| r.name == *owner)
        .filter_map(as_rrsig)
        .filter(|s| s.input().type_covered == rtype)
        .map(|s| s.input().num_labels)
        .filter(|labels| *labels < owner.num_labels())
        .min()
}

/// Check the RRset (`owner`, `rtype`) of `section` against the RRSIGs of
/// `section` made by `zone` with one of `keys`, at the time `now` (seconds
/// since 1970, as RRSIG times are).
pub fn verify_rrset(
    section: &[Record],
    owner: &Name,
    rtype: RecordType,
    zone: &Name,
    keys: &[DNSKEY],
    now: u32,
) -> Result<(), SigError> {
    let records = rrset(section, owner, rtype);
    let sigs = section
        .iter()
        .filter(|r| r.name == *owner)
        .filter_map(as_rrsig)
        .filter(|s| s.input().type_covered == rtype && s.input().signer_name == *zone);
    let mut worst: Option<SigError> = None;
    let mut note = |e: SigError| {
        if worst.as_ref().is_none_or(|w| e > *w) {
            worst = Some(e);
        }
    };
    for sig in sigs {
        let input = sig.input();
        if !supported(input.algorithm) {
            note(SigError::Unsupported(input.algorithm));
            continue;
        }
        if later(input.sig_inception.get(), now) {
            note(SigError::NotYetValid);
            continue;
        }
        if later(now, input.sig_expiration.get()) {
            note(SigError::Expired);
            continue;
        }
        let candidates: Vec<&DNSKEY> = keys
            .iter()
            .filter(|k| k.zone_key() && !k.revoke())
            .filter(|k| k.public_key().algorithm() == input.algorithm)
            .filter(|k| k.calculate_key_tag().is_ok_and(|t| t == input.key_tag))
            .collect();
        if candidates.is_empty() {
            note(SigError::NoKey(input.key_tag));
            continue;
        }
        for key in candidates {
            if key
                .verify_rrsig(owner, DNSClass::IN, sig, records.iter())
                .is_ok()
            {
                return Ok(());
            }
        }
        note(SigError::BadSignature(input.key_tag));
    }
    Err(worst.unwrap_or(SigError::Missing))
}

/// Whether serial time `a` comes after `b` (RFC 1982 arithmetic).
fn later(a: u32, b: u32) -> bool {
    a != b && a.wrapping_sub(b) < 0x8000_0000
}

/// Now, in seconds since 1970, as RRSIG times count.
pub fn unix_now() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // RRSIG times wrap modulo 2^32 (RFC 4034 §3.1.5).
    (secs & u64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_times_wrap() {
        assert!(later(10, 5));
        assert!(!later(5, 10));
        assert!(!later(5, 5));
        assert!(later(3, u32::MAX - 3));
    }

    #[test]
    fn reasons_read_as_words() {
        assert_eq!(
            SigError::Expired.reason("x. A"),
            "signature expired for x. A"
        );
        assert_eq!(SigError::Missing.reason("x. A"), "RRSIG missing for x. A");
        assert!(SigError::BadSignature(1) > SigError::Expired);
    }

    #[test]
    fn an_rrset_without_signatures_is_missing_them() {
        let name = Name::from_ascii("x.").unwrap();
        let a = Record::from_rdata(
            name.clone(),
            60,
            RData::A(hickory_proto::rr::rdata::A::new(192, 0, 2, 1)),
        );
        assert_eq!(
            verify_rrset(&[a], &name, RecordType::A, &Name::root(), &[], unix_now()),
            Err(SigError::Missing)
        );
    }
}
