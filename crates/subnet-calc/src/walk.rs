//! Walking the address space: the first free blocks of one size inside a
//! supernet (`free`), and every address of a network or range (`list`).

use std::net::IpAddr;

use ipnet::IpNet;

use crate::error::Error;
use crate::info::Count;
use crate::parse::{Block, addr_of, bounds};
use crate::sets::{Set, subtract};

/// The most addresses `list` prints of one input without `--limit`.
pub const LIST_MAX: u128 = 65_536;

/// The first `count` blocks of length `prefix` inside `supernet` that hold no
/// address of `used`, in address order (fewer when fewer are free).
pub fn free(supernet: &IpNet, used: &Set, prefix: u8, count: u128) -> Result<Vec<IpNet>, Error> {
    let supernet = supernet.trunc();
    let fail = |why: String| Error::Free {
        network: supernet.to_string(),
        why,
    };
    let (shortest, longest) = (supernet.prefix_len(), supernet.max_prefix_len());
    if prefix < shortest || prefix > longest {
        return Err(fail(format!(
            "prefix /{prefix} is not between /{shortest} and /{longest}"
        )));
    }
    if count == 0 {
        return Err(fail("--count must be at least 1".into()));
    }
    let v6 = matches!(supernet, IpNet::V6(_));
    // The block size minus one: its host bits.
    let host_bits = u32::from(longest - prefix);
    let mask = u128::MAX.checked_shr(128 - host_bits).unwrap_or(0);
    let mut found = Vec::new();
    for (start, end) in subtract(&[bounds(&supernet)], used.family(v6)) {
        // The first block boundary at or after `start`.
        let mut next = if start & mask == 0 {
            Some(start)
        } else {
            (start | mask).checked_add(1)
        };
        while let Some(block) = next.filter(|&b| b | mask <= end) {
            if found.len() as u128 == count {
                return Ok(found);
            }
            found.push(IpNet::new(addr_of(v6, block), prefix).expect("prefix checked above"));
            next = (block | mask).checked_add(1);
        }
    }
    Ok(found)
}

/// The addresses of `block` in order: at most `limit`, or, without a limit,
/// all of them if there are no more than [`LIST_MAX`].
pub fn addresses(
    input: &str,
    block: Block,
    limit: Option<u128>,
) -> Result<impl Iterator<Item = IpAddr>, Error> {
    let size = Count::span(block.start, block.end);
    let wanted = match limit {
        Some(limit) => limit,
        None if size.get().is_some_and(|n| n <= LIST_MAX) => LIST_MAX,
        None => {
            return Err(Error::TooMany {
                network: input.trim().to_string(),
                count: size.to_string(),
                max: LIST_MAX,
            });
        }
    };
    let n = size.get().map_or(wanted, |n| n.min(wanted));
    Ok((0..n).map(move |i| addr_of(block.v6, block.start + i)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{parse_block, parse_net};
    use crate::sets::Aggregator;

    fn free_of(supernet: &str, used: &[&str], prefix: u8, count: u128) -> Vec<String> {
        let mut aggregator = Aggregator::new();
        for line in used {
            aggregator.push_line(line).unwrap();
        }
        let used = aggregator.finish_set();
        free(&parse_net(supernet).unwrap(), &used, prefix, count)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn first_free_blocks() {
        assert_eq!(
            free_of("10.0.0.0/16", &["10.0.0.0/24", "10.0.1.5"], 24, 2),
            ["10.0.2.0/24", "10.0.3.0/24"]
        );
        assert_eq!(
            free_of("10.0.0.0/24", &["10.0.0.0/26", "10.0.0.128/25"], 26, 5),
            ["10.0.0.64/26"]
        );
        assert!(free_of("10.0.0.0/24", &["10.0.0.0/8"], 30, 1).is_empty());
        assert_eq!(free_of("0.0.0.0/0", &[], 0, 3), ["0.0.0.0/0"]);
        assert_eq!(free_of("::/0", &["::/1"], 1, 3), ["8000::/1"]);
        assert_eq!(
            free_of("2001:db8::/32", &["2001:db8::/48", "10.0.0.0/8"], 48, 1),
            ["2001:db8:1::/48"]
        );
        let used = Set::default();
        let net = parse_net("10.0.0.0/24").unwrap();
        assert!(free(&net, &used, 23, 1).is_err());
        assert!(free(&net, &used, 24, 0).is_err());
    }

    fn listed(input: &str, limit: Option<u128>) -> Result<Vec<String>, Error> {
        let block = parse_block(input).unwrap();
        Ok(addresses(input, block, limit)?
            .map(|a| a.to_string())
            .collect())
    }

    #[test]
    fn every_address() {
        assert_eq!(
            listed("10.0.0.0/30", None).unwrap(),
            ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"]
        );
        assert_eq!(listed("::1 - ::2", None).unwrap(), ["::1", "::2"]);
        assert_eq!(
            listed("10.0.0.0/8", Some(2)).unwrap(),
            ["10.0.0.0", "10.0.0.1"]
        );
        assert_eq!(listed("10.0.0.0/16", None).unwrap().len(), 65_536);
        assert_eq!(
            listed("10.0.0.0/15", None).unwrap_err().to_string(),
            "list 10.0.0.0/15: 131072 addresses; --limit N lists more than 65536"
        );
        assert_eq!(listed("::/0", Some(1)).unwrap(), ["::"]);
        assert!(listed("::/0", None).is_err());
    }
}
