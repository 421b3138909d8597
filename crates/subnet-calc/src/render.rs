//! Output: the info table and binary view, the split table, `contains`
//! verdicts, network lists (one CIDR per line, IPv4 formatted by hand for the
//! bulk `aggregate`) and the JSON objects of SPEC §4.

use std::fmt::Display;
use std::io::{self, Write};

use ipnet::IpNet;
use netlens_core::{Ctx, table};
use serde::{Serialize, Serializer};

use crate::info::{Info, binary};
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

/// A list of networks: one CIDR per line, or `{"networks": [...]}`.
pub fn networks(ctx: &mut Ctx, networks: &[IpNet]) -> io::Result<()> {
    if ctx.json() {
        return ctx.emit_json(&NetworksJson { networks });
    }
    // One buffer for the whole list: the bulk `aggregate` prints up to a
    // million lines, and a formatter call per line would dominate its time.
    let mut text = Vec::with_capacity(networks.len() * 19);
    for network in networks {
        match network {
            IpNet::V4(n) => {
                let [a, b, c, d] = n.addr().octets();
                for (i, number) in [a, b, c, d, n.prefix_len()].into_iter().enumerate() {
                    if i > 0 {
                        text.push(if i == 4 { b'/' } else { b'.' });
                    }
                    push_decimal(&mut text, number);
                }
                text.push(b'\n');
            }
            IpNet::V6(n) => writeln!(text, "{n}")?,
        }
    }
    ctx.out().write_all(&text)
}

/// The split table (network, first host, last host, usable hosts, and with
/// `--hosts` the hosts asked for), then what did not fit; or its JSON object.
pub fn split(ctx: &mut Ctx, split: &Split) -> io::Result<()> {
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
        networks(&mut ctx, &parsed).unwrap();
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
    fn json_list_is_one_object() {
        let common = CommonArgs {
            json: true,
            ..CommonArgs::default()
        };
        let (mut ctx, captured) = Ctx::capture("subnet-calc", &common, "");
        networks(&mut ctx, &["10.0.0.0/8".parse().unwrap()]).unwrap();
        let value: serde_json::Value = serde_json::from_str(&captured.stdout()).unwrap();
        assert_eq!(value, serde_json::json!({"networks": ["10.0.0.0/8"]}));
    }
}
