//! Root hints: where an iterative resolution starts.
//!
//! The built-in hints are IANA's `named.cache` (see `data/README.md` for its
//! provenance); `--root-hints FILE` replaces them with any file in the same
//! zone-file format: NS records for `.` and A/AAAA records for their targets.
//!
//! See: RFC 8109 (priming queries), RFC 1035 §5 (zone-file format).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

use hickory_proto::rr::{Name, RData, RecordType};
use hickory_proto::serialize::txt::Parser;

use crate::cache::NameServer;
use crate::error::Error;

/// The IANA root hints, built in.
pub const BUILT_IN: &str = include_str!("../data/root.hints");

/// The root servers named by hints text, each with its addresses, sorted by
/// name. `source` names the text in errors.
pub fn parse(text: &str, source: &Path) -> Result<Vec<NameServer>, Error> {
    let bad = |why: String| Error::RootHints {
        path: source.to_path_buf(),
        why,
    };
    let (_, records) = Parser::new(text, None, Some(Name::root()))
        .parse()
        .map_err(|e| bad(e.to_string()))?;
    let mut targets: Vec<Name> = Vec::new();
    let mut addrs: BTreeMap<Name, Vec<IpAddr>> = BTreeMap::new();
    for (key, rrset) in &records {
        let owner = Name::from(key.name.clone());
        for record in rrset.records_without_rrsigs() {
            match (&record.data, key.record_type) {
                (RData::NS(ns), RecordType::NS) if owner.is_root() => {
                    targets.push(ns.0.to_lowercase());
                }
                (RData::A(a), _) => addrs
                    .entry(owner.to_lowercase())
                    .or_default()
                    .push(IpAddr::V4(a.0)),
                (RData::AAAA(aaaa), _) => addrs
                    .entry(owner.to_lowercase())
                    .or_default()
                    .push(IpAddr::V6(aaaa.0)),
                _ => {}
            }
        }
    }
    targets.sort();
    targets.dedup();
    let servers: Vec<NameServer> = targets
        .into_iter()
        .filter_map(|name| {
            let mut found = addrs.remove(&name)?;
            // IPv4 first: loopback test hierarchies and many hosts have no IPv6 route.
            found.sort_by_key(|a| a.is_ipv6());
            Some(NameServer { name, addrs: found })
        })
        .collect();
    if servers.is_empty() {
        return Err(bad("no NS record for . with an address".into()));
    }
    Ok(servers)
}

/// The hints to use: the file given, or the built-in ones.
pub fn load(file: Option<&Path>) -> Result<Vec<NameServer>, Error> {
    match file {
        None => parse(BUILT_IN, Path::new("(built in)")),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::RootHints {
                path: path.to_path_buf(),
                why: e.to_string(),
            })?;
            parse(&text, path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_hints_name_the_13_root_servers() {
        let servers = load(None).unwrap();
        assert_eq!(servers.len(), 13);
        assert_eq!(servers[0].name.to_string(), "a.root-servers.net.");
        assert_eq!(servers[0].addrs[0], "198.41.0.4".parse::<IpAddr>().unwrap());
        assert!(
            servers
                .iter()
                .all(|s| s.addrs.len() == 2 && s.addrs[1].is_ipv6())
        );
    }

    #[test]
    fn a_small_file_works_and_an_empty_one_does_not() {
        let text = ".  3600 NS a.root.test.\na.root.test. 3600 A 127.0.0.9\n";
        let servers = parse(text, Path::new("t")).unwrap();
        assert_eq!(servers.len(), 1);
        assert_eq!(servers[0].addrs, ["127.0.0.9".parse::<IpAddr>().unwrap()]);
        let err = parse("; nothing\n", Path::new("empty.hints")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "root hints empty.hints: no NS record for . with an address"
        );
        assert!(parse("garbage line here\n", Path::new("g")).is_err());
    }
}
