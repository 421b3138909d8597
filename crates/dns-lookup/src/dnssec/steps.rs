//! Validation inside `--trace`: the DS and DNSKEY look-ups go through the
//! trace's resolver (its cache included) and are shown as steps, and every
//! step is marked with the verdict of the zone it speaks for.

use hickory_proto::rr::{Name, RecordType};

use super::chain::{Fetch, Fetched};
use super::{DnssecOut, Status, Verdict};
use crate::error::Error;
use crate::model::{Kind, QueryOut, Report, Step};
use crate::trace::Tracer;

/// Fetches through a tracer, keeping the steps of every look-up.
pub struct TraceFetch<'t> {
    /// The run's tracer.
    pub tracer: &'t Tracer,
    /// The steps of the look-ups so far.
    pub steps: Vec<Step>,
}

impl Fetch for TraceFetch<'_> {
    async fn fetch(&mut self, name: &Name, rtype: RecordType) -> Result<Fetched, Error> {
        let traced = self.tracer.trace(name, rtype).await;
        self.steps.extend(traced.steps);
        Ok(traced.result?.fetched())
    }
}

/// Mark every step with its verdict: the final answer's with the answer's,
/// a referral with its child zone's, any other with its zone's (or the
/// closest zone above it in the chain).
pub fn mark(steps: &mut [Step], question: &QueryOut, out: &DnssecOut) {
    for step in steps {
        let final_answer = step.depth == 0
            && step.query == *question
            && matches!(step.kind, Kind::Answer | Kind::Nxdomain | Kind::Nodata);
        let verdict = if final_answer {
            out.verdict.clone()
        } else {
            let zone = match (&step.kind, &step.referral) {
                (Kind::Referral, Some(referral)) => &referral.zone,
                _ => &step.zone,
            };
            zone_verdict(out, zone)
        };
        step.dnssec = Some(verdict);
    }
}

/// The verdict of `zone`: its own link's, or the closest link above it.
fn zone_verdict(out: &DnssecOut, zone: &str) -> Verdict {
    let Ok(zone) = Name::from_ascii(zone) else {
        return Verdict::because(Status::Indeterminate, "not a zone name");
    };
    out.chain
        .iter()
        .filter_map(|link| Name::from_ascii(&link.zone).ok().map(|name| (name, link)))
        .filter(|(name, _)| name.zone_of(&zone))
        .max_by_key(|(name, _)| name.num_labels())
        .map_or_else(
            || {
                Verdict::because(
                    Status::Indeterminate,
                    format!("{zone} is outside the chain"),
                )
            },
            |(_, link)| Verdict {
                status: link.status,
                reason: link.reason.clone(),
            },
        )
}

/// Put the verdict on `report`: a bogus answer's records move to `rejected`.
pub fn apply(report: &mut Report, out: DnssecOut) {
    if out.verdict.status == Status::Bogus {
        report.rejected = std::mem::take(&mut report.answers);
    }
    report.dnssec = Some(Box::new(out));
}
