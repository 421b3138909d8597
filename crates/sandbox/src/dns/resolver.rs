//! A recursive resolver stand-in for query mode (`dns-lookup @127.53.11.1`):
//! it answers every question itself, RA set, with the EDNS behaviour worth
//! testing:
//!
//! - NSID (RFC 5001): `sandbox-resolver-1` when asked for;
//! - cookies (RFC 7873): the client cookie echoed with a server cookie;
//! - client subnet (RFC 7871): echoed with a scope of at most /24;
//! - padding (RFC 8467): a padded query gets a reply padded to 468-byte blocks;
//! - `blocked.example.`: SERVFAIL with an Extended DNS Error (RFC 8914) 15,
//!   Blocked;
//! - `www.half.com.`: answered after 1.2 s, as a resolver with a 1 s server
//!   timeout answers it cold (its first server, `ns1.half.com.`, is silent);
//! - `www.example.`: `192.0.2.80` at once; any other name NXDOMAIN;
//! - a question without RD: REFUSED (it has no data of its own).
//!
//! It serves UDP only.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, ResponseCode};
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsCode, EdnsOption, NSIDPayload};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::net::UdpSocket;

use super::zones::ServerSpec;

/// The resolver's address.
pub const RESOLVER: Ipv4Addr = Ipv4Addr::new(127, 53, 11, 1);

/// The resolver, bound like the authoritative servers.
pub const RESOLVER_SERVER: ServerSpec = ServerSpec {
    name: "resolver.sandbox.",
    addr: RESOLVER,
    zones: &[],
};

/// Its NSID.
pub const NSID: &str = "sandbox-resolver-1";

/// Its server cookie (RFC 7873 §4.2: 8 to 32 bytes).
pub const SERVER_COOKIE: [u8; 8] = *b"sandbox!";

/// How long a cold resolution of `www.half.com.` takes it.
pub const SLOW_ANSWER: Duration = Duration::from_millis(1200);

/// The Extended DNS Error of `blocked.example.`: 15, Blocked.
pub const BLOCKED_EDE: (u16, &str) = (15, "blocked by the sandbox's policy");

/// Padded replies are a multiple of this size (RFC 8467 §4.1).
const PAD_BLOCK: usize = 468;

/// Answer every datagram, each in its own task (a slow answer holds no other).
pub(crate) async fn serve(socket: UdpSocket) {
    let socket = Arc::new(socket);
    let mut buf = [0u8; 4096];
    while let Ok((len, from)) = socket.recv_from(&mut buf).await {
        let Ok(query) = Message::from_vec(&buf[..len]) else {
            continue;
        };
        tokio::spawn(answer(Arc::clone(&socket), query, from));
    }
}

async fn answer(socket: Arc<UdpSocket>, query: Message, from: SocketAddr) {
    let Some(question) = query.queries.first().cloned() else {
        return;
    };
    let name = question.name().to_lowercase().to_ascii();
    let mut reply = query.clone().into_response();
    reply.metadata.recursion_available = true;
    let mut ede = None;
    match (name.as_str(), question.query_type()) {
        // It resolves for its clients and has no data of its own.
        _ if !query.metadata.recursion_desired => {
            reply.metadata.response_code = ResponseCode::Refused;
        }
        ("blocked.example.", _) => {
            reply.metadata.response_code = ResponseCode::ServFail;
            ede = Some(BLOCKED_EDE);
        }
        ("www.half.com.", RecordType::A) => {
            tokio::time::sleep(SLOW_ANSWER).await;
            reply.add_answer(a_record(question.name(), [192, 0, 2, 50]));
        }
        ("www.example.", RecordType::A) => {
            reply.add_answer(a_record(question.name(), [192, 0, 2, 80]));
        }
        ("www.half.com.", _) | ("www.example.", _) => {}
        _ => reply.metadata.response_code = ResponseCode::NXDomain,
    }
    let Ok(bytes) = encode(reply, query.edns.as_ref(), ede) else {
        return;
    };
    let _ = socket.send_to(&bytes, from).await;
}

fn a_record(name: &Name, octets: [u8; 4]) -> Record {
    Record::from_rdata(name.clone(), 300, RData::A(A::from(Ipv4Addr::from(octets))))
}

/// The reply on the wire, with EDNS when the query had it.
fn encode(
    mut reply: Message,
    asked: Option<&Edns>,
    ede: Option<(u16, &str)>,
) -> Result<Vec<u8>, hickory_proto::ProtoError> {
    let Some(asked) = asked else {
        reply.edns = None;
        return reply.to_vec();
    };
    let mut edns = Edns::new();
    edns.set_max_payload(1232);
    edns.set_dnssec_ok(asked.flags().dnssec_ok);
    let options = edns.options_mut();
    for (code, option) in asked.options().as_ref() {
        match (code, option) {
            (EdnsCode::NSID, _) => options.insert(EdnsOption::NSID(NSIDPayload::new(NSID)?)),
            (EdnsCode::Cookie, EdnsOption::Unknown(_, client)) if client.len() >= 8 => {
                let mut cookie = client[..8].to_vec();
                cookie.extend_from_slice(&SERVER_COOKIE);
                options.insert(EdnsOption::Unknown(10, cookie));
            }
            (EdnsCode::Subnet, EdnsOption::Subnet(subnet)) => {
                let scope = subnet.source_prefix().min(24);
                let echo = ClientSubnet::new(subnet.addr(), subnet.source_prefix(), scope);
                options.insert(EdnsOption::Subnet(echo));
            }
            _ => {}
        }
    }
    if let Some((code, text)) = ede {
        let mut data = code.to_be_bytes().to_vec();
        data.extend_from_slice(text.as_bytes());
        options.insert(EdnsOption::Unknown(15, data));
    }
    let padded = asked.option(EdnsCode::Padding).is_some();
    reply.set_edns(edns);
    let bytes = reply.to_vec()?;
    if !padded {
        return Ok(bytes);
    }
    // The padding option's own 4 bytes count too.
    let fill = (PAD_BLOCK - (bytes.len() + 4) % PAD_BLOCK) % PAD_BLOCK;
    if let Some(edns) = reply.edns.as_mut() {
        edns.options_mut()
            .insert(EdnsOption::Unknown(12, vec![0; fill]));
    }
    reply.to_vec()
}
