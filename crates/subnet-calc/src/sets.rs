//! Sets of addresses as sorted integer ranges: `aggregate`, `range` and
//! `exclude`, each ending in the minimal list of CIDR blocks that covers the
//! set exactly. IPv4 and IPv6 are kept apart; IPv4 comes first.
//!
//! `aggregate` is the hot path (a million prefixes from stdin): IPv4 blocks are
//! packed into one `u64` each (start in the high half, end in the low half), so
//! that one unstable sort puts them in order and one pass merges them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Subnets, Ipv6Subnets};

use crate::error::Error;
use crate::parse::{bounds, fast_v4, parse_net};

/// Collects networks of both families and aggregates them.
#[derive(Debug, Default)]
pub struct Aggregator {
    /// IPv4 blocks: `start << 32 | end`.
    v4: Vec<u64>,
    /// IPv6 blocks: `(start, end)`.
    v6: Vec<(u128, u128)>,
}

impl Aggregator {
    /// An empty aggregator.
    pub fn new() -> Aggregator {
        Aggregator::default()
    }

    /// Add one input line (a network, an address, `A/NETMASK`...); the host
    /// bits of `10.1.2.3/8` are dropped, so it stands for `10.0.0.0/8`.
    /// `a.b.c.d/p` takes the byte-level path; anything else is decoded (lossily,
    /// so that a bad line is named in the error) and parsed in full.
    pub fn push_line(&mut self, line: impl AsRef<[u8]>) -> Result<(), Error> {
        let line = line.as_ref();
        match fast_v4(line) {
            Some((start, prefix)) => {
                let end = start | host_mask_v4(prefix);
                self.v4.push(u64::from(start) << 32 | u64::from(end));
            }
            None => self.push(&parse_net(&String::from_utf8_lossy(line))?),
        }
        Ok(())
    }

    /// Add one network.
    pub fn push(&mut self, net: &IpNet) {
        let (start, end) = bounds(net);
        match net {
            // IPv4 bounds fit 32 bits by construction.
            IpNet::V4(_) => self.v4.push((start as u64) << 32 | end as u64),
            IpNet::V6(_) => self.v6.push((start, end)),
        }
    }

    /// The minimal exact cover of everything added, IPv4 first, in address order.
    pub fn finish(mut self) -> Vec<IpNet> {
        sort_by_start(&mut self.v4);
        let mut networks = Vec::new();
        let mut current: Option<(u64, u64)> = None;
        for &block in &self.v4 {
            let (start, end) = (block >> 32, block & 0xffff_ffff);
            match &mut current {
                Some((_, last)) if start <= *last + 1 => *last = (*last).max(end),
                _ => {
                    if let Some((s, e)) = current {
                        cover_into(false, s.into(), e.into(), &mut networks);
                    }
                    current = Some((start, end));
                }
            }
        }
        if let Some((s, e)) = current {
            cover_into(false, s.into(), e.into(), &mut networks);
        }
        for (start, end) in merge(self.v6) {
            cover_into(true, start, end, &mut networks);
        }
        networks
    }
}

/// The minimal CIDR list covering exactly `start..=end` (both of one family).
pub fn range(start_text: &str, end_text: &str) -> Result<Vec<IpNet>, Error> {
    let bad = |why| Error::Range {
        start: start_text.to_string(),
        end: end_text.to_string(),
        why,
    };
    let start = crate::parse::parse_addr(start_text)?;
    let end = crate::parse::parse_addr(end_text)?;
    let (v6, start, end) = match (start, end) {
        (IpAddr::V4(s), IpAddr::V4(e)) => (false, u32::from(s).into(), u32::from(e).into()),
        (IpAddr::V6(s), IpAddr::V6(e)) => (true, s.into(), e.into()),
        _ => return Err(bad("start and end of different address families")),
    };
    if start > end {
        return Err(bad("start after end"));
    }
    let mut networks = Vec::new();
    cover_into(v6, start, end, &mut networks);
    Ok(networks)
}

/// `network` minus every one of `excluded`, as the minimal CIDR list.
/// Excluded blocks may overlap each other or reach outside `network`, but
/// must be of its family.
pub fn exclude(network: &IpNet, excluded: &[(String, IpNet)]) -> Result<Vec<IpNet>, Error> {
    let v6 = matches!(network, IpNet::V6(_));
    if let Some((input, _)) = excluded
        .iter()
        .find(|(_, n)| matches!(n, IpNet::V6(_)) != v6)
    {
        return Err(Error::Family {
            input: input.clone(),
            network: network.to_string(),
        });
    }
    let (start, end) = bounds(network);
    let holes = merge(excluded.iter().map(|(_, n)| bounds(n)).collect());
    let mut networks = Vec::new();
    // Walk the holes in order, covering the gaps between them inside `network`.
    let mut next = Some(start);
    for (hole_start, hole_end) in holes {
        let Some(from) = next else { break };
        if hole_end < from || hole_start > end {
            continue;
        }
        if hole_start > from {
            cover_into(v6, from, hole_start - 1, &mut networks);
        }
        next = hole_end.checked_add(1).filter(|&n| n <= end);
    }
    if let Some(from) = next {
        cover_into(v6, from, end, &mut networks);
    }
    Ok(networks)
}

/// Sort packed IPv4 blocks by their start (the high 32 bits): an LSD radix
/// sort in two passes of 16 bits, a few times faster than a comparison sort on
/// a million blocks. Blocks with the same start may end up in any order of
/// their ends: the merge takes the largest end anyway.
fn sort_by_start(blocks: &mut Vec<u64>) {
    const DIGIT: u32 = 16;
    if blocks.len() < 1 << 12 {
        blocks.sort_unstable();
        return;
    }
    let mut scratch = vec![0u64; blocks.len()];
    for shift in [32, 32 + DIGIT] {
        let digit = |block: u64| (block >> shift) as usize & ((1 << DIGIT) - 1);
        let mut offsets = vec![0usize; 1 << DIGIT];
        for &block in blocks.iter() {
            offsets[digit(block)] += 1;
        }
        let mut total = 0;
        for offset in &mut offsets {
            (*offset, total) = (total, total + *offset);
        }
        for &block in blocks.iter() {
            let slot = &mut offsets[digit(block)];
            scratch[*slot] = block;
            *slot += 1;
        }
        std::mem::swap(blocks, &mut scratch);
    }
}

/// Sort ranges and merge the ones that overlap or touch.
pub fn merge(mut ranges: Vec<(u128, u128)>) -> Vec<(u128, u128)> {
    ranges.sort_unstable();
    let mut merged: Vec<(u128, u128)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some((_, last)) if last.checked_add(1).is_none_or(|next| start <= next) => {
                *last = (*last).max(end);
            }
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Append the minimal CIDR blocks covering `start..=end` (ipnet's subnet walk).
fn cover_into(v6: bool, start: u128, end: u128, out: &mut Vec<IpNet>) {
    if v6 {
        let walk = Ipv6Subnets::new(Ipv6Addr::from(start), Ipv6Addr::from(end), 0);
        out.extend(walk.map(IpNet::V6));
    } else {
        // IPv4 values live in the low 32 bits by construction.
        let walk = Ipv4Subnets::new(Ipv4Addr::from(start as u32), Ipv4Addr::from(end as u32), 0);
        out.extend(walk.map(IpNet::V4));
    }
}

/// The host bits of an IPv4 prefix as a mask.
fn host_mask_v4(prefix: u8) -> u32 {
    u32::MAX.checked_shr(u32::from(prefix)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(networks: &[IpNet]) -> Vec<String> {
        networks.iter().map(ToString::to_string).collect()
    }

    fn aggregate(lines: &[&str]) -> Vec<String> {
        let mut aggregator = Aggregator::new();
        for line in lines {
            aggregator.push_line(line).unwrap();
        }
        texts(&aggregator.finish())
    }

    #[test]
    fn aggregate_merges_touching_and_overlapping_blocks() {
        assert_eq!(
            aggregate(&["10.0.0.0/25", "10.0.0.128/25"]),
            ["10.0.0.0/24"]
        );
        assert_eq!(aggregate(&["10.0.0.0/8", "10.1.2.3/32"]), ["10.0.0.0/8"]);
        assert_eq!(aggregate(&["10.0.0.1/24", "10.0.1.0/24"]), ["10.0.0.0/23"]);
        assert_eq!(
            aggregate(&["10.0.1.0/24", "10.0.2.0/24"]),
            ["10.0.1.0/24", "10.0.2.0/24"]
        );
        assert_eq!(aggregate(&["0.0.0.0/1", "128.0.0.0/1"]), ["0.0.0.0/0"]);
        assert_eq!(
            aggregate(&["255.255.255.255", "255.255.255.254"]),
            ["255.255.255.254/31"]
        );
    }

    #[test]
    fn aggregate_keeps_families_apart_ipv4_first() {
        assert_eq!(
            aggregate(&[
                "2001:db8:0:1::/64",
                "10.0.0.1",
                "2001:db8::/64",
                "::/0",
                "10.0.0.0/32"
            ]),
            ["10.0.0.0/31", "::/0"]
        );
        assert_eq!(
            aggregate(&["2001:db8::/33", "10.0.0.0 255.0.0.0", "2001:db8:8000::/33"]),
            ["10.0.0.0/8", "2001:db8::/32"]
        );
    }

    #[test]
    fn aggregate_reports_bad_lines() {
        let mut aggregator = Aggregator::new();
        assert!(aggregator.push_line("10.0.0.0/33").is_err());
        assert!(aggregator.push_line("nonsense").is_err());
    }

    #[test]
    fn ranges() {
        assert_eq!(
            texts(&range("10.0.0.1", "10.0.0.6").unwrap()),
            ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]
        );
        assert_eq!(
            texts(&range("0.0.0.0", "255.255.255.255").unwrap()),
            ["0.0.0.0/0"]
        );
        assert_eq!(
            texts(&range("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").unwrap()),
            ["::/0"]
        );
        assert_eq!(
            range("10.0.0.9", "10.0.0.1").unwrap_err().to_string(),
            "range 10.0.0.9 10.0.0.1: start after end"
        );
        assert!(range("10.0.0.1", "::1").is_err());
        assert!(range("10.0.0.1", "x").is_err());
    }

    fn minus(network: &str, holes: &[&str]) -> Result<Vec<String>, Error> {
        let holes: Vec<(String, IpNet)> = holes
            .iter()
            .map(|h| (h.to_string(), parse_net(h).unwrap()))
            .collect();
        exclude(&parse_net(network).unwrap().trunc(), &holes).map(|n| texts(&n))
    }

    #[test]
    fn excludes() {
        assert_eq!(
            minus("10.0.0.0/24", &["10.0.0.64/26"]).unwrap(),
            ["10.0.0.0/26", "10.0.0.128/25"]
        );
        assert!(minus("10.0.0.0/24", &["10.0.0.0/8"]).unwrap().is_empty());
        assert_eq!(
            minus("10.0.0.0/24", &["10.0.0.255", "10.0.0.0/32"]).unwrap(),
            [
                "10.0.0.1/32",
                "10.0.0.2/31",
                "10.0.0.4/30",
                "10.0.0.8/29",
                "10.0.0.16/28",
                "10.0.0.32/27",
                "10.0.0.64/26",
                "10.0.0.128/26",
                "10.0.0.192/27",
                "10.0.0.224/28",
                "10.0.0.240/29",
                "10.0.0.248/30",
                "10.0.0.252/31",
                "10.0.0.254/32"
            ]
        );
        assert_eq!(minus("::/0", &["8000::/1"]).unwrap(), ["::/1"]);
        assert_eq!(
            minus("::/0", &["10.0.0.0/8"]).unwrap_err().to_string(),
            "10.0.0.0/8: not of the address family of ::/0"
        );
    }

    #[test]
    fn radix_sort_orders_by_start() {
        // Enough blocks to take the radix path; a fixed xorshift sequence.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut blocks: Vec<u64> = (0..10_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            })
            .collect();
        let mut expected: Vec<u64> = blocks.iter().map(|b| b >> 32).collect();
        expected.sort_unstable();
        sort_by_start(&mut blocks);
        assert_eq!(blocks.iter().map(|b| b >> 32).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn merge_handles_the_top_of_the_space() {
        assert_eq!(
            merge(vec![(5, u128::MAX), (0, 4), (7, 9)]),
            [(0, u128::MAX)]
        );
        assert_eq!(merge(vec![(0, 1), (3, 4)]), [(0, 1), (3, 4)]);
    }
}
