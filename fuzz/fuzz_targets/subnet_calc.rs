//! subnet-calc's readers: the info inputs (`A/P`, `A/NETMASK`, `A NETMASK`,
//! argument pairing, `A-B` / `A - B` ranges and their joining), and the list
//! lines (`@FILE`, stdin) with aggregate's byte-level line parser, which must
//! agree with the full parser on every line it accepts. The lines before and
//! after a `--` line are the two lists of `common` and `diff`: the union must
//! be the common part plus the difference; each block's reverse zones, free
//! blocks and first addresses are worked out too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use subnet_calc::parse::{fast_v4, join_ranges, parse_block, parse_net};
use subnet_calc::sets::Aggregator;

fuzz_target!(|data: &[u8]| {
    if let Some((start, prefix)) = fast_v4(data) {
        let text = std::str::from_utf8(data).expect("fast_v4 accepted non-UTF-8");
        let net = parse_net(text).expect("fast_v4 accepted what parse_net rejects");
        assert_eq!(net.prefix_len(), prefix);
        assert_eq!(
            net.network().to_string(),
            std::net::Ipv4Addr::from(start).to_string()
        );
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(net) = parse_net(text) {
        let _ = subnet_calc::Info::new(text, &net);
    }
    let args: Vec<String> = text.split('\n').map(str::to_string).collect();
    for input in subnet_calc::pair_netmasks(&args) {
        if let Ok(net) = parse_net(&input) {
            let _ = subnet_calc::Info::new(&input, &net);
        }
    }
    for input in join_ranges(&args) {
        if let Ok(block) = parse_block(&input) {
            assert!(block.start <= block.end, "{input}: block ends before it starts");
            if let Some(net) = block.network() {
                assert_eq!(parse_net(&net.to_string()).ok(), Some(net));
            }
            let _ = subnet_calc::reverse::zones(block);
            let listed = subnet_calc::walk::addresses(&input, block, Some(4));
            assert!(listed.is_ok_and(|a| a.count() <= 4));
        }
    }
    let mut lists = [Aggregator::new(), Aggregator::new(), Aggregator::new()];
    let mut side = 0;
    for line in data.split(|&b| b == b'\n') {
        if line == b"--" {
            side = 1;
            continue;
        }
        let _ = lists[side].push_line(line);
        let _ = lists[2].push_line(line);
    }
    let [a, b, union] = lists.map(Aggregator::finish_set);
    let mut rebuilt = Aggregator::new();
    for part in [a.common(&b), a.diff(&b)] {
        for net in part.networks() {
            rebuilt.push(subnet_calc::parse::Block::of(&net));
        }
    }
    assert_eq!(rebuilt.finish_set(), union, "common + diff is not the union");
    if let Some(net) = args.first().and_then(|t| parse_net(t).ok()) {
        let prefix = net.prefix_len().saturating_add(2).min(net.max_prefix_len());
        let _ = subnet_calc::walk::free(&net, &union, prefix, 3);
    }
});
