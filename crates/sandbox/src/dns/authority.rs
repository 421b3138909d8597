//! One server's request handler: hickory-server's catalog, with the AA flag
//! cleared on referrals.
//!
//! hickory-server 0.26 answers a question below a zone cut with a referral but
//! leaves the AA bit set, as if it were authoritative for the child's data. A
//! referral is not authoritative (RFC 1034 §4.3.2 step 3b; RFC 1035 §4.1.1:
//! AA marks "an authority for the domain name in question section"), so this
//! wrapper clears the bit when the question lies at or below one of the
//! server's delegation points, as BIND and NSD do. It also counts the
//! questions it was asked, so that tests can tell how often a resolver came.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hickory_proto::rr::{LowerName, Record, RecordType};
use hickory_server::net::NetError;
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::{Catalog, MessageResponse};

/// The zone cuts of one zone: its origin and the names it delegates.
#[derive(Clone, Debug, Default)]
pub struct Cuts {
    /// The zone's origin.
    pub origin: Option<LowerName>,
    /// Names below the origin that have NS records (delegation points).
    pub delegated: Vec<LowerName>,
}

/// A catalog whose referrals are sent without AA.
pub struct Authority {
    catalog: Catalog,
    cuts: Vec<Cuts>,
    asked: Arc<AtomicU64>,
}

impl Authority {
    /// Serve `catalog`, whose zones have these `cuts`.
    pub fn new(catalog: Catalog, cuts: Vec<Cuts>) -> Authority {
        Authority {
            catalog,
            cuts,
            asked: Arc::default(),
        }
    }

    /// The count of requests this server received, kept up to date.
    pub fn asked(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.asked)
    }

    /// Whether the answer to (`name`, `rtype`) is a referral from this server.
    fn is_referral(&self, name: &LowerName, rtype: RecordType) -> bool {
        // The closest enclosing zone answers; a DS question at the cut is the
        // parent's own data.
        let zone = self
            .cuts
            .iter()
            .filter(|c| c.origin.as_ref().is_some_and(|o| o.zone_of(name)))
            .max_by_key(|c| c.origin.as_ref().map_or(0, LowerName::num_labels));
        zone.is_some_and(|zone| {
            zone.delegated
                .iter()
                .any(|cut| cut.zone_of(name) && !(cut == name && rtype == RecordType::DS))
        })
    }
}

#[async_trait::async_trait]
impl RequestHandler for Authority {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response_handle: R,
    ) -> ResponseInfo {
        self.asked.fetch_add(1, Ordering::Relaxed);
        let referral = request
            .request_info()
            .is_ok_and(|info| self.is_referral(info.query.name(), info.query.query_type()));
        let handle = Referral {
            inner: response_handle,
            referral,
        };
        self.catalog.handle_request::<_, T>(request, handle).await
    }
}

/// A response handle that clears AA on a referral before sending.
#[derive(Clone)]
struct Referral<R> {
    inner: R,
    referral: bool,
}

#[async_trait::async_trait]
impl<R: ResponseHandler> ResponseHandler for Referral<R> {
    async fn send_response<'a>(
        &mut self,
        mut response: MessageResponse<
            '_,
            'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
        >,
    ) -> Result<ResponseInfo, NetError> {
        if self.referral {
            response.metadata_mut().authoritative = false;
        }
        self.inner.send_response(response).await
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use hickory_proto::rr::Name;

    use super::*;

    fn lower(s: &str) -> LowerName {
        LowerName::new(&Name::from_str(s).unwrap())
    }

    #[test]
    fn questions_below_a_cut_are_referrals() {
        let authority = Authority::new(
            Catalog::new(),
            vec![Cuts {
                origin: Some(lower("glasscom.com.")),
                delegated: vec![lower("lab.glasscom.com.")],
            }],
        );
        assert!(authority.is_referral(&lower("www.lab.glasscom.com."), RecordType::A));
        assert!(authority.is_referral(&lower("lab.glasscom.com."), RecordType::NS));
        assert!(!authority.is_referral(&lower("lab.glasscom.com."), RecordType::DS));
        assert!(!authority.is_referral(&lower("www.glasscom.com."), RecordType::A));
        assert!(!authority.is_referral(&lower("www.example."), RecordType::A));
    }
}
