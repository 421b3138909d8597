//! What a trace ends with: a [`Resolution`] (the answer, or a typed negative
//! reason) and the steps that led to it, as [`Traced`].

use std::net::IpAddr;
use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, Record};
use netlens_core::timing::millis;

use crate::cache::{Answer, ServerRef};
use crate::classify::{is_proof, rcode_text, without_proof};
use crate::error::Error;
use crate::model::{QueryOut, Report, Step, records_out};

/// Why a resolution that ended well holds no data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Negative {
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// The name exists, without records of the type asked (NODATA).
    NoData,
}

/// The final result of a resolution.
#[derive(Clone, Debug)]
pub struct Resolution {
    /// The CNAMEs followed, first to last.
    pub(crate) cnames: Vec<Record>,
    /// The final answer, for the last name of the chain.
    pub(crate) answer: Answer,
    /// Whether the final reply was authoritative.
    pub(crate) authoritative: bool,
    /// The server of the final reply.
    pub(crate) server: ServerRef,
    /// Whether the final reply came from the cache.
    pub(crate) from_cache: bool,
    /// The protocol of the final reply, when it came from the network.
    pub(crate) protocol: Option<&'static str>,
}

impl Resolution {
    /// The response code the final answer stands for.
    pub fn rcode(&self) -> ResponseCode {
        match self.answer {
            Answer::NxDomain(_) => ResponseCode::NXDomain,
            _ => ResponseCode::NoError,
        }
    }

    /// Why there is no data, or `None` for an answer.
    pub fn negative(&self) -> Option<Negative> {
        match self.answer {
            Answer::Records(_) => None,
            Answer::NxDomain(_) => Some(Negative::NxDomain),
            Answer::NoData(_) => Some(Negative::NoData),
        }
    }

    /// The IPv4 and IPv6 addresses among the answers, in answer order.
    pub fn addresses(&self) -> Vec<IpAddr> {
        match &self.answer {
            Answer::Records(records) => records
                .iter()
                .filter_map(|r| match &r.data {
                    RData::A(a) => Some(IpAddr::V4(a.0)),
                    RData::AAAA(aaaa) => Some(IpAddr::V6(aaaa.0)),
                    _ => None,
                })
                .collect(),
            Answer::NxDomain(_) | Answer::NoData(_) => Vec::new(),
        }
    }

    /// The answer section: the CNAME chain, then the data.
    pub fn answers(&self) -> Vec<Record> {
        let mut all = self.cnames.clone();
        if let Answer::Records(records) = &self.answer {
            all.extend(without_proof(records).cloned());
        }
        all
    }

    /// The authority section: the SOA of a negative answer (and its NSEC/NSEC3
    /// proof with `--dnssec`), or the proof that came with a wildcard answer.
    pub fn authority(&self) -> Vec<Record> {
        match &self.answer {
            Answer::Records(records) => records.iter().filter(|r| is_proof(r)).cloned().collect(),
            Answer::NxDomain(soa) | Answer::NoData(soa) => soa.clone(),
        }
    }

    /// The final reply as the validator reads it.
    pub(crate) fn fetched(&self) -> crate::dnssec::chain::Fetched {
        crate::dnssec::chain::Fetched {
            rcode: self.rcode(),
            answers: self.answers(),
            authority: self.authority(),
        }
    }

    /// Whether the final answer came from the cache (no question sent for it).
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

    /// The report of this resolution (the JSON object of `--trace`): the
    /// final answer, where it came from, and the `steps` that led to it.
    pub fn report(&self, query: QueryOut, steps: Vec<Step>, elapsed: Duration) -> Report {
        Report {
            query,
            rcode: rcode_text(self.rcode()),
            authoritative: self.authoritative,
            ad: None,
            answers: records_out(&self.answers()),
            rejected: Vec::new(),
            authority: records_out(&self.authority()),
            server: Some(self.server.addr.to_string()),
            source: if self.from_cache { "cache" } else { "network" },
            protocol: self.protocol,
            elapsed_ms: millis(elapsed),
            edns: None,
            tls: None,
            steps: Some(steps),
            dnssec: None,
        }
    }
}

/// One name's resolution as it ended: its steps, and its result.
pub struct Traced {
    /// Every step, in order.
    pub steps: Vec<Step>,
    /// The resolution, or why it failed.
    pub result: Result<Resolution, Error>,
}
