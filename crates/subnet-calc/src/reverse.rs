//! `reverse`: the DNS zones that hold the reverse look-up (PTR) names of a
//! network or range.
//!
//! IPv4 zones end in `in-addr.arpa` and are cut at octets: a block of a /24 or
//! more is one zone per /8, /16 or /24 it spans (the next octet boundary at or
//! after its prefix); a block smaller than a /24 is named in the classless form
//! of RFC 2317 (`64/26.2.0.192.in-addr.arpa`), and a single address by its own
//! PTR name. IPv6 zones end in `ip6.arpa` and are cut at nibbles: a /48 is one
//! zone, a /50 is the four /52 zones it spans.
//!
//! See: RFC 1035 §3.5 (in-addr.arpa), RFC 2317 (classless delegation),
//! RFC 3596 §2.5 (ip6.arpa)

use std::fmt::Write as _;

use ipnet::IpNet;

use crate::parse::{Block, bounds};
use crate::sets::{Aggregator, Set};

/// The zones of a block, in address order.
pub fn zones(block: Block) -> Vec<String> {
    let mut aggregator = Aggregator::new();
    aggregator.push(block);
    let set: Set = aggregator.finish_set();
    set.networks().iter().flat_map(network_zones).collect()
}

/// The zones of one network.
fn network_zones(network: &IpNet) -> Vec<String> {
    let prefix = u32::from(network.prefix_len());
    let (start, _) = bounds(network);
    let v6 = matches!(network, IpNet::V6(_));
    let (bits, unit, apex) = if v6 {
        (128, 4, "ip6.arpa")
    } else {
        (32, 8, "in-addr.arpa")
    };
    if prefix == 0 {
        return vec![apex.to_string()];
    }
    if !v6 && prefix > 24 {
        let [a, b, c, d] = (start as u32).to_be_bytes();
        return vec![if prefix == 32 {
            format!("{d}.{c}.{b}.{a}.{apex}")
        } else {
            format!("{d}/{prefix}.{c}.{b}.{a}.{apex}")
        }];
    }
    // The next label boundary at or after the prefix, and the zones there.
    let cut = prefix.div_ceil(unit) * unit;
    let count = 1u128 << (cut - prefix);
    let step = 1u128 << (bits - cut);
    (0..count)
        .map(|i| zone_name(start + i * step, cut, bits, unit, apex))
        .collect()
}

/// The name of the zone of the first `cut` bits of `value`: those bits in
/// labels of `unit` bits, last first, then the apex.
fn zone_name(value: u128, cut: u32, bits: u32, unit: u32, apex: &str) -> String {
    let mut name = String::with_capacity(2 * (cut / unit) as usize + apex.len());
    for label in (0..cut / unit).rev() {
        let digit = value >> (bits - (label + 1) * unit) & ((1 << unit) - 1);
        if unit == 4 {
            let _ = write!(name, "{digit:x}.");
        } else {
            let _ = write!(name, "{digit}.");
        }
    }
    name.push_str(apex);
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_block;

    fn of(input: &str) -> Vec<String> {
        zones(parse_block(input).unwrap())
    }

    #[test]
    fn ipv4_zones() {
        assert_eq!(of("192.0.2.0/24"), ["2.0.192.in-addr.arpa"]);
        assert_eq!(of("192.0.2.77/26"), ["64/26.2.0.192.in-addr.arpa"]);
        assert_eq!(of("192.0.2.77"), ["77.2.0.192.in-addr.arpa"]);
        assert_eq!(
            of("10.1.2.0/23"),
            ["2.1.10.in-addr.arpa", "3.1.10.in-addr.arpa"]
        );
        assert_eq!(of("10.1.0.0/16"), ["1.10.in-addr.arpa"]);
        assert_eq!(
            of("10.0.0.0/15"),
            ["0.10.in-addr.arpa", "1.10.in-addr.arpa"]
        );
        assert_eq!(of("10.0.0.0/8"), ["10.in-addr.arpa"]);
        assert_eq!(of("0.0.0.0/0"), ["in-addr.arpa"]);
        assert_eq!(of("10.0.0.0/7").len(), 2);
        assert_eq!(
            of("192.0.2.0 - 192.0.2.191"),
            ["0/25.2.0.192.in-addr.arpa", "128/26.2.0.192.in-addr.arpa"]
        );
    }

    #[test]
    fn ipv6_zones() {
        assert_eq!(
            of("2001:db8:abcd::/48"),
            ["d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa"]
        );
        let fifty = of("2001:db8:abcd:4000::/50");
        assert_eq!(fifty.len(), 4);
        assert_eq!(fifty[0], "4.d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa");
        assert_eq!(fifty[3], "7.d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa");
        assert_eq!(of("::/0"), ["ip6.arpa"]);
        assert_eq!(of("8000::/1").len(), 8);
        let host = of("2001:db8::1");
        assert_eq!(host.len(), 1);
        assert!(
            host[0].starts_with("1.0.0.0.0.0.0.0") && host[0].ends_with("8.b.d.0.1.0.0.2.ip6.arpa")
        );
    }
}
