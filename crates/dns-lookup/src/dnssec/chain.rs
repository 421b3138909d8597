//! The chain of trust: from the trust anchor's zone down to the zone that
//! signs an answer, one label at a time, as a validating resolver walks it.
//!
//! At each name below the last trusted zone, the DS RRset is asked for. A DS
//! RRset signed by the parent's keys makes the name a secure zone cut, whose
//! DNSKEY RRset must hold a key matching a DS and be signed by it. A NODATA
//! whose proof shows a delegation (NS, no DS) makes everything below insecure;
//! one that shows no cut moves on to the next label; an NXDOMAIN ends the walk.
//! Then the answer's RRsets, or its denial proof, are checked with the keys of
//! the zone the walk ended in.
//!
//! See: RFC 4035 §5 (authenticating referrals, the DNSKEY RRset, RRsets and
//! denials), RFC 6840 §5.2 (unsupported algorithms are insecure).

use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, DS};
use hickory_proto::dnssec::{Algorithm, PublicKey};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::anchor::Anchor;
use super::denial::{self, Proof};
use super::verify::{self, SigError};
use super::{DnssecOut, DsOut, KeyOut, LinkOut, Status, Verdict};
use crate::error::Error;

/// A reply as the validator needs it.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The response code.
    pub rcode: ResponseCode,
    /// Answer section (with RRSIGs).
    pub answers: Vec<Record>,
    /// Authority section (SOA, NSEC/NSEC3, RRSIGs).
    pub authority: Vec<Record>,
}

/// Where the validator gets DS and DNSKEY RRsets (with the DO bit set).
pub trait Fetch {
    /// Ask (`name`, `rtype`).
    fn fetch(
        &mut self,
        name: &Name,
        rtype: RecordType,
    ) -> impl Future<Output = Result<Fetched, Error>>;
}

/// What the walk knows about one zone.
#[derive(Clone, Debug)]
struct ZoneTrust {
    zone: Name,
    verdict: Verdict,
    keys: Vec<DNSKEY>,
}

/// What a DS question at one name showed.
enum Cut {
    /// A zone cut, with the child's trust.
    Zone(ZoneTrust),
    /// Not a zone cut: the walk goes on in the same zone.
    Inside,
    /// The name does not exist: the walk ends in the same zone.
    End,
    /// Something failed: the walk ends with this verdict.
    Fail(Verdict),
}

/// Validates answers from one trust anchor; remembers the zones it walked.
pub struct Validator<'a> {
    anchor: &'a Anchor,
    now: u32,
    zones: Vec<ZoneTrust>,
    chain: Vec<LinkOut>,
}

impl<'a> Validator<'a> {
    /// A validator trusting `anchor`, at the current time.
    pub fn new(anchor: &'a Anchor) -> Validator<'a> {
        Validator {
            anchor,
            now: verify::unix_now(),
            zones: Vec::new(),
            chain: Vec::new(),
        }
    }

    /// The verdict on a reply to (`qname`, `qtype`), with the chain walked.
    pub async fn validate<F: Fetch>(
        mut self,
        fetch: &mut F,
        qname: &Name,
        qtype: RecordType,
        reply: &Fetched,
    ) -> DnssecOut {
        let mut sets: Vec<(Name, RecordType)> = Vec::new();
        for record in &reply.answers {
            let key = (record.name.clone(), record.record_type());
            if key.1 != RecordType::RRSIG && !sets.contains(&key) {
                sets.push(key);
            }
        }
        let answered = sets.iter().any(|(_, t)| *t == qtype);
        let mut verdict = Verdict::secure();
        for (owner, rtype) in &sets {
            let trust = self.zone_for(fetch, owner).await;
            let mut checked = self.check_rrset(&trust, &reply.answers, owner, *rtype);
            if checked.status == Status::Secure
                && let Some(labels) = verify::expanded_from(&reply.answers, owner, *rtype)
            {
                checked = self.check_expansion(&trust, reply, owner, labels);
            }
            verdict = verdict.worst(checked);
        }
        if !answered {
            // NXDOMAIN or NODATA, for the name at the end of any CNAME chain.
            let last = sets
                .iter()
                .rev()
                .find_map(|(owner, _)| {
                    reply.answers.iter().find_map(|r| match &r.data {
                        RData::CNAME(target) if r.name == *owner => Some(target.0.clone()),
                        _ => None,
                    })
                })
                .unwrap_or_else(|| qname.clone());
            let trust = self.zone_for(fetch, &last).await;
            verdict = verdict.worst(self.check_denial(&trust, reply, &last, qtype));
        }
        DnssecOut {
            verdict,
            chain: self.chain,
        }
    }

    /// Walk from the anchor down to `name`: the trust of the zone it ends in.
    async fn zone_for<F: Fetch>(&mut self, fetch: &mut F, name: &Name) -> ZoneTrust {
        let anchor_zone = self.anchor.zone.clone();
        if !anchor_zone.zone_of(name) {
            return ZoneTrust {
                zone: anchor_zone,
                verdict: Verdict::because(
                    Status::Indeterminate,
                    format!("no trust anchor above {name}"),
                ),
                keys: Vec::new(),
            };
        }
        let mut current = match self.known(&anchor_zone) {
            Some(trust) => trust,
            None => {
                let (ds, keys) = (self.anchor.ds.clone(), self.anchor.keys.clone());
                self.zone_keys(fetch, &anchor_zone, &ds, &keys).await
            }
        };
        for labels in anchor_zone.num_labels() + 1..=name.num_labels() {
            if current.verdict.status != Status::Secure {
                break;
            }
            let child = name.trim_to(usize::from(labels));
            if let Some(known) = self.known(&child) {
                current = known;
                continue;
            }
            match self.cut(fetch, &current, &child).await {
                Cut::Zone(trust) => current = trust,
                Cut::Inside => {}
                Cut::End => break,
                Cut::Fail(verdict) => {
                    current.verdict = verdict;
                    break;
                }
            }
        }
        current
    }

    fn known(&self, zone: &Name) -> Option<ZoneTrust> {
        self.zones.iter().find(|z| z.zone == *zone).cloned()
    }

    /// Ask the DS RRset of `child` and judge what it shows under `parent`.
    async fn cut<F: Fetch>(&mut self, fetch: &mut F, parent: &ZoneTrust, child: &Name) -> Cut {
        let reply = match fetch.fetch(child, RecordType::DS).await {
            Ok(reply) => reply,
            Err(e) => {
                return Cut::Fail(Verdict::because(
                    Status::Indeterminate,
                    format!("DS of {child}: {e}"),
                ));
            }
        };
        let ds: Vec<DS> = verify::rrset(&reply.answers, child, RecordType::DS)
            .iter()
            .filter_map(|r| match &r.data {
                RData::DNSSEC(DNSSECRData::DS(ds)) => Some(ds.clone()),
                _ => None,
            })
            .collect();
        if !ds.is_empty() {
            let checked = self.check_rrset(parent, &reply.answers, child, RecordType::DS);
            if checked.status != Status::Secure {
                return Cut::Fail(checked);
            }
            return Cut::Zone(self.zone_keys(fetch, child, &ds, &[]).await);
        }
        if !matches!(reply.rcode, ResponseCode::NoError | ResponseCode::NXDomain) {
            return Cut::Fail(Verdict::because(
                Status::Indeterminate,
                format!(
                    "DS of {child}: server answered {}",
                    crate::classify::rcode_text(reply.rcode)
                ),
            ));
        }
        let signed = self.check_authority(parent, &reply.authority);
        if signed.status != Status::Secure {
            return Cut::Fail(signed);
        }
        let proof = denial::prove(&reply.authority, &parent.zone, child);
        match (reply.rcode, proof) {
            (ResponseCode::NXDomain, Ok(Proof::NoName)) => Cut::End,
            (_, Ok(Proof::Exists(types)))
                if types.contains(&RecordType::NS) && !types.contains(&RecordType::SOA) =>
            {
                if types.contains(&RecordType::DS) {
                    return Cut::Fail(Verdict::because(
                        Status::Bogus,
                        format!("DS missing for {child}, though its NSEC3 lists one"),
                    ));
                }
                Cut::Zone(self.insecure(
                    child,
                    format!(
                        "no DS for {child}: an unsigned delegation, proven by {}",
                        proof_kind(&reply.authority)
                    ),
                ))
            }
            (ResponseCode::NoError, Ok(Proof::Exists(_))) => Cut::Inside,
            (_, Ok(Proof::OptOut)) => Cut::Zone(self.insecure(
                child,
                format!("no DS for {child}: inside an NSEC3 opt-out span"),
            )),
            (_, Ok(Proof::TooCostly(n))) => Cut::Zone(self.insecure(child, too_costly(n))),
            (_, Ok(_)) => Cut::Fail(Verdict::because(
                Status::Bogus,
                format!("denial proof does not cover the name ({child} DS)"),
            )),
            (_, Err(why)) => Cut::Fail(Verdict::because(
                Status::Bogus,
                format!("denial proof does not cover the name ({why})"),
            )),
        }
    }

    /// An insecure zone below a proven delegation without DS.
    fn insecure(&mut self, zone: &Name, reason: String) -> ZoneTrust {
        let trust = ZoneTrust {
            zone: zone.clone(),
            verdict: Verdict::because(Status::Insecure, reason),
            keys: Vec::new(),
        };
        self.remember(&trust, &[]);
        trust
    }

    /// Fetch the DNSKEY RRset of `zone` and trust it through `ds` (or the
    /// anchor's `anchor_keys`).
    async fn zone_keys<F: Fetch>(
        &mut self,
        fetch: &mut F,
        zone: &Name,
        ds: &[DS],
        anchor_keys: &[DNSKEY],
    ) -> ZoneTrust {
        let verdict = match fetch.fetch(zone, RecordType::DNSKEY).await {
            Ok(reply) => {
                let keys: Vec<DNSKEY> = verify::rrset(&reply.answers, zone, RecordType::DNSKEY)
                    .iter()
                    .filter_map(verify::as_dnskey)
                    .cloned()
                    .collect();
                let verdict = self.trust_keys(zone, &reply.answers, &keys, ds, anchor_keys);
                let trust = ZoneTrust {
                    zone: zone.clone(),
                    verdict,
                    keys,
                };
                self.remember(&trust, ds);
                return trust;
            }
            Err(e) => Verdict::because(Status::Indeterminate, format!("DNSKEY of {zone}: {e}")),
        };
        let trust = ZoneTrust {
            zone: zone.clone(),
            verdict,
            keys: Vec::new(),
        };
        self.remember(&trust, ds);
        trust
    }

    fn trust_keys(
        &self,
        zone: &Name,
        answers: &[Record],
        keys: &[DNSKEY],
        ds: &[DS],
        anchor_keys: &[DNSKEY],
    ) -> Verdict {
        let usable: Vec<&DS> = ds
            .iter()
            .filter(|d| verify::supported(d.algorithm()) && d.digest_type().is_supported())
            .collect();
        if usable.is_empty() && anchor_keys.is_empty() {
            let algorithms: Vec<String> = ds
                .iter()
                .map(|d| u8::from(d.algorithm()).to_string())
                .collect();
            return Verdict::because(
                Status::Insecure,
                format!(
                    "unsupported algorithm {} in the DS of {zone}",
                    algorithms.join(", ")
                ),
            );
        }
        let entry: Vec<DNSKEY> = keys
            .iter()
            .filter(|key| {
                usable.iter().any(|d| d.covers(zone, key).unwrap_or(false))
                    || anchor_keys.iter().any(|a| same_key(a, key))
            })
            .cloned()
            .collect();
        if entry.is_empty() {
            return Verdict::because(Status::Bogus, format!("no DS matches any DNSKEY of {zone}"));
        }
        match verify::verify_rrset(answers, zone, RecordType::DNSKEY, zone, &entry, self.now) {
            Ok(()) => Verdict::secure(),
            Err(e) => sig_verdict(&e, &format!("{zone} DNSKEY")),
        }
    }

    fn remember(&mut self, trust: &ZoneTrust, ds: &[DS]) {
        if self.known(&trust.zone).is_some() {
            return;
        }
        self.zones.push(trust.clone());
        self.chain.push(LinkOut {
            zone: trust.zone.to_ascii(),
            ds: ds.iter().map(DsOut::from).collect(),
            dnskey: trust.keys.iter().map(KeyOut::from).collect(),
            status: trust.verdict.status,
            reason: trust.verdict.reason.clone(),
        });
    }

    /// The verdict on one RRset of `section` under the zone `trust`.
    fn check_rrset(
        &self,
        trust: &ZoneTrust,
        section: &[Record],
        owner: &Name,
        rtype: RecordType,
    ) -> Verdict {
        if trust.verdict.status != Status::Secure {
            return trust.verdict.clone();
        }
        let what = format!("{owner} {rtype}");
        match verify::verify_rrset(section, owner, rtype, &trust.zone, &trust.keys, self.now) {
            Ok(()) => Verdict::secure(),
            Err(e) => sig_verdict(&e, &what),
        }
    }

    /// The signatures over the SOA and NSEC/NSEC3 RRsets of a negative reply.
    fn check_authority(&self, trust: &ZoneTrust, authority: &[Record]) -> Verdict {
        let mut verdict = Verdict::secure();
        let mut seen: Vec<(Name, RecordType)> = Vec::new();
        for record in authority {
            let key = (record.name.clone(), record.record_type());
            let denial = matches!(
                key.1,
                RecordType::SOA | RecordType::NSEC | RecordType::NSEC3
            );
            if !denial || seen.contains(&key) {
                continue;
            }
            verdict = verdict.worst(self.check_rrset(trust, authority, &key.0, key.1));
            seen.push(key);
        }
        verdict
    }

    /// The verdict on an answer synthesized from a wildcard: the reply must
    /// prove, with signed NSEC or NSEC3 records, that `owner` itself does not
    /// exist (else a signed wildcard answer could stand in for any name).
    fn check_expansion(
        &self,
        trust: &ZoneTrust,
        reply: &Fetched,
        owner: &Name,
        labels: u8,
    ) -> Verdict {
        let signed = self.check_authority(trust, &reply.authority);
        if signed.status != Status::Secure {
            return signed;
        }
        match denial::prove_expansion(&reply.authority, &trust.zone, owner, labels) {
            Ok(()) => Verdict::secure(),
            Err(why) => Verdict::because(
                Status::Bogus,
                format!("wildcard answer without proof that {owner} does not exist ({why})"),
            ),
        }
    }

    /// The verdict on a negative reply for (`name`, `qtype`).
    fn check_denial(
        &self,
        trust: &ZoneTrust,
        reply: &Fetched,
        name: &Name,
        qtype: RecordType,
    ) -> Verdict {
        if trust.verdict.status != Status::Secure {
            return trust.verdict.clone();
        }
        let signed = self.check_authority(trust, &reply.authority);
        if signed.status != Status::Secure {
            return signed;
        }
        let not_covered = |why: String| {
            Verdict::because(
                Status::Bogus,
                format!("denial proof does not cover the name ({why})"),
            )
        };
        let nxdomain = reply.rcode == ResponseCode::NXDomain;
        match denial::prove(&reply.authority, &trust.zone, name) {
            Ok(Proof::NoName) if nxdomain => Verdict::secure(),
            Ok(Proof::Exists(types)) if !nxdomain => {
                if types.contains(&qtype) || types.contains(&RecordType::CNAME) {
                    not_covered(format!("the proof lists {qtype} at {name}"))
                } else {
                    Verdict::secure()
                }
            }
            Ok(Proof::OptOut) => Verdict::because(
                Status::Insecure,
                format!("{name} lies in an NSEC3 opt-out span"),
            ),
            Ok(Proof::TooCostly(n)) => Verdict::because(Status::Insecure, too_costly(n)),
            Ok(Proof::NoName) => not_covered(format!("{name} is proven not to exist, yet NOERROR")),
            Ok(Proof::Exists(_)) => not_covered(format!("{name} is proven to exist, yet NXDOMAIN")),
            Err(why) => not_covered(why),
        }
    }
}

fn too_costly(iterations: u16) -> String {
    format!(
        "NSEC3 with {iterations} iterations, above {}: not checked (RFC 9276)",
        denial::MAX_ITERATIONS
    )
}

/// The verdict of a signature failure on `what`.
fn sig_verdict(error: &SigError, what: &str) -> Verdict {
    let status = match error {
        SigError::Unsupported(_) => Status::Insecure,
        _ => Status::Bogus,
    };
    Verdict::because(status, error.reason(what))
}

fn same_key(a: &DNSKEY, b: &DNSKEY) -> bool {
    let algorithm = |k: &DNSKEY| -> Algorithm { k.public_key().algorithm() };
    algorithm(a) == algorithm(b) && a.public_key().public_bytes() == b.public_key().public_bytes()
}

fn proof_kind(authority: &[Record]) -> &'static str {
    if authority
        .iter()
        .any(|r| r.record_type() == RecordType::NSEC3)
    {
        "NSEC3"
    } else {
        "NSEC"
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use netlens_sandbox::dns::signed::SignedHierarchy;

    use super::*;
    use crate::stub::Direct;
    use crate::wire::Transport;

    fn direct(h: &SignedHierarchy) -> Direct {
        let mut shape = crate::edns::Shape::default();
        if let Some(edns) = shape.edns.as_mut() {
            edns.dnssec_ok = true;
        }
        let transport = Transport {
            timeout: Duration::from_secs(5),
            retries: 0,
            tcp: false,
            recursion_desired: true,
            shape: std::sync::Arc::new(shape),
            secure: None,
        };
        Direct::new(transport, h.resolver(), 1)
    }

    fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    /// Ask (`qname`, `qtype`), let `tamper` change the reply, and validate it
    /// from the sandbox's anchor.
    fn judge(qname: &str, qtype: RecordType, tamper: impl FnOnce(&mut Fetched)) -> DnssecOut {
        let h = SignedHierarchy::start().unwrap();
        let anchor = crate::dnssec::anchor::Anchor::load(Some(h.trust_anchor())).unwrap();
        judge_with(&h, &anchor, qname, qtype, tamper)
    }

    fn judge_with(
        h: &SignedHierarchy,
        anchor: &crate::dnssec::anchor::Anchor,
        qname: &str,
        qtype: RecordType,
        tamper: impl FnOnce(&mut Fetched),
    ) -> DnssecOut {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let direct = direct(h);
        let mut fetch = &direct;
        runtime.block_on(async {
            let mut reply = fetch.fetch(&name(qname), qtype).await.unwrap();
            tamper(&mut reply);
            Validator::new(anchor)
                .validate(&mut fetch, &name(qname), qtype, &reply)
                .await
        })
    }

    #[test]
    fn an_untouched_answer_is_secure_along_four_zones() {
        let out = judge("www.lab.glasscom.com.", RecordType::AAAA, |_| {});
        assert_eq!(out.verdict, Verdict::secure());
        let zones: Vec<&str> = out.chain.iter().map(|l| l.zone.as_str()).collect();
        assert_eq!(zones, [".", "com.", "glasscom.com.", "lab.glasscom.com."]);
    }

    #[test]
    fn a_missing_nsec3_leaves_the_denial_unproven() {
        let out = judge("nope.lab.glasscom.com.", RecordType::A, |reply| {
            let first = reply
                .authority
                .iter()
                .position(|r| r.record_type() == RecordType::NSEC3)
                .unwrap();
            let owner = reply.authority[first].name.clone();
            reply.authority.retain(|r| r.name != owner);
        });
        assert_eq!(out.verdict.status, Status::Bogus);
        let reason = out.verdict.reason.unwrap();
        assert!(
            reason.starts_with("denial proof does not cover the name"),
            "{reason}"
        );
    }

    #[test]
    fn a_wildcard_answer_needs_its_proof() {
        let name = "any.wild.glasscom.com.";
        assert_eq!(
            judge(name, RecordType::A, |_| {}).verdict,
            Verdict::secure()
        );
        let out = judge(name, RecordType::A, |reply| reply.authority.clear());
        assert_eq!(out.verdict.status, Status::Bogus);
        let reason = out.verdict.reason.unwrap();
        assert!(
            reason.starts_with("wildcard answer without proof that any.wild.glasscom.com."),
            "{reason}"
        );
    }

    #[test]
    fn a_nodata_proof_does_not_prove_nxdomain() {
        let out = judge("www.lab.glasscom.com.", RecordType::MX, |reply| {
            reply.rcode = ResponseCode::NXDomain;
        });
        assert_eq!(out.verdict.status, Status::Bogus);
        assert!(
            out.verdict
                .reason
                .unwrap()
                .contains("proven to exist, yet NXDOMAIN")
        );
    }

    #[test]
    fn a_changed_record_no_longer_verifies() {
        let out = judge("www.lab.glasscom.com.", RecordType::A, |reply| {
            for record in &mut reply.answers {
                if let RData::A(a) = &mut record.data {
                    a.0 = std::net::Ipv4Addr::new(192, 0, 2, 99);
                }
            }
        });
        assert_eq!(out.verdict.status, Status::Bogus);
        let reason = out.verdict.reason.unwrap();
        assert!(
            reason.starts_with("signature does not verify for www.lab.glasscom.com. A"),
            "{reason}"
        );
    }

    #[test]
    fn garbage_in_a_signature_is_bogus_not_a_panic() {
        let out = judge("www.glasscom.com.", RecordType::A, |reply| {
            for record in &mut reply.answers {
                if let RData::DNSSEC(DNSSECRData::RRSIG(sig)) = &record.data {
                    let garbage = hickory_proto::dnssec::rdata::RRSIG::from_sig(
                        sig.input().clone(),
                        vec![0xff; 3],
                    );
                    record.data = RData::DNSSEC(DNSSECRData::RRSIG(garbage));
                }
            }
        });
        assert_eq!(out.verdict.status, Status::Bogus);
    }

    #[test]
    fn no_anchor_above_the_name_is_indeterminate() {
        let h = SignedHierarchy::start().unwrap();
        let anchor = crate::dnssec::anchor::parse("example. IN DS 1 13 2 AABB\n").unwrap();
        let out = judge_with(&h, &anchor, "www.glasscom.com.", RecordType::A, |_| {});
        assert_eq!(out.verdict.status, Status::Indeterminate);
        assert_eq!(
            out.verdict.reason.as_deref(),
            Some("no trust anchor above www.glasscom.com.")
        );
    }
}
