//! Step 4: where the address sits, in subnet-calc's terms: a network number
//! and a host number under a typical prefix, and the address's kind from the
//! IANA special-purpose registries.
//!
//! The real prefix is known only to the network that holds the address, so a
//! typical one is assumed and said so: /24 for IPv4 (a LAN's usual size) and
//! /64 for IPv6 (the size of every IPv6 subnet with SLAAC, RFC 4291 §2.5.1).

use std::net::IpAddr;

use serde::Serialize;
use subnet_calc::Info;

/// The assumed prefix length for an address of this family.
pub fn typical_prefix(address: IpAddr) -> u8 {
    match address {
        IpAddr::V4(_) => 24,
        IpAddr::V6(_) => 64,
    }
}

/// subnet-calc's view of `address` under its typical prefix.
pub fn view(address: IpAddr) -> Placed {
    let prefix = typical_prefix(address);
    let input = format!("{address}/{prefix}");
    // An address and a prefix no longer than its family's always make a network.
    let net = ipnet::IpNet::new(address, prefix).unwrap_or_else(|_| ipnet::IpNet::from(address));
    Placed {
        assumed_prefix: prefix,
        note: note(address, prefix),
        info: Info::new(&input, &net),
    }
}

/// The subnet view, as the `subnet` section of the JSON output.
#[derive(Debug, Serialize)]
pub struct Placed {
    /// The prefix assumed (24 or 64).
    pub assumed_prefix: u8,
    /// Why that prefix.
    pub note: String,
    /// subnet-calc's info object.
    pub info: Info,
}

fn note(address: IpAddr, prefix: u8) -> String {
    let why = match address {
        IpAddr::V4(_) => "a typical LAN",
        IpAddr::V6(_) => "the size of every IPv6 subnet",
    };
    format!(
        "{address} under /{prefix} ({why}); the real prefix is known only to the network that holds it"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_under_24_and_ipv6_under_64() {
        let v4 = view("192.0.2.10".parse().unwrap());
        assert_eq!(v4.assumed_prefix, 24);
        assert_eq!(v4.info.cidr.to_string(), "192.0.2.0/24");
        assert_eq!(v4.info.host_number(), 10);
        assert_eq!(v4.info.kind, "documentation");
        let v6 = view("2001:db8::1".parse().unwrap());
        assert_eq!(v6.info.cidr.to_string(), "2001:db8::/64");
        assert!(v6.note.contains("/64"));
    }
}
