//! `netlens`: one binary for every netlens tool, and `netlens journey` ([`journey`]),
//! which runs them all for one URL.
//!
//! `netlens TOOL ARGS...` runs a tool by its short or long name (`subnet` or
//! `subnet-calc`); invoked through a link named like a tool (`ln -s netlens
//! subnet-calc`) it acts as that tool (multicall). Every tool's flags come from
//! its own library, so both forms behave the same.
//!
//! [`TOOLS`] is the one table of tools: the subcommands, the multicall names,
//! the completions and man pages (`cargo xtask dist`), the end-to-end tests'
//! tool list and the benchmarks' links are all derived from it. Adding a tool
//! is its crate plus one row.

use std::ffi::OsString;
use std::path::Path;

use clap::{ArgMatches, CommandFactory, FromArgMatches};
use netlens_core::{EXIT_CODES_HELP, ExitCode, Tool, execute};

pub mod journey;

/// One row of the tool table.
pub struct ToolEntry {
    /// The tool's own name: its binary, its multicall link, its long subcommand.
    pub name: &'static str,
    /// The dispatcher's short subcommand (`netlens url`); the same as `name`
    /// for a tool that has no shorter one.
    pub short: &'static str,
    /// One line for the dispatcher's list of commands.
    pub about: &'static str,
    /// The tool's clap command, as its own binary parses arguments.
    pub command: fn() -> clap::Command,
    /// Run the tool on arguments parsed by [`ToolEntry::command`].
    pub run: fn(&ArgMatches) -> ExitCode,
}

/// Every tool, in the order a request meets them.
pub const TOOLS: &[ToolEntry] = &[
    row::<url_parse::UrlParse>(
        "url",
        "Decode, inspect, change and resolve URLs (WHATWG URL Standard)",
    ),
    row::<subnet_calc::SubnetCalc>(
        "subnet",
        "Network, broadcast, host range and netmask math; split, contains, aggregate, range, exclude, reverse, common, diff, free, list",
    ),
    row::<dns_lookup::DnsLookup>(
        "dns",
        "Look up DNS records (UDP, TCP, TLS, HTTPS; DNSSEC), or trace a resolution from the root servers",
    ),
    row::<http_get::HttpGet>(
        "get",
        "HTTP/1.1, HTTP/2 and HTTPS requests, every phase shown and timed",
    ),
    row::<journey::Journey>(
        "journey",
        "Follow one request step by step: URL, message, resolver and DNS server, subnet, socket, response, what the page asks next",
    ),
];

/// A table row for tool `T`, under its short subcommand name.
const fn row<T: Tool>(short: &'static str, about: &'static str) -> ToolEntry {
    ToolEntry {
        name: T::NAME,
        short,
        about,
        command: <T::Args as CommandFactory>::command,
        run: run_parsed::<T>,
    }
}

/// Run tool `T` on its parsed arguments.
fn run_parsed<T: Tool>(matches: &ArgMatches) -> ExitCode {
    match T::Args::from_arg_matches(matches) {
        Ok(args) => execute::<T>(args),
        Err(error) => error.exit(),
    }
}

/// Run with these arguments (`argv[0]` first) and return the exit code.
pub fn run(argv: Vec<OsString>) -> ExitCode {
    let invoked_as = argv
        .first()
        .and_then(|arg0| Path::new(arg0).file_stem())
        .and_then(|stem| stem.to_str())
        .unwrap_or("netlens");
    if let Some(tool) = TOOLS.iter().find(|tool| tool.name == invoked_as) {
        return (tool.run)(&(tool.command)().get_matches_from(argv));
    }
    let matches = command().get_matches_from(argv);
    let (name, sub) = matches.subcommand().expect("clap requires a subcommand");
    let tool = TOOLS
        .iter()
        .find(|tool| tool.short == name)
        .expect("every subcommand comes from the table");
    (tool.run)(sub)
}

/// The dispatcher's clap command: one subcommand per row of [`TOOLS`], by its
/// short name with the tool's own name as an alias.
pub fn command() -> clap::Command {
    let subcommands = TOOLS.iter().map(|tool| {
        let sub = (tool.command)()
            .name(tool.short)
            .about(tool.about)
            .long_about(None);
        if tool.short == tool.name {
            sub
        } else {
            sub.visible_alias(tool.name)
        }
    });
    clap::Command::new("netlens")
        .version(env!("CARGO_PKG_VERSION"))
        .about(
            "Follow one request out of a browser: decode the URL, resolve the name, \
             place the address in its subnet, fetch the page",
        )
        .after_help(EXIT_CODES_HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommands(subcommands)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definitions_are_consistent() {
        command().debug_assert();
        for tool in TOOLS {
            (tool.command)().debug_assert();
        }
    }

    #[test]
    fn every_tool_is_a_subcommand_under_both_names() {
        let cli = command();
        for tool in TOOLS {
            let sub = cli.find_subcommand(tool.short).expect(tool.short);
            assert!(cli.find_subcommand(tool.name).is_some(), "{}", tool.name);
            assert_eq!((tool.command)().get_name(), tool.name);
            assert_eq!(sub.get_name(), tool.short);
        }
        assert_eq!(cli.get_subcommands().count(), TOOLS.len());
    }
}
