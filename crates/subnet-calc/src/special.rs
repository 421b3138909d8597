//! What kind of address this is, from the IANA IPv4 and IPv6 Special-Purpose
//! Address Registries, kept here as tables with the RFC of each row.
//!
//! See: RFC 6890 (the registries), <https://www.iana.org/assignments/iana-ipv4-special-registry>
//! and <https://www.iana.org/assignments/iana-ipv6-special-registry>.
//! Multicast is not in those registries but in the multicast address spaces
//! (RFC 5771 for IPv4, RFC 4291 §2.7 for IPv6); it is added here because a
//! user asking "what kind of address is this" expects to hear it.
//! An address in none of the rows is `global`. The most specific row wins.

use std::net::IpAddr;

/// One row of a registry: a block, a short kind for JSON, the registry's name and the RFC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Special {
    /// The block's first address, as an integer (IPv4 in the low 32 bits).
    pub start: u128,
    /// The block's prefix length.
    pub prefix: u8,
    /// The short kind reported in JSON (`private`, `loopback`, ...).
    pub kind: &'static str,
    /// The registry's name of the block.
    pub name: &'static str,
    /// Where the block is defined.
    pub rfc: &'static str,
}

/// What to report for an address in no special block.
pub const GLOBAL: Special = Special {
    start: 0,
    prefix: 0,
    kind: "global",
    name: "Global unicast",
    rfc: "RFC 6890",
};

const fn v4(
    [a, b, c, d]: [u8; 4],
    prefix: u8,
    kind: &'static str,
    name: &'static str,
    rfc: &'static str,
) -> Special {
    // The same row as an IPv6 one, with the start in the low 32 bits.
    let start = (a as u128) << 24 | (b as u128) << 16 | (c as u128) << 8 | d as u128;
    v6(start, prefix, kind, name, rfc)
}

const fn v6(
    start: u128,
    prefix: u8,
    kind: &'static str,
    name: &'static str,
    rfc: &'static str,
) -> Special {
    Special {
        start,
        prefix,
        kind,
        name,
        rfc,
    }
}

/// The IPv4 Special-Purpose Address Registry, plus multicast.
#[rustfmt::skip]
pub const IPV4: &[Special] = &[
    v4([0, 0, 0, 0], 8, "this-network", "\"This network\"", "RFC 791 §3.2"),
    v4([0, 0, 0, 0], 32, "unspecified", "\"This host on this network\"", "RFC 1122 §3.2.1.3"),
    v4([10, 0, 0, 0], 8, "private", "Private-Use", "RFC 1918"),
    v4([100, 64, 0, 0], 10, "shared", "Shared Address Space", "RFC 6598"),
    v4([127, 0, 0, 0], 8, "loopback", "Loopback", "RFC 1122 §3.2.1.3"),
    v4([169, 254, 0, 0], 16, "link-local", "Link Local", "RFC 3927"),
    v4([172, 16, 0, 0], 12, "private", "Private-Use", "RFC 1918"),
    v4([192, 0, 0, 0], 24, "protocol-assignment", "IETF Protocol Assignments", "RFC 6890 §2.1"),
    v4([192, 0, 0, 0], 29, "protocol-assignment", "IPv4 Service Continuity Prefix", "RFC 7335"),
    v4([192, 0, 0, 8], 32, "dummy", "IPv4 dummy address", "RFC 7600"),
    v4([192, 0, 0, 9], 32, "anycast", "Port Control Protocol Anycast", "RFC 7723"),
    v4([192, 0, 0, 10], 32, "anycast", "Traversal Using Relays around NAT Anycast", "RFC 8155"),
    v4([192, 0, 0, 170], 32, "nat64-discovery", "NAT64/DNS64 Discovery", "RFC 8880"),
    v4([192, 0, 0, 171], 32, "nat64-discovery", "NAT64/DNS64 Discovery", "RFC 8880"),
    v4([192, 0, 2, 0], 24, "documentation", "Documentation (TEST-NET-1)", "RFC 5737"),
    v4([192, 31, 196, 0], 24, "as112", "AS112-v4", "RFC 7535"),
    v4([192, 52, 193, 0], 24, "amt", "AMT", "RFC 7450"),
    v4([192, 88, 99, 0], 24, "deprecated", "Deprecated (6to4 Relay Anycast)", "RFC 7526"),
    v4([192, 88, 99, 2], 32, "anycast", "6a44-relay anycast address", "RFC 6751"),
    v4([192, 168, 0, 0], 16, "private", "Private-Use", "RFC 1918"),
    v4([192, 175, 48, 0], 24, "as112", "Direct Delegation AS112 Service", "RFC 7534"),
    v4([198, 18, 0, 0], 15, "benchmarking", "Benchmarking", "RFC 2544"),
    v4([198, 51, 100, 0], 24, "documentation", "Documentation (TEST-NET-2)", "RFC 5737"),
    v4([203, 0, 113, 0], 24, "documentation", "Documentation (TEST-NET-3)", "RFC 5737"),
    v4([224, 0, 0, 0], 4, "multicast", "Multicast", "RFC 5771"),
    v4([240, 0, 0, 0], 4, "reserved", "Reserved", "RFC 1112 §4"),
    v4([255, 255, 255, 255], 32, "broadcast", "Limited Broadcast", "RFC 919 §7"),
];

/// The IPv6 Special-Purpose Address Registry, plus multicast.
#[rustfmt::skip]
pub const IPV6: &[Special] = &[
    v6(0, 128, "unspecified", "Unspecified Address", "RFC 4291"),
    v6(1, 128, "loopback", "Loopback Address", "RFC 4291"),
    v6(0xffff_0000_0000, 96, "ipv4-mapped", "IPv4-mapped Address", "RFC 4291"),
    v6(0x0064_ff9b << 96, 96, "nat64", "IPv4-IPv6 Translation", "RFC 6052"),
    v6(0x0064_ff9b_0001 << 80, 48, "nat64", "IPv4-IPv6 Translation (local use)", "RFC 8215"),
    v6(0x0100 << 112, 64, "discard", "Discard-Only Address Block", "RFC 6666"),
    v6(0x0100_0000_0000_0001 << 64, 64, "dummy", "Dummy IPv6 Prefix", "RFC 9780"),
    v6(0x2001 << 112, 23, "protocol-assignment", "IETF Protocol Assignments", "RFC 2928"),
    v6(0x2001 << 112, 32, "teredo", "TEREDO", "RFC 4380"),
    v6(0x2001_0001 << 96 | 1, 128, "anycast", "Port Control Protocol Anycast", "RFC 7723"),
    v6(0x2001_0001 << 96 | 2, 128, "anycast", "Traversal Using Relays around NAT Anycast", "RFC 8155"),
    v6(0x2001_0001 << 96 | 3, 128, "anycast", "DNS-SD Service Registration Protocol Anycast", "RFC 9665"),
    v6(0x2001_0002_0000 << 80, 48, "benchmarking", "Benchmarking", "RFC 5180"),
    v6(0x2001_0003 << 96, 32, "amt", "AMT", "RFC 7450"),
    v6(0x2001_0004_0112 << 80, 48, "as112", "AS112-v6", "RFC 7535"),
    v6(0x2001_0010 << 96, 28, "deprecated", "Deprecated (previously ORCHID)", "RFC 4843"),
    v6(0x2001_0020 << 96, 28, "orchid", "ORCHIDv2", "RFC 7343"),
    v6(0x2001_0030 << 96, 28, "drone-remote-id", "Drone Remote ID Protocol Entity Tags", "RFC 9374"),
    v6(0x2001_0db8 << 96, 32, "documentation", "Documentation", "RFC 3849"),
    v6(0x2002 << 112, 16, "6to4", "6to4", "RFC 3056"),
    v6(0x2620_004f_8000 << 80, 48, "as112", "Direct Delegation AS112 Service", "RFC 7534"),
    v6(0x3fff << 112, 20, "documentation", "Documentation", "RFC 9637"),
    v6(0x5f00 << 112, 16, "srv6-sid", "Segment Routing (SRv6) SIDs", "RFC 9602"),
    v6(0xfc00 << 112, 7, "unique-local", "Unique-Local", "RFC 4193"),
    v6(0xfe80 << 112, 10, "link-local", "Link-Local Unicast", "RFC 4291"),
    v6(0xff00 << 112, 8, "multicast", "Multicast", "RFC 4291 §2.7"),
];

/// The most specific registry row that holds `address`, or [`GLOBAL`].
pub fn classify(address: IpAddr) -> &'static Special {
    let (table, bits, value): (&[Special], u32, u128) = match address {
        IpAddr::V4(a) => (IPV4, 32, u32::from(a).into()),
        IpAddr::V6(a) => (IPV6, 128, a.into()),
    };
    table
        .iter()
        .filter(|row| {
            let host_bits = bits - u32::from(row.prefix);
            // checked_shr: a /0 row would shift by the full width.
            value.checked_shr(host_bits).unwrap_or(0)
                == row.start.checked_shr(host_bits).unwrap_or(0)
        })
        .max_by_key(|row| row.prefix)
        .unwrap_or(&GLOBAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(address: &str) -> &'static str {
        classify(address.parse().unwrap()).kind
    }

    #[test]
    fn ipv4_kinds() {
        for (address, expected) in [
            ("10.11.12.13", "private"),
            ("172.31.255.255", "private"),
            ("172.32.0.0", "global"),
            ("127.0.0.1", "loopback"),
            ("0.0.0.0", "unspecified"),
            ("0.1.2.3", "this-network"),
            ("100.100.0.1", "shared"),
            ("169.254.1.1", "link-local"),
            ("192.0.2.7", "documentation"),
            ("192.0.0.9", "anycast"),
            ("192.0.0.200", "protocol-assignment"),
            ("198.19.0.1", "benchmarking"),
            ("224.0.0.1", "multicast"),
            ("250.0.0.1", "reserved"),
            ("255.255.255.255", "broadcast"),
            ("8.8.8.8", "global"),
        ] {
            assert_eq!(kind(address), expected, "{address}");
        }
    }

    #[test]
    fn ipv6_kinds() {
        for (address, expected) in [
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("::ffff:10.0.0.1", "ipv4-mapped"),
            ("64:ff9b::8.8.8.8", "nat64"),
            ("2001:db8::1", "documentation"),
            ("3fff::1", "documentation"),
            ("2001::1", "teredo"),
            ("2001:1::2", "anycast"),
            ("2001:2::5", "benchmarking"),
            ("2001:100::", "protocol-assignment"),
            ("2002::1", "6to4"),
            ("fd12:3456::1", "unique-local"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("2606:4700::1111", "global"),
        ] {
            assert_eq!(kind(address), expected, "{address}");
        }
    }

    #[test]
    fn every_row_is_a_network_start() {
        for (table, bits) in [(IPV4, 32u32), (IPV6, 128)] {
            for row in table {
                let host_bits = bits - u32::from(row.prefix);
                let host_mask = 1u128.checked_shl(host_bits).map_or(u128::MAX, |v| v - 1);
                assert_eq!(row.start & host_mask, 0, "{row:?}");
                assert!(row.rfc.starts_with("RFC "), "{row:?}");
            }
        }
    }
}
