//! Output: records like zone-file lines (as dig prints them), one line per
//! trace step indented by nesting depth, `--short` data lines, and JSON.

use std::io::{self, Write};

use netlens_core::ErrorOut;
use serde::Serialize;

use crate::dnssec::{DnssecOut, Status, Verdict};
use crate::edns::EdnsOut;
use crate::model::{Kind, QueryOut, RecordOut, Report, Source, Step};

/// Write the human form of one report: summary line, answers, authority; with
/// `--trace` the steps first. `--short` prints the answer data only.
pub fn human(out: &mut dyn Write, report: &Report, short: bool) -> io::Result<()> {
    if short {
        // As before --dnssec: the data asked for, without the proofs.
        for record in &report.answers {
            if !is_dnssec_proof(&record.rtype) || record.rtype == report.query.rtype {
                writeln!(out, "{}", record.data)?;
            }
        }
        return Ok(());
    }
    if let Some(steps) = &report.steps {
        writeln!(out, ";; trace {} {}", report.query.name, report.query.rtype)?;
        steps_lines(out, &report.query, steps)?;
    }
    writeln!(out, "{}", summary(report))?;
    if let Some(tls) = &report.tls {
        writeln!(
            out,
            ";; tls: {}, {}, alpn {}, certificate {}",
            tls.version,
            tls.cipher,
            tls.alpn.as_deref().unwrap_or("-"),
            tls.peer_subject.as_deref().unwrap_or("-")
        )?;
    }
    if let Some(edns) = report.edns.as_ref().filter(|e| !e.options.is_empty()) {
        edns_lines(out, edns)?;
    }
    records(out, &report.answers)?;
    if !report.authority.is_empty() {
        writeln!(out, ";; authority:")?;
        records(out, &report.authority)?;
    }
    if let Some(dnssec) = &report.dnssec {
        dnssec_lines(out, report, dnssec)?;
    }
    Ok(())
}

/// The chain of trust, the rejected records of a bogus answer, the verdict.
fn dnssec_lines(out: &mut dyn Write, report: &Report, dnssec: &DnssecOut) -> io::Result<()> {
    for link in &dnssec.chain {
        let ds: Vec<String> = link
            .ds
            .iter()
            .map(|d| format!("{}/{}/{}", d.key_tag, d.algorithm, d.digest_type))
            .collect();
        let keys: Vec<String> = link
            .dnskey
            .iter()
            .map(|k| format!("{}/{}/{}", k.key_tag, k.algorithm, k.flags))
            .collect();
        writeln!(
            out,
            ";; chain {}  DS {}  DNSKEY {}  {}",
            link.zone,
            list_or_none(&ds),
            list_or_none(&keys),
            link.status.as_str()
        )?;
    }
    if !report.rejected.is_empty() {
        writeln!(out, ";; rejected:")?;
        let mut text = Vec::new();
        records(&mut text, &report.rejected)?;
        for line in String::from_utf8_lossy(&text).lines() {
            writeln!(out, ";; {line}")?;
        }
    }
    writeln!(out, ";; verdict: {}", dnssec.verdict.text())
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(",")
    }
}

/// RRSIG, NSEC and NSEC3: records that prove, not data.
fn is_dnssec_proof(rtype: &str) -> bool {
    matches!(rtype, "RRSIG" | "NSEC" | "NSEC3")
}

/// The trace of a failed resolution, before the error line.
pub fn human_failed(out: &mut dyn Write, query: &QueryOut, steps: &[Step]) -> io::Result<()> {
    writeln!(out, ";; trace {} {}", query.name, query.rtype)?;
    steps_lines(out, query, steps)
}

/// The JSON object of a failed input that still has steps to show.
#[derive(Serialize)]
pub struct FailedTrace<'a> {
    /// The input as given.
    pub input: &'a str,
    /// The question.
    pub query: &'a QueryOut,
    /// `kind` and `message`, as for any failed input.
    pub error: ErrorOut,
    /// The steps taken before the failure.
    pub steps: &'a [Step],
}

fn summary(report: &Report) -> String {
    let mut parts = vec![report.rcode.clone()];
    if report.rcode == "NOERROR" && report.answers.is_empty() && report.rejected.is_empty() {
        let referral = report.authority.iter().any(|r| r.rtype == "NS")
            && !report.authority.iter().any(|r| r.rtype == "SOA");
        parts[0].push_str(if referral {
            " (referral)"
        } else {
            " (no data)"
        });
    }
    parts.push(
        if report.authoritative {
            "authoritative"
        } else {
            "not authoritative"
        }
        .into(),
    );
    let source = match (&report.server, report.source) {
        (Some(server), "cache") => format!("from the cache (first asked {server})"),
        (None, "cache") => "from the cache".into(),
        (Some(server), _) => match report.protocol {
            Some(protocol) => format!("from {server} over {protocol}"),
            None => format!("from {server}"),
        },
        (None, _) => "from the system resolver".into(),
    };
    parts.push(source);
    parts.push(format!("{} ms", report.elapsed_ms));
    if let Some(steps) = &report.steps {
        let cached = steps.iter().filter(|s| s.source == Source::Cache).count();
        parts.push(format!("{} steps ({cached} from cache)", steps.len()));
    }
    format!(
        ";; {} {}: {}",
        report.query.name,
        report.query.rtype,
        parts.join(", ")
    )
}

/// The reply's EDNS options, one line each, as dig's OPT pseudosection.
fn edns_lines(out: &mut dyn Write, edns: &EdnsOut) -> io::Result<()> {
    let flags = if edns.dnssec_ok { ", flags: do" } else { "" };
    writeln!(
        out,
        ";; edns: version {}, udp {}{flags}",
        edns.version, edns.udp_size
    )?;
    for option in &edns.options {
        let text = match (&option.text, &option.subnet, &option.client_cookie) {
            (Some(text), _, _) => format!("{} (\"{text}\")", option.data),
            (_, Some(subnet), _) => format!("{subnet}, scope /{}", option.scope.unwrap_or(0)),
            (_, _, Some(client)) => match &option.server_cookie {
                Some(server) => format!("client {client}, server {server}"),
                None => format!("client {client}"),
            },
            _ if option.name == "PADDING" => format!("{} bytes", option.data.len() / 2),
            _ if option.name == "EDE" => continue,
            _ => option.data.clone(),
        };
        writeln!(out, ";; {}: {text}", option.name.to_lowercase())?;
    }
    for ede in &edns.ede {
        writeln!(out, ";; ede: {} ({}): {}", ede.code, ede.name, ede.text)?;
    }
    Ok(())
}

fn records(out: &mut dyn Write, records: &[RecordOut]) -> io::Result<()> {
    let width = records.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for r in records {
        writeln!(
            out,
            "{:<width$}  {:>6}  IN  {:<5}  {}",
            r.name, r.ttl, r.rtype, r.data
        )?;
    }
    Ok(())
}

fn steps_lines(out: &mut dyn Write, query: &QueryOut, steps: &[Step]) -> io::Result<()> {
    let zones: Vec<String> = steps
        .iter()
        .map(|s| format!("{}{}", "  ".repeat(s.depth), s.zone))
        .collect();
    let servers: Vec<String> = steps.iter().map(server_text).collect();
    let zone_width = zones.iter().map(String::len).max().unwrap_or(0);
    let server_width = servers.iter().map(String::len).max().unwrap_or(0);
    for ((step, zone), server) in steps.iter().zip(&zones).zip(&servers) {
        let how = match step.source {
            Source::Cache => "cache",
            Source::Network => step.protocol.unwrap_or("-"),
        };
        let aa = if step.authoritative { "aa" } else { "--" };
        let time = match step.ttl_left {
            Some(ttl) => format!("TTL {ttl} left"),
            None => format!("{} ms", step.elapsed_ms),
        };
        let mark = match &step.dnssec {
            Some(verdict) => step_mark(verdict),
            None => String::new(),
        };
        writeln!(
            out,
            "{zone:<zone_width$}  {server:<server_width$}  {how:<5}  {:<8}  {aa}  {}  {time}{mark}",
            step.rcode.as_deref().unwrap_or("-"),
            outcome(step, query),
        )?;
        if !step.dnssec_records.is_empty() {
            // The DS or denial proof of a referral, and the RRSIGs, under the step.
            let mut text = Vec::new();
            records(&mut text, &step.dnssec_records)?;
            for line in String::from_utf8_lossy(&text).lines() {
                writeln!(out, "{}    {line}", "  ".repeat(step.depth))?;
            }
        }
    }
    Ok(())
}

/// A step's verdict at the end of its line: `  secure`, `  BOGUS (why)`.
fn step_mark(verdict: &Verdict) -> String {
    match (verdict.status, &verdict.reason) {
        (Status::Bogus, Some(why)) => format!("  BOGUS ({why})"),
        (Status::Bogus, None) => "  BOGUS".into(),
        (status, _) => format!("  {}", status.as_str()),
    }
}

fn server_text(step: &Step) -> String {
    match (&step.server, step.address) {
        (Some(name), Some(addr)) => format!("{name} ({addr})"),
        (None, Some(addr)) => addr.to_string(),
        (Some(name), None) => name.clone(),
        (None, None) => "-".into(),
    }
}

/// What a step learnt, in words: "referral to glasscom.com. (2 NS, 2 glue)".
pub fn outcome(step: &Step, traced: &QueryOut) -> String {
    let mut text = String::new();
    let priming = step.kind == Kind::Referral
        && step.zone == "."
        && step.query.name == "."
        && step.query.rtype == "NS";
    if step.query != *traced && !priming {
        text.push_str(&format!("[{} {}] ", step.query.name, step.query.rtype));
    }
    match step.kind {
        Kind::Referral => {
            if let Some(referral) = &step.referral {
                let mut counts = format!("{} NS, {} glue", referral.ns.len(), referral.glue.len());
                if !referral.ignored_glue.is_empty() {
                    counts.push_str(&format!(", {} glue ignored", referral.ignored_glue.len()));
                }
                if priming && referral.zone == "." {
                    text.push_str(&format!("root servers ({counts})"));
                } else {
                    text.push_str(&format!("referral to {} ({counts})", referral.zone));
                }
            }
        }
        Kind::Answer => {
            let data: Vec<&str> = step
                .answers
                .iter()
                .filter(|r| r.rtype == step.query.rtype)
                .map(|r| r.data.as_str())
                .collect();
            let bogus = step
                .dnssec
                .as_ref()
                .is_some_and(|v| v.status == Status::Bogus);
            if bogus {
                // A bogus answer is never shown as if it were good.
                text.push_str(&format!(
                    "answer rejected: {} {} records",
                    data.len(),
                    step.query.rtype
                ));
            } else if data.len() > 3 || data.iter().any(|d| d.len() > 48) {
                text.push_str(&format!(
                    "answer: {} {} records",
                    data.len(),
                    step.query.rtype
                ));
            } else {
                text.push_str(&format!("answer: {}", data.join(", ")));
            }
        }
        Kind::Cname => {
            let target = step.answers.last().map_or("?", |r| r.data.as_str());
            text.push_str(&format!("CNAME to {target}"));
        }
        Kind::Nxdomain => text.push_str("NXDOMAIN"),
        Kind::Nodata => text.push_str(&format!("NODATA (no {} records)", step.query.rtype)),
        Kind::Error => text.push_str(step.note.as_deref().unwrap_or("failed")),
    }
    if step.kind != Kind::Error
        && let Some(note) = &step.note
    {
        text.push_str(&format!("; {note}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReferralOut;

    fn step(kind: Kind) -> Step {
        Step {
            depth: 1,
            query: QueryOut {
                name: "www.lab.glasscom.com.".into(),
                rtype: "A".into(),
            },
            server: Some("a.gtld-servers.net.".into()),
            address: Some("127.53.1.1".parse().unwrap()),
            port: Some(53),
            protocol: Some("udp"),
            zone: "com.".into(),
            rcode: Some("NOERROR".into()),
            authoritative: false,
            source: Source::Network,
            ttl_left: None,
            kind,
            referral: None,
            answers: vec![],
            elapsed_ms: 0.25,
            bytes: Some(100),
            note: None,
            dnssec_records: vec![],
            dnssec: None,
        }
    }

    #[test]
    fn referral_outcome_counts_ns_and_glue() {
        let mut s = step(Kind::Referral);
        s.referral = Some(ReferralOut {
            zone: "glasscom.com.".into(),
            ns: vec!["ns1.glasscom.com.".into(), "ns2.glasscom.com.".into()],
            glue: vec![],
            ignored_glue: vec!["x.".into()],
        });
        assert_eq!(
            outcome(&s, &s.query.clone()),
            "referral to glasscom.com. (2 NS, 0 glue, 1 glue ignored)"
        );
    }

    #[test]
    fn nested_steps_are_indented_and_name_their_question() {
        let mut s = step(Kind::Nxdomain);
        s.source = Source::Cache;
        s.ttl_left = Some(42);
        let traced = QueryOut {
            name: "glueless.com.".into(),
            rtype: "A".into(),
        };
        let mut out = Vec::new();
        steps_lines(&mut out, &traced, &[s]).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(
            line.starts_with("  com.  a.gtld-servers.net. (127.53.1.1)  cache"),
            "{line}"
        );
        assert!(
            line.contains("[www.lab.glasscom.com. A] NXDOMAIN"),
            "{line}"
        );
        assert!(line.trim_end().ends_with("TTL 42 left"), "{line}");
    }
}
