//! The zones of the loopback DNS hierarchy and the servers that carry them.
//!
//! Every zone is written in zone-file format (RFC 1035 §5) so that it reads like
//! the real thing; [`SERVERS`] says which loopback address serves which zones.
//! The names hold the textbook's example hosts (`www.lab.glasscom.com`,
//! `cyber.co.kr` and its mail exchanger) and one name per hard case a resolver
//! must survive: a glueless delegation, a CNAME chain across zones, NXDOMAIN and
//! NODATA, a TXT RRset too big for UDP, a lame server beside a working one, a
//! delegation whose only server is dead, a server that never answers, a server
//! that answers REFUSED, a referral loop, a glueless delegation cycle and a CNAME loop;
//! a silent server beside a working one (`half.com.`), and two servers whose
//! copies of a zone have different SOA serials (`serial.com.`).

use std::net::Ipv4Addr;

/// One authoritative server: its host name, its loopback address and its zones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerSpec {
    /// The server's host name (an NS target in the hierarchy).
    pub name: &'static str,
    /// The loopback address it listens on (UDP and TCP, on the hierarchy's port).
    pub addr: Ipv4Addr,
    /// The origins of the zones it is authoritative for; empty: it refuses everything.
    pub zones: &'static [&'static str],
}

/// The root server `a.root-servers.net.`.
pub const ROOT: Ipv4Addr = Ipv4Addr::new(127, 53, 0, 1);
/// The `com.` server `a.gtld-servers.net.`.
pub const COM: Ipv4Addr = Ipv4Addr::new(127, 53, 1, 1);
/// The `kr.` server `b.dns.kr.`.
pub const KR: Ipv4Addr = Ipv4Addr::new(127, 53, 2, 1);
/// The `co.kr.` server `ns1.co.kr.`.
pub const CO_KR: Ipv4Addr = Ipv4Addr::new(127, 53, 2, 2);
/// The first `glasscom.com.` server `ns1.glasscom.com.`.
pub const GLASSCOM_1: Ipv4Addr = Ipv4Addr::new(127, 53, 3, 1);
/// The second `glasscom.com.` server `ns2.glasscom.com.`.
pub const GLASSCOM_2: Ipv4Addr = Ipv4Addr::new(127, 53, 3, 2);
/// The `lab.glasscom.com.` server `ns.lab.glasscom.com.`.
pub const LAB: Ipv4Addr = Ipv4Addr::new(127, 53, 3, 3);
/// The `cyber.co.kr.` server `ns.cyber.co.kr.` (also `ns2.cyber.co.kr.`, serving
/// `glueless.com.` and `spoof.com.`).
pub const CYBER: Ipv4Addr = Ipv4Addr::new(127, 53, 4, 1);
/// The working `flaky.com.` server `ns2.flaky.com.`.
pub const FLAKY_GOOD: Ipv4Addr = Ipv4Addr::new(127, 53, 6, 1);
/// The lame `flaky.com.` server `ns1.flaky.com.`: nothing listens there.
pub const FLAKY_LAME: Ipv4Addr = Ipv4Addr::new(127, 53, 6, 9);
/// The only `dead.com.` server `ns.dead.com.`: nothing listens there.
pub const DEAD: Ipv4Addr = Ipv4Addr::new(127, 53, 6, 10);
/// `ns.refused.com.`: a server with no zones, answering REFUSED to everything.
pub const REFUSED: Ipv4Addr = Ipv4Addr::new(127, 53, 7, 1);
/// `ns.loop.com.`: believes it serves `com.` and refers `loop.com.` to itself.
pub const LOOP: Ipv4Addr = Ipv4Addr::new(127, 53, 8, 1);
/// `ns.silent.com.`: reads every query and never answers (UDP or TCP).
pub const SILENT: Ipv4Addr = Ipv4Addr::new(127, 53, 9, 1);
/// `ns2.half.com.`: the working server of `half.com.`, whose other server
/// `ns1.half.com.` is the silent one.
pub const HALF_GOOD: Ipv4Addr = Ipv4Addr::new(127, 53, 10, 1);
/// `ns1.serial.com.`: serves `serial.com.` at SOA serial 1.
pub const SERIAL_OLD: Ipv4Addr = Ipv4Addr::new(127, 53, 10, 2);
/// `ns2.serial.com.`: serves `serial.com.` at SOA serial 2 (not yet transferred to ns1).
pub const SERIAL_NEW: Ipv4Addr = Ipv4Addr::new(127, 53, 10, 3);
/// The bogus address that `com.` offers as glue for `ns.cyber.co.kr.`: outside
/// `com.`'s bailiwick, so a careful resolver never uses it. Nothing listens there.
pub const SPOOFED_GLUE: Ipv4Addr = Ipv4Addr::new(127, 53, 66, 66);

/// The server that swallows queries: bound like the others, never answering.
pub const SILENT_SERVER: ServerSpec = ServerSpec {
    name: "ns.silent.com.",
    addr: SILENT,
    zones: &[],
};

/// Every answering server of the hierarchy (the lame and dead addresses are
/// not servers; the silent one is [`SILENT_SERVER`]).
pub const SERVERS: &[ServerSpec] = &[
    ServerSpec {
        name: "a.root-servers.net.",
        addr: ROOT,
        zones: &["."],
    },
    ServerSpec {
        name: "a.gtld-servers.net.",
        addr: COM,
        zones: &["com."],
    },
    ServerSpec {
        name: "b.dns.kr.",
        addr: KR,
        zones: &["kr."],
    },
    ServerSpec {
        name: "ns1.co.kr.",
        addr: CO_KR,
        zones: &["co.kr."],
    },
    ServerSpec {
        name: "ns1.glasscom.com.",
        addr: GLASSCOM_1,
        zones: &["glasscom.com."],
    },
    ServerSpec {
        name: "ns2.glasscom.com.",
        addr: GLASSCOM_2,
        zones: &["glasscom.com."],
    },
    ServerSpec {
        name: "ns.lab.glasscom.com.",
        addr: LAB,
        zones: &["lab.glasscom.com."],
    },
    ServerSpec {
        name: "ns.cyber.co.kr.",
        addr: CYBER,
        zones: &["cyber.co.kr.", "glueless.com.", "spoof.com."],
    },
    ServerSpec {
        name: "ns2.flaky.com.",
        addr: FLAKY_GOOD,
        zones: &["flaky.com."],
    },
    ServerSpec {
        name: "ns.refused.com.",
        addr: REFUSED,
        zones: &[],
    },
    ServerSpec {
        name: "ns.loop.com.",
        addr: LOOP,
        zones: &["loop.com-parent"],
    },
    ServerSpec {
        name: "ns2.half.com.",
        addr: HALF_GOOD,
        zones: &["half.com."],
    },
    ServerSpec {
        name: "ns1.serial.com.",
        addr: SERIAL_OLD,
        zones: &["serial.com."],
    },
    ServerSpec {
        name: "ns2.serial.com.",
        addr: SERIAL_NEW,
        zones: &["serial.com-new"],
    },
];

/// The zone file of `origin` (`loop.com-parent` is the fake `com.` of the loop
/// server), or `None` for an unknown origin.
pub fn zone_file(origin: &str) -> Option<&'static str> {
    Some(match origin {
        "." => ROOT_ZONE,
        "com." => COM_ZONE,
        "kr." => KR_ZONE,
        "co.kr." => CO_KR_ZONE,
        "glasscom.com." => GLASSCOM_ZONE,
        "lab.glasscom.com." => LAB_ZONE,
        "cyber.co.kr." => CYBER_ZONE,
        "glueless.com." => GLUELESS_ZONE,
        "spoof.com." => SPOOF_ZONE,
        "flaky.com." => FLAKY_ZONE,
        "loop.com-parent" => LOOP_PARENT_ZONE,
        "half.com." => HALF_ZONE,
        "serial.com." => SERIAL_OLD_ZONE,
        "serial.com-new" => SERIAL_NEW_ZONE,
        _ => return None,
    })
}

/// The root hints of the hierarchy, in the format of the IANA `named.cache`.
pub const ROOT_HINTS: &str = "\
; Root hints of the netlens loopback DNS hierarchy (crates/sandbox).
.                        3600000      NS    a.root-servers.net.
a.root-servers.net.      3600000      A     127.53.0.1
";

const ROOT_ZONE: &str = "\
$ORIGIN .
$TTL 86400
.                   IN SOA a.root-servers.net. nstld.verisign-grs.com. 2024041801 1800 900 604800 86400
.            518400 IN NS  a.root-servers.net.
a.root-servers.net. 518400 IN A 127.53.0.1
com.         172800 IN NS  a.gtld-servers.net.
a.gtld-servers.net. 172800 IN A 127.53.1.1
kr.          172800 IN NS  b.dns.kr.
b.dns.kr.    172800 IN A   127.53.2.1
";

const COM_ZONE: &str = "\
$ORIGIN com.
$TTL 172800
@         IN SOA a.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
@         IN NS  a.gtld-servers.net.
glasscom  IN NS  ns1.glasscom.com.
glasscom  IN NS  ns2.glasscom.com.
ns1.glasscom IN A 127.53.3.1
ns2.glasscom IN A 127.53.3.2
; glueless: the server's name lies under co.kr., where com. cannot vouch for it
glueless  IN NS  ns2.cyber.co.kr.
; out-of-bailiwick glue: com. has no say over co.kr. names; this address is a lie
spoof     IN NS  ns.cyber.co.kr.
ns.cyber.co.kr. IN A 127.53.66.66
; a lame server (nothing listens at ns1) beside a working one
flaky     IN NS  ns1.flaky.com.
flaky     IN NS  ns2.flaky.com.
ns1.flaky IN A   127.53.6.9
ns2.flaky IN A   127.53.6.1
; every server lame
dead      IN NS  ns.dead.com.
ns.dead   IN A   127.53.6.10
; a server that refuses
refused   IN NS  ns.refused.com.
ns.refused IN A  127.53.7.1
; a server that keeps referring loop.com. to itself
loop      IN NS  ns.loop.com.
ns.loop   IN A   127.53.8.1
; a server that never answers
silent    IN NS  ns.silent.com.
ns.silent IN A   127.53.9.1
; a glueless cycle: each zone's server is named inside the other
cycle1    IN NS  ns.cycle2.com.
cycle2    IN NS  ns.cycle1.com.
; a silent server beside a working one
half      IN NS  ns1.half.com.
half      IN NS  ns2.half.com.
ns1.half  IN A   127.53.9.1
ns2.half  IN A   127.53.10.1
; two servers whose copies of the zone differ (SOA serials 1 and 2)
serial    IN NS  ns1.serial.com.
serial    IN NS  ns2.serial.com.
ns1.serial IN A  127.53.10.2
ns2.serial IN A  127.53.10.3
";

const KR_ZONE: &str = "\
$ORIGIN kr.
$TTL 86400
@         IN SOA b.dns.kr. hostmaster.nic.kr. 1 3600 900 604800 3600
@         IN NS  b.dns.kr.
b.dns     IN A   127.53.2.1
co        IN NS  ns1.co.kr.
ns1.co    IN A   127.53.2.2
";

const CO_KR_ZONE: &str = "\
$ORIGIN co.kr.
$TTL 86400
@         IN SOA ns1.co.kr. hostmaster.nic.kr. 1 3600 900 604800 3600
@         IN NS  ns1.co.kr.
ns1       IN A   127.53.2.2
cyber     IN NS  ns.cyber.co.kr.
ns.cyber  IN A   127.53.4.1
";

const GLASSCOM_ZONE: &str = "\
$ORIGIN glasscom.com.
$TTL 3600
@         IN SOA ns1.glasscom.com. admin.glasscom.com. 1 3600 900 604800 300
@         IN NS  ns1.glasscom.com.
@         IN NS  ns2.glasscom.com.
ns1       IN A   127.53.3.1
ns2       IN A   127.53.3.2
lab       IN NS  ns.lab.glasscom.com.
ns.lab    IN A   127.53.3.3
; a CNAME chain across zones: glasscom.com. -> cyber.co.kr. -> lab.glasscom.com.
www       IN CNAME web.cyber.co.kr.
; a CNAME loop across zones
ping      IN CNAME pong.cyber.co.kr.
; a TXT RRset larger than a 1232-byte UDP payload: truncated, then fetched over TCP
big       IN TXT \"0 the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog.\"
big       IN TXT \"1 the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog.\"
big       IN TXT \"2 the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog.\"
big       IN TXT \"3 the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog.\"
big       IN TXT \"4 the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog.\"
big       IN TXT \"5 the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog.\"
big       IN TXT \"6 the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog.\"
big       IN TXT \"7 the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog.\"
";

const LAB_ZONE: &str = "\
$ORIGIN lab.glasscom.com.
$TTL 3600
@         IN SOA ns.lab.glasscom.com. admin.glasscom.com. 1 3600 900 604800 300
@         IN NS  ns.lab.glasscom.com.
ns        IN A   127.53.3.3
www       IN A   192.0.2.10
www       IN AAAA 2001:db8::10
";

const CYBER_ZONE: &str = "\
$ORIGIN cyber.co.kr.
$TTL 3600
@         IN SOA ns.cyber.co.kr. admin.cyber.co.kr. 1 3600 900 604800 300
@         IN NS  ns.cyber.co.kr.
@         IN MX  10 mail.cyber.co.kr.
ns        IN A   127.53.4.1
ns2       IN A   127.53.4.1
mail      IN A   192.0.2.227
www.lab   IN A   192.0.2.226
web       IN CNAME www.lab.glasscom.com.
pong      IN CNAME ping.glasscom.com.
";

const GLUELESS_ZONE: &str = "\
$ORIGIN glueless.com.
$TTL 3600
@         IN SOA ns2.cyber.co.kr. admin.cyber.co.kr. 1 3600 900 604800 300
@         IN NS  ns2.cyber.co.kr.
www       IN A   192.0.2.30
";

const SPOOF_ZONE: &str = "\
$ORIGIN spoof.com.
$TTL 3600
@         IN SOA ns.cyber.co.kr. admin.cyber.co.kr. 1 3600 900 604800 300
@         IN NS  ns.cyber.co.kr.
www       IN A   192.0.2.31
";

const FLAKY_ZONE: &str = "\
$ORIGIN flaky.com.
$TTL 3600
@         IN SOA ns2.flaky.com. admin.flaky.com. 1 3600 900 604800 300
@         IN NS  ns1.flaky.com.
@         IN NS  ns2.flaky.com.
ns1       IN A   127.53.6.9
ns2       IN A   127.53.6.1
www       IN A   192.0.2.40
";

/// The loop server's idea of `com.`: `loop.com.` delegated to itself, forever.
const LOOP_PARENT_ZONE: &str = "\
$ORIGIN com.
$TTL 3600
@         IN SOA ns.loop.com. admin.loop.com. 1 3600 900 604800 300
@         IN NS  ns.loop.com.
loop      IN NS  ns.loop.com.
ns.loop   IN A   127.53.8.1
";

const HALF_ZONE: &str = "\
$ORIGIN half.com.
$TTL 3600
@         IN SOA ns2.half.com. admin.half.com. 1 3600 900 604800 300
@         IN NS  ns1.half.com.
@         IN NS  ns2.half.com.
ns1       IN A   127.53.9.1
ns2       IN A   127.53.10.1
www       IN A   192.0.2.50
";

/// `serial.com.` as `ns1.serial.com.` has it: serial 1.
const SERIAL_OLD_ZONE: &str = "\
$ORIGIN serial.com.
$TTL 3600
@         IN SOA ns1.serial.com. admin.serial.com. 1 3600 900 604800 300
@         IN NS  ns1.serial.com.
@         IN NS  ns2.serial.com.
ns1       IN A   127.53.10.2
ns2       IN A   127.53.10.3
www       IN A   192.0.2.60
";

/// `serial.com.` as `ns2.serial.com.` has it: serial 2, with a new address.
const SERIAL_NEW_ZONE: &str = "\
$ORIGIN serial.com.
$TTL 3600
@         IN SOA ns1.serial.com. admin.serial.com. 2 3600 900 604800 300
@         IN NS  ns1.serial.com.
@         IN NS  ns2.serial.com.
ns1       IN A   127.53.10.2
ns2       IN A   127.53.10.3
www       IN A   192.0.2.61
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_zone_of_every_server_has_a_file() {
        for server in SERVERS {
            for zone in server.zones {
                assert!(zone_file(zone).is_some(), "{zone}");
            }
        }
    }

    #[test]
    fn addresses_are_distinct() {
        let mut addrs: Vec<Ipv4Addr> = SERVERS.iter().map(|s| s.addr).collect();
        addrs.push(SILENT);
        addrs.sort();
        addrs.dedup();
        assert_eq!(addrs.len(), SERVERS.len() + 1);
        for silent in [FLAKY_LAME, DEAD, SPOOFED_GLUE] {
            assert!(!addrs.contains(&silent));
        }
    }
}
