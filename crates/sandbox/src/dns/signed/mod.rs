//! The signed twin of the DNS hierarchy: the same textbook names, from a root of
//! its own on 127.54.x.y, signed with DNSSEC at start-up, plus the hard cases a
//! validator must get right.
//!
//! Zones, keys and cases:
//! - `.` (ECDSA P-256, algorithm 13) → `com.` (RSA/SHA-256, algorithm 8) →
//!   `glasscom.com.` (13) → `lab.glasscom.com.` (Ed25519, 15): a secure chain;
//!   `www.lab.glasscom.com.` A is secure, `nope.lab.glasscom.com.` is a secure
//!   NXDOMAIN and `www.lab.glasscom.com.` MX a secure NODATA (NSEC3 proofs);
//! - `unsigned.com.`: an unsigned child; `com.` proves it has no DS (insecure);
//! - `badds.com.`: signed, but the DS in `com.` matches none of its keys;
//! - in `glasscom.com.`: `expired.` (the RRSIG expired), `notyet.` (not yet
//!   valid), `stripped.` (no RRSIG) and `tampered.` (signed over other data);
//!   `*.wild.`, a wildcard: any name below `wild.glasscom.com.` is answered
//!   from it, with the NSEC3 that proves the name itself does not exist (and
//!   a wildcard NODATA for other types).
//!
//! Each zone has its own server; [`SignedHierarchy::resolver`] serves every zone
//! at once (the closest zone answers, DS from the parent), standing in for a
//! recursive resolver in stub-mode tests. [`SignedHierarchy::trust_anchor`] is
//! the root key's DS record, written beside the root hints.

pub mod keys;
pub mod zone;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hickory_proto::dnssec::Algorithm;
use hickory_proto::op::{Edns, Header, HeaderCounts, Metadata, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;

use super::Servers;
use keys::ZoneKey;
use zone::{Answer, Fault, SignedZone, Signing};

/// The signed root server `a.root-servers.net.`.
pub const ROOT: Ipv4Addr = Ipv4Addr::new(127, 54, 0, 1);
/// The signed `com.` server `a.gtld-servers.net.`.
pub const COM: Ipv4Addr = Ipv4Addr::new(127, 54, 1, 1);
/// The signed `glasscom.com.` server `ns1.glasscom.com.`.
pub const GLASSCOM: Ipv4Addr = Ipv4Addr::new(127, 54, 3, 1);
/// The signed `lab.glasscom.com.` server `ns.lab.glasscom.com.`.
pub const LAB: Ipv4Addr = Ipv4Addr::new(127, 54, 3, 3);
/// The unsigned `unsigned.com.` server.
pub const UNSIGNED: Ipv4Addr = Ipv4Addr::new(127, 54, 5, 1);
/// The `badds.com.` server (its DS in `com.` matches none of its keys).
pub const BADDS: Ipv4Addr = Ipv4Addr::new(127, 54, 5, 2);
/// The server of every zone at once, for stub-mode queries.
pub const RESOLVER: Ipv4Addr = Ipv4Addr::new(127, 54, 0, 53);

/// One zone of the signed hierarchy.
struct ZoneSpec {
    text: &'static str,
    server: Ipv4Addr,
    /// `None`: unsigned.
    algorithm: Option<Algorithm>,
    /// The parent's DS is made from another key than the zone's.
    wrong_ds: bool,
    faults: &'static [(&'static str, RecordType, Fault)],
}

impl ZoneSpec {
    /// The zone's name, from its `$ORIGIN` line (the root when it has none).
    fn origin(&self) -> io::Result<Name> {
        let origin = self.text.lines().find_map(|l| l.strip_prefix("$ORIGIN "));
        Name::from_ascii(origin.unwrap_or(".").trim()).map_err(|e| io::Error::other(e.to_string()))
    }
}

/// A running signed hierarchy. Dropping it stops the servers and removes its files.
pub struct SignedHierarchy {
    servers: Servers,
    hints: PathBuf,
    anchor: PathBuf,
}

impl SignedHierarchy {
    /// Make the keys, sign every zone, bind the servers on one free port,
    /// write the root hints and the trust anchor, and start serving.
    pub fn start() -> io::Result<SignedHierarchy> {
        let (zones, anchor_text) = sign_all()?;
        let mut addrs: Vec<Ipv4Addr> = ZONES.iter().map(|z| z.server).collect();
        addrs.push(RESOLVER);
        let mut handlers: Vec<ZoneServer> = zones
            .iter()
            .map(|zone| ZoneServer {
                zones: vec![zone.clone()],
            })
            .collect();
        handlers.push(ZoneServer { zones });
        let servers = Servers::start("dnssec", &addrs, handlers)?;
        let hints = servers.dir.join("root.hints");
        std::fs::write(&hints, ROOT_HINTS)?;
        let anchor = servers.dir.join("root.ds");
        std::fs::write(&anchor, anchor_text)?;
        Ok(SignedHierarchy {
            servers,
            hints,
            anchor,
        })
    }

    /// The port every server listens on (UDP and TCP).
    pub fn port(&self) -> u16 {
        self.servers.port
    }

    /// The root hints file.
    pub fn root_hints(&self) -> &Path {
        &self.hints
    }

    /// The trust anchor file: the DS record of the root's key (zone-file format).
    pub fn trust_anchor(&self) -> &Path {
        &self.anchor
    }

    /// The server of every zone, for stub-mode queries.
    pub fn resolver(&self) -> SocketAddr {
        self.socket(RESOLVER)
    }

    /// Every zone with the address of its server, parents before children
    /// (what a recursive server's stub-zone settings need).
    pub fn zones(&self) -> io::Result<Vec<(Name, SocketAddr)>> {
        ZONES
            .iter()
            .map(|spec| Ok((spec.origin()?, self.socket(spec.server))))
            .collect()
    }

    /// `addr` on the hierarchy's port.
    pub fn socket(&self, addr: Ipv4Addr) -> SocketAddr {
        SocketAddr::new(IpAddr::V4(addr), self.servers.port)
    }
}

/// Generate the keys and sign every zone, children's DS records in their
/// parents; with the trust anchor's text.
fn sign_all() -> io::Result<(Vec<Arc<SignedZone>>, String)> {
    let keys = ZONES
        .iter()
        .map(|spec| spec.algorithm.map(ZoneKey::generate).transpose())
        .collect::<io::Result<Vec<Option<ZoneKey>>>>()?;
    let origins = ZONES
        .iter()
        .map(ZoneSpec::origin)
        .collect::<io::Result<Vec<Name>>>()?;
    let mut zones = Vec::new();
    for (i, spec) in ZONES.iter().enumerate() {
        let mut ds = Vec::new();
        for (j, child) in ZONES.iter().enumerate() {
            let (Some(key), false) = (&keys[j], origins[j].is_root()) else {
                continue;
            };
            if origins[j].base_name() != origins[i] {
                continue;
            }
            let record = if child.wrong_ds {
                ZoneKey::generate(key.algorithm())?.ds(&origins[j])?
            } else {
                key.ds(&origins[j])?
            };
            ds.push((origins[j].clone(), record));
        }
        let signing = Signing {
            key: keys[i].as_ref(),
            ds,
            faults: spec.faults,
        };
        zones.push(Arc::new(SignedZone::new(spec.text, &signing)?));
    }
    let root = keys
        .first()
        .and_then(Option::as_ref)
        .ok_or_else(|| io::Error::other("the root zone is unsigned"))?;
    Ok((zones, root_anchor(root)?))
}

/// The trust anchor file's text: the DS record of the root zone's key.
fn root_anchor(key: &ZoneKey) -> io::Result<String> {
    let ds = key.ds(&Name::root())?;
    Ok(format!(
        "; Trust anchor of the netlens signed loopback hierarchy\n. 86400 IN DS {ds}\n"
    ))
}

/// One server: the closest of its zones answers (for DS, the parent's).
struct ZoneServer {
    zones: Vec<Arc<SignedZone>>,
}

impl ZoneServer {
    fn answer(&self, name: &Name, rtype: RecordType, dnssec_ok: bool) -> Answer {
        let zone = self
            .zones
            .iter()
            .filter(|z| z.origin().zone_of(name))
            .filter(|z| rtype != RecordType::DS || z.origin() != name || name.is_root())
            .max_by_key(|z| z.origin().num_labels());
        match zone {
            Some(zone) => zone.answer(name, rtype, dnssec_ok),
            None => Answer {
                rcode: ResponseCode::Refused,
                ..Answer::default()
            },
        }
    }
}

#[async_trait::async_trait]
impl RequestHandler for ZoneServer {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let mut metadata = Metadata::response_from_request(&request.metadata);
        let dnssec_ok = request.edns.as_ref().is_some_and(|e| e.flags().dnssec_ok);
        let answer = match request.request_info() {
            Ok(info) => self.answer(
                &Name::from(info.query.name()),
                info.query.query_type(),
                dnssec_ok,
            ),
            Err(_) => Answer {
                rcode: ResponseCode::FormErr,
                ..Answer::default()
            },
        };
        metadata.response_code = answer.rcode;
        metadata.authoritative = answer.authoritative;
        metadata.recursion_available = self.zones.len() > 1;
        let mut edns = Edns::new();
        edns.set_dnssec_ok(dnssec_ok);
        edns.set_max_payload(
            request
                .edns
                .as_ref()
                .map_or(512, |e| e.max_payload().max(512)),
        );
        let mut builder = MessageResponseBuilder::from_message_request(request);
        if request.edns.is_some() {
            builder.edns(&edns);
        }
        let response = builder.build(
            metadata,
            answer.answers.iter(),
            answer.authority.iter(),
            std::iter::empty(),
            answer.additionals.iter(),
        );
        match response_handle.send_response(response).await {
            Ok(info) => info,
            Err(_) => ResponseInfo::from(Header {
                metadata,
                counts: HeaderCounts::default(),
            }),
        }
    }
}

/// The root hints of the signed hierarchy.
const ROOT_HINTS: &str = "\
; Root hints of the netlens signed loopback DNS hierarchy (crates/sandbox).
.                        3600000      NS    a.root-servers.net.
a.root-servers.net.      3600000      A     127.54.0.1
";

const ZONES: &[ZoneSpec] = &[
    ZoneSpec {
        text: ROOT_ZONE,
        server: ROOT,
        algorithm: Some(Algorithm::ECDSAP256SHA256),
        wrong_ds: false,
        faults: &[],
    },
    ZoneSpec {
        text: COM_ZONE,
        server: COM,
        algorithm: Some(Algorithm::RSASHA256),
        wrong_ds: false,
        faults: &[],
    },
    ZoneSpec {
        text: GLASSCOM_ZONE,
        server: GLASSCOM,
        algorithm: Some(Algorithm::ECDSAP256SHA256),
        wrong_ds: false,
        faults: &[
            ("expired.glasscom.com.", RecordType::A, Fault::Expired),
            ("notyet.glasscom.com.", RecordType::A, Fault::NotYetValid),
            ("stripped.glasscom.com.", RecordType::A, Fault::Stripped),
            ("tampered.glasscom.com.", RecordType::A, Fault::Tampered),
        ],
    },
    ZoneSpec {
        text: LAB_ZONE,
        server: LAB,
        algorithm: Some(Algorithm::ED25519),
        wrong_ds: false,
        faults: &[],
    },
    ZoneSpec {
        text: UNSIGNED_ZONE,
        server: UNSIGNED,
        algorithm: None,
        wrong_ds: false,
        faults: &[],
    },
    ZoneSpec {
        text: BADDS_ZONE,
        server: BADDS,
        algorithm: Some(Algorithm::ECDSAP256SHA256),
        wrong_ds: true,
        faults: &[],
    },
];

const ROOT_ZONE: &str = "\
$ORIGIN .
$TTL 86400
.                   IN SOA a.root-servers.net. nstld.verisign-grs.com. 2024041801 1800 900 604800 86400
.            518400 IN NS  a.root-servers.net.
a.root-servers.net. 518400 IN A 127.54.0.1
com.         172800 IN NS  a.gtld-servers.net.
a.gtld-servers.net. 172800 IN A 127.54.1.1
";

const COM_ZONE: &str = "\
$ORIGIN com.
$TTL 172800
@         IN SOA a.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
@         IN NS  a.gtld-servers.net.
glasscom  IN NS  ns1.glasscom.com.
ns1.glasscom IN A 127.54.3.1
; an unsigned child: no DS here, and the NSEC3 chain proves it
unsigned  IN NS  ns.unsigned.com.
ns.unsigned IN A 127.54.5.1
; a DS that matches none of the child's keys
badds     IN NS  ns.badds.com.
ns.badds  IN A   127.54.5.2
";

const GLASSCOM_ZONE: &str = "\
$ORIGIN glasscom.com.
$TTL 3600
@         IN SOA ns1.glasscom.com. admin.glasscom.com. 1 3600 900 604800 300
@         IN NS  ns1.glasscom.com.
ns1       IN A   127.54.3.1
lab       IN NS  ns.lab.glasscom.com.
ns.lab    IN A   127.54.3.3
www       IN A   192.0.2.20
*.wild    IN A   192.0.2.70
; signatures broken on purpose
expired   IN A   192.0.2.50
notyet    IN A   192.0.2.51
stripped  IN A   192.0.2.52
tampered  IN A   192.0.2.53
";

const LAB_ZONE: &str = "\
$ORIGIN lab.glasscom.com.
$TTL 3600
@         IN SOA ns.lab.glasscom.com. admin.glasscom.com. 1 3600 900 604800 300
@         IN NS  ns.lab.glasscom.com.
ns        IN A   127.54.3.3
www       IN A   192.0.2.10
www       IN AAAA 2001:db8::10
";

const UNSIGNED_ZONE: &str = "\
$ORIGIN unsigned.com.
$TTL 3600
@         IN SOA ns.unsigned.com. admin.unsigned.com. 1 3600 900 604800 300
@         IN NS  ns.unsigned.com.
ns        IN A   127.54.5.1
www       IN A   192.0.2.60
";

const BADDS_ZONE: &str = "\
$ORIGIN badds.com.
$TTL 3600
@         IN SOA ns.badds.com. admin.badds.com. 1 3600 900 604800 300
@         IN NS  ns.badds.com.
ns        IN A   127.54.5.2
www       IN A   192.0.2.70
";

#[cfg(test)]
mod tests {
    use hickory_proto::rr::RData;

    use super::*;

    fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    fn types(records: &[hickory_proto::rr::Record]) -> Vec<RecordType> {
        records.iter().map(|r| r.record_type()).collect()
    }

    #[test]
    fn zones_answer_with_signatures_and_proofs() {
        let (zones, anchor) = sign_all().unwrap();
        assert!(anchor.contains(". 86400 IN DS "), "{anchor}");
        let all = ZoneServer { zones };
        let secure = all.answer(&name("www.lab.glasscom.com."), RecordType::A, true);
        assert_eq!(types(&secure.answers), [RecordType::A, RecordType::RRSIG]);
        let plain = all.answer(&name("www.lab.glasscom.com."), RecordType::A, false);
        assert_eq!(types(&plain.answers), [RecordType::A]);
        let ds = all.answer(&name("lab.glasscom.com."), RecordType::DS, true);
        assert_eq!(types(&ds.answers), [RecordType::DS, RecordType::RRSIG]);
        let nx = all.answer(&name("nope.lab.glasscom.com."), RecordType::A, true);
        assert_eq!(nx.rcode, ResponseCode::NXDomain);
        let nsec3 = types(&nx.authority)
            .iter()
            .filter(|t| **t == RecordType::NSEC3)
            .count();
        assert!((2..=3).contains(&nsec3), "{:?}", nx.authority);
        let nodata = all.answer(&name("www.lab.glasscom.com."), RecordType::MX, true);
        assert_eq!(nodata.rcode, ResponseCode::NoError);
        assert_eq!(
            types(&nodata.authority),
            [
                RecordType::SOA,
                RecordType::RRSIG,
                RecordType::NSEC3,
                RecordType::RRSIG
            ]
        );
        let stripped = all.answer(&name("stripped.glasscom.com."), RecordType::A, true);
        assert_eq!(types(&stripped.answers), [RecordType::A]);
    }

    #[test]
    fn wildcards_answer_with_the_next_closer_proof() {
        let (zones, _) = sign_all().unwrap();
        let all = ZoneServer { zones };
        let qname = name("any.wild.glasscom.com.");
        let answer = all.answer(&qname, RecordType::A, true);
        assert_eq!(answer.rcode, ResponseCode::NoError);
        assert_eq!(types(&answer.answers), [RecordType::A, RecordType::RRSIG]);
        assert!(answer.answers.iter().all(|r| r.name == qname));
        assert_eq!(
            types(&answer.authority),
            [RecordType::NSEC3, RecordType::RRSIG]
        );
        let nodata = all.answer(&qname, RecordType::MX, true);
        assert_eq!(nodata.rcode, ResponseCode::NoError);
        assert!(nodata.answers.is_empty());
        let missing = all.answer(&name("any.glasscom.com."), RecordType::A, true);
        assert_eq!(missing.rcode, ResponseCode::NXDomain);
    }

    #[test]
    fn referrals_carry_ds_or_the_proof_of_none() {
        let (zones, _) = sign_all().unwrap();
        let com = ZoneServer {
            zones: vec![zones[1].clone()],
        };
        let signed = com.answer(&name("www.glasscom.com."), RecordType::A, true);
        assert!(!signed.authoritative);
        assert_eq!(
            types(&signed.authority),
            [RecordType::NS, RecordType::DS, RecordType::RRSIG]
        );
        assert!(matches!(signed.additionals[0].data, RData::A(_)));
        let unsigned = com.answer(&name("www.unsigned.com."), RecordType::A, true);
        assert_eq!(
            types(&unsigned.authority),
            [RecordType::NS, RecordType::NSEC3, RecordType::RRSIG]
        );
    }

    #[test]
    fn starts_and_writes_hints_and_anchor() {
        let h = SignedHierarchy::start().unwrap();
        let anchor = std::fs::read_to_string(h.trust_anchor()).unwrap();
        assert!(anchor.contains(" 13 2 "), "{anchor}");
        assert!(
            std::fs::read_to_string(h.root_hints())
                .unwrap()
                .contains("127.54.0.1")
        );
        assert_eq!(h.resolver().port(), h.port());
        let zones = h.zones().unwrap();
        assert_eq!(zones[0], (Name::root(), h.socket(ROOT)));
        assert!(zones.contains(&(name("lab.glasscom.com."), h.socket(LAB))));
    }
}
