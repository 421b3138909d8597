//! Splitting a network: into subnets of one prefix length, into a count of
//! equal subnets, or by host counts (VLSM, largest request first).

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::error::Error;
use crate::parse::bounds;

/// The most subnets one split lists: more is surely a typo (`/8` into `/32`).
pub const MAX_SUBNETS: u128 = 65_536;

/// What a split produced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Split {
    /// The subnets, in address order.
    pub networks: Vec<IpNet>,
    /// With `--hosts`: which request got which subnet, in allocation order
    /// (largest first, which is also address order).
    pub allocations: Option<Vec<Allocation>>,
    /// With `--hosts`: the requests that did not fit, largest first.
    pub unallocated: Vec<u128>,
}

/// One `--hosts` request and the subnet it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Allocation {
    /// The number of hosts asked for.
    pub hosts: u128,
    /// The subnet given to it.
    #[serde(serialize_with = "crate::render::display")]
    pub network: IpNet,
}

/// Split `network` into its subnets of length `prefix`.
pub fn by_prefix(network: &IpNet, prefix: u8) -> Result<Split, Error> {
    let network = network.trunc();
    let max = network.max_prefix_len();
    if prefix < network.prefix_len() || prefix > max {
        return Err(fail(
            &network,
            format!(
                "prefix /{prefix} is not between /{} and /{max}",
                network.prefix_len()
            ),
        ));
    }
    let count = 1u128
        .checked_shl(u32::from(prefix - network.prefix_len()))
        .unwrap_or(u128::MAX);
    check_count(&network, count)?;
    let networks = match network.subnets(prefix) {
        Ok(subnets) => subnets.collect(),
        Err(_) => return Err(fail(&network, format!("prefix /{prefix} is out of range"))),
    };
    Ok(Split {
        networks,
        ..Split::default()
    })
}

/// Split `network` into `count` equal subnets: the smallest power-of-two split
/// that gives at least `count`, of which the first `count` are listed.
pub fn by_count(network: &IpNet, count: u128) -> Result<Split, Error> {
    let network = network.trunc();
    if count == 0 {
        return Err(fail(&network, "count 0: must be at least 1".to_string()));
    }
    check_count(&network, count)?;
    let extra_bits = count.next_power_of_two().trailing_zeros();
    let prefix = u32::from(network.prefix_len()) + extra_bits;
    if prefix > u32::from(network.max_prefix_len()) {
        return Err(fail(
            &network,
            format!("count {count}: more subnets than addresses"),
        ));
    }
    let mut split = by_prefix(&network, prefix as u8)?;
    split.networks.truncate(count as usize);
    Ok(split)
}

/// VLSM: give each request the smallest subnet with that many usable hosts,
/// largest request first, packed from the start of `network`. Requests that do
/// not fit are reported, not fatal; smaller ones after them may still fit.
///
/// Usable hosts per subnet follow the info mode: IPv4 loses the network and
/// broadcast addresses except in a /31 (two hosts, RFC 3021) and a /32 (one);
/// IPv6 counts every address.
pub fn by_hosts(network: &IpNet, hosts: &[u128]) -> Result<Split, Error> {
    let network = network.trunc();
    if hosts.contains(&0) {
        return Err(fail(&network, "hosts 0: must be at least 1".to_string()));
    }
    let v6 = matches!(network, IpNet::V6(_));
    let (start, end) = bounds(&network);
    let mut requests = hosts.to_vec();
    requests.sort_unstable_by(|a, b| b.cmp(a));
    let mut split = Split::default();
    let mut allocations = Vec::new();
    // The next free address; `None` once the network is full. Blocks are
    // handed out largest first, so `next` stays aligned to every later block.
    let mut next = Some(start);
    for hosts in requests {
        let host_bits = host_bits_for(v6, hosts);
        let fits = next.filter(|&from| {
            u32::from(network.max_prefix_len() - network.prefix_len()) >= host_bits
                && end - from >= block_span(host_bits)
        });
        let Some(from) = fits else {
            split.unallocated.push(hosts);
            continue;
        };
        let prefix = (u32::from(network.max_prefix_len()) - host_bits) as u8;
        let subnet = block(v6, from, prefix);
        split.networks.push(subnet);
        allocations.push(Allocation {
            hosts,
            network: subnet,
        });
        next = (from + block_span(host_bits))
            .checked_add(1)
            .filter(|&n| n <= end);
    }
    split.allocations = Some(allocations);
    Ok(split)
}

/// Host bits of the smallest block with `hosts` usable addresses.
fn host_bits_for(v6: bool, hosts: u128) -> u32 {
    let needed = match (v6, hosts) {
        (true, n) | (false, n @ 1..=2) => n,
        // Network and broadcast addresses come on top (RFC 919, RFC 922).
        (false, n) => n.saturating_add(2),
    };
    match needed.checked_next_power_of_two() {
        Some(size) => size.trailing_zeros(),
        None => 128,
    }
}

/// The last offset of a block with `host_bits` host bits (its size minus one).
fn block_span(host_bits: u32) -> u128 {
    u128::MAX.checked_shr(128 - host_bits).unwrap_or(0)
}

/// The network at integer `start` with `prefix` (aligned by construction).
fn block(v6: bool, start: u128, prefix: u8) -> IpNet {
    if v6 {
        IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::from(start), prefix))
    } else {
        IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::from(start as u32), prefix))
    }
}

/// Refuse splits that would list more than [`MAX_SUBNETS`].
fn check_count(network: &IpNet, count: u128) -> Result<(), Error> {
    if count > MAX_SUBNETS {
        return Err(fail(
            network,
            format!("{count} subnets is more than the {MAX_SUBNETS} a split lists"),
        ));
    }
    Ok(())
}

fn fail(network: &IpNet, why: String) -> Error {
    Error::Split {
        network: network.to_string(),
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> IpNet {
        text.parse().unwrap()
    }

    fn texts(split: &Split) -> Vec<String> {
        split.networks.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn by_prefix_lists_every_subnet() {
        let split = by_prefix(&net("10.0.0.7/24"), 26).unwrap();
        assert_eq!(
            texts(&split),
            [
                "10.0.0.0/26",
                "10.0.0.64/26",
                "10.0.0.128/26",
                "10.0.0.192/26"
            ]
        );
        assert_eq!(
            texts(&by_prefix(&net("10.0.0.0/24"), 24).unwrap()),
            ["10.0.0.0/24"]
        );
        assert!(by_prefix(&net("10.0.0.0/24"), 23).is_err());
        assert!(by_prefix(&net("10.0.0.0/24"), 33).is_err());
        let too_many = by_prefix(&net("10.0.0.0/8"), 32).unwrap_err().to_string();
        assert!(too_many.contains("16777216 subnets"), "{too_many}");
        assert!(by_prefix(&net("::/0"), 128).is_err());
    }

    #[test]
    fn by_count_rounds_up_to_a_power_of_two() {
        let split = by_count(&net("10.0.0.0/24"), 3).unwrap();
        assert_eq!(
            texts(&split),
            ["10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26"]
        );
        assert_eq!(
            texts(&by_count(&net("10.0.0.0/24"), 1).unwrap()),
            ["10.0.0.0/24"]
        );
        assert!(by_count(&net("10.0.0.0/31"), 4).is_err());
        assert!(by_count(&net("10.0.0.0/24"), 0).is_err());
    }

    #[test]
    fn by_hosts_allocates_largest_first_and_reports_leftovers() {
        let split = by_hosts(&net("192.168.0.0/24"), &[10, 100, 50, 300, 2]).unwrap();
        assert_eq!(
            texts(&split),
            [
                "192.168.0.0/25",
                "192.168.0.128/26",
                "192.168.0.192/28",
                "192.168.0.208/31"
            ]
        );
        let hosts: Vec<u128> = split.allocations.unwrap().iter().map(|a| a.hosts).collect();
        assert_eq!(hosts, [100, 50, 10, 2]);
        assert_eq!(split.unallocated, [300]);
    }

    #[test]
    fn by_hosts_block_sizes() {
        assert_eq!(host_bits_for(false, 1), 0);
        assert_eq!(host_bits_for(false, 2), 1);
        assert_eq!(host_bits_for(false, 3), 3);
        assert_eq!(host_bits_for(false, 254), 8);
        assert_eq!(host_bits_for(false, 255), 9);
        assert_eq!(host_bits_for(true, 256), 8);
        assert_eq!(host_bits_for(true, u128::MAX), 128);
        let split = by_hosts(&net("10.0.0.0/30"), &[2, 2, 1]).unwrap();
        assert_eq!(texts(&split), ["10.0.0.0/31", "10.0.0.2/31"]);
        assert_eq!(split.unallocated, [1]);
        let split = by_hosts(&net("::/0"), &[u128::MAX, 1]).unwrap();
        assert_eq!(texts(&split), ["::/0"]);
        assert_eq!(split.unallocated, [1]);
        assert!(by_hosts(&net("10.0.0.0/24"), &[0]).is_err());
    }
}
