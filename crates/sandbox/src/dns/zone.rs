//! One authoritative zone: hickory-server's in-memory zone handler, plus glue.
//!
//! hickory-server answers a query below a delegation point with a referral (the
//! child's NS set in the authority section) but without the glue addresses a
//! real server adds to the additional section (RFC 1034 §4.3.2 step 3b). The
//! wrapper here fills them in from the zone file, as BIND and NSD do, and also
//! for NS answers. Glue is taken as written, in or out of bailiwick: the
//! hierarchy deliberately holds one out-of-bailiwick address for the resolver
//! under test to refuse.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use hickory_proto::rr::{LowerName, Name, RData, Record, RecordSet, RecordType, RrKey};
use hickory_proto::serialize::txt::Parser;
use hickory_server::server::{Request, RequestInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{
    AuthLookup, AxfrPolicy, LookupControlFlow, LookupOptions, LookupRecords, ZoneHandler, ZoneType,
};

use crate::dns::authority::Cuts;

/// A zone that answers authoritatively and adds glue to its referrals.
pub struct GlueZone {
    inner: InMemoryZoneHandler,
    /// Every address record of the zone file by owner name: the glue to offer.
    glue: HashMap<LowerName, Vec<Arc<RecordSet>>>,
    /// The zone's delegation points.
    cuts: Cuts,
}

impl GlueZone {
    /// Parse a zone file and build the zone (`origin` comes from the file's `$ORIGIN`).
    pub fn parse(text: &str) -> Result<GlueZone, String> {
        let (origin, records) = Parser::new(text, None, None)
            .parse()
            .map_err(|e| format!("zone file: {e}"))?;
        let mut glue: HashMap<LowerName, Vec<Arc<RecordSet>>> = HashMap::new();
        let mut in_zone = BTreeMap::new();
        let apex = LowerName::new(&origin);
        let mut cuts = Cuts {
            origin: Some(apex.clone()),
            delegated: Vec::new(),
        };
        for (key, rrset) in records {
            if rrset.record_type() == RecordType::NS && key.name != apex {
                cuts.delegated.push(key.name.clone());
            }
            if matches!(rrset.record_type(), RecordType::A | RecordType::AAAA) {
                glue.entry(key.name.clone())
                    .or_default()
                    .push(Arc::new(rrset.clone()));
            }
            // The zone proper holds only its own names; glue for other trees
            // lives in the glue table alone.
            if apex.zone_of(&key.name) {
                in_zone.insert(RrKey::new(key.name, key.record_type), rrset);
            }
        }
        let inner = InMemoryZoneHandler::new(origin, in_zone, ZoneType::Primary, AxfrPolicy::Deny)?;
        Ok(GlueZone { inner, glue, cuts })
    }

    /// The zone's origin and delegation points.
    pub fn cuts(&self) -> Cuts {
        self.cuts.clone()
    }

    /// The zone's origin.
    pub fn origin_name(&self) -> Name {
        Name::from(self.inner.origin().clone())
    }

    /// Attach glue for every NS target of an NS answer or referral.
    fn with_glue(
        &self,
        flow: LookupControlFlow<AuthLookup>,
        options: LookupOptions,
    ) -> LookupControlFlow<AuthLookup> {
        let add = |lookup: AuthLookup| -> AuthLookup {
            let targets: Vec<LowerName> = lookup
                .iter()
                .filter_map(|record: &Record| match &record.data {
                    RData::NS(ns) => Some(LowerName::new(&ns.0)),
                    _ => None,
                })
                .collect();
            if targets.is_empty() {
                return lookup;
            }
            let glue: Vec<Arc<RecordSet>> = targets
                .iter()
                .filter_map(|target| self.glue.get(target))
                .flatten()
                .cloned()
                .collect();
            let answers = lookup.unwrap_records();
            let additionals = (!glue.is_empty()).then(|| LookupRecords::many(options, glue));
            AuthLookup::answers(answers, additionals)
        };
        match flow {
            LookupControlFlow::Continue(Ok(lookup)) => LookupControlFlow::Continue(Ok(add(lookup))),
            LookupControlFlow::Break(Ok(lookup)) => LookupControlFlow::Break(Ok(add(lookup))),
            other => other,
        }
    }
}

#[async_trait::async_trait]
impl ZoneHandler for GlueZone {
    fn zone_type(&self) -> ZoneType {
        self.inner.zone_type()
    }

    fn axfr_policy(&self) -> AxfrPolicy {
        self.inner.axfr_policy()
    }

    fn origin(&self) -> &LowerName {
        self.inner.origin()
    }

    async fn lookup(
        &self,
        name: &LowerName,
        rtype: RecordType,
        request_info: Option<&RequestInfo<'_>>,
        lookup_options: LookupOptions,
    ) -> LookupControlFlow<AuthLookup> {
        let flow = self
            .inner
            .lookup(name, rtype, request_info, lookup_options)
            .await;
        self.with_glue(flow, lookup_options)
    }

    async fn search(
        &self,
        request: &Request,
        lookup_options: LookupOptions,
    ) -> (
        LookupControlFlow<AuthLookup>,
        Option<hickory_proto::rr::TSigResponseContext>,
    ) {
        let (flow, tsig) = self.inner.search(request, lookup_options).await;
        (self.with_glue(flow, lookup_options), tsig)
    }

    async fn nsec_records(
        &self,
        name: &LowerName,
        lookup_options: LookupOptions,
    ) -> LookupControlFlow<AuthLookup> {
        self.inner.nsec_records(name, lookup_options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::zones;

    #[test]
    fn every_zone_file_parses() {
        for server in zones::SERVERS {
            for origin in server.zones {
                let text = zones::zone_file(origin).unwrap();
                let zone = GlueZone::parse(text).unwrap_or_else(|e| panic!("{origin}: {e}"));
                assert!(zone.origin_name().is_fqdn());
            }
        }
    }

    #[test]
    fn out_of_zone_addresses_are_kept_only_as_glue() {
        let zone = GlueZone::parse(zones::zone_file("com.").unwrap()).unwrap();
        let spoofed = LowerName::new(&Name::from_ascii("ns.cyber.co.kr.").unwrap());
        assert!(zone.glue.contains_key(&spoofed));
    }
}
