//! Trust anchors: DS or DNSKEY records in zone-file format, the root's two
//! key-signing keys built in.
//!
//! See: RFC 4033 §2 (trust anchors), RFC 7958 (the root zone's anchors).

use std::path::{Path, PathBuf};

use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, DS};
use hickory_proto::rr::{Name, RData};
use hickory_proto::serialize::txt::Parser;

use crate::error::Error;

/// The root zone's KSKs (20326 and 38696) as DS records: `data/root.ds`.
const ROOT_DS: &str = include_str!("../../data/root.ds");

/// The keys trusted without proof, all for one zone.
#[derive(Clone, Debug)]
pub struct Anchor {
    /// The zone they are keys of (the root for the built-in anchor).
    pub zone: Name,
    /// DS records of trusted keys.
    pub ds: Vec<DS>,
    /// Trusted keys themselves.
    pub keys: Vec<DNSKEY>,
}

impl Anchor {
    /// The anchor of `path`, or the built-in root anchor.
    pub fn load(path: Option<&Path>) -> Result<Anchor, Error> {
        match path {
            None => parse(ROOT_DS).map_err(|why| bad(PathBuf::from("built-in root.ds"), why)),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| bad(path.to_path_buf(), e.to_string()))?;
                parse(&text).map_err(|why| bad(path.to_path_buf(), why))
            }
        }
    }
}

fn bad(path: PathBuf, why: String) -> Error {
    Error::TrustAnchor { path, why }
}

/// The DS and DNSKEY records of a zone-file text, all for one zone.
pub fn parse(text: &str) -> Result<Anchor, String> {
    // Anchor files rarely give TTLs (root.ds has none): a default keeps the
    // zone-file parser content.
    let text = format!("$TTL 86400\n{text}");
    let (_, records) = Parser::new(&text, None, Some(Name::root()))
        .parse()
        .map_err(|e| {
            e.to_string()
                .lines()
                .next()
                .unwrap_or("parse error")
                .to_string()
        })?;
    let mut zone: Option<Name> = None;
    let mut anchor = Anchor {
        zone: Name::root(),
        ds: Vec::new(),
        keys: Vec::new(),
    };
    for record in records
        .values()
        .flat_map(|set| set.records_without_rrsigs())
    {
        match &record.data {
            RData::DNSSEC(DNSSECRData::DS(ds)) => anchor.ds.push(ds.clone()),
            RData::DNSSEC(DNSSECRData::DNSKEY(key)) => anchor.keys.push(key.clone()),
            _ => continue,
        }
        match &zone {
            Some(z) if *z != record.name => {
                return Err(format!("keys of two zones ({z} and {})", record.name));
            }
            _ => zone = Some(record.name.clone()),
        }
    }
    anchor.zone = zone.ok_or("no DS or DNSKEY record")?;
    Ok(anchor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_anchor_is_the_root_ksks() {
        let anchor = Anchor::load(None).unwrap();
        assert!(anchor.zone.is_root());
        let tags: Vec<u16> = anchor.ds.iter().map(DS::key_tag).collect();
        assert_eq!(tags, [20326, 38696]);
    }

    #[test]
    fn bad_files_say_why() {
        assert!(
            parse("example. 3600 IN A 192.0.2.1\n")
                .unwrap_err()
                .contains("no DS")
        );
        assert!(parse(". IN DS nonsense\n").is_err());
        let two = ". IN DS 1 8 2 AABB\nexample. IN DS 2 8 2 AABB\n";
        assert!(parse(two).unwrap_err().contains("two zones"));
    }
}
