//! Everything about one address in its network: masks, network, broadcast,
//! host range, counts, class, kind, the binary view and what an IPv6 address
//! embeds.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use serde::Serialize;

use crate::embedded::Embedded;
use crate::parse::{addr_of, bounds};
use crate::special::{self, Special};

/// The facts of one `ADDRESS/PREFIX`, as the info mode shows them. Field
/// names and order are the JSON object's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Info {
    /// The input as given.
    pub input: String,
    /// The address, host bits kept.
    pub address: IpAddr,
    /// 4 or 6.
    pub version: u8,
    /// The prefix length.
    pub prefix_len: u8,
    /// The netmask as an address (`255.255.255.0`, `ffff:ffff:ffff:ffff::`).
    pub netmask: IpAddr,
    /// The host mask, also called wildcard (`0.0.0.255`).
    pub hostmask: IpAddr,
    /// The network address (host bits cleared).
    pub network: IpAddr,
    /// The network with its prefix (`10.11.12.0/24`).
    #[serde(serialize_with = "crate::render::display")]
    pub cidr: IpNet,
    /// The broadcast address; IPv6 has none.
    pub broadcast: Option<IpAddr>,
    /// The first usable host.
    pub first_host: IpAddr,
    /// The last usable host.
    pub last_host: IpAddr,
    /// All addresses of the prefix (up to 2^128 for `::/0`).
    pub total_addresses: Count,
    /// Addresses usable by hosts.
    pub usable_hosts: Count,
    /// The classful-era class, A to E, for IPv4.
    pub class: Option<char>,
    /// The kind from the special-purpose registries (`private`, `global`, ...).
    pub kind: &'static str,
    /// The address in binary, `|` between the network bits and the host bits.
    pub binary: String,
    /// What an IPv6 address embeds (IPv4 addresses, Teredo, EUI-64 MAC).
    #[serde(flatten)]
    pub embedded: Embedded,
    /// The registry row behind `kind` (shown in the table, not in JSON).
    #[serde(skip)]
    pub special: &'static Special,
}

impl Info {
    /// Work out everything about `net`, parsed from `input`.
    pub fn new(input: &str, net: &IpNet) -> Info {
        let v6 = matches!(net, IpNet::V6(_));
        let bits: u32 = if v6 { 128 } else { 32 };
        let prefix = net.prefix_len();
        let (first, last) = bounds(net);
        let host_bits = bits - u32::from(prefix);
        // RFC 3021: a /31 is a point-to-point link with two hosts and no
        // broadcast; a /32 (or /128) is the one host itself. IPv6 has no
        // broadcast address, so every address of the prefix is a host
        // (RFC 4291 §2.6.1: the Subnet-Router anycast address is still a host address).
        let (first_host, last_host) = if v6 || host_bits <= 1 {
            (first, last)
        } else {
            (first + 1, last - 1)
        };
        let address = net.addr();
        let special = special::classify(address);
        Info {
            input: input.trim().to_string(),
            address,
            version: if v6 { 6 } else { 4 },
            prefix_len: prefix,
            netmask: net.netmask(),
            hostmask: net.hostmask(),
            network: net.network(),
            cidr: net.trunc(),
            broadcast: (!v6).then(|| net.broadcast()),
            first_host: addr_of(v6, first_host),
            last_host: addr_of(v6, last_host),
            total_addresses: Count::span(first, last),
            usable_hosts: Count::span(first_host, last_host),
            class: match address {
                IpAddr::V4(a) => Some(class(a)),
                IpAddr::V6(_) => None,
            },
            kind: special.kind,
            binary: binary(address, prefix),
            embedded: Embedded::of(address),
            special,
        }
    }

    /// The host number: the address's host bits alone (13 in `10.11.12.13/24`).
    pub fn host_number(&self) -> u128 {
        value(self.address) & value(self.hostmask)
    }
}

/// A number of addresses, from 1 to 2^128: one more than a u128 holds, so it
/// is kept as the count minus one.
///
/// In JSON it is an integer written out in full (`340282366920938463463374607431768211456`
/// for `::/0`): serde_json writes u128 digits itself, and the one value beyond
/// u128 goes out as raw JSON (serde_json's `raw_value` feature), never as a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Count(u128);

/// 2^128, the size of the whole IPv6 space.
const TWO_POW_128: &str = "340282366920938463463374607431768211456";

impl Count {
    /// The number of addresses from `first` to `last` inclusive (`first <= last`).
    pub fn span(first: u128, last: u128) -> Count {
        Count(last - first)
    }

    /// The count, if it fits a u128 (everything but 2^128).
    pub fn get(self) -> Option<u128> {
        self.0.checked_add(1)
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.get() {
            Some(n) => write!(f, "{n}"),
            None => f.write_str(TWO_POW_128),
        }
    }
}

impl Serialize for Count {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.get() {
            Some(n) => serializer.serialize_u128(n),
            None => {
                let raw = serde_json::value::RawValue::from_string(TWO_POW_128.to_string())
                    .map_err(serde::ser::Error::custom)?;
                raw.serialize(serializer)
            }
        }
    }
}

/// The address as an integer (IPv4 in the low 32 bits).
fn value(address: IpAddr) -> u128 {
    match address {
        IpAddr::V4(a) => u32::from(a).into(),
        IpAddr::V6(a) => a.into(),
    }
}

/// The classful-era class of an IPv4 address, from its leading bits.
///
/// See: RFC 791 §3.2 (A, B, C), RFC 1112 §4 (D multicast, E reserved).
fn class(address: Ipv4Addr) -> char {
    match address.octets()[0].leading_ones() {
        0 => 'A',
        1 => 'B',
        2 => 'C',
        3 => 'D',
        _ => 'E',
    }
}

/// An address in binary: IPv4 as dotted octets, IPv6 as colon-separated
/// 16-bit groups, with `|` between bit `prefix` and the next.
pub fn binary(address: IpAddr, prefix: u8) -> String {
    let (bits, group) = match address {
        IpAddr::V4(_) => (32u32, 8u32),
        IpAddr::V6(_) => (128, 16),
    };
    let separator = if group == 8 { '.' } else { ':' };
    let value = value(address);
    let mut out = String::with_capacity(bits as usize + 2 * (bits / group) as usize + 1);
    for i in 0..bits {
        if i == u32::from(prefix) {
            out.push('|');
        } else if i > 0 && i % group == 0 {
            out.push(separator);
        }
        let bit = value >> (bits - 1 - i) & 1;
        out.push(if bit == 1 { '1' } else { '0' });
    }
    if u32::from(prefix) == bits {
        out.push('|');
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::parse::parse_net;

    use super::*;

    fn info(input: &str) -> Info {
        Info::new(input, &parse_net(input).unwrap())
    }

    #[test]
    fn ipv4_slash_24() {
        let i = info("10.11.12.13/24");
        assert_eq!(i.network.to_string(), "10.11.12.0");
        assert_eq!(i.cidr.to_string(), "10.11.12.0/24");
        assert_eq!(i.broadcast.unwrap().to_string(), "10.11.12.255");
        assert_eq!(i.netmask.to_string(), "255.255.255.0");
        assert_eq!(i.hostmask.to_string(), "0.0.0.255");
        assert_eq!(i.first_host.to_string(), "10.11.12.1");
        assert_eq!(i.last_host.to_string(), "10.11.12.254");
        assert_eq!(
            (i.total_addresses.get(), i.usable_hosts.get()),
            (Some(256), Some(254))
        );
        assert_eq!(i.class, Some('A'));
        assert_eq!(i.kind, "private");
        assert_eq!(
            i.binary,
            "00001010.00001011.00001100.|00001101".replace(".|", "|")
        );
        assert_eq!(i.host_number(), 13);
    }

    #[test]
    fn point_to_point_and_host_routes() {
        let i = info("192.0.2.4/31");
        assert_eq!(
            (i.first_host.to_string(), i.last_host.to_string()),
            ("192.0.2.4".into(), "192.0.2.5".into())
        );
        assert_eq!(i.usable_hosts.get(), Some(2));
        let i = info("192.0.2.4");
        assert_eq!(
            (i.total_addresses.get(), i.usable_hosts.get()),
            (Some(1), Some(1))
        );
        assert_eq!(i.first_host, i.last_host);
        let i = info("2001:db8::1");
        assert_eq!(
            (i.total_addresses.get(), i.usable_hosts.get()),
            (Some(1), Some(1))
        );
    }

    #[test]
    fn ipv6_has_no_broadcast_and_counts_every_address() {
        let i = info("2001:db8::1/64");
        assert_eq!(i.broadcast, None);
        assert_eq!(i.class, None);
        assert_eq!(i.first_host.to_string(), "2001:db8::");
        assert_eq!(i.last_host.to_string(), "2001:db8::ffff:ffff:ffff:ffff");
        assert_eq!(i.total_addresses.get(), Some(1 << 64));
        assert_eq!(i.usable_hosts.get(), Some(1 << 64));
        assert_eq!(i.netmask.to_string(), "ffff:ffff:ffff:ffff::");
    }

    #[test]
    fn the_whole_ipv6_space_is_counted_exactly_in_json() {
        use serde_json::value::RawValue;
        use std::collections::HashMap;

        let i = info("::/0");
        assert_eq!(i.total_addresses.get(), None);
        let text = serde_json::to_string(&i).unwrap();
        let fields: HashMap<String, Box<RawValue>> = serde_json::from_str(&text).unwrap();
        // 2^128 = u128::MAX + 1: the digits of u128::MAX with the last one raised by one.
        let max = u128::MAX.to_string();
        let expected = format!("{}6", &max[..max.len() - 1]);
        assert!(max.ends_with('5'));
        assert_eq!(fields["total_addresses"].get(), expected);
        assert_eq!(fields["usable_hosts"].get(), expected);
        assert_eq!(fields["broadcast"].get(), "null");
        let small: HashMap<String, Box<RawValue>> =
            serde_json::from_str(&serde_json::to_string(&info("2001:db8::/32")).unwrap()).unwrap();
        assert_eq!(small["total_addresses"].get(), (1u128 << 96).to_string());
    }

    #[test]
    fn classes() {
        for (address, expected) in [
            ("1.0.0.0", 'A'),
            ("128.0.0.0", 'B'),
            ("192.0.0.0", 'C'),
            ("224.0.0.1", 'D'),
            ("255.0.0.1", 'E'),
        ] {
            assert_eq!(info(address).class, Some(expected));
        }
    }

    #[test]
    fn binary_marks_the_prefix() {
        let a: IpAddr = "255.0.0.1".parse().unwrap();
        assert_eq!(binary(a, 0), "|11111111.00000000.00000000.00000001");
        assert_eq!(binary(a, 12), "11111111.0000|0000.00000000.00000001");
        assert_eq!(binary(a, 32), "11111111.00000000.00000000.00000001|");
    }
}
