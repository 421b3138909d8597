//! `--nssearch`: the zone of a name found from the root (the trace machinery
//! and its cache: the deepest delegation towards the name), then every
//! address of every server the delegation names asked for the zone's SOA, one
//! row each, so that servers out of step (different serials) or failing show
//! at a glance.
//!
//! Exit 4 when a server fails (no reply, an error rcode, no authoritative
//! SOA), else 1 when the serials disagree, else 0.
//!
//! See: RFC 1034 §4.3.5 (zone transfers, SOA serials), RFC 1982 (serials).

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};

use hickory_proto::op::{Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use netlens_core::ExitCode;
use netlens_core::timing::millis;
use serde::Serialize;

use crate::classify::rcode_text;
use crate::error::Error;
use crate::model::QueryOut;
use crate::trace::Tracer;
use crate::wire::Exchange;

/// The report of one `--nssearch`: the JSON object.
#[derive(Serialize, Debug)]
pub(crate) struct Search {
    /// The question (the name, SOA).
    pub query: QueryOut,
    /// The zone the name lies in.
    pub zone: String,
    /// One row per server address.
    pub servers: Vec<Row>,
    /// Whether every server answered with the same serial.
    pub agree: bool,
}

/// One server address and its SOA.
#[derive(Serialize, Debug)]
pub(crate) struct Row {
    /// The server's host name.
    pub server: String,
    /// The address asked.
    pub address: IpAddr,
    /// The SOA serial, when one came.
    pub serial: Option<u32>,
    /// The rcode, when a reply came.
    pub rcode: Option<String>,
    /// The AA flag of the reply.
    pub authoritative: bool,
    /// Time to the reply (or to the failure).
    pub elapsed_ms: f64,
    /// Why the server failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Search {
    /// 4 when a server failed, 1 when serials disagree, else 0.
    pub fn exit_code(&self) -> ExitCode {
        if self.servers.iter().any(|row| row.error.is_some()) {
            ExitCode::Remote
        } else if !self.agree {
            ExitCode::Negative
        } else {
            ExitCode::Success
        }
    }
}

/// Find the zone of `name` and ask each of its servers for the SOA.
pub(crate) async fn search(tracer: &Tracer, name: &Name) -> Result<Search, Error> {
    // The trace leaves the delegations down to the name's zone in the cache.
    tracer.trace(name, RecordType::SOA).await.result?;
    let cut = tracer.zone_cut(name).ok_or_else(|| Error::Malformed {
        server: name.to_string(),
        why: "no delegation leads to the name".into(),
    })?;
    let mut servers = Vec::new();
    for ns in &cut.servers {
        for address in addresses(tracer, &ns.name).await {
            servers.push(ask(tracer, &cut.zone, &ns.name, address).await);
        }
    }
    let mut serials: Vec<u32> = servers.iter().filter_map(|r| r.serial).collect();
    serials.sort_unstable();
    serials.dedup();
    Ok(Search {
        query: QueryOut::new(name, RecordType::SOA),
        zone: cut.zone.to_ascii(),
        agree: serials.len() <= 1,
        servers,
    })
}

/// The IPv4 then IPv6 addresses of a server (none when it has none).
async fn addresses(tracer: &Tracer, host: &Name) -> Vec<IpAddr> {
    let mut found = Vec::new();
    for rtype in [RecordType::A, RecordType::AAAA] {
        if let Ok(resolution) = tracer.trace(host, rtype).await.result {
            found.extend(resolution.addresses());
        }
    }
    found
}

/// Ask one address of a server for the zone's SOA.
async fn ask(tracer: &Tracer, zone: &Name, host: &Name, address: IpAddr) -> Row {
    let query = Query::query(zone.clone(), RecordType::SOA);
    let server = SocketAddr::new(address, tracer.port());
    let mut row = Row {
        server: host.to_ascii(),
        address,
        serial: None,
        rcode: None,
        authoritative: false,
        elapsed_ms: 0.0,
        error: None,
    };
    let started = std::time::Instant::now();
    match tracer.transport().exchange(server, &query).await {
        Ok(exchange) => fill(&mut row, zone, &exchange),
        Err(e) => {
            row.elapsed_ms = millis(started.elapsed());
            row.error = Some(e.to_string());
        }
    }
    row
}

/// The row of a reply: its serial, or why it is no good.
fn fill(row: &mut Row, zone: &Name, exchange: &Exchange) {
    let reply = &exchange.response;
    let rcode = reply.metadata.response_code;
    row.rcode = Some(rcode_text(rcode));
    row.authoritative = reply.metadata.authoritative;
    row.elapsed_ms = millis(exchange.elapsed);
    row.serial = reply.answers.iter().find_map(|r| match &r.data {
        RData::SOA(soa) if r.name == *zone => Some(soa.serial),
        _ => None,
    });
    row.error = if rcode != ResponseCode::NoError {
        Some(format!("answered {}", rcode_text(rcode)))
    } else if row.serial.is_none() {
        Some("no SOA record in the answer".into())
    } else if !row.authoritative {
        Some("not authoritative".into())
    } else {
        None
    };
}

/// The human form: a heading, one aligned row per server, and the verdict.
pub(crate) fn human(out: &mut dyn Write, search: &Search) -> io::Result<()> {
    let count = search.servers.len();
    let plural = if count == 1 { "" } else { "es" };
    writeln!(
        out,
        ";; nssearch {} SOA: zone {}, {count} server address{plural}",
        search.query.name, search.zone
    )?;
    let width = search
        .servers
        .iter()
        .map(|r| r.server.len())
        .max()
        .unwrap_or(0);
    let addr_width = search
        .servers
        .iter()
        .map(|r| r.address.to_string().len())
        .max()
        .unwrap_or(0);
    for row in &search.servers {
        let serial = row
            .serial
            .map_or_else(|| "-".to_string(), |s| format!("serial {s}"));
        let rcode = row.rcode.as_deref().unwrap_or("-");
        let aa = if row.authoritative { "aa" } else { "--" };
        let time = format!("{} ms", row.elapsed_ms);
        let error = row
            .error
            .as_deref()
            .map(|e| format!("  {e}"))
            .unwrap_or_default();
        writeln!(
            out,
            "{:<width$}  {:<addr_width$}  {serial:<12}  {rcode:<8}  {aa}  {time}{error}",
            row.server,
            row.address.to_string()
        )?;
    }
    let verdict = if search.agree {
        "every server has the same serial"
    } else {
        "the serials disagree"
    };
    writeln!(out, ";; {verdict}")
}

/// The error line of a search that did not come out clean.
pub(crate) fn problem(search: &Search) -> Option<String> {
    let failed: Vec<String> = search
        .servers
        .iter()
        .filter_map(|r| {
            Some(format!(
                "{} ({}): {}",
                r.server,
                r.address,
                r.error.as_ref()?
            ))
        })
        .collect();
    if !failed.is_empty() {
        return Some(format!("{}: {}", search.zone, failed.join(", ")));
    }
    if !search.agree {
        let serials: Vec<String> = search
            .servers
            .iter()
            .filter_map(|r| Some(format!("{} ({}) {}", r.server, r.address, r.serial?)))
            .collect();
        return Some(format!(
            "{}: serials disagree: {}",
            search.zone,
            serials.join(", ")
        ));
    }
    None
}
