//! subnet-calc: network, broadcast, host range and netmask math for IPv4 and
//! IPv6, plus `split`, `contains`, `aggregate`, `range`, `exclude`, `reverse`,
//! `common`, `diff`, `free` and `list`.
//!
//! The library exposes its clap [`Args`] and [`run`], shared by the
//! `subnet-calc` binary and `netlens subnet`. Modules:
//! - [`parse`]: reading `A/P`, `A/NETMASK`, `A NETMASK`, bare addresses and ranges;
//! - [`info`]: everything about one address in its network;
//! - [`embedded`]: what an IPv6 address embeds (IPv4, Teredo, EUI-64 MAC);
//! - [`special`]: the IANA special-purpose registries behind `kind`;
//! - [`sets`]: `aggregate`, `range`, `exclude`, `common` and `diff` on sorted integer ranges;
//! - [`lists`]: list inputs (arguments, `@FILE`, stdin);
//! - [`split`]: `--prefix`, `--count` and VLSM `--hosts` splits;
//! - [`reverse`]: reverse DNS zones;
//! - [`walk`]: `free` blocks and `list`ed addresses;
//! - [`render`]: tables and JSON.

pub mod args;
pub mod embedded;
pub mod error;
pub mod info;
pub mod lists;
pub mod parse;
pub mod render;
pub mod reverse;
pub mod sets;
pub mod special;
pub mod split;
pub mod walk;

use std::net::Ipv4Addr;

use ipnet::IpNet;
use netlens_core::{CommonArgs, Ctx, ErrorOut, ExitCode, Failure, Tool};
use serde::Serialize;

pub use args::{Args, Command, Format};
pub use error::Error;
pub use info::Info;

/// The subnet-calc tool, for `netlens_core::main` and the dispatcher.
pub struct SubnetCalc;

impl Tool for SubnetCalc {
    const NAME: &'static str = "subnet-calc";
    type Args = Args;
    type Error = Error;

    fn common(args: &Args) -> &CommonArgs {
        &args.common
    }

    fn run(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
        run(args, ctx)
    }
}

/// Run subnet-calc: the info mode, or the subcommand given.
pub fn run(args: Args, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    match args.command {
        None => describe(ctx, &pair_netmasks(&parse::join_ranges(&args.inputs))),
        Some(Command::Split(split)) => {
            let network = parse::parse_net(&split.network)?;
            let how = split.how;
            let result = match (how.prefix, how.count, how.hosts) {
                (Some(prefix), _, _) => split::by_prefix(&network, prefix)?,
                (_, Some(count), _) => split::by_count(&network, count)?,
                (_, _, Some(hosts)) => split::by_hosts(&network, &hosts)?,
                // clap requires exactly one of the three; this arm keeps the match total.
                (None, None, None) => split::by_hosts(&network, &[])?,
            };
            render::split(ctx, &result, split.format.format)?;
            Ok(negative_if(!result.unallocated.is_empty()))
        }
        Some(Command::Contains { network, inputs }) => contains(ctx, &network, &inputs),
        Some(Command::Aggregate { inputs, format }) => aggregate(ctx, &inputs, format.format),
        Some(Command::Range { start, end, format }) => {
            render::set(ctx, &sets::range(&start, &end)?, format.format)?;
            Ok(ExitCode::Success)
        }
        Some(Command::Exclude {
            network,
            excluded,
            format,
        }) => {
            let network = parse::parse_net(&network)?.trunc();
            let excluded = parse::join_ranges(&excluded)
                .into_iter()
                .map(|text| parse::parse_block(&text).map(|block| (text, block)))
                .collect::<Result<Vec<_>, _>>()?;
            render::set(ctx, &sets::exclude(&network, &excluded)?, format.format)?;
            Ok(ExitCode::Success)
        }
        Some(Command::Reverse { inputs }) => {
            ctx.for_each_input(&parse::join_ranges(&inputs), |ctx, input| {
                let zones = reverse::zones(parse::parse_block(input)?);
                render::zones(ctx, input, &zones)?;
                Ok(ExitCode::Success)
            })
        }
        Some(Command::Common(lists)) => {
            let (a, b) = (lists::read(ctx, &lists.a)?, lists::read(ctx, &lists.b)?);
            render::set(ctx, &a.common(&b), lists.format.format)?;
            Ok(ExitCode::Success)
        }
        Some(Command::Diff(lists)) => {
            let (a, b) = (lists::read(ctx, &lists.a)?, lists::read(ctx, &lists.b)?);
            let diff = a.diff(&b);
            render::set(ctx, &diff, lists.format.format)?;
            Ok(negative_if(!diff.is_empty()))
        }
        Some(Command::Free(free)) => {
            let supernet = parse::parse_net(&free.supernet)?;
            let used = lists::read(ctx, &free.used)?;
            let found = walk::free(&supernet, &used, free.prefix, free.count)?;
            render::networks(ctx, &found, free.format.format)?;
            Ok(negative_if((found.len() as u128) < free.count))
        }
        Some(Command::List { inputs, limit }) => {
            ctx.for_each_input(&parse::join_ranges(&inputs), |ctx, input| {
                let block = parse::parse_block(input)?;
                render::addresses(ctx, input, walk::addresses(input, block, limit)?)?;
                Ok(ExitCode::Success)
            })
        }
    }
}

/// Exit 1 (a negative answer) when `negative`, else 0.
fn negative_if(negative: bool) -> ExitCode {
    if negative {
        ExitCode::Negative
    } else {
        ExitCode::Success
    }
}

/// The info mode: describe every input, in order; a bad one is reported in
/// its place and the rest go on.
fn describe(ctx: &mut Ctx, inputs: &[String]) -> Result<ExitCode, Error> {
    let mut first = true;
    ctx.for_each_input(inputs, |ctx, input| {
        let info = Info::new(input, &parse::parse_net(input)?);
        if ctx.json() {
            ctx.emit_json(&info)?;
        } else {
            if !first {
                writeln!(ctx.out())?;
            }
            render::info(ctx, &info)?;
        }
        first = false;
        Ok(ExitCode::Success)
    })
}

/// Join `ADDRESS NETMASK` argument pairs into one input each: a bare IPv4
/// address followed by something that looks like a netmask
/// ([`parse::looks_like_netmask`]) is one input, as ipcalc takes it.
pub fn pair_netmasks(args: &[String]) -> Vec<String> {
    let mut inputs = Vec::with_capacity(args.len());
    let mut rest = args.iter().peekable();
    while let Some(arg) = rest.next() {
        let bare_v4 = arg.parse::<Ipv4Addr>().is_ok();
        match rest.peek() {
            Some(mask) if bare_v4 && parse::looks_like_netmask(mask) => {
                inputs.push(format!("{arg} {mask}"));
                rest.next();
            }
            _ => inputs.push(arg.clone()),
        }
    }
    inputs
}

/// `contains NETWORK INPUT...`: one verdict per input; exit 0 if every input
/// is inside, 1 if one is not, 2 if one does not parse.
fn contains(ctx: &mut Ctx, network: &str, inputs: &[String]) -> Result<ExitCode, Error> {
    let network = parse::parse_net(network)?.trunc();
    let outer = parse::Block::of(&network);
    let mut results = Vec::new();
    let code = ctx.for_each_input(&parse::join_ranges(inputs), |ctx, input| {
        let (verdict, code) = match parse::parse_block(input) {
            Ok(item) => {
                let inside =
                    item.v6 == outer.v6 && outer.start <= item.start && item.end <= outer.end;
                if !ctx.json() {
                    render::contained(ctx, input, &network, inside)?;
                }
                let code = negative_if(!inside);
                (
                    Verdict::Checked {
                        input: input.to_string(),
                        contained: inside,
                    },
                    code,
                )
            }
            Err(error) => {
                ctx.error_line(&error);
                let failed = Verdict::Failed {
                    input: input.to_string(),
                    error: ErrorOut::of(&error),
                };
                (failed, error.exit_code())
            }
        };
        if ctx.json() {
            results.push(verdict);
        }
        Ok::<_, Error>(code)
    })?;
    if ctx.json() {
        ctx.emit_json(&ContainsJson {
            network: &network,
            results,
        })?;
    }
    Ok(code)
}

/// `aggregate [NETWORK...]`: bad lines are reported on stderr (exit 2) and the
/// rest aggregated. Stdin is read whole and split in place: no copy, UTF-8
/// check or allocation per line on the way to the byte-level parser.
fn aggregate(ctx: &mut Ctx, inputs: &[String], format: Format) -> Result<ExitCode, Error> {
    let mut aggregator = sets::Aggregator::new();
    let mut code = ExitCode::Success;
    let mut on_bad = |ctx: &mut Ctx, error: Error| {
        ctx.error_line(&error);
        code = code.max(error.exit_code());
    };
    lists::feed(ctx, inputs, &mut aggregator, &mut |ctx, error| {
        on_bad(ctx, error);
        Ok(())
    })?;
    if inputs.is_empty() || ctx.input_file().is_some() {
        // Stdin or --input-file, with --input-field and --shard.
        let read = ctx.for_each_input_bytes(&[], |ctx, line| {
            if let Err(error) = aggregator.push_line(line) {
                on_bad(ctx, error);
            }
        })?;
        let Some(read) = read else {
            return Ok(ExitCode::Usage);
        };
        code = code.max(read);
    }
    render::set(ctx, &aggregator.finish_set(), format)?;
    Ok(code)
}

/// `{"network": "CIDR", "results": [...]}`
#[derive(Serialize)]
struct ContainsJson<'a> {
    #[serde(serialize_with = "render::display")]
    network: &'a IpNet,
    results: Vec<Verdict>,
}

/// One input of `contains`: its verdict, or why it has none.
#[derive(Serialize)]
#[serde(untagged)]
enum Verdict {
    Checked { input: String, contained: bool },
    Failed { input: String, error: ErrorOut },
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn run_with(argv: &[&str], stdin: &str) -> (ExitCode, String, String) {
        let args = Args::try_parse_from(std::iter::once("subnet-calc").chain(argv.iter().copied()))
            .unwrap();
        let (mut ctx, captured) = Ctx::capture("subnet-calc", &args.common, stdin);
        let code = match run(args, &mut ctx) {
            Ok(code) => code,
            Err(error) => {
                ctx.error_line(&error);
                error.exit_code()
            }
        };
        (code, captured.stdout(), captured.stderr())
    }

    fn json(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn pairs_address_and_netmask_arguments() {
        let args: Vec<String> = [
            "10.0.0.1",
            "255.0.0.0",
            "10.0.0.2",
            "192.168.1.1",
            "10.0.0.3/8",
            "255.0.0.0",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            pair_netmasks(&args),
            [
                "10.0.0.1 255.0.0.0",
                "10.0.0.2",
                "192.168.1.1",
                "10.0.0.3/8",
                "255.0.0.0"
            ]
        );
    }

    #[test]
    fn info_table_shows_everything() {
        let (code, out, _) = run_with(&["10.11.12.13/24"], "");
        assert_eq!(code, ExitCode::Success);
        for needle in [
            "10.11.12.0/24",
            "10.11.12.255",
            "254",
            "255.255.255.0 = /24",
            "0.0.0.255",
            "private",
            "00001010.00001011.00001100|00001101",
        ] {
            assert!(out.contains(needle), "{needle} missing from\n{out}");
        }
    }

    #[test]
    fn info_batch_from_stdin_puts_errors_in_place() {
        let (code, out, err) = run_with(&["--json"], "10.0.0.1/8\nbad\n2001:db8::1/64\n");
        assert_eq!(code, ExitCode::Usage);
        let lines: Vec<serde_json::Value> = out.lines().map(json).collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["cidr"], "10.0.0.0/8");
        assert_eq!(lines[1]["error"]["kind"], "invalid_address");
        assert_eq!(lines[2]["network"], "2001:db8::");
        assert!(err.contains("subnet-calc: address bad: not an IPv4 or IPv6 address"));
    }

    #[test]
    fn info_stdin_line_with_netmask() {
        let (code, out, _) = run_with(&["--json", "-"], "10.11.12.13 255.255.255.0\n");
        assert_eq!(code, ExitCode::Success);
        assert_eq!(json(&out)["prefix_len"], 24);
    }

    #[test]
    fn contains_verdicts_and_exit_codes() {
        let (code, out, _) = run_with(&["contains", "10.0.0.0/8", "10.1.2.3", "10.0.0.0/9"], "");
        assert_eq!(code, ExitCode::Success);
        assert!(out.contains("10.1.2.3: inside 10.0.0.0/8"));
        let (code, out, _) = run_with(
            &[
                "contains",
                "--json",
                "10.0.0.0/8",
                "10.1.2.3",
                "11.0.0.1",
                "::1",
                "x",
            ],
            "",
        );
        assert_eq!(code, ExitCode::Usage);
        let value = json(&out);
        assert_eq!(value["network"], "10.0.0.0/8");
        let contained: Vec<&serde_json::Value> = value["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["contained"])
            .collect();
        assert_eq!(
            contained,
            [
                &json("true"),
                &json("false"),
                &json("false"),
                &serde_json::Value::Null
            ]
        );
        assert_eq!(value["results"][3]["error"]["kind"], "invalid_address");
        let (code, _, _) = run_with(&["contains", "10.0.0.0/8", "-"], "10.0.0.1\n12.0.0.1\n");
        assert_eq!(code, ExitCode::Negative);
    }

    #[test]
    fn aggregate_goes_on_past_bad_lines() {
        let (code, out, err) = run_with(&["aggregate"], "10.0.0.0/25\nbad\n10.0.0.128/25\n");
        assert_eq!(code, ExitCode::Usage);
        assert_eq!(out, "10.0.0.0/24\n");
        assert!(err.contains("address bad"));
    }

    #[test]
    fn split_reports_what_did_not_fit() {
        let (code, out, _) = run_with(&["split", "10.0.0.0/24", "--hosts", "100,200,300"], "");
        assert_eq!(code, ExitCode::Negative);
        assert!(out.contains("did not fit: 300, 100 hosts"), "{out}");
        let (code, out, _) = run_with(&["split", "--json", "10.0.0.0/24", "--hosts", "100,50"], "");
        assert_eq!(code, ExitCode::Success);
        let value = json(&out);
        assert_eq!(
            value["networks"],
            json(r#"["10.0.0.0/25", "10.0.0.128/26"]"#)
        );
        assert_eq!(
            value["allocations"][1],
            json(r#"{"hosts": 50, "network": "10.0.0.128/26"}"#)
        );
        assert_eq!(value["unallocated"], json("[]"));
        let (_, out, _) = run_with(&["split", "--json", "10.0.0.0/24", "--prefix", "25"], "");
        assert_eq!(json(&out), json(r#"{"networks": ["10.0.0.0/24", "10.0.0.128/25"]}"#.replace("0/24", "0/25").as_str()));
    }

    #[test]
    fn range_and_exclude() {
        let (code, out, _) = run_with(&["range", "10.0.0.1", "10.0.0.2"], "");
        assert_eq!(
            (code, out.as_str()),
            (ExitCode::Success, "10.0.0.1/32\n10.0.0.2/32\n")
        );
        let (code, out, _) = run_with(&["exclude", "--json", "10.0.0.0/30", "10.0.0.1"], "");
        assert_eq!(code, ExitCode::Success);
        assert_eq!(
            json(&out),
            json(r#"{"networks": ["10.0.0.0/32", "10.0.0.2/31"]}"#)
        );
        let (code, _, err) = run_with(&["exclude", "10.0.0.0/30", "10.0.0.1/40"], "");
        assert_eq!(code, ExitCode::Usage);
        assert!(err.contains("prefix /40"));
    }
}
