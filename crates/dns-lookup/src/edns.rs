//! EDNS(0): what a query carries besides its question (the OPT record and
//! its options, the CD bit), and the options a reply carries, decoded for
//! the report.
//!
//! Options sent: NSID (`--nsid`), client subnet (`--subnet`), a cookie
//! (`--cookie[=HEX]`, a random client cookie without HEX), padding to
//! 128-byte blocks (`--padding`) and any other as raw bytes (`--ednsopt`).
//! Options received are listed with their code, name and data in hex; NSID
//! also as text, the subnet with its scope, the cookie split into its client
//! and server parts, and Extended DNS Errors as `ede [{code name text}]`.
//!
//! See: RFC 6891 (EDNS(0)), RFC 5001 (NSID), RFC 7871 (client subnet),
//! RFC 7873 (cookies), RFC 7830 and RFC 8467 (padding), RFC 8914 (Extended
//! DNS Errors).

use data_encoding::{HEXLOWER, HEXLOWER_PERMISSIVE};
use hickory_proto::op::{Edns, Message};
use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsCode, EdnsOption, NSIDPayload};
use ipnet::IpNet;
use serde::Serialize;

use crate::args::Args;
use crate::error::Error;

/// Queries are padded to a multiple of this size (RFC 8467 §4.1).
const PAD_BLOCK: usize = 128;

/// Option codes named in the report.
const COOKIE: u16 = 10;
const PADDING: u16 = 12;
const EDE: u16 = 15;

/// What every query carries besides its question.
#[derive(Clone, Debug)]
pub(crate) struct Shape {
    /// The OPT record; `None` with `--no-edns`.
    pub edns: Option<EdnsQuery>,
    /// The CD (checking disabled) bit.
    pub checking_disabled: bool,
}

/// The OPT record of a query.
#[derive(Clone, Debug)]
pub(crate) struct EdnsQuery {
    /// The UDP payload size advertised.
    pub bufsize: u16,
    /// The options, in the order sent.
    pub options: Vec<EdnsOption>,
    /// Pad the query to a multiple of 128 bytes.
    pub padding: bool,
    /// The DO (DNSSEC OK) bit: RRSIGs, NSEC/NSEC3 and DS come along (RFC 3225).
    pub dnssec_ok: bool,
}

impl Default for Shape {
    /// EDNS(0) at 1232 bytes, no option, CD clear: what every query of a
    /// trace carries.
    fn default() -> Shape {
        Shape {
            edns: Some(EdnsQuery {
                bufsize: crate::wire::EDNS_PAYLOAD,
                options: Vec::new(),
                padding: false,
                dnssec_ok: false,
            }),
            checking_disabled: false,
        }
    }
}

impl Shape {
    /// The shape asked for on the command line.
    pub fn from_args(args: &Args) -> Result<Shape, Error> {
        let edns = if args.no_edns {
            None
        } else {
            let mut options = Vec::new();
            if args.nsid {
                options.push(EdnsOption::NSID(
                    NSIDPayload::new(Vec::new())
                        .map_err(|e| Error::Usage(format!("--nsid: {e}")))?,
                ));
            }
            if let Some(subnet) = &args.subnet {
                options.push(EdnsOption::Subnet(parse_subnet(subnet)?));
            }
            if let Some(cookie) = &args.cookie {
                options.push(EdnsOption::Unknown(COOKIE, parse_cookie(cookie)?));
            }
            for text in &args.ednsopt {
                let (code, data) = parse_ednsopt(text)?;
                options.push(EdnsOption::Unknown(code, data));
            }
            Some(EdnsQuery {
                bufsize: args.bufsize,
                options,
                padding: args.padding,
                dnssec_ok: args.dnssec || args.validate,
            })
        };
        Ok(Shape {
            edns,
            checking_disabled: args.cd,
        })
    }

    /// Put the shape on a query `message` (its question already in).
    pub fn apply(&self, message: &mut Message) {
        message.metadata.checking_disabled = self.checking_disabled;
        let Some(query) = &self.edns else {
            return;
        };
        let mut edns = Edns::new();
        edns.set_max_payload(query.bufsize);
        edns.set_dnssec_ok(query.dnssec_ok);
        for option in &query.options {
            edns.options_mut().insert(option.clone());
        }
        message.set_edns(edns);
        if query.padding {
            // The padding option's own 4 bytes count too; a message that
            // does not encode fails later, where it is sent.
            let len = message.to_vec().map_or(0, |bytes| bytes.len());
            let fill = (PAD_BLOCK - (len + 4) % PAD_BLOCK) % PAD_BLOCK;
            if let Some(edns) = message.edns.as_mut() {
                edns.options_mut()
                    .insert(EdnsOption::Unknown(PADDING, vec![0; fill]));
            }
        }
    }
}

/// `ADDR/PREFIX`, the address cut to its prefix (RFC 7871 §6).
fn parse_subnet(text: &str) -> Result<ClientSubnet, Error> {
    let net: IpNet = text.parse().map_err(|_| {
        Error::Usage(format!(
            "--subnet {text}: not an address with a prefix length (ADDR/PREFIX)"
        ))
    })?;
    let net = net.trunc();
    Ok(ClientSubnet::new(net.addr(), net.prefix_len(), 0))
}

/// A client cookie (8 bytes), or client and server cookie (16 to 40 bytes);
/// empty: a random client cookie.
fn parse_cookie(text: &str) -> Result<Vec<u8>, Error> {
    if text.is_empty() {
        return Ok(rand::random::<[u8; 8]>().to_vec());
    }
    let bytes = hex(text).filter(|b| b.len() == 8 || (16..=40).contains(&b.len()));
    bytes.ok_or_else(|| {
        Error::Usage(format!(
            "--cookie {text}: not a cookie (16 hex digits, or 32 to 80 with the server's)"
        ))
    })
}

/// `CODE[:HEX]`.
fn parse_ednsopt(text: &str) -> Result<(u16, Vec<u8>), Error> {
    let (code, data) = text.split_once(':').unwrap_or((text, ""));
    let bad = || {
        Error::Usage(format!(
            "--ednsopt {text}: not CODE[:HEX] (CODE 0 to 65535)"
        ))
    };
    let code: u16 = code.parse().map_err(|_| bad())?;
    let data = hex(data).ok_or_else(bad)?;
    Ok((code, data))
}

fn hex(text: &str) -> Option<Vec<u8>> {
    HEXLOWER_PERMISSIVE.decode(text.as_bytes()).ok()
}

/// The OPT record of a reply, as reported.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct EdnsOut {
    /// The EDNS version.
    pub version: u8,
    /// The UDP payload size the server advertises.
    pub udp_size: u16,
    /// The DO (DNSSEC OK) bit.
    #[serde(rename = "do")]
    pub dnssec_ok: bool,
    /// Every option, in the order received.
    pub options: Vec<OptionOut>,
    /// The Extended DNS Errors among them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ede: Vec<EdeOut>,
}

/// One option of a reply.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct OptionOut {
    /// The option code.
    pub code: u16,
    /// Its name (`NSID`, `ECS`, `COOKIE`, `EDE`...; `OPT65001` when unknown).
    pub name: String,
    /// The data, in hex.
    pub data: String,
    /// NSID: the data as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// ECS: the subnet the answer is for (`ADDR/SOURCE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
    /// ECS: the scope prefix length the answer covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<u8>,
    /// COOKIE: the client cookie, in hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cookie: Option<String>,
    /// COOKIE: the server cookie, in hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_cookie: Option<String>,
}

/// One Extended DNS Error (RFC 8914).
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct EdeOut {
    /// The INFO-CODE.
    pub code: u16,
    /// Its name in the IANA registry (`Blocked`).
    pub name: &'static str,
    /// The EXTRA-TEXT, if any.
    pub text: String,
}

impl EdnsOut {
    /// The report of a reply's OPT record.
    pub fn of(edns: &Edns) -> EdnsOut {
        let options: Vec<OptionOut> = edns
            .options()
            .as_ref()
            .iter()
            .map(|(code, option)| option_out(u16::from(*code), option))
            .collect();
        let ede = edns
            .options()
            .as_ref()
            .iter()
            .filter_map(|(_, option)| match option {
                EdnsOption::Unknown(EDE, data) if data.len() >= 2 => Some(EdeOut {
                    code: u16::from_be_bytes([data[0], data[1]]),
                    name: ede_name(u16::from_be_bytes([data[0], data[1]])),
                    text: String::from_utf8_lossy(&data[2..]).into_owned(),
                }),
                _ => None,
            })
            .collect();
        EdnsOut {
            version: edns.version(),
            udp_size: edns.max_payload(),
            dnssec_ok: edns.flags().dnssec_ok,
            options,
            ede,
        }
    }

    /// The first Extended DNS Error, in words: `EDE 15 Blocked: text`.
    pub fn ede_text(&self) -> Option<String> {
        self.ede.first().map(|ede| {
            let mut text = format!("EDE {} {}", ede.code, ede.name);
            if !ede.text.is_empty() {
                text.push_str(&format!(": {}", ede.text));
            }
            text
        })
    }
}

fn option_out(code: u16, option: &EdnsOption) -> OptionOut {
    let data: Vec<u8> = Vec::<u8>::try_from(option).unwrap_or_default();
    let mut out = OptionOut {
        code,
        name: option_name(code),
        data: HEXLOWER.encode(&data),
        text: None,
        subnet: None,
        scope: None,
        client_cookie: None,
        server_cookie: None,
    };
    match option {
        EdnsOption::NSID(_) => out.text = Some(String::from_utf8_lossy(&data).into_owned()),
        EdnsOption::Subnet(subnet) => {
            out.subnet = Some(format!("{}/{}", subnet.addr(), subnet.source_prefix()));
            out.scope = Some(subnet.scope_prefix());
        }
        EdnsOption::Unknown(COOKIE, cookie) => {
            let (client, server) = cookie.split_at(cookie.len().min(8));
            out.client_cookie = Some(HEXLOWER.encode(client));
            out.server_cookie = (!server.is_empty()).then(|| HEXLOWER.encode(server));
        }
        _ => {}
    }
    out
}

/// The name of an option code, as dig prints it.
fn option_name(code: u16) -> String {
    let name = match EdnsCode::from(code) {
        EdnsCode::LLQ => "LLQ",
        EdnsCode::UL => "UL",
        EdnsCode::NSID => "NSID",
        EdnsCode::DAU => "DAU",
        EdnsCode::DHU => "DHU",
        EdnsCode::N3U => "N3U",
        EdnsCode::Subnet => "ECS",
        EdnsCode::Expire => "EXPIRE",
        EdnsCode::Cookie => "COOKIE",
        EdnsCode::Keepalive => "KEEPALIVE",
        EdnsCode::Padding => "PADDING",
        EdnsCode::Chain => "CHAIN",
        _ if code == 14 => "KEY-TAG",
        _ if code == EDE => "EDE",
        _ => return format!("OPT{code}"),
    };
    name.to_string()
}

/// The name of an Extended DNS Error INFO-CODE (RFC 8914 §5.2 and the IANA
/// registry).
fn ede_name(code: u16) -> &'static str {
    const NAMES: [&str; 31] = [
        "Other Error",
        "Unsupported DNSKEY Algorithm",
        "Unsupported DS Digest Type",
        "Stale Answer",
        "Forged Answer",
        "DNSSEC Indeterminate",
        "DNSSEC Bogus",
        "Signature Expired",
        "Signature Not Yet Valid",
        "DNSKEY Missing",
        "RRSIGs Missing",
        "No Zone Key Bit Set",
        "NSEC Missing",
        "Cached Error",
        "Not Ready",
        "Blocked",
        "Censored",
        "Filtered",
        "Prohibited",
        "Stale NXDOMAIN Answer",
        "Not Authoritative",
        "Not Supported",
        "No Reachable Authority",
        "Network Error",
        "Invalid Data",
        "Signature Expired before Valid",
        "Too Early",
        "Unsupported NSEC3 Iterations Value",
        "Unable to conform to policy",
        "Synthesized",
        "Invalid Query Type",
    ];
    NAMES.get(usize::from(code)).copied().unwrap_or("Unknown")
}

#[cfg(test)]
mod tests {
    use hickory_proto::op::{MessageType, OpCode, Query};
    use hickory_proto::rr::{Name, RecordType};

    use super::*;

    #[test]
    fn arguments_become_options() {
        let subnet = parse_subnet("192.0.2.77/24").unwrap();
        assert_eq!(subnet.addr().to_string(), "192.0.2.0");
        assert_eq!(subnet.source_prefix(), 24);
        assert!(parse_subnet("192.0.2.1/33").is_err());
        assert_eq!(parse_cookie("").unwrap().len(), 8);
        assert_eq!(parse_cookie("0102030405060708").unwrap()[7], 8);
        assert!(parse_cookie("0102").is_err());
        assert_eq!(
            parse_ednsopt("65001:ABcd").unwrap(),
            (65001, vec![0xab, 0xcd])
        );
        assert_eq!(parse_ednsopt("3").unwrap(), (3, vec![]));
        assert!(parse_ednsopt("70000:00").is_err());
        assert!(parse_ednsopt("3:xyz").is_err());
    }

    #[test]
    fn padded_queries_fill_128_byte_blocks() {
        let mut shape = Shape::default();
        shape.edns.as_mut().unwrap().padding = true;
        shape.checking_disabled = true;
        let query = Query::query(Name::from_ascii("www.example.").unwrap(), RecordType::A);
        let mut message = Message::new(1, MessageType::Query, OpCode::Query);
        message.add_query(query);
        shape.apply(&mut message);
        assert!(message.metadata.checking_disabled);
        assert_eq!(message.to_vec().unwrap().len() % PAD_BLOCK, 0);
    }

    #[test]
    fn reply_options_are_decoded() {
        let mut edns = Edns::new();
        edns.set_max_payload(1232);
        let options = edns.options_mut();
        options.insert(EdnsOption::NSID(NSIDPayload::new("ns1").unwrap()));
        options.insert(EdnsOption::Subnet(ClientSubnet::new(
            "192.0.2.0".parse().unwrap(),
            24,
            16,
        )));
        options.insert(EdnsOption::Unknown(
            COOKIE,
            b"12345678servercookie".to_vec(),
        ));
        options.insert(EdnsOption::Unknown(EDE, b"\x00\x0fno".to_vec()));
        let out = EdnsOut::of(&edns);
        assert_eq!(out.udp_size, 1232);
        let names: Vec<&str> = out.options.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["NSID", "ECS", "COOKIE", "EDE"]);
        assert_eq!(out.options[0].data, "6e7331");
        assert_eq!(out.options[0].text.as_deref(), Some("ns1"));
        assert_eq!(out.options[1].subnet.as_deref(), Some("192.0.2.0/24"));
        assert_eq!(out.options[1].scope, Some(16));
        assert_eq!(
            out.options[2].server_cookie.as_deref(),
            Some(HEXLOWER.encode(b"servercookie").as_str())
        );
        assert_eq!(out.ede_text().unwrap(), "EDE 15 Blocked: no");
        assert_eq!(option_name(65001), "OPT65001");
    }
}
