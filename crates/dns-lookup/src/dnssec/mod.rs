//! DNSSEC validation (`--validate`): the chain of trust from a trust anchor
//! down to the answer, and the verdict, as delv gives it.
//!
//! - [`anchor`]: trust anchors (DS or DNSKEY records; the root's built in);
//! - [`verify`]: one RRset's signatures (hickory-proto's ring crypto);
//! - [`denial`]: NSEC3 and NSEC proofs of NXDOMAIN, NODATA and missing DS;
//! - [`chain`]: the walk from the anchor down, fetching DS and DNSKEY RRsets
//!   through a [`chain::Fetch`] (the named server, or the trace's resolver);
//! - [`steps`]: the look-ups of `--trace` as steps, and each step's verdict.
//!
//! See: RFC 4033 §5 (the four verdicts), RFC 4035 §5 (validating responses).

pub mod anchor;
pub mod chain;
pub mod denial;
pub mod steps;
pub mod verify;

use hickory_proto::dnssec::rdata::{DNSKEY, DS};
use serde::Serialize;

/// The verdict on an answer, a zone or a step. Ordered from best to worst.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Signed, and every signature up to the trust anchor verifies.
    Secure,
    /// Provably unsigned: a delegation without DS, proven by NSEC/NSEC3 (or only
    /// algorithms we cannot check).
    Insecure,
    /// The chain could not be followed (a lookup failed, no anchor above).
    Indeterminate,
    /// Signed, but something does not verify.
    Bogus,
}

impl Status {
    /// `secure`, `insecure`, `indeterminate` or `bogus`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Secure => "secure",
            Status::Insecure => "insecure",
            Status::Indeterminate => "indeterminate",
            Status::Bogus => "bogus",
        }
    }
}

/// A status and why (none for secure).
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The status.
    pub status: Status,
    /// Why it is not secure, in words.
    pub reason: Option<String>,
}

impl Verdict {
    /// Secure.
    pub fn secure() -> Verdict {
        Verdict {
            status: Status::Secure,
            reason: None,
        }
    }

    /// `status` because of `reason`.
    pub fn because(status: Status, reason: impl Into<String>) -> Verdict {
        Verdict {
            status,
            reason: Some(reason.into()),
        }
    }

    /// The worse of two verdicts (the first one on a tie).
    pub fn worst(self, other: Verdict) -> Verdict {
        if other.status > self.status {
            other
        } else {
            self
        }
    }

    /// `secure`, or `bogus: REASON` (as the verdict line and error say it).
    pub fn text(&self) -> String {
        match &self.reason {
            Some(reason) => format!("{}: {reason}", self.status.as_str()),
            None => self.status.as_str().to_string(),
        }
    }
}

/// A DS record as the chain shows it.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct DsOut {
    /// The key tag of the key it names.
    pub key_tag: u16,
    /// The key's algorithm number.
    pub algorithm: u8,
    /// The digest type (1 SHA-1, 2 SHA-256, 4 SHA-384).
    pub digest_type: u8,
}

impl From<&DS> for DsOut {
    fn from(ds: &DS) -> DsOut {
        DsOut {
            key_tag: ds.key_tag(),
            algorithm: ds.algorithm().into(),
            digest_type: ds.digest_type().into(),
        }
    }
}

/// A DNSKEY as the chain shows it.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct KeyOut {
    /// Its key tag (RFC 4034 Appendix B).
    pub key_tag: u16,
    /// Its algorithm number.
    pub algorithm: u8,
    /// Its flags (256 zone key, 257 with the secure entry point bit).
    pub flags: u16,
}

impl From<&DNSKEY> for KeyOut {
    fn from(key: &DNSKEY) -> KeyOut {
        use hickory_proto::dnssec::PublicKey;
        KeyOut {
            key_tag: key.calculate_key_tag().unwrap_or(0),
            algorithm: key.public_key().algorithm().into(),
            flags: key.flags(),
        }
    }
}

/// One zone of the chain of trust.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct LinkOut {
    /// The zone.
    pub zone: String,
    /// The DS RRset from its parent (or the trust anchor).
    pub ds: Vec<DsOut>,
    /// Its DNSKEY RRset.
    pub dnskey: Vec<KeyOut>,
    /// Whether its keys are trusted.
    pub status: Status,
    /// Why not, when they are not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The `dnssec` member of a validated report.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct DnssecOut {
    /// The answer's verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Every zone from the trust anchor down.
    pub chain: Vec<LinkOut>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_verdict_wins() {
        let bogus = Verdict::because(Status::Bogus, "signature expired for x. A");
        assert_eq!(Verdict::secure().worst(bogus.clone()), bogus);
        let insecure = Verdict::because(Status::Insecure, "no DS");
        assert_eq!(bogus.clone().worst(insecure), bogus);
        assert_eq!(bogus.text(), "bogus: signature expired for x. A");
        assert_eq!(Verdict::secure().text(), "secure");
        let json = serde_json::to_value(DnssecOut {
            verdict: Verdict::secure(),
            chain: vec![],
        })
        .unwrap();
        assert_eq!(json["status"], "secure");
        assert!(json["reason"].is_null());
    }
}
