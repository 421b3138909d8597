//! What an IPv6 address carries inside it: an IPv4 address (IPv4-mapped,
//! 6to4, NAT64, Teredo's server and client), Teredo's port, and the MAC
//! address behind an EUI-64 interface identifier.
//!
//! See: RFC 4291 §2.5.5.2 (IPv4-mapped), RFC 3056 §2 (6to4), RFC 4380 §4
//! (Teredo, with the client's address and port obfuscated), RFC 6052 §2.1
//! (64:ff9b::/96), RFC 4291 Appendix A (modified EUI-64)

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

/// The embedded values of an address; every field is null when absent (and
/// all of them for IPv4). Field names are the JSON object's.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Embedded {
    /// The IPv4 address of `::ffff:a.b.c.d`.
    pub ipv4_mapped: Option<Ipv4Addr>,
    /// The IPv4 address of a 6to4 address, `2002:AABB:CCDD::/48`.
    pub six_to_four: Option<Ipv4Addr>,
    /// The IPv4 address of a NAT64 address of the well-known prefix 64:ff9b::/96.
    pub nat64: Option<Ipv4Addr>,
    /// The server, client and port of a Teredo address (2001::/32).
    pub teredo: Option<Teredo>,
    /// The MAC address behind a modified EUI-64 interface identifier (`ff:fe` in the middle).
    pub eui64_mac: Option<String>,
}

/// The parts of a Teredo address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Teredo {
    /// The Teredo server's IPv4 address.
    pub server: Ipv4Addr,
    /// The client's public IPv4 address (stored inverted).
    pub client: Ipv4Addr,
    /// The client's public UDP port (stored inverted).
    pub port: u16,
}

impl Embedded {
    /// What `address` embeds.
    pub fn of(address: IpAddr) -> Embedded {
        let IpAddr::V6(address) = address else {
            return Embedded::default();
        };
        let value = u128::from(address);
        let low32 = Ipv4Addr::from(value as u32);
        let prefix = |bits: u32, value_of_prefix: u128| value >> (128 - bits) == value_of_prefix;
        Embedded {
            ipv4_mapped: address.to_ipv4_mapped(),
            six_to_four: prefix(16, 0x2002).then(|| Ipv4Addr::from((value >> 80) as u32)),
            nat64: prefix(96, 0x0064_ff9b_0000_0000_0000_0000).then_some(low32),
            teredo: prefix(32, 0x2001_0000).then(|| Teredo {
                server: Ipv4Addr::from((value >> 64) as u32),
                client: Ipv4Addr::from(!(value as u32)),
                port: !((value >> 32) as u16),
            }),
            eui64_mac: eui64_mac(address),
        }
    }

    /// The rows of the info table: what is present, named.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let mut rows = Vec::new();
        if let Some(v4) = self.ipv4_mapped {
            rows.push(("IPv4-mapped", v4.to_string()));
        }
        if let Some(v4) = self.six_to_four {
            rows.push(("6to4 IPv4", v4.to_string()));
        }
        if let Some(v4) = self.nat64 {
            rows.push(("NAT64 IPv4 (64:ff9b::/96)", v4.to_string()));
        }
        if let Some(t) = self.teredo {
            rows.push(("Teredo server", t.server.to_string()));
            rows.push(("Teredo client", format!("{}:{}", t.client, t.port)));
        }
        if let Some(mac) = &self.eui64_mac {
            rows.push(("EUI-64 MAC", mac.clone()));
        }
        rows
    }
}

/// The MAC address of a modified EUI-64 interface identifier: `ff:fe` in the
/// middle of the last 64 bits, and the universal/local bit flipped back.
fn eui64_mac(address: Ipv6Addr) -> Option<String> {
    let o = address.octets();
    if o[11] != 0xff || o[12] != 0xfe {
        return None;
    }
    let mac = [o[8] ^ 0x02, o[9], o[10], o[13], o[14], o[15]];
    Some(
        mac.iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> Embedded {
        Embedded::of(text.parse().unwrap())
    }

    #[test]
    fn ipv4_inside_ipv6() {
        assert_eq!(
            of("::ffff:192.0.2.1").ipv4_mapped,
            Some(Ipv4Addr::new(192, 0, 2, 1))
        );
        assert_eq!(
            of("2002:c000:0204::1").six_to_four,
            Some(Ipv4Addr::new(192, 0, 2, 4))
        );
        assert_eq!(
            of("64:ff9b::198.51.100.7").nat64,
            Some(Ipv4Addr::new(198, 51, 100, 7))
        );
        assert_eq!(of("64:ff9b:1::198.51.100.7").nat64, None);
        assert_eq!(of("192.0.2.1"), Embedded::default());
        assert_eq!(of("2001:db8::1"), Embedded::default());
    }

    #[test]
    fn teredo_as_rfc_4380_shows_it() {
        // RFC 4380 §4's example: server 65.54.227.120, client 192.0.2.45 port 40000.
        let t = of("2001:0:4136:e378:8000:63bf:3fff:fdd2").teredo.unwrap();
        assert_eq!(t.server, Ipv4Addr::new(65, 54, 227, 120));
        assert_eq!(t.client, Ipv4Addr::new(192, 0, 2, 45));
        assert_eq!(t.port, 40000);
    }

    #[test]
    fn eui64_interface_identifier() {
        let e = of("fe80::21b:63ff:fe94:d5f1");
        assert_eq!(e.eui64_mac.as_deref(), Some("00:1b:63:94:d5:f1"));
        assert_eq!(of("fe80::1").eui64_mac, None);
        let rows = of("2001:0:4136:e378:8000:63bf:3fff:fdd2").rows();
        assert_eq!(rows[1], ("Teredo client", "192.0.2.45:40000".to_string()));
    }
}
