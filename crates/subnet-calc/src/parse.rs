//! Reading addresses, networks and ranges: `A/P`, `A/NETMASK`, `A NETMASK`,
//! bare addresses of both families and `A-B` (or `A - B`) ranges, plus a fast
//! byte-level path for `a.b.c.d[/p]` lines that the bulk list commands use.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::error::Error;

/// A block of consecutive addresses of one family, as integers (IPv4 in the
/// low 32 bits): a network with its host bits dropped, or a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// Whether the addresses are IPv6.
    pub v6: bool,
    /// The first address.
    pub start: u128,
    /// The last address.
    pub end: u128,
}

impl Block {
    /// The block of a network (host bits dropped).
    pub fn of(net: &IpNet) -> Block {
        let (start, end) = bounds(net);
        Block {
            v6: matches!(net, IpNet::V6(_)),
            start,
            end,
        }
    }

    /// The one network that is exactly this block, if there is one.
    pub fn network(&self) -> Option<IpNet> {
        let size = self.end - self.start;
        let aligned =
            size.checked_add(1).is_none_or(u128::is_power_of_two) && self.start & size == 0;
        let bits = if self.v6 { 128 } else { 32 };
        let prefix = bits - (128 - size.leading_zeros()) as u8;
        aligned.then(|| IpNet::new(addr_of(self.v6, self.start), prefix).expect("prefix in range"))
    }
}

/// Parse a network or a range: whatever [`parse_net`] takes, or `A-B` / `A - B`.
pub fn parse_block(input: &str) -> Result<Block, Error> {
    match input.split_once('-') {
        Some((start, end)) => range_block(start.trim(), end.trim()),
        None => Ok(Block::of(&parse_net(input)?)),
    }
}

/// The block from `start` to `end` inclusive, both addresses of one family.
pub fn range_block(start_text: &str, end_text: &str) -> Result<Block, Error> {
    let bad = |why| Error::Range {
        start: start_text.to_string(),
        end: end_text.to_string(),
        why,
    };
    let (v6, start, end) = match (parse_addr(start_text)?, parse_addr(end_text)?) {
        (IpAddr::V4(s), IpAddr::V4(e)) => (false, u32::from(s).into(), u32::from(e).into()),
        (IpAddr::V6(s), IpAddr::V6(e)) => (true, s.into(), e.into()),
        _ => return Err(bad("start and end of different address families")),
    };
    if start > end {
        return Err(bad("start after end"));
    }
    Ok(Block { v6, start, end })
}

/// Parse one input: `ADDRESS`, `ADDRESS/PREFIX`, `ADDRESS/NETMASK` or
/// `ADDRESS NETMASK` (whitespace between), or a range `A-B` that is exactly
/// one network. A bare address is a /32 or /128. The address keeps its host
/// bits (`10.11.12.13/24` stays that, not `10.11.12.0/24`).
pub fn parse_net(input: &str) -> Result<IpNet, Error> {
    if let Some((start, end)) = input.split_once('-') {
        let (start, end) = (start.trim(), end.trim());
        return range_block(start, end)?
            .network()
            .ok_or_else(|| Error::Range {
                start: start.to_string(),
                end: end.to_string(),
                why: "not one network (`range` gives the networks that cover it)",
            });
    }
    let mut tokens = input.split_ascii_whitespace();
    let (Some(first), second, None) = (tokens.next(), tokens.next(), tokens.next()) else {
        return Err(Error::Shape(input.trim().to_string()));
    };
    match (first.split_once('/'), second) {
        (None, None) => {
            let address = parse_addr(first)?;
            Ok(IpNet::from(address))
        }
        (Some((address, suffix)), None) => with_suffix(address, suffix),
        (None, Some(mask)) => {
            let address = parse_addr(first)?;
            let prefix = mask_prefix(address, first, mask)?;
            net(address, prefix)
        }
        (Some(_), Some(_)) => Err(Error::Shape(input.trim().to_string())),
    }
}

/// Join `A - B` argument triples into one `A - B` input (the shell splits a
/// range written with spaces); every other argument stays as it is.
pub fn join_ranges(args: &[String]) -> Vec<String> {
    let mut inputs: Vec<String> = Vec::with_capacity(args.len());
    let mut i = 0;
    while i < args.len() {
        let triple = args.get(i..i + 3).filter(|t| {
            t[1] == "-" && t[0].parse::<IpAddr>().is_ok() && t[2].parse::<IpAddr>().is_ok()
        });
        match triple {
            Some(t) => {
                inputs.push(format!("{} - {}", t[0], t[2]));
                i += 3;
            }
            None => {
                inputs.push(args[i].clone());
                i += 1;
            }
        }
    }
    inputs
}

/// Parse an address of either family, naming it when it is not one.
pub fn parse_addr(text: &str) -> Result<IpAddr, Error> {
    text.parse().map_err(|_| Error::Address(text.to_string()))
}

/// Whether `text`, following a bare address among the arguments, is that
/// address's netmask rather than the next address: a dotted IPv4 address that
/// is a contiguous netmask, or anything in 255.0.0.0/8 (so that a mistyped
/// mask such as `255.0.255.0` is reported as non-contiguous, not taken for a host).
pub fn looks_like_netmask(text: &str) -> bool {
    match text.parse::<Ipv4Addr>() {
        Ok(mask) => {
            mask.octets()[0] == 255 || contiguous_prefix(u32::from(mask).into(), 32).is_some()
        }
        Err(_) => false,
    }
}

/// The first and last address of a network, as integers (IPv4 in the low 32 bits).
pub fn bounds(net: &IpNet) -> (u128, u128) {
    match net {
        IpNet::V4(n) => (
            u32::from(n.network()).into(),
            u32::from(n.broadcast()).into(),
        ),
        IpNet::V6(n) => (n.network().into(), n.broadcast().into()),
    }
}

/// Parse `a.b.c.d` or `a.b.c.d/p` straight from bytes, for bulk input: the
/// network start (host bits cleared) and the prefix. `None` for anything else
/// (IPv6, netmasks, bad input), which the caller hands to [`parse_net`].
///
/// Accepts exactly what `std` and [`parse_net`] accept for this shape: octets of
/// 1-3 digits up to 255 without leading zeros, prefixes of 1-3 digits up to 32.
pub fn fast_v4(line: &[u8]) -> Option<(u32, u8)> {
    let mut address: u32 = 0;
    let mut i = 0;
    for octet_index in 0..4 {
        if octet_index > 0 {
            if line.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let (value, used) = digits(&line[i..])?;
        // A leading zero would be octal to some parsers; std rejects it, so do we.
        if value > 255 || (used > 1 && line[i] == b'0') {
            return None;
        }
        address = address << 8 | value;
        i += used;
    }
    let prefix = match line.get(i) {
        None => 32,
        Some(b'/') => {
            let (value, used) = digits(&line[i + 1..])?;
            if value > 32 || i + 1 + used != line.len() {
                return None;
            }
            value as u8
        }
        Some(_) => return None,
    };
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    Some((address & mask, prefix))
}

/// `ADDRESS/SUFFIX` where the suffix is a prefix length or a netmask.
fn with_suffix(address_text: &str, suffix: &str) -> Result<IpNet, Error> {
    let address = parse_addr(address_text)?;
    let prefix = if suffix.contains(['.', ':']) {
        mask_prefix(address, address_text, suffix)?
    } else {
        parse_prefix(address, suffix)?
    };
    net(address, prefix)
}

/// A prefix length written in decimal (1-3 digits), checked against the address's family.
fn parse_prefix(address: IpAddr, text: &str) -> Result<u8, Error> {
    let (family, max) = family(address);
    let digits_only = (1..=3).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u8>() {
        Ok(prefix) if digits_only && prefix <= max => Ok(prefix),
        _ => Err(Error::Prefix {
            prefix: text.to_string(),
            family,
            max,
        }),
    }
}

/// The prefix length of a netmask written as an address of the same family.
fn mask_prefix(address: IpAddr, address_text: &str, mask_text: &str) -> Result<u8, Error> {
    let mask: IpAddr = mask_text
        .parse()
        .map_err(|_| Error::Address(mask_text.to_string()))?;
    let (bits, value) = match (address, mask) {
        (IpAddr::V4(_), IpAddr::V4(m)) => (32, u128::from(u32::from(m))),
        (IpAddr::V6(_), IpAddr::V6(m)) => (128, u128::from(m)),
        _ => {
            return Err(Error::MaskFamily {
                netmask: mask_text.to_string(),
                address: address_text.to_string(),
            });
        }
    };
    contiguous_prefix(value, bits).ok_or_else(|| Error::NonContiguous(mask_text.to_string()))
}

/// The prefix length of a `bits`-wide mask whose ones are all on the left, if it is one.
fn contiguous_prefix(mask: u128, bits: u32) -> Option<u8> {
    // Shift the mask to the top of the u128: a contiguous mask is then ones
    // followed by zeros, so its complement plus one is a power of two (or zero).
    let top = if bits == 128 {
        mask
    } else {
        mask << (128 - bits)
    };
    let ones = top.leading_ones();
    let rest = if ones >= 128 { 0 } else { top << ones };
    (rest == 0).then_some(ones.min(bits) as u8)
}

/// The family's name and longest prefix.
fn family(address: IpAddr) -> (&'static str, u8) {
    match address {
        IpAddr::V4(_) => ("IPv4", 32),
        IpAddr::V6(_) => ("IPv6", 128),
    }
}

/// A network from an address and a prefix already checked against its family.
fn net(address: IpAddr, prefix: u8) -> Result<IpNet, Error> {
    let built = match address {
        IpAddr::V4(a) => Ipv4Net::new(a, prefix).map(IpNet::V4),
        IpAddr::V6(a) => Ipv6Net::new(a, prefix).map(IpNet::V6),
    };
    built.map_err(|_| {
        let (family, max) = family(address);
        Error::Prefix {
            prefix: prefix.to_string(),
            family,
            max,
        }
    })
}

/// Leading decimal digits (1 to 3 of them): their value and how many there were.
fn digits(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value = 0;
    let mut used = 0;
    while let Some(&b) = bytes.get(used) {
        if !b.is_ascii_digit() {
            break;
        }
        if used == 3 {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
        used += 1;
    }
    (used > 0).then_some((value, used))
}

/// The address an integer stands for: IPv6 when `v6`, else IPv4 from the low 32 bits.
pub fn addr_of(v6: bool, value: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(value))
    } else {
        // IPv4 values live in the low 32 bits by construction.
        IpAddr::V4(Ipv4Addr::from(value as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        parse_net(input).unwrap().to_string()
    }

    fn err(input: &str) -> String {
        parse_net(input).unwrap_err().to_string()
    }

    #[test]
    fn accepts_every_shape() {
        assert_eq!(ok("10.11.12.13/24"), "10.11.12.13/24");
        assert_eq!(ok("10.11.12.13/255.255.255.0"), "10.11.12.13/24");
        assert_eq!(ok("10.11.12.13 255.255.255.0"), "10.11.12.13/24");
        assert_eq!(ok("  10.11.12.13\t255.255.0.0 "), "10.11.12.13/16");
        assert_eq!(ok("10.11.12.13"), "10.11.12.13/32");
        assert_eq!(ok("2001:db8::1/64"), "2001:db8::1/64");
        assert_eq!(ok("2001:db8::1"), "2001:db8::1/128");
        assert_eq!(ok("2001:db8::1/ffff:ffff::"), "2001:db8::1/32");
        assert_eq!(ok("0.0.0.0/0.0.0.0"), "0.0.0.0/0");
    }

    #[test]
    fn rejects_with_the_bad_part_named() {
        assert_eq!(
            err("10.11.12.13/235.255.255.0"),
            "netmask 235.255.255.0: not contiguous"
        );
        assert_eq!(
            err("10.11.12.13 255.0.255.0"),
            "netmask 255.0.255.0: not contiguous"
        );
        assert_eq!(
            err("10.1.2.300"),
            "address 10.1.2.300: not an IPv4 or IPv6 address"
        );
        assert_eq!(
            err("10.1.2.3/33"),
            "prefix /33: not a prefix length of IPv4 (0-32)"
        );
        assert_eq!(
            err("::1/129"),
            "prefix /129: not a prefix length of IPv6 (0-128)"
        );
        assert_eq!(
            err("10.1.2.3/x"),
            "prefix /x: not a prefix length of IPv4 (0-32)"
        );
        assert_eq!(
            err("10.1.2.3/"),
            "prefix /: not a prefix length of IPv4 (0-32)"
        );
        assert_eq!(
            err("::1/255.0.0.0"),
            "netmask 255.0.0.0: not a netmask for ::1"
        );
        assert!(err("a b c").contains("expected ADDRESS"));
        assert!(err("").contains("expected ADDRESS"));
        assert!(err("1.2.3.4/8 255.0.0.0").contains("expected ADDRESS"));
        assert_eq!(
            err("10.0.0.1-10.0.0.2"),
            "range 10.0.0.1 10.0.0.2: not one network (`range` gives the networks that cover it)"
        );
        assert_eq!(
            err("10.0.0.2 - 10.0.0.1"),
            "range 10.0.0.2 10.0.0.1: start after end"
        );
        assert!(err("10.0.0.1-::1").contains("different address families"));
    }

    #[test]
    fn ranges_are_blocks() {
        assert_eq!(ok("10.0.0.0-10.0.0.255"), "10.0.0.0/24");
        assert_eq!(ok("10.0.0.7 - 10.0.0.7"), "10.0.0.7/32");
        assert_eq!(ok("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "::/0");
        assert_eq!(ok("0.0.0.0 - 255.255.255.255"), "0.0.0.0/0");
        let block = parse_block("10.0.0.1 - 10.0.0.6").unwrap();
        assert_eq!(
            (block.v6, block.start, block.end),
            (false, 0x0a00_0001, 0x0a00_0006)
        );
        assert_eq!(block.network(), None);
        let block = parse_block("10.1.2.3/8").unwrap();
        assert_eq!((block.start, block.end), (0x0a00_0000, 0x0aff_ffff));
        assert_eq!(
            join_ranges(&["10.0.0.1", "-", "10.0.0.9", "-", "::1"].map(String::from)),
            ["10.0.0.1 - 10.0.0.9", "-", "::1"]
        );
    }

    #[test]
    fn netmask_arguments_are_told_from_addresses() {
        assert!(looks_like_netmask("255.255.255.0"));
        assert!(looks_like_netmask("255.0.255.0"));
        assert!(looks_like_netmask("192.0.0.0"));
        assert!(looks_like_netmask("0.0.0.0"));
        assert!(!looks_like_netmask("192.168.1.1"));
        assert!(!looks_like_netmask("10.0.0.0/8"));
        assert!(!looks_like_netmask("::"));
    }

    #[test]
    fn contiguous_masks() {
        assert_eq!(contiguous_prefix(0xffff_ff00, 32), Some(24));
        assert_eq!(contiguous_prefix(0, 32), Some(0));
        assert_eq!(contiguous_prefix(u32::MAX.into(), 32), Some(32));
        assert_eq!(contiguous_prefix(u128::MAX, 128), Some(128));
        assert_eq!(contiguous_prefix(0xebff_ff00, 32), None);
        assert_eq!(contiguous_prefix(1, 32), None);
    }

    #[test]
    fn fast_path_matches_the_general_parser() {
        assert_eq!(fast_v4(b"10.11.12.13/24"), Some((0x0a0b_0c00, 24)));
        assert_eq!(fast_v4(b"10.11.12.13"), Some((0x0a0b_0c0d, 32)));
        assert_eq!(fast_v4(b"0.0.0.0/0"), Some((0, 0)));
        for bad in [
            "010.0.0.1",
            "1.2.3",
            "1.2.3.4/",
            "1.2.3.4/33",
            "1.2.3.4/8x",
            "1.2.3.256",
            "1.2.3.4.5",
            "1.2.3.4 ",
            "::1",
            "1.2.3.4/0008",
        ] {
            assert_eq!(fast_v4(bad.as_bytes()), None, "{bad}");
        }
    }
}
