//! What a lookup produces, in the shape of the JSON output: the question, the
//! records, the report of one name, and the steps of a trace.

use std::net::IpAddr;

use hickory_proto::dnssec::rdata::{DNSSECRData, RRSIG};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use serde::Serialize;
use time::OffsetDateTime;

use crate::dnssec::{DnssecOut, Verdict};

use crate::edns::EdnsOut;
use crate::secure::TlsInfo;

/// The question asked.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct QueryOut {
    /// The name, fully qualified.
    pub name: String,
    /// The record type (`A`, `MX`...).
    #[serde(rename = "type")]
    pub rtype: String,
}

impl QueryOut {
    /// The question for `name` and `rtype`.
    pub fn new(name: &Name, rtype: RecordType) -> QueryOut {
        QueryOut {
            name: name.to_ascii(),
            rtype: rtype.to_string(),
        }
    }
}

/// One resource record.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct RecordOut {
    /// Owner name.
    pub name: String,
    /// Record type.
    #[serde(rename = "type")]
    pub rtype: String,
    /// Time to live, in seconds (lowered by the time spent in the cache).
    pub ttl: u32,
    /// The record data in presentation format (`10 mail.cyber.co.kr.`).
    pub data: String,
}

impl From<&Record> for RecordOut {
    fn from(record: &Record) -> RecordOut {
        RecordOut {
            name: record.name.to_ascii(),
            rtype: record.record_type().to_string(),
            ttl: record.ttl,
            data: rdata_text(&record.data),
        }
    }
}

/// Records as output records.
pub fn records_out(records: &[Record]) -> Vec<RecordOut> {
    records.iter().map(RecordOut::from).collect()
}

/// Record data in zone-file presentation format; TXT strings quoted as dig does.
pub fn rdata_text(data: &RData) -> String {
    match data {
        RData::TXT(txt) => txt
            .txt_data
            .iter()
            .map(|s| format!("\"{}\"", escape_txt(s)))
            .collect::<Vec<_>>()
            .join(" "),
        RData::DNSSEC(DNSSECRData::RRSIG(sig)) => rrsig_text(sig),
        other => other.to_string(),
    }
}

/// An RRSIG as dig prints it: algorithm by number, times as YYYYMMDDHHmmSS
/// (RFC 4034 §3.2).
fn rrsig_text(sig: &RRSIG) -> String {
    let input = sig.input();
    format!(
        "{} {} {} {} {} {} {} {} {}",
        input.type_covered,
        u8::from(input.algorithm),
        input.num_labels,
        input.original_ttl,
        sig_time(input.sig_expiration.get()),
        sig_time(input.sig_inception.get()),
        input.key_tag,
        input.signer_name,
        data_encoding::BASE64.encode(sig.sig())
    )
}

fn sig_time(seconds: u32) -> String {
    match OffsetDateTime::from_unix_timestamp(i64::from(seconds)) {
        Ok(t) => format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => seconds.to_string(),
    }
}

/// Escape a character-string for presentation (RFC 1035 §5.1).
fn escape_txt(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out
}

/// The result for one name and type: the JSON object of §5.
#[derive(Serialize, Clone, Debug)]
pub struct Report {
    /// The question.
    pub query: QueryOut,
    /// The response code of the final answer (`NOERROR`, `NXDOMAIN`...).
    pub rcode: String,
    /// Whether the final answer was authoritative (AA).
    pub authoritative: bool,
    /// With `--dnssec`: the AD flag of the final reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad: Option<bool>,
    /// Answer records (with a CNAME chain first, if any).
    pub answers: Vec<RecordOut>,
    /// With `--validate`: the records of a bogus answer, withheld from `answers`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<RecordOut>,
    /// Authority records (the SOA of a negative answer, NS of a referral).
    pub authority: Vec<RecordOut>,
    /// The server that gave the final answer (`ADDR:PORT`), when known.
    pub server: Option<String>,
    /// `network` or `cache`: where the final answer came from.
    pub source: &'static str,
    /// Protocol of the final answer (`udp`/`tcp`/`tls`/`https`), when it came
    /// from the network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<&'static str>,
    /// Wall time for this name, in milliseconds.
    pub elapsed_ms: f64,
    /// The reply's OPT record (query mode), when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edns: Option<EdnsOut>,
    /// The TLS session of `tls` and `https` (version, cipher, ALPN, certificate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsInfo>,
    /// With `--trace`: every step of the resolution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<Step>>,
    /// With `--validate`: the verdict and the chain of trust.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dnssec: Option<Box<DnssecOut>>,
}

/// Where a step's information came from.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A query sent now.
    Network,
    /// The run's cache.
    Cache,
}

/// What a step learnt.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A referral to a zone further down (or, for the root, its servers).
    Referral,
    /// The answer.
    Answer,
    /// A CNAME to follow.
    Cname,
    /// The name does not exist.
    Nxdomain,
    /// The name has no records of the type.
    Nodata,
    /// The server failed (timeout, unreachable, REFUSED, lame, loop).
    Error,
}

/// A delegation as shown in a step.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct ReferralOut {
    /// The zone delegated to.
    pub zone: String,
    /// Its name servers.
    pub ns: Vec<String>,
    /// Trusted glue addresses.
    pub glue: Vec<GlueOut>,
    /// Glue names offered outside the referring zone's bailiwick, ignored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_glue: Vec<String>,
}

/// One glue address.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct GlueOut {
    /// The name server.
    pub name: String,
    /// Its address.
    pub address: IpAddr,
}

/// One step of a trace: one question to one server, or one cache hit.
#[derive(Serialize, Clone, Debug)]
pub struct Step {
    /// Nesting: 0 for the name asked, 1 for a glueless server's address...
    pub depth: usize,
    /// The question of this step.
    pub query: QueryOut,
    /// The server's host name, when known.
    pub server: Option<String>,
    /// The server's address.
    pub address: Option<IpAddr>,
    /// The port asked.
    pub port: Option<u16>,
    /// `udp` or `tcp` (none for a cache hit or a failure before sending).
    pub protocol: Option<&'static str>,
    /// The zone the server was asked as an authority for.
    pub zone: String,
    /// The response code (none when there was no reply).
    pub rcode: Option<String>,
    /// The AA flag of the reply.
    pub authoritative: bool,
    /// `network` or `cache`.
    pub source: Source,
    /// For a cache hit: the TTL left, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_left: Option<u32>,
    /// What the step learnt.
    pub kind: Kind,
    /// For a referral: the delegation.
    pub referral: Option<ReferralOut>,
    /// Answer records of the reply.
    pub answers: Vec<RecordOut>,
    /// Time taken, in milliseconds (0 for a cache hit).
    pub elapsed_ms: f64,
    /// The reply's size on the wire.
    pub bytes: Option<usize>,
    /// Anything else worth knowing: why it failed, a TCP retry, ignored glue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// With `--dnssec`: the DS, NSEC/NSEC3 and RRSIG records of the reply's
    /// authority section (a referral's DS set or the proof that it has none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dnssec_records: Vec<RecordOut>,
    /// With `--validate`: the verdict on what this step learnt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dnssec: Option<Verdict>,
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use hickory_proto::rr::rdata::{MX, TXT};

    use super::*;

    #[test]
    fn records_print_like_zone_files() {
        let mx = Record::from_rdata(
            Name::from_str("cyber.co.kr.").unwrap(),
            300,
            RData::MX(MX::new(10, Name::from_str("mail.cyber.co.kr.").unwrap())),
        );
        let out = RecordOut::from(&mx);
        assert_eq!(out.rtype, "MX");
        assert_eq!(out.data, "10 mail.cyber.co.kr.");
        let txt = RData::TXT(TXT::new(vec!["a \"b\"".into(), "c".into()]));
        assert_eq!(rdata_text(&txt), r#""a \"b\"" "c""#);
    }

    #[test]
    fn signature_times_print_as_dig_prints_them() {
        assert_eq!(sig_time(0), "19700101000000");
        assert_eq!(sig_time(1_795_934_848), "20261129064728");
    }

    #[test]
    fn steps_serialize_with_lowercase_kinds() {
        let v = serde_json::to_value(Kind::Nxdomain).unwrap();
        assert_eq!(v, "nxdomain");
        assert_eq!(serde_json::to_value(Source::Cache).unwrap(), "cache");
    }
}
