//! Sets of addresses as sorted integer ranges: `aggregate`, `range`,
//! `exclude`, `common` and `diff`, each ending in the minimal list of CIDR
//! blocks that covers the set exactly. IPv4 and IPv6 are kept apart; IPv4 comes first.
//!
//! `aggregate` is the hot path (a million prefixes from stdin): IPv4 blocks are
//! packed into one `u64` each (start in the high half, end in the low half), so
//! that one unstable sort puts them in order and one pass merges them.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Subnets, Ipv6Subnets};

use crate::error::Error;
use crate::parse::{Block, bounds, fast_v4, parse_block, range_block};

/// Collects networks and ranges of both families and aggregates them.
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

    /// Add one input line (a network, an address, `A/NETMASK`, a range `A-B`...);
    /// the host bits of `10.1.2.3/8` are dropped, so it stands for `10.0.0.0/8`.
    /// `a.b.c.d/p` takes the byte-level path; anything else is decoded (lossily,
    /// so that a bad line is named in the error) and parsed in full.
    pub fn push_line(&mut self, line: impl AsRef<[u8]>) -> Result<(), Error> {
        let line = line.as_ref();
        match fast_v4(line) {
            Some((start, prefix)) => {
                let end = start | host_mask_v4(prefix);
                self.v4.push(u64::from(start) << 32 | u64::from(end));
            }
            None => self.push(parse_block(&String::from_utf8_lossy(line))?),
        }
        Ok(())
    }

    /// Add one block.
    pub fn push(&mut self, block: Block) {
        if block.v6 {
            self.v6.push((block.start, block.end));
        } else {
            // IPv4 bounds fit 32 bits by construction.
            self.v4.push((block.start as u64) << 32 | block.end as u64);
        }
    }

    /// The union of everything added, as a set.
    pub fn finish_set(mut self) -> Set {
        sort_by_start(&mut self.v4);
        let mut v4: Vec<(u128, u128)> = Vec::new();
        for &block in &self.v4 {
            let (start, end) = (u128::from(block >> 32), u128::from(block & 0xffff_ffff));
            match v4.last_mut() {
                Some((_, last)) if start <= *last + 1 => *last = (*last).max(end),
                _ => v4.push((start, end)),
            }
        }
        Set {
            v4,
            v6: merge(self.v6),
        }
    }

    /// The minimal exact cover of everything added, IPv4 first, in address order.
    pub fn finish(self) -> Vec<IpNet> {
        self.finish_set().networks()
    }
}

/// A set of addresses of both families, each as sorted ranges that neither
/// overlap nor touch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Set {
    /// IPv4 ranges (values in the low 32 bits).
    pub v4: Vec<(u128, u128)>,
    /// IPv6 ranges.
    pub v6: Vec<(u128, u128)>,
}

impl Set {
    /// The ranges of one family.
    pub fn family(&self, v6: bool) -> &[(u128, u128)] {
        if v6 { &self.v6 } else { &self.v4 }
    }

    /// The addresses in both sets.
    pub fn common(&self, other: &Set) -> Set {
        Set {
            v4: intersect(&self.v4, &other.v4),
            v6: intersect(&self.v6, &other.v6),
        }
    }

    /// The addresses in exactly one of the two sets (symmetric difference).
    pub fn diff(&self, other: &Set) -> Set {
        let one_side = |a: &[(u128, u128)], b: &[(u128, u128)]| {
            let mut both = subtract(a, b);
            both.extend(subtract(b, a));
            merge(both)
        };
        Set {
            v4: one_side(&self.v4, &other.v4),
            v6: one_side(&self.v6, &other.v6),
        }
    }

    /// Whether the set holds no address.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// The minimal exact cover, IPv4 first, in address order.
    pub fn networks(&self) -> Vec<IpNet> {
        let mut networks = Vec::new();
        for v6 in [false, true] {
            for &(start, end) in self.family(v6) {
                cover_into(v6, start, end, &mut networks);
            }
        }
        networks
    }
}

/// The addresses from `start` to `end` (both of one family).
pub fn range(start_text: &str, end_text: &str) -> Result<Set, Error> {
    let block = range_block(start_text, end_text)?;
    let mut aggregator = Aggregator::new();
    aggregator.push(block);
    Ok(aggregator.finish_set())
}

/// `network` minus every one of `excluded` (networks or ranges). Excluded
/// blocks may overlap each other or reach outside `network`, but must be of
/// its family.
pub fn exclude(network: &IpNet, excluded: &[(String, Block)]) -> Result<Set, Error> {
    let v6 = matches!(network, IpNet::V6(_));
    if let Some((input, _)) = excluded.iter().find(|(_, b)| b.v6 != v6) {
        return Err(Error::Family {
            input: input.clone(),
            network: network.to_string(),
        });
    }
    let holes = merge(excluded.iter().map(|(_, b)| (b.start, b.end)).collect());
    let left = subtract(&[bounds(network)], &holes);
    Ok(if v6 {
        Set {
            v6: left,
            ..Set::default()
        }
    } else {
        Set {
            v4: left,
            ..Set::default()
        }
    })
}

/// The addresses of `a` that are not in `b`; both sorted and disjoint.
pub fn subtract(a: &[(u128, u128)], b: &[(u128, u128)]) -> Vec<(u128, u128)> {
    let mut out = Vec::new();
    let mut j = 0;
    for &(start, end) in a {
        while j < b.len() && b[j].1 < start {
            j += 1;
        }
        let mut from = Some(start);
        while let (Some(f), Some(&(hole_start, hole_end))) = (from, b.get(j)) {
            if hole_start > end {
                break;
            }
            if hole_start > f {
                out.push((f, hole_start - 1));
            }
            if hole_end >= end {
                // This hole may reach into the next range of `a`: keep it.
                from = None;
            } else {
                from = Some(hole_end + 1);
                j += 1;
            }
        }
        if let Some(f) = from {
            out.push((f, end));
        }
    }
    out
}

/// The addresses in both `a` and `b`; both sorted and disjoint.
pub fn intersect(a: &[(u128, u128)], b: &[(u128, u128)]) -> Vec<(u128, u128)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while let (Some(&(a_start, a_end)), Some(&(b_start, b_end))) = (a.get(i), b.get(j)) {
        let (start, end) = (a_start.max(b_start), a_end.min(b_end));
        if start <= end {
            out.push((start, end));
        }
        if a_end < b_end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
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
            texts(&range("10.0.0.1", "10.0.0.6").unwrap().networks()),
            ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]
        );
        assert_eq!(
            texts(&range("0.0.0.0", "255.255.255.255").unwrap().networks()),
            ["0.0.0.0/0"]
        );
        assert_eq!(
            texts(
                &range("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
                    .unwrap()
                    .networks()
            ),
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
        let holes: Vec<(String, Block)> = holes
            .iter()
            .map(|h| (h.to_string(), parse_block(h).unwrap()))
            .collect();
        let network = crate::parse::parse_net(network).unwrap().trunc();
        exclude(&network, &holes).map(|set| texts(&set.networks()))
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

    fn set(lines: &[&str]) -> Set {
        let mut aggregator = Aggregator::new();
        for line in lines {
            aggregator.push_line(line).unwrap();
        }
        aggregator.finish_set()
    }

    #[test]
    fn common_and_diff() {
        let a = set(&["10.0.0.0/24", "10.0.2.0/24", "2001:db8::/32"]);
        let b = set(&["10.0.0.128 - 10.0.2.9", "2001:db8:8000::/33", "::1"]);
        assert_eq!(
            texts(&a.common(&b).networks()),
            [
                "10.0.0.128/25",
                "10.0.2.0/29",
                "10.0.2.8/31",
                "2001:db8:8000::/33"
            ]
        );
        let diff = texts(&a.diff(&b).networks());
        assert_eq!(diff[..2], ["10.0.0.0/25", "10.0.1.0/24"]);
        assert_eq!(diff.last().unwrap(), "2001:db8::/33");
        assert!(diff.contains(&"::1/128".to_string()));
        assert!(a.diff(&a).is_empty());
        assert_eq!(a.common(&a), a);
    }

    #[test]
    fn subtract_keeps_a_hole_that_spans_ranges() {
        assert_eq!(
            subtract(&[(0, 9), (20, 29)], &[(5, 24)]),
            [(0, 4), (25, 29)]
        );
        assert_eq!(subtract(&[(0, u128::MAX)], &[(1, u128::MAX)]), [(0, 0)]);
        assert_eq!(
            intersect(&[(0, 9), (20, 29)], &[(5, 24)]),
            [(5, 9), (20, 24)]
        );
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
