//! One zone of the signed hierarchy: its records, signed at start-up with the
//! zone's key, an NSEC3 chain (SHA-1, no salt, no extra iterations), and the
//! answers an authoritative server gives from it: data with its RRSIGs,
//! referrals with the DS RRset or the proof that there is none, and NXDOMAIN
//! or NODATA with their NSEC3 proofs.
//!
//! Some RRsets are broken on purpose ([`Fault`]): a signature that expired, one
//! not yet valid, one stripped, one made over other data.
//!
//! See: RFC 4035 §2 and §3.1 (signing and serving), RFC 5155 §7 (NSEC3 chains
//! and proofs), RFC 9276 (no salt, no iterations).

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::Ipv4Addr;
use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::dnssec::rdata::sig::SigInput;
use hickory_proto::dnssec::rdata::{DNSSECRData, DS, NSEC3, NSEC3PARAM, RRSIG};
use hickory_proto::dnssec::{Nsec3HashAlgorithm, TBS};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType, SerialNumber};
use hickory_proto::serialize::txt::Parser;

use super::keys::ZoneKey;

/// How long the good signatures last around start-up, in seconds (one day
/// before, one week after).
const BEFORE: u32 = 86_400;
const AFTER: u32 = 7 * 86_400;

/// A signature broken on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The RRSIG expired a day ago.
    Expired,
    /// The RRSIG becomes valid tomorrow.
    NotYetValid,
    /// The RRset is served without its RRSIG.
    Stripped,
    /// The RRSIG was made over other data (an A record changed after signing).
    Tampered,
}

/// What to sign and how.
pub struct Signing<'k> {
    /// The zone's key; `None` leaves the zone unsigned.
    pub key: Option<&'k ZoneKey>,
    /// DS records of signed children, by delegation point.
    pub ds: Vec<(Name, DS)>,
    /// Broken signatures: owner name, type, fault.
    pub faults: &'k [(&'k str, RecordType, Fault)],
}

/// The sections of one answer.
#[derive(Default, Debug)]
pub struct Answer {
    /// The response code.
    pub rcode: ResponseCode,
    /// The AA flag.
    pub authoritative: bool,
    /// Answer section.
    pub answers: Vec<Record>,
    /// Authority section.
    pub authority: Vec<Record>,
    /// Additional section (glue).
    pub additionals: Vec<Record>,
}

/// A signed (or unsigned) zone, ready to answer.
pub struct SignedZone {
    origin: Name,
    rrsets: BTreeMap<(Name, RecordType), Vec<Record>>,
    sigs: BTreeMap<(Name, RecordType), Vec<Record>>,
    cuts: Vec<Name>,
    /// Names that exist in the zone (empty non-terminals included).
    names: BTreeSet<Name>,
    /// The NSEC3 chain: hash, owner name; empty when unsigned.
    chain: Vec<(Vec<u8>, Name)>,
}

impl SignedZone {
    /// Parse `text` (zone-file format) and sign it as `signing` says.
    pub fn new(text: &str, signing: &Signing<'_>) -> io::Result<SignedZone> {
        let (origin, parsed) = Parser::new(text, None, None)
            .parse()
            .map_err(|e| io::Error::other(format!("zone file: {e}")))?;
        let mut rrsets: BTreeMap<(Name, RecordType), Vec<Record>> = BTreeMap::new();
        for (key, rrset) in parsed {
            let name = Name::from(key.name);
            rrsets.insert(
                (name, key.record_type),
                rrset.records_without_rrsigs().cloned().collect(),
            );
        }
        let cuts: Vec<Name> = rrsets
            .keys()
            .filter(|(name, rtype)| *rtype == RecordType::NS && *name != origin)
            .map(|(name, _)| name.clone())
            .collect();
        let mut zone = SignedZone {
            origin,
            rrsets,
            sigs: BTreeMap::new(),
            cuts,
            names: BTreeSet::new(),
            chain: Vec::new(),
        };
        if let Some(key) = signing.key {
            zone.sign(key, signing)?;
        }
        Ok(zone)
    }

    /// The zone's origin.
    pub fn origin(&self) -> &Name {
        &self.origin
    }

    /// The answer to (`qname`, `qtype`); DNSSEC records only when `dnssec_ok`.
    pub fn answer(&self, qname: &Name, qtype: RecordType, dnssec_ok: bool) -> Answer {
        let qname = qname.to_lowercase();
        let mut out = Answer::default();
        if let Some(cut) = self.cut_above(&qname, qtype) {
            self.referral(&cut, dnssec_ok, &mut out);
            return out;
        }
        out.authoritative = true;
        if let Some(records) = self.rrsets.get(&(qname.clone(), qtype)) {
            out.answers.extend(records.iter().cloned());
            if dnssec_ok {
                self.add_sigs(&qname, qtype, &mut out.answers);
            }
            return out;
        }
        if !self.expand_wildcard(&qname, qtype, dnssec_ok, &mut out) {
            self.negative(&qname, dnssec_ok, &mut out);
        }
        out
    }

    /// Whether `name` exists in the zone (empty non-terminals included).
    fn exists(&self, name: &Name) -> bool {
        self.names.contains(name) || self.rrsets.keys().any(|(owner, _)| owner == name)
    }

    /// The closest encloser of a name that does not exist, and the next
    /// closer name below it (RFC 5155 §7.2.1).
    fn closest_encloser(&self, qname: &Name) -> (Name, Name) {
        let mut encloser = qname.base_name();
        let mut next_closer = qname.clone();
        while !self.names.contains(&encloser) && encloser.num_labels() > self.origin.num_labels() {
            next_closer = encloser.clone();
            encloser = encloser.base_name();
        }
        (encloser, next_closer)
    }

    /// Answer a name that does not exist from the wildcard at its closest
    /// encloser (RFC 4592), with the NSEC3 that covers the next closer name
    /// (RFC 5155 §7.2.6); false when no wildcard has the type asked.
    fn expand_wildcard(
        &self,
        qname: &Name,
        qtype: RecordType,
        dnssec_ok: bool,
        out: &mut Answer,
    ) -> bool {
        if self.exists(qname) {
            return false;
        }
        let (encloser, next_closer) = self.closest_encloser(qname);
        let Ok(wildcard) = encloser.prepend_label("*") else {
            return false;
        };
        let Some(records) = self.rrsets.get(&(wildcard.clone(), qtype)) else {
            return false;
        };
        let renamed = |record: &Record| {
            let mut record = record.clone();
            record.name = qname.clone();
            record
        };
        out.answers.extend(records.iter().map(renamed));
        if dnssec_ok {
            if let Some(sigs) = self.sigs.get(&(wildcard, qtype)) {
                out.answers.extend(sigs.iter().map(renamed));
            }
            self.add_nsec3(&next_closer, false, &mut out.authority);
        }
        true
    }

    fn sign(&mut self, key: &ZoneKey, signing: &Signing<'_>) -> io::Result<()> {
        let origin = self.origin.clone();
        let ttl = self.soa_minimum();
        let dnskey = RData::DNSSEC(DNSSECRData::DNSKEY(key.dnskey().clone()));
        self.rrsets.insert(
            (origin.clone(), RecordType::DNSKEY),
            vec![Record::from_rdata(origin.clone(), ttl, dnskey)],
        );
        for (name, ds) in &signing.ds {
            let record = Record::from_rdata(
                name.clone(),
                ttl,
                RData::DNSSEC(DNSSECRData::DS(ds.clone())),
            );
            self.rrsets
                .entry((name.clone(), RecordType::DS))
                .or_default()
                .push(record);
        }
        let param = NSEC3PARAM::new(Nsec3HashAlgorithm::SHA1, false, 0, Vec::new());
        self.rrsets.insert(
            (origin.clone(), RecordType::NSEC3PARAM),
            vec![Record::from_rdata(
                origin.clone(),
                ttl,
                RData::DNSSEC(DNSSECRData::NSEC3PARAM(param)),
            )],
        );
        self.build_chain(ttl)?;
        let now = unix_now();
        let keys: Vec<(Name, RecordType)> = self.rrsets.keys().cloned().collect();
        for (name, rtype) in keys {
            if !self.is_authoritative(&name, rtype) {
                continue;
            }
            let fault = signing
                .faults
                .iter()
                .find(|(owner, t, _)| {
                    *t == rtype && Name::from_ascii(owner).is_ok_and(|o| o == name)
                })
                .map(|(_, _, fault)| *fault);
            let (inception, expiration) = match fault {
                Some(Fault::Stripped) => continue,
                Some(Fault::Expired) => (now - 2 * BEFORE, now - BEFORE),
                Some(Fault::NotYetValid) => (now + BEFORE, now + AFTER),
                _ => (now - BEFORE, now + AFTER),
            };
            let mut signed = self.rrsets[&(name.clone(), rtype)].clone();
            if fault == Some(Fault::Tampered) {
                signed.iter_mut().for_each(tamper);
            }
            let sig = rrsig(key, &origin, &name, rtype, &signed, inception, expiration)?;
            self.sigs.insert((name, rtype), vec![sig]);
        }
        Ok(())
    }

    /// Whether the zone signs (`name`, `rtype`): not glue, not the NS set of a
    /// delegation (RFC 4035 §2.2).
    fn is_authoritative(&self, name: &Name, rtype: RecordType) -> bool {
        if !self.origin.zone_of(name) {
            return false;
        }
        match self.cuts.iter().find(|cut| cut.zone_of(name)) {
            Some(cut) => *cut == *name && matches!(rtype, RecordType::DS | RecordType::NSEC3),
            None => true,
        }
    }

    /// The NSEC3 records of every name of the zone, ordered by hash.
    fn build_chain(&mut self, ttl: u32) -> io::Result<()> {
        let mut names = BTreeSet::new();
        for (name, rtype) in self.rrsets.keys() {
            if !self.is_authoritative(name, *rtype) && !self.cuts.contains(name) {
                continue;
            }
            let mut n = name.clone();
            while self.origin.zone_of(&n) && names.insert(n.clone()) && n != self.origin {
                n = n.base_name();
            }
        }
        let mut chain: Vec<(Vec<u8>, Name)> = names
            .iter()
            .map(|name| Ok((nsec3_hash(name)?, name.clone())))
            .collect::<io::Result<_>>()?;
        chain.sort();
        for (i, (hash, name)) in chain.iter().enumerate() {
            let next = &chain[(i + 1) % chain.len()].0;
            let mut types: Vec<RecordType> = self
                .rrsets
                .keys()
                .filter(|(owner, rtype)| {
                    owner == name
                        && (self.is_authoritative(owner, *rtype) || *rtype == RecordType::NS)
                })
                .map(|(_, rtype)| *rtype)
                .collect();
            if types.iter().any(|t| self.is_authoritative(name, *t)) {
                types.push(RecordType::RRSIG);
            }
            let nsec3 = NSEC3::new(
                Nsec3HashAlgorithm::SHA1,
                false,
                0,
                Vec::new(),
                next.clone(),
                types,
            );
            let owner = self.hashed_name(hash)?;
            let record =
                Record::from_rdata(owner.clone(), ttl, RData::DNSSEC(DNSSECRData::NSEC3(nsec3)));
            self.rrsets.insert((owner, RecordType::NSEC3), vec![record]);
        }
        self.names = names;
        self.chain = chain;
        Ok(())
    }

    fn hashed_name(&self, hash: &[u8]) -> io::Result<Name> {
        let label = data_encoding::BASE32HEX_NOPAD
            .encode(hash)
            .to_ascii_lowercase();
        self.origin
            .prepend_label(label.as_str())
            .map_err(|e| io::Error::other(e.to_string()))
    }

    /// The delegation point at or above `qname` that this zone refers away
    /// (a DS question at the cut is the parent's own).
    fn cut_above(&self, qname: &Name, qtype: RecordType) -> Option<Name> {
        self.cuts
            .iter()
            .find(|cut| cut.zone_of(qname) && !(*cut == qname && qtype == RecordType::DS))
            .cloned()
    }

    fn referral(&self, cut: &Name, dnssec_ok: bool, out: &mut Answer) {
        let ns = self
            .rrsets
            .get(&(cut.clone(), RecordType::NS))
            .cloned()
            .unwrap_or_default();
        for record in &ns {
            if let RData::NS(target) = &record.data {
                for rtype in [RecordType::A, RecordType::AAAA] {
                    if let Some(glue) = self.rrsets.get(&(target.0.to_lowercase(), rtype)) {
                        out.additionals.extend(glue.iter().cloned());
                    }
                }
            }
        }
        out.authority.extend(ns);
        if !dnssec_ok || self.chain.is_empty() {
            return;
        }
        match self.rrsets.get(&(cut.clone(), RecordType::DS)) {
            Some(ds) => {
                out.authority.extend(ds.iter().cloned());
                self.add_sigs(cut, RecordType::DS, &mut out.authority);
            }
            None => self.add_nsec3(cut, true, &mut out.authority),
        }
    }

    /// NODATA or NXDOMAIN, with the SOA and the NSEC3 proof; a name under a
    /// wildcard that lacks the type asked is a NODATA (RFC 5155 §7.2.5).
    fn negative(&self, qname: &Name, dnssec_ok: bool, out: &mut Answer) {
        let exists = self.exists(qname);
        let (encloser, next_closer) = self.closest_encloser(qname);
        let wildcard = encloser.prepend_label("*").ok();
        let under_wildcard = wildcard.as_ref().is_some_and(|w| self.exists(w));
        if !exists && !under_wildcard {
            out.rcode = ResponseCode::NXDomain;
        }
        if let Some(soa) = self.rrsets.get(&(self.origin.clone(), RecordType::SOA)) {
            out.authority.extend(soa.iter().cloned());
        }
        if !dnssec_ok || self.chain.is_empty() {
            return;
        }
        self.add_sigs(&self.origin, RecordType::SOA, &mut out.authority);
        if exists {
            self.add_nsec3(qname, true, &mut out.authority);
            return;
        }
        // RFC 5155 §7.2.2: the closest encloser, the next closer name, the
        // wildcard (matched when the name stands under it, else covered).
        self.add_nsec3(&encloser, true, &mut out.authority);
        self.add_nsec3(&next_closer, false, &mut out.authority);
        if let Some(wildcard) = wildcard {
            self.add_nsec3(&wildcard, under_wildcard, &mut out.authority);
        }
    }

    /// The NSEC3 that matches (`matching`) or covers `name`, with its RRSIG,
    /// unless already in `section`.
    fn add_nsec3(&self, name: &Name, matching: bool, section: &mut Vec<Record>) {
        let Ok(hash) = nsec3_hash(name) else { return };
        let index = match self.chain.binary_search_by(|(h, _)| h.cmp(&hash)) {
            Ok(i) if matching => i,
            Ok(_) => return,
            Err(0) => self.chain.len() - 1,
            Err(i) => i - 1,
        };
        let Ok(owner) = self.hashed_name(&self.chain[index].0) else {
            return;
        };
        if section.iter().any(|r| r.name == owner) {
            return;
        }
        if let Some(records) = self.rrsets.get(&(owner.clone(), RecordType::NSEC3)) {
            section.extend(records.iter().cloned());
            self.add_sigs(&owner, RecordType::NSEC3, section);
        }
    }

    fn add_sigs(&self, name: &Name, rtype: RecordType, section: &mut Vec<Record>) {
        if let Some(sigs) = self.sigs.get(&(name.clone(), rtype)) {
            section.extend(sigs.iter().cloned());
        }
    }

    fn soa_minimum(&self) -> u32 {
        match self
            .rrsets
            .get(&(self.origin.clone(), RecordType::SOA))
            .and_then(|s| s.first())
        {
            Some(Record {
                data: RData::SOA(soa),
                ..
            }) => soa.minimum,
            _ => 3600,
        }
    }
}

/// The NSEC3 hash of `name` (SHA-1, no salt, no extra iterations).
fn nsec3_hash(name: &Name) -> io::Result<Vec<u8>> {
    Nsec3HashAlgorithm::SHA1
        .hash(&[], name, 0)
        .map(|digest| digest.as_ref().to_vec())
        .map_err(|e| io::Error::other(e.to_string()))
}

/// An RRSIG over `records` by `key`, valid from `inception` to `expiration`.
fn rrsig(
    key: &ZoneKey,
    zone: &Name,
    name: &Name,
    rtype: RecordType,
    records: &[Record],
    inception: u32,
    expiration: u32,
) -> io::Result<Record> {
    let ttl = records.first().map_or(0, |r| r.ttl);
    let input = SigInput {
        type_covered: rtype,
        algorithm: key.algorithm(),
        num_labels: name.num_labels(),
        original_ttl: ttl,
        sig_expiration: SerialNumber::new(expiration),
        sig_inception: SerialNumber::new(inception),
        key_tag: key.key_tag(),
        signer_name: zone.clone(),
    };
    let tbs = TBS::from_input(name, DNSClass::IN, &input, records.iter())
        .map_err(|e| io::Error::other(e.to_string()))?;
    let sig = key.sign(&tbs)?;
    let rdata = RData::DNSSEC(DNSSECRData::RRSIG(RRSIG::from_sig(input, sig)));
    Ok(Record::from_rdata(name.clone(), ttl, rdata))
}

/// Change a record after signing: an A record's address is inverted.
fn tamper(record: &mut Record) {
    if let RData::A(a) = &record.data {
        let octets = a.0.octets().map(|o| !o);
        record.data = RData::A(A(Ipv4Addr::from(octets)));
    }
}

fn unix_now() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    u32::try_from(secs).unwrap_or(u32::MAX)
}
