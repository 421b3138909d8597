//! Authenticated denial of existence: what the NSEC3 (or NSEC) records of a
//! negative reply prove about a name.
//!
//! NSEC3: the closest encloser proof (an NSEC3 matching the closest encloser,
//! one covering the next closer name), one covering the wildcard for NXDOMAIN,
//! one matching the name for NODATA; an opt-out span covering the next closer
//! name proves only that there may be an unsigned delegation. NSEC: a record
//! covering the name (and the wildcard), or one at the name without the type.
//! The signatures over these records are checked by the caller.
//!
//! See: RFC 5155 §8 (validating NSEC3 responses), RFC 4035 §5.4 (NSEC),
//! RFC 7129 (an explanation of both).

use hickory_proto::dnssec::Nsec3HashAlgorithm;
use hickory_proto::dnssec::rdata::{DNSSECRData, NSEC, NSEC3};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// What a negative reply's proof says about a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Proof {
    /// The name exists with these types (a NODATA proof).
    Exists(Vec<RecordType>),
    /// The name does not exist, nor a wildcard that could stand for it.
    NoName,
    /// An opt-out span covers the name: it may be an unsigned delegation.
    OptOut,
    /// NSEC3 with more iterations than a validator should spend (RFC 9276
    /// §3.2: treated as insecure).
    TooCostly(u16),
}

/// The most NSEC3 iterations hashed (RFC 9276 §3.2 suggests 100 to 150).
pub const MAX_ITERATIONS: u16 = 150;

/// What the NSEC3 or NSEC records of `section`, for `zone`, prove about `name`;
/// `Err` says what is missing.
pub fn prove(section: &[Record], zone: &Name, name: &Name) -> Result<Proof, String> {
    let chain = Nsec3Chain::of(section, zone);
    if !chain.records.is_empty() {
        return chain.prove(zone, name);
    }
    let nsecs = nsec_records(section);
    if nsecs.is_empty() {
        return Err(format!("no NSEC or NSEC3 records for {name}"));
    }
    prove_nsec(&nsecs, zone, name)
}

/// That `owner`, answered from a wildcard standing under its last `labels`
/// labels, does not exist itself: an NSEC3 covers the next closer name (RFC
/// 5155 §8.8), or an NSEC covers `owner` (RFC 4035 §5.3.4). `Err` says what
/// is missing.
pub fn prove_expansion(
    section: &[Record],
    zone: &Name,
    owner: &Name,
    labels: u8,
) -> Result<(), String> {
    let chain = Nsec3Chain::of(section, zone);
    if !chain.records.is_empty() {
        let next_closer = owner.trim_to(usize::from(labels) + 1);
        return match chain.covering(&next_closer) {
            Some(_) => Ok(()),
            None => Err(format!("no NSEC3 covers {next_closer}")),
        };
    }
    let nsecs = nsec_records(section);
    match nsec_covering(&nsecs, zone, owner) {
        Some(_) => Ok(()),
        None => Err(format!("no NSEC covers {owner}")),
    }
}

/// The NSEC records of `section`, with their owners.
fn nsec_records(section: &[Record]) -> Vec<(&Name, &NSEC)> {
    section
        .iter()
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::NSEC(nsec)) => Some((&r.name, nsec)),
            _ => None,
        })
        .collect()
}

/// The NSEC of `nsecs` whose span holds `target` (the last one wraps to the zone's apex).
fn nsec_covering<'a>(
    nsecs: &[(&'a Name, &'a NSEC)],
    zone: &Name,
    target: &Name,
) -> Option<(&'a Name, &'a NSEC)> {
    nsecs.iter().copied().find(|(owner, nsec)| {
        let next = nsec.next_domain_name();
        *owner < target && (target < next || next == zone)
    })
}

/// The NSEC3 records of one zone, by the hash in their owner names.
struct Nsec3Chain<'a> {
    records: Vec<(Vec<u8>, &'a NSEC3)>,
}

impl<'a> Nsec3Chain<'a> {
    fn of(section: &'a [Record], zone: &Name) -> Nsec3Chain<'a> {
        let records = section
            .iter()
            .filter(|r| r.name.base_name() == *zone)
            .filter_map(|r| match &r.data {
                RData::DNSSEC(DNSSECRData::NSEC3(nsec3)) => {
                    let label = r.name.iter().next()?;
                    let hash = data_encoding::BASE32HEX_NOPAD
                        .decode(&label.to_ascii_uppercase())
                        .ok()?;
                    Some((hash, nsec3))
                }
                _ => None,
            })
            .collect();
        Nsec3Chain { records }
    }

    fn hash(&self, name: &Name) -> Option<Vec<u8>> {
        let (_, first) = self.records.first()?;
        Nsec3HashAlgorithm::SHA1
            .hash(first.salt(), name, first.iterations())
            .ok()
            .map(|d| d.as_ref().to_vec())
    }

    fn matching(&self, name: &Name) -> Option<&'a NSEC3> {
        let hash = self.hash(name)?;
        self.records
            .iter()
            .find(|(owner, _)| *owner == hash)
            .map(|(_, n)| *n)
    }

    fn covering(&self, name: &Name) -> Option<&'a NSEC3> {
        let hash = self.hash(name)?;
        self.records
            .iter()
            .find(|(owner, n)| between(owner, &hash, n.next_hashed_owner_name()))
            .map(|(_, n)| *n)
    }

    fn prove(&self, zone: &Name, name: &Name) -> Result<Proof, String> {
        if let Some((_, first)) = self.records.first()
            && first.iterations() > MAX_ITERATIONS
        {
            return Ok(Proof::TooCostly(first.iterations()));
        }
        if let Some(nsec3) = self.matching(name) {
            return Ok(Proof::Exists(nsec3.type_bit_maps().collect()));
        }
        // The closest encloser: the longest ancestor with a matching NSEC3.
        let mut next_closer = name.clone();
        let mut encloser = name.base_name();
        while self.matching(&encloser).is_none() {
            if encloser.num_labels() <= zone.num_labels() {
                return Err(format!("no closest encloser proof for {name}"));
            }
            next_closer = encloser.clone();
            encloser = encloser.base_name();
        }
        let covering = self
            .covering(&next_closer)
            .ok_or_else(|| format!("no NSEC3 covers {next_closer}"))?;
        if covering.opt_out() {
            return Ok(Proof::OptOut);
        }
        let wildcard = encloser
            .prepend_label("*")
            .map_err(|e| format!("wildcard of {encloser}: {e}"))?;
        // A matching wildcard: the name stands under it, without the type
        // asked (a wildcard NODATA, RFC 5155 §8.7).
        if let Some(nsec3) = self.matching(&wildcard) {
            return Ok(Proof::Exists(nsec3.type_bit_maps().collect()));
        }
        match self.covering(&wildcard) {
            Some(_) => Ok(Proof::NoName),
            None => Err(format!("no NSEC3 covers the wildcard {wildcard}")),
        }
    }
}

/// Whether `hash` lies strictly between `owner` and `next` on the hash ring.
fn between(owner: &[u8], hash: &[u8], next: &[u8]) -> bool {
    if owner < next {
        owner < hash && hash < next
    } else {
        // The last record of the chain wraps around to the first.
        hash > owner || hash < next
    }
}

fn prove_nsec(nsecs: &[(&Name, &NSEC)], zone: &Name, name: &Name) -> Result<Proof, String> {
    if let Some((_, nsec)) = nsecs.iter().find(|(owner, _)| *owner == name) {
        return Ok(Proof::Exists(nsec.type_bit_maps().collect()));
    }
    let covers = |target: &Name| nsec_covering(nsecs, zone, target);
    let (owner, nsec) = covers(name).ok_or_else(|| format!("no NSEC covers {name}"))?;
    // The closest encloser is the longest ancestor shared with either end.
    let shared = |other: &Name| {
        let mut ancestor = name.base_name();
        while !ancestor.zone_of(other) {
            ancestor = ancestor.base_name();
        }
        ancestor
    };
    let (a, b) = (shared(owner), shared(nsec.next_domain_name()));
    let encloser = if a.num_labels() >= b.num_labels() {
        a
    } else {
        b
    };
    let wildcard = encloser
        .prepend_label("*")
        .map_err(|e| format!("wildcard of {encloser}: {e}"))?;
    if nsecs.iter().any(|(owner, _)| **owner == wildcard) || covers(&wildcard).is_some() {
        Ok(Proof::NoName)
    } else {
        Err(format!("no NSEC covers the wildcard {wildcard}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_ring_wraps() {
        assert!(between(&[1], &[2], &[3]));
        assert!(!between(&[1], &[4], &[3]));
        assert!(between(&[9], &[10], &[1]));
        assert!(between(&[9], &[0], &[1]));
        assert!(!between(&[9], &[5], &[1]));
    }

    #[test]
    fn costly_nsec3_chains_are_not_hashed() {
        let zone = Name::from_ascii("example.").unwrap();
        let owner = zone
            .prepend_label("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom")
            .unwrap();
        let nsec3 = NSEC3::new(
            Nsec3HashAlgorithm::SHA1,
            false,
            500,
            vec![],
            vec![0; 20],
            [],
        );
        let section = [Record::from_rdata(
            owner,
            300,
            RData::DNSSEC(DNSSECRData::NSEC3(nsec3)),
        )];
        let name = Name::from_ascii("x.example.").unwrap();
        assert_eq!(
            prove(&section, &zone, &name).unwrap(),
            Proof::TooCostly(500)
        );
    }

    #[test]
    fn nsec_proves_a_name_missing() {
        let n = |s: &str| Name::from_ascii(s).unwrap();
        let zone = n("example.");
        let rec = |owner: &str, next: &str, types: Vec<RecordType>| {
            Record::from_rdata(
                n(owner),
                300,
                RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(n(next), types))),
            )
        };
        let section = vec![
            rec(
                "example.",
                "a.example.",
                vec![RecordType::SOA, RecordType::NS],
            ),
            rec("a.example.", "example.", vec![RecordType::A]),
        ];
        assert_eq!(
            prove(&section, &zone, &n("b.example.")).unwrap(),
            Proof::NoName
        );
        assert_eq!(
            prove(&section, &zone, &n("a.example.")).unwrap(),
            Proof::Exists(vec![RecordType::A])
        );
        assert!(prove(&[], &zone, &n("b.example.")).is_err());
        // A wildcard answer for b.example. needs the NSEC that covers it; one
        // for a.example. (which exists) has none.
        assert!(prove_expansion(&section, &zone, &n("b.example."), 1).is_ok());
        let why = prove_expansion(&section, &zone, &n("a.example."), 1).unwrap_err();
        assert_eq!(why, "no NSEC covers a.example.");
    }
}
