//! Step 3: the name resolved iteratively from the root, with dns-lookup's
//! tracer: A first, then AAAA through the same cache (so the second trace
//! shows the referrals it did not need to ask for again).
//!
//! See: RFC 1034 §5.3.3 (the resolver algorithm).

use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use dns_lookup::{Negative, QueryOut, Report, Step, TraceOptions, Tracer};
use hickory_proto::rr::{Name, RecordType};
use netlens_core::ErrorOut;
use serde::Serialize;

use crate::journey::error::Error;

/// Where iteration starts: root hints (a file, or dns-lookup's built-in
/// IANA hints) and the port every server is asked on.
pub struct Roots<'a> {
    /// The hints file; `None` for the built-in hints.
    pub hints: Option<&'a Path>,
    /// The destination port of every query (53 on the internet).
    pub port: u16,
}

/// One traced question: its report, or the steps taken before it failed.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Trace {
    /// The resolution ended with an answer, NXDOMAIN or NODATA.
    Done(Box<Report>),
    /// The resolution failed (timeouts, lame servers, loops).
    Failed {
        /// The question.
        query: QueryOut,
        /// The steps before the failure.
        steps: Vec<Step>,
        /// The failure, as an error object.
        error: ErrorOut,
    },
}

/// Trace `host`'s A records and then, unless the name does not exist, its
/// AAAA records; each wait for a reply is bounded by `timeout`.
///
/// Returns the traces (to show, whatever happens) and the addresses found,
/// IPv4 first, or why there is none.
pub async fn resolve(
    host: &str,
    roots: &Roots<'_>,
    timeout: Duration,
) -> (Vec<Trace>, Result<Vec<IpAddr>, Error>) {
    let name = match dns_lookup::parse_name(host) {
        Ok(name) => name,
        Err(error) => return (Vec::new(), Err(error.into())),
    };
    let options = TraceOptions {
        root_hints: roots.hints.map(Path::to_path_buf),
        port: roots.port,
        timeout,
        retries: 1,
        // Two tries per server, for a dozen servers, at least the usual 10 s.
        max_time: (timeout * 24).clamp(Duration::from_secs(10), Duration::from_secs(120)),
    };
    let tracer = match Tracer::new(&options) {
        Ok(tracer) => tracer,
        Err(error) => return (Vec::new(), Err(error.into())),
    };
    let mut traces = Vec::new();
    let mut addresses = Vec::new();
    for rtype in [RecordType::A, RecordType::AAAA] {
        let (trace, outcome) = one(&tracer, &name, rtype).await;
        traces.push(trace);
        match outcome {
            Outcome::Addresses(found) => addresses.extend(found),
            Outcome::Negative(Negative::NoData) => {}
            Outcome::Negative(Negative::NxDomain) => {
                return (traces, Err(no_address(&name, Negative::NxDomain)));
            }
            // Without IPv4 addresses, the AAAA trace's failure is the answer;
            // with them, a failed AAAA trace only costs the IPv6 path.
            Outcome::Failed(error) if addresses.is_empty() => return (traces, Err(error)),
            Outcome::Failed(_) => {}
        }
    }
    if addresses.is_empty() {
        return (traces, Err(no_address(&name, Negative::NoData)));
    }
    (traces, Ok(addresses))
}

/// What one trace says about the name's addresses.
enum Outcome {
    Addresses(Vec<IpAddr>),
    Negative(Negative),
    Failed(Error),
}

/// Trace one question.
async fn one(tracer: &Tracer, name: &Name, rtype: RecordType) -> (Trace, Outcome) {
    let started = Instant::now();
    let query = QueryOut::new(name, rtype);
    let traced = tracer.trace(name, rtype).await;
    match traced.result {
        Ok(resolution) => {
            let found = resolution.addresses();
            let outcome = match resolution.negative() {
                Some(negative) => Outcome::Negative(negative),
                None if found.is_empty() => Outcome::Negative(Negative::NoData),
                None => Outcome::Addresses(found),
            };
            let report = resolution.report(query, traced.steps, started.elapsed());
            (Trace::Done(Box::new(report)), outcome)
        }
        Err(error) => {
            let trace = Trace::Failed {
                query,
                steps: traced.steps,
                error: ErrorOut::of(&error),
            };
            (trace, Outcome::Failed(error.into()))
        }
    }
}

fn no_address(name: &Name, why: Negative) -> Error {
    Error::NoAddress {
        name: name.to_ascii(),
        why,
    }
}

#[cfg(test)]
mod tests {
    use netlens_sandbox::dns::Hierarchy;

    use super::*;

    fn run(h: &Hierarchy, host: &str) -> (Vec<Trace>, Result<Vec<IpAddr>, Error>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let roots = Roots {
            hints: Some(h.root_hints()),
            port: h.port(),
        };
        runtime.block_on(resolve(host, &roots, Duration::from_secs(2)))
    }

    #[test]
    fn a_then_aaaa_through_one_cache() {
        let h = Hierarchy::start().unwrap();
        let (traces, found) = run(&h, "www.lab.glasscom.com");
        let found: Vec<String> = found.unwrap().iter().map(IpAddr::to_string).collect();
        assert_eq!(found, ["192.0.2.10", "2001:db8::10"]);
        assert_eq!(traces.len(), 2);
        let Trace::Done(aaaa) = &traces[1] else {
            panic!("the AAAA trace ends with an answer");
        };
        let steps = aaaa.steps.as_deref().unwrap();
        assert!(steps.iter().any(|s| s.source == dns_lookup::Source::Cache));
    }

    #[test]
    fn nxdomain_and_cname_chains() {
        let h = Hierarchy::start().unwrap();
        let (traces, found) = run(&h, "nosuch.lab.glasscom.com");
        assert_eq!(traces.len(), 1);
        assert_eq!(
            netlens_core::Failure::exit_code(&found.unwrap_err()).code(),
            1
        );
        // www.glasscom.com is a CNAME chain that ends at www.lab.glasscom.com.
        let (_, found) = run(&h, "www.glasscom.com");
        assert_eq!(found.unwrap()[0], "192.0.2.10".parse::<IpAddr>().unwrap());
        // www.lab.cyber.co.kr has an A record and no AAAA: NODATA is no failure.
        let (traces, found) = run(&h, "www.lab.cyber.co.kr");
        assert_eq!(found.unwrap(), ["192.0.2.226".parse::<IpAddr>().unwrap()]);
        assert!(matches!(&traces[1], Trace::Done(r) if r.answers.is_empty()));
    }
}
