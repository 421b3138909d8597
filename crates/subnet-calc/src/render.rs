//! Output: the info table and binary view, the split table, `contains`
//! verdicts, network lists and sets (one per line in the `--format` asked for,
//! IPv4 CIDRs formatted by hand for the bulk `aggregate`), reverse zones,
//! address lists, and the JSON objects of SPEC §4 and §12.

use std::fmt::Display;
use std::io::{self, Write};
use std::net::IpAddr;

use ipnet::IpNet;
use netlens_core::{Ctx, table};
use serde::{Serialize, Serializer};

use crate::args::Format;
use crate::info::{Info, binary};
use crate::parse::addr_of;
use crate::sets::Set;
use crate::split::{Allocation, Split};

/// Serialize any `Display` value as a JSON string, without an intermediate `String`.
pub fn display<T: Display, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// The info mode's human output: the ipcalc-like table, then the binary view.
pub fn info(ctx: &mut Ctx, info: &Info) -> io::Result<()> {
    let v6 = info.version == 6;
    let mut rows: Vec<(&str, String)> = vec![
        ("address", info.address.to_string()),
        (
            "netmask",
            format!("{} = /{}", info.netmask, info.prefix_len),
        ),
        ("hostmask (wildcard)", info.hostmask.to_string()),
        ("network", info.cidr.to_string()),
        (
            "broadcast",
            match info.broadcast {
                Some(b) => b.to_string(),
                None => "none (IPv6: every address is a host)".to_string(),
            },
        ),
        ("first host", info.first_host.to_string()),
        ("last host", info.last_host.to_string()),
        ("hosts", info.usable_hosts.to_string()),
        ("addresses", info.total_addresses.to_string()),
    ];
    if let Some(class) = info.class {
        rows.push(("class", class.to_string()));
    }
    let special = info.special;
    rows.push((
        "kind",
        format!("{} ({}, {})", special.kind, special.name, special.rfc),
    ));
    rows.extend(info.embedded.rows());
    let color = ctx.color();
    writeln!(ctx.out(), "{}", table::key_value(rows, color))?;

    let prefix = info.prefix_len;
    let host = crate::parse::addr_of(v6, info.host_number());
    let mut bits = table::new(&["", "binary: network | host", "value"], color);
    bits.add_row(vec![
        "address".to_string(),
        info.binary.clone(),
        info.address.to_string(),
    ]);
    bits.add_row(vec![
        "netmask".to_string(),
        binary(info.netmask, prefix),
        format!("/{prefix}"),
    ]);
    bits.add_row(vec![
        "network number".to_string(),
        binary(info.network, prefix),
        info.network.to_string(),
    ]);
    bits.add_row(vec![
        "host number".to_string(),
        binary(host, prefix),
        info.host_number().to_string(),
    ]);
    writeln!(ctx.out(), "{bits}")
}

/// A list of networks, one per line in the `--format` asked for, or
/// `{"networks": [CIDR...]}`.
pub fn networks(ctx: &mut Ctx, networks: &[IpNet], format: Format) -> io::Result<()> {
    if ctx.json() {
        return ctx.emit_json(&NetworksJson { networks });
    }
    // One buffer for the whole list: the bulk `aggregate` prints up to a
    // million lines, and a formatter call per line would dominate its time.
    let mut text = Vec::with_capacity(networks.len() * 19);
    for network in networks {
        match (format, network) {
            (Format::Cidr, IpNet::V4(n)) => {
                let [a, b, c, d] = n.addr().octets();
                for (i, number) in [a, b, c, d, n.prefix_len()].into_iter().enumerate() {
                    if i > 0 {
                        text.push(if i == 4 { b'/' } else { b'.' });
                    }
                    push_decimal(&mut text, number);
                }
                text.push(b'\n');
            }
            (Format::Cidr, IpNet::V6(n)) => writeln!(text, "{n}")?,
            (Format::Range, n) => writeln!(text, "{}-{}", n.network(), n.broadcast())?,
            (Format::Netmask, n) => writeln!(text, "{} {}", n.network(), n.netmask())?,
        }
    }
    ctx.out().write_all(&text)
}

/// A set: its minimal cover as [`networks`] prints it, except that `--format
/// range` prints each run of consecutive addresses once (`A-B`).
pub fn set(ctx: &mut Ctx, set: &Set, format: Format) -> io::Result<()> {
    if ctx.json() || format != Format::Range {
        return networks(ctx, &set.networks(), format);
    }
    let mut text = Vec::new();
    for v6 in [false, true] {
        for &(start, end) in set.family(v6) {
            writeln!(text, "{}-{}", addr_of(v6, start), addr_of(v6, end))?;
        }
    }
    ctx.out().write_all(&text)
}

/// The reverse zones of one input, one per line, or `{"input": ..., "zones": [...]}`.
pub fn zones(ctx: &mut Ctx, input: &str, zones: &[String]) -> io::Result<()> {
    if ctx.json() {
        return ctx.emit_json(&ZonesJson {
            input: input.trim(),
            zones,
        });
    }
    for zone in zones {
        writeln!(ctx.out(), "{zone}")?;
    }
    Ok(())
}

/// The addresses of one input, one per line, or `{"input": ..., "addresses": [...]}`.
pub fn addresses(
    ctx: &mut Ctx,
    input: &str,
    addresses: impl Iterator<Item = IpAddr>,
) -> io::Result<()> {
    if ctx.json() {
        return ctx.emit_json(&AddressesJson {
            input: input.trim(),
            addresses: addresses.collect(),
        });
    }
    let out = ctx.out();
    for address in addresses {
        writeln!(out, "{address}")?;
    }
    Ok(())
}

/// The split table (network, first host, last host, usable hosts, and with
/// `--hosts` the hosts asked for), then what did not fit; or its JSON object.
/// Another `--format` than CIDR prints the networks alone, one per line.
pub fn split(ctx: &mut Ctx, split: &Split, format: Format) -> io::Result<()> {
    if !ctx.json() && format != Format::Cidr {
        return networks(ctx, &split.networks, format);
    }
    if ctx.json() {
        return ctx.emit_json(&SplitJson {
            networks: &split.networks,
            allocations: split.allocations.as_deref(),
            unallocated: split
                .allocations
                .as_ref()
                .map(|_| split.unallocated.as_slice()),
        });
    }
    let with_hosts = split.allocations.is_some();
    let mut header = vec!["network", "first host", "last host", "usable hosts"];
    if with_hosts {
        header.push("hosts asked");
    }
    let mut table = table::new(&header, ctx.color());
    for (i, network) in split.networks.iter().enumerate() {
        let info = Info::new("", network);
        let mut row = vec![
            network.to_string(),
            info.first_host.to_string(),
            info.last_host.to_string(),
            info.usable_hosts.to_string(),
        ];
        if let Some(asked) = split.allocations.as_ref().and_then(|a| a.get(i)) {
            row.push(asked.hosts.to_string());
        }
        table.add_row(row);
    }
    writeln!(ctx.out(), "{table}")?;
    if !split.unallocated.is_empty() {
        let left: Vec<String> = split.unallocated.iter().map(u128::to_string).collect();
        writeln!(ctx.out(), "did not fit: {} hosts", left.join(", "))?;
    }
    Ok(())
}

/// One `contains` verdict, for the human output.
pub fn contained(ctx: &mut Ctx, input: &str, network: &IpNet, inside: bool) -> io::Result<()> {
    let verdict = if inside { "inside" } else { "not inside" };
    writeln!(ctx.out(), "{input}: {verdict} {network}")
}

/// `{"networks": ["CIDR", ...]}`
#[derive(Serialize)]
struct NetworksJson<'a> {
    #[serde(serialize_with = "cidrs")]
    networks: &'a [IpNet],
}

/// `{"input": ..., "zones": [...]}`
#[derive(Serialize)]
struct ZonesJson<'a> {
    input: &'a str,
    zones: &'a [String],
}

/// `{"input": ..., "addresses": [...]}`
#[derive(Serialize)]
struct AddressesJson<'a> {
    input: &'a str,
    addresses: Vec<IpAddr>,
}

/// `{"networks": [...], "allocations": [...], "unallocated": [...]}`
#[derive(Serialize)]
struct SplitJson<'a> {
    #[serde(serialize_with = "cidrs")]
    networks: &'a [IpNet],
    #[serde(skip_serializing_if = "Option::is_none")]
    allocations: Option<&'a [Allocation]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unallocated: Option<&'a [u128]>,
}

/// A list of networks as JSON strings.
fn cidrs<S: Serializer>(networks: &&[IpNet], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(networks.iter().map(Cidr))
}

struct Cidr<'a>(&'a IpNet);

impl Serialize for Cidr<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// Append a number's decimal digits.
fn push_decimal(text: &mut Vec<u8>, number: u8) {
    if number >= 100 {
        text.push(b'0' + number / 100);
    }
    if number >= 10 {
        text.push(b'0' + number / 10 % 10);
    }
    text.push(b'0' + number % 10);
}

#[cfg(test)]
mod tests {
    use netlens_core::CommonArgs;

    use super::*;

    fn human(networks_list: &[&str]) -> String {
        let parsed: Vec<IpNet> = networks_list.iter().map(|n| n.parse().unwrap()).collect();
        let (mut ctx, captured) = Ctx::capture("subnet-calc", &CommonArgs::default(), "");
        networks(&mut ctx, &parsed, Format::Cidr).unwrap();
        captured.stdout()
    }

    #[test]
    fn ipv4_lines_are_formatted_like_display() {
        let list = [
            "0.0.0.0/0",
            "10.9.100.255/32",
            "255.255.255.0/24",
            "2001:db8::/32",
        ];
        assert_eq!(human(&list), list.map(|n| format!("{n}\n")).concat());
    }

    #[test]
    fn formats() {
        let (mut ctx, captured) = Ctx::capture("subnet-calc", &CommonArgs::default(), "");
        let list: Vec<IpNet> = ["10.0.0.0/25", "10.0.0.128/26", "2001:db8::/32"]
            .map(|n| n.parse().unwrap())
            .to_vec();
        networks(&mut ctx, &list, Format::Netmask).unwrap();
        networks(&mut ctx, &list[..1], Format::Range).unwrap();
        let mut aggregator = crate::sets::Aggregator::new();
        for n in &list {
            aggregator.push(crate::parse::Block::of(n));
        }
        set(&mut ctx, &aggregator.finish_set(), Format::Range).unwrap();
        assert_eq!(
            captured.stdout(),
            "10.0.0.0 255.255.255.128\n10.0.0.128 255.255.255.192\n2001:db8:: ffff:ffff::\n\
             10.0.0.0-10.0.0.127\n\
             10.0.0.0-10.0.0.191\n2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\n"
        );
    }

    #[test]
    fn json_list_is_one_object() {
        let common = CommonArgs {
            json: true,
            ..CommonArgs::default()
        };
        let (mut ctx, captured) = Ctx::capture("subnet-calc", &common, "");
        networks(&mut ctx, &["10.0.0.0/8".parse().unwrap()], Format::Range).unwrap();
        let value: serde_json::Value = serde_json::from_str(&captured.stdout()).unwrap();
        assert_eq!(value, serde_json::json!({"networks": ["10.0.0.0/8"]}));
    }
}
