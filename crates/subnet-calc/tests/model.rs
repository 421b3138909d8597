//! Property tests: info, aggregate, range, exclude, common, diff, free, list
//! and reverse checked against a plain integer model (masks by shifting; sets
//! as a bitmap over a 1024-address window), and arbitrary input through every
//! mode without a panic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use clap::Parser;
use ipnet::IpNet;
use netlens_core::{Ctx, Failure};
use proptest::prelude::*;
use subnet_calc::{Args, Info, parse, reverse, sets, walk};

/// The window every set test lives in: 2^10 addresses.
const WINDOW_BITS: u32 = 10;
const WINDOW: usize = 1 << WINDOW_BITS;

/// Window starts at the bottom, middle and top of each family's space.
const V4_BASES: [u128; 3] = [0, 0x0a00_0000, 0xffff_fc00];
const V6_BASES: [u128; 3] = [0, 0x2001_0db8 << 96, u128::MAX - 0x3ff];

fn bits(v6: bool) -> u32 {
    if v6 { 128 } else { 32 }
}

fn address(v6: bool, value: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(value))
    } else {
        IpAddr::V4(Ipv4Addr::from(value as u32))
    }
}

/// A block inside the window, as text: a random offset and a prefix at least
/// as long as the window's, host bits left in (the tools must drop them).
fn block_text(v6: bool, base: u128, offset: u32, host_bits: u32) -> String {
    let prefix = bits(v6) - host_bits;
    format!("{}/{prefix}", address(v6, base + u128::from(offset)))
}

/// The model's set of a block: its offsets within the window marked.
fn mark(set: &mut [bool], offset: u32, host_bits: u32) {
    let start = (offset >> host_bits << host_bits) as usize;
    set[start..start + (1 << host_bits)].fill(true);
}

/// Fewest aligned blocks covering exactly the marked offsets of `set[from..from+len]`:
/// the whole block if all of it is marked, nothing if none, else the two halves.
fn minimal_blocks(set: &[bool], from: usize, len: usize) -> usize {
    let part = &set[from..from + len];
    if part.iter().all(|&b| b) {
        1
    } else if !part.iter().any(|&b| b) {
        0
    } else {
        minimal_blocks(set, from, len / 2) + minimal_blocks(set, from + len / 2, len / 2)
    }
}

/// Check that `networks` cover exactly the marked offsets of the window at
/// `base`, in order, without overlap, with as few blocks as can be.
fn assert_exact_minimal_cover(networks: &[IpNet], v6: bool, base: u128, set: &[bool]) {
    let mut covered = vec![false; WINDOW];
    let mut previous_end: Option<u128> = None;
    for network in networks {
        assert_eq!(
            matches!(network, IpNet::V6(_)),
            v6,
            "{network} of the wrong family"
        );
        assert_eq!(network.addr(), network.network(), "{network} has host bits");
        let (start, end) = parse::bounds(network);
        assert!(
            start >= base && end - base < WINDOW as u128,
            "{network} outside the window"
        );
        if let Some(previous) = previous_end {
            assert!(start > previous, "{network} out of order or overlapping");
        }
        previous_end = Some(end);
        covered[(start - base) as usize..=(end - base) as usize].fill(true);
    }
    assert_eq!(covered, set, "cover differs from the set: {networks:?}");
    assert_eq!(
        networks.len(),
        minimal_blocks(set, 0, WINDOW),
        "not minimal: {networks:?}"
    );
}

/// One list entry in the window: a block `(offset, host bits)` or a range of two offsets.
#[derive(Debug, Clone)]
enum Entry {
    Block(u32, u32),
    Range(u32, u32),
}

fn entries() -> impl Strategy<Value = Vec<Entry>> {
    let entry = prop_oneof![
        (0..WINDOW as u32, 0..=WINDOW_BITS).prop_map(|(o, h)| Entry::Block(o, h)),
        (0..WINDOW as u32, 0..WINDOW as u32).prop_map(|(a, b)| Entry::Range(a.min(b), a.max(b))),
    ];
    prop::collection::vec(entry, 0..16)
}

/// A list's model bitmap, and the tool's set of the same entries as text lines.
fn model_list(v6: bool, base: u128, entries: &[Entry]) -> (Vec<bool>, sets::Set) {
    let mut set = vec![false; WINDOW];
    let mut aggregator = sets::Aggregator::new();
    for entry in entries {
        let line = match *entry {
            Entry::Block(offset, host_bits) => {
                mark(&mut set, offset, host_bits);
                block_text(v6, base, offset, host_bits)
            }
            Entry::Range(from, to) => {
                set[from as usize..=to as usize].fill(true);
                let (a, b) = (base + u128::from(from), base + u128::from(to));
                format!("{} - {}", address(v6, a), address(v6, b))
            }
        };
        aggregator.push_line(line).unwrap();
    }
    (set, aggregator.finish_set())
}

/// The first address and prefix length of a reverse zone, read back from its name.
fn zone_block(v6: bool, zone: &str) -> (u128, u32) {
    let (apex, unit, radix) = if v6 {
        ("ip6.arpa", 4, 16)
    } else {
        ("in-addr.arpa", 8, 10)
    };
    let rest = zone.strip_suffix(apex).expect("apex");
    let labels: Vec<&str> = rest.split_terminator('.').rev().collect();
    let width = bits(v6);
    let mut value = 0u128;
    let mut prefix = 0;
    for label in labels {
        let (digits, classless) = match label.split_once('/') {
            Some((d, p)) => (d, Some(p.parse::<u32>().unwrap())),
            None => (label, None),
        };
        value |= u128::from_str_radix(digits, radix).unwrap() << (width - prefix - unit);
        prefix = classless.unwrap_or(prefix + unit);
    }
    (value, prefix)
}

fn family_and_base() -> impl Strategy<Value = (bool, u128)> {
    (any::<bool>(), 0..3usize).prop_map(|(v6, i)| (v6, if v6 { V6_BASES[i] } else { V4_BASES[i] }))
}

fn blocks() -> impl Strategy<Value = Vec<(u32, u32)>> {
    prop::collection::vec((0..WINDOW as u32, 0..=WINDOW_BITS), 0..24)
}

/// Run the tool's `run` on a command line and stdin, as the binary would.
fn run_tool(argv: &[&str], stdin: &str) -> (i32, String, String) {
    let Ok(args) = Args::try_parse_from(std::iter::once("subnet-calc").chain(argv.iter().copied()))
    else {
        return (2, String::new(), String::new());
    };
    let (mut ctx, captured) = Ctx::capture("subnet-calc", &args.common, stdin);
    let code = match subnet_calc::run(args, &mut ctx) {
        Ok(code) => code,
        Err(error) => error.exit_code(),
    };
    (code.code(), captured.stdout(), captured.stderr())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn info_matches_the_integer_model(raw in any::<u128>(), v6 in any::<bool>(), prefix_seed in any::<u8>()) {
        let width = bits(v6);
        let value = if v6 { raw } else { raw & 0xffff_ffff };
        let prefix = u32::from(prefix_seed) % (width + 1);
        let host_bits = width - prefix;
        let host_mask = if host_bits == 128 { u128::MAX } else { (1u128 << host_bits) - 1 };
        let width_mask = if v6 { u128::MAX } else { 0xffff_ffff };
        let net_mask = width_mask & !host_mask;
        let network = value & net_mask;
        let last = network | host_mask;

        let text = format!("{}/{prefix}", address(v6, value));
        let info = Info::new(&text, &parse::parse_net(&text).unwrap());
        prop_assert_eq!(info.address, address(v6, value));
        prop_assert_eq!(info.network, address(v6, network));
        prop_assert_eq!(info.netmask, address(v6, net_mask));
        prop_assert_eq!(info.hostmask, address(v6, host_mask));
        prop_assert_eq!(info.cidr.to_string(), format!("{}/{prefix}", address(v6, network)));
        prop_assert_eq!(info.broadcast, (!v6).then(|| address(v6, last)));
        let total = 1u128.checked_shl(host_bits);
        prop_assert_eq!(info.total_addresses.get(), total);
        let (first_host, last_host, usable) = match (v6, host_bits) {
            (true, _) | (false, 0..=1) => (network, last, total),
            (false, _) => (network + 1, last - 1, total.map(|t| t - 2)),
        };
        prop_assert_eq!(info.first_host, address(v6, first_host));
        prop_assert_eq!(info.last_host, address(v6, last_host));
        prop_assert_eq!(info.usable_hosts.get(), usable);
        prop_assert_eq!(info.host_number(), value & host_mask);
        let binary_bits: String = info.binary.chars().filter(|c| *c == '0' || *c == '1').collect();
        prop_assert_eq!(binary_bits, format!("{value:0w$b}", w = width as usize));
        prop_assert_eq!(info.binary.find('|').map(|i| info.binary[..i].matches(['0', '1']).count()), Some(prefix as usize));

        if !v6 {
            // The netmask forms describe the same network.
            for form in [
                format!("{}/{}", address(v6, value), address(v6, net_mask)),
                format!("{} {}", address(v6, value), address(v6, net_mask)),
            ] {
                let other = Info::new(&text, &parse::parse_net(&form).unwrap());
                prop_assert_eq!(&other, &info);
            }
        }
    }

    #[test]
    fn aggregate_is_the_exact_minimal_cover((v6, base) in family_and_base(), blocks in blocks()) {
        let mut set = vec![false; WINDOW];
        let mut aggregator = sets::Aggregator::new();
        for &(offset, host_bits) in &blocks {
            mark(&mut set, offset, host_bits);
            aggregator.push_line(block_text(v6, base, offset, host_bits)).unwrap();
        }
        assert_exact_minimal_cover(&aggregator.finish(), v6, base, &set);
    }

    #[test]
    fn aggregate_keeps_families_apart(v4_blocks in blocks(), v6_blocks in blocks()) {
        let (v4_base, v6_base) = (V4_BASES[1], V6_BASES[1]);
        let mut lines = Vec::new();
        let (mut v4_set, mut v6_set) = (vec![false; WINDOW], vec![false; WINDOW]);
        for &(offset, host_bits) in &v4_blocks {
            mark(&mut v4_set, offset, host_bits);
            lines.push(block_text(false, v4_base, offset, host_bits));
        }
        for &(offset, host_bits) in &v6_blocks {
            mark(&mut v6_set, offset, host_bits);
            lines.push(block_text(true, v6_base, offset, host_bits));
        }
        lines.sort(); // interleave the families
        let mut aggregator = sets::Aggregator::new();
        for line in &lines {
            aggregator.push_line(line).unwrap();
        }
        let networks = aggregator.finish();
        let split = networks.iter().position(|n| matches!(n, IpNet::V6(_))).unwrap_or(networks.len());
        assert_exact_minimal_cover(&networks[..split], false, v4_base, &v4_set);
        assert_exact_minimal_cover(&networks[split..], true, v6_base, &v6_set);
    }

    #[test]
    fn range_is_the_exact_minimal_cover((v6, base) in family_and_base(), a in 0..WINDOW, b in 0..WINDOW) {
        let (from, to) = (a.min(b), a.max(b));
        let mut set = vec![false; WINDOW];
        set[from..=to].fill(true);
        let start = address(v6, base + from as u128).to_string();
        let end = address(v6, base + to as u128).to_string();
        assert_exact_minimal_cover(&sets::range(&start, &end).unwrap().networks(), v6, base, &set);
        if from != to {
            prop_assert!(sets::range(&end, &start).is_err());
        }
    }

    #[test]
    fn exclude_is_the_exact_minimal_cover(
        (v6, base) in family_and_base(),
        (offset, host_bits) in (0..WINDOW as u32, 0..=WINDOW_BITS),
        holes in blocks(),
    ) {
        let mut set = vec![false; WINDOW];
        mark(&mut set, offset, host_bits);
        let mut removed = vec![false; WINDOW];
        let mut excluded = Vec::new();
        for &(hole, hole_bits) in &holes {
            mark(&mut removed, hole, hole_bits);
            let text = block_text(v6, base, hole, hole_bits);
            excluded.push((text.clone(), parse::parse_block(&text).unwrap()));
        }
        for (kept, gone) in set.iter_mut().zip(&removed) {
            *kept &= !gone;
        }
        let network = parse::parse_net(&block_text(v6, base, offset, host_bits)).unwrap().trunc();
        let networks = sets::exclude(&network, &excluded).unwrap().networks();
        assert_exact_minimal_cover(&networks, v6, base, &set);
    }

    #[test]
    fn common_and_diff_are_set_operations(
        (v6, base) in family_and_base(),
        a in entries(),
        b in entries(),
    ) {
        let (a_set, a_list) = model_list(v6, base, &a);
        let (b_set, b_list) = model_list(v6, base, &b);
        let common: Vec<bool> = a_set.iter().zip(&b_set).map(|(x, y)| *x && *y).collect();
        let diff: Vec<bool> = a_set.iter().zip(&b_set).map(|(x, y)| x != y).collect();
        let got = a_list.common(&b_list);
        assert_exact_minimal_cover(&got.networks(), v6, base, &common);
        let got = a_list.diff(&b_list);
        assert_exact_minimal_cover(&got.networks(), v6, base, &diff);
        prop_assert_eq!(got.is_empty(), a_set == b_set);
    }

    #[test]
    fn free_finds_the_first_unused_blocks(
        (v6, base) in family_and_base(),
        used in entries(),
        block_bits in 0..=WINDOW_BITS,
        count in 1..6u128,
    ) {
        let (used_set, used_list) = model_list(v6, base, &used);
        let size = 1usize << block_bits;
        let expected: Vec<String> = (0..WINDOW / size)
            .filter(|i| !used_set[i * size..(i + 1) * size].iter().any(|&u| u))
            .take(count as usize)
            .map(|i| format!("{}/{}", address(v6, base + (i * size) as u128), bits(v6) - block_bits))
            .collect();
        let supernet = parse::parse_net(&block_text(v6, base, 0, WINDOW_BITS)).unwrap();
        let prefix = (bits(v6) - block_bits) as u8;
        let got: Vec<String> = walk::free(&supernet, &used_list, prefix, count)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn list_prints_every_address_in_order(
        (v6, base) in family_and_base(),
        a in 0..WINDOW as u128,
        b in 0..WINDOW as u128,
        limit in prop::option::of(0..2048u128),
    ) {
        let (from, to) = (base + a.min(b), base + a.max(b));
        let text = format!("{} - {}", address(v6, from), address(v6, to));
        let block = parse::parse_block(&text).unwrap();
        let got: Vec<IpAddr> = walk::addresses(&text, block, limit).unwrap().collect();
        let count = (to - from + 1).min(limit.unwrap_or(u128::MAX));
        let expected: Vec<IpAddr> = (0..count).map(|i| address(v6, from + i)).collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn reverse_zones_partition_the_network(raw in any::<u128>(), v6 in any::<bool>(), prefix_seed in any::<u8>()) {
        let width = bits(v6);
        let prefix = u32::from(prefix_seed) % (width + 1);
        let value = if v6 { raw } else { raw & 0xffff_ffff };
        let text = format!("{}/{prefix}", address(v6, value));
        let network = parse::parse_net(&text).unwrap().trunc();
        let (start, end) = parse::bounds(&network);
        let zones = reverse::zones(parse::parse_block(&text).unwrap());
        // Where the zones are cut: octets (nibbles for IPv6), RFC 2317 below /24.
        let cut = match (v6, prefix) {
            (false, 25..) => prefix,
            (false, _) => prefix.div_ceil(8) * 8,
            (true, _) => prefix.div_ceil(4) * 4,
        };
        prop_assert_eq!(zones.len() as u128, 1u128 << (cut - prefix));
        let mut next = Some(start);
        for zone in &zones {
            let (zone_start, zone_prefix) = zone_block(v6, zone);
            prop_assert_eq!(zone_prefix, cut, "{}", zone);
            prop_assert_eq!(Some(zone_start), next, "{} out of order", zone);
            let zone_end = zone_start | u128::MAX.checked_shr(128 - (width - cut)).unwrap_or(0);
            next = zone_end.checked_add(1);
            prop_assert!(zone_end <= end);
        }
        prop_assert_eq!(next, end.checked_add(1));
    }

    #[test]
    fn fast_ipv4_path_agrees_with_the_general_parser(text in "[0-9./]{0,20}|([0-9]{1,3}\\.){3}[0-9]{1,3}(/[0-9]{1,3})?") {
        let general = parse::parse_net(&text).ok().filter(|n| matches!(n, IpNet::V4(_)) && !text.contains(' '));
        let fast = parse::fast_v4(text.as_bytes());
        match (fast, general) {
            (Some((start, prefix)), Some(net)) => {
                prop_assert_eq!(u128::from(start), parse::bounds(&net).0);
                prop_assert_eq!(prefix, net.prefix_len());
            }
            (None, None) => {}
            (fast, general) => prop_assert!(false, "{text:?}: fast {fast:?}, general {general:?}"),
        }
    }

    #[test]
    fn no_input_makes_it_panic(text in "\\PC{0,40}", other in "\\PC{0,40}", n in any::<u8>()) {
        let n = n.to_string();
        for argv in [
            vec![text.as_str()],
            vec!["--json", text.as_str(), other.as_str()],
            vec!["split", text.as_str(), "--prefix", n.as_str()],
            vec!["split", text.as_str(), "--count", n.as_str()],
            vec!["split", text.as_str(), "--hosts", other.as_str()],
            vec!["contains", text.as_str(), other.as_str()],
            vec!["range", text.as_str(), other.as_str()],
            vec!["exclude", text.as_str(), other.as_str()],
            vec!["reverse", text.as_str(), other.as_str()],
            vec!["common", text.as_str(), "--", other.as_str()],
            vec!["diff", text.as_str(), "--", other.as_str()],
            vec!["free", text.as_str(), "--used", other.as_str(), "--prefix", n.as_str()],
            vec!["list", text.as_str(), "--limit", n.as_str()],
            vec!["--json", "aggregate"],
            vec!["contains", "10.0.0.0/8"],
        ] {
            let (code, _, _) = run_tool(&argv, &format!("{text}\n{other}\n"));
            prop_assert!((0..=2).contains(&code), "{argv:?}: exit {code}");
        }
    }

    #[test]
    fn near_miss_addresses_do_not_panic(
        parts in prop::collection::vec(prop_oneof!["[0-9]{1,4}", "[0-9a-f]{0,5}", Just(String::new())], 1..10),
        separators in prop::collection::vec(prop_oneof![Just("."), Just(":"), Just("/"), Just(" "), Just("::")], 1..10),
    ) {
        let mut text = String::new();
        for (part, separator) in parts.iter().zip(separators.iter().cycle()) {
            text.push_str(part);
            text.push_str(separator);
        }
        for argv in [vec![text.as_str()], vec!["aggregate", text.as_str()], vec!["split", text.as_str(), "--hosts", "3,1"]] {
            let (code, _, _) = run_tool(&argv, "");
            prop_assert!((0..=2).contains(&code));
        }
    }
}
