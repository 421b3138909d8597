//! subnet-calc's readers: the info inputs (`A/P`, `A/NETMASK`, `A NETMASK`,
//! argument pairing) and aggregate's byte-level line parser, which must agree
//! with the full parser on every line it accepts.

#![no_main]

use libfuzzer_sys::fuzz_target;
use subnet_calc::parse::{fast_v4, parse_net};
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
    let mut aggregator = Aggregator::new();
    for line in data.split(|&b| b == b'\n') {
        let _ = aggregator.push_line(line);
    }
    let _ = aggregator.finish();
});
