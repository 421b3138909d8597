//! Trust anchors: DS or DNSKEY records in zone-file format, the root's two
//! key-signing keys built in.
//!
//! See: RFC 4033 §2 (trust anchors), RFC 7958 (the root zone's anchors).

use std::path::{Path, PathBuf};

use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, DS};
use hickory_proto::rr::{Name, RData};
use hickory_proto::serialize::txt::Parser;
use hickory_proto::serialize::txt::trust_anchor::{self, Entry};

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
    let first_line = |e: &dyn std::fmt::Display| {
        let text = e.to_string();
        text.lines().next().unwrap_or("parse error").to_string()
    };
    // hickory's zone-file parser refuses DNSKEY records (a zone's own are made
    // when it is signed); its trust anchor parser reads them.
    let records: Vec<(Name, RData)> = if has_dnskey(text) {
        trust_anchor::Parser::new(text)
            .parse()
            .map_err(|e| first_line(&e))?
            .into_iter()
            .filter_map(|entry| match entry {
                Entry::DNSKEY(record) => Some((
                    record.name().clone(),
                    RData::DNSSEC(DNSSECRData::DNSKEY(record.data().clone())),
                )),
                _ => None,
            })
            .collect()
    } else {
        // Anchor files rarely give TTLs (root.ds has none): a default keeps the
        // zone-file parser content.
        let text = format!("$TTL 86400\n{text}");
        let (_, sets) = Parser::new(&text, None, Some(Name::root()))
            .parse()
            .map_err(|e| first_line(&e))?;
        sets.values()
            .flat_map(|set| set.records_without_rrsigs())
            .map(|r| (r.name.clone(), r.data.clone()))
            .collect()
    };
    let mut zone: Option<Name> = None;
    let mut anchor = Anchor {
        zone: Name::root(),
        ds: Vec::new(),
        keys: Vec::new(),
    };
    for (name, data) in records {
        match data {
            RData::DNSSEC(DNSSECRData::DS(ds)) => anchor.ds.push(ds),
            RData::DNSSEC(DNSSECRData::DNSKEY(key)) => anchor.keys.push(key),
            _ => continue,
        }
        match &zone {
            Some(z) if *z != name => {
                return Err(format!("keys of two zones ({z} and {name})"));
            }
            _ => zone = Some(name),
        }
    }
    anchor.zone = zone.ok_or("no DS or DNSKEY record")?;
    Ok(anchor)
}

/// Whether any record of `text` is a DNSKEY (comments aside).
fn has_dnskey(text: &str) -> bool {
    text.lines()
        .map(|line| line.split(';').next().unwrap_or_default())
        .any(|line| {
            line.split_whitespace()
                .any(|word| word.eq_ignore_ascii_case("DNSKEY"))
        })
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
        assert!(parse(". IN DNSKEY 257 3 13 not-base64\n").is_err());
    }
}
