//! `netlens`: one binary for every netlens tool, and `netlens journey` ([`journey`]),
//! which runs them all for one URL.
//!
//! `netlens TOOL ARGS...` runs a tool by its short or long name (`subnet` or
//! `subnet-calc`); invoked through a link named like a tool (`ln -s netlens
//! subnet-calc`) it acts as that tool (multicall). Every tool's flags come from
//! its own library, so both forms behave the same. The library form exists so
//! that `cargo xtask dist` can render completions and man pages from the same
//! clap definitions.

use std::ffi::OsString;
use std::path::Path;

use clap::{CommandFactory, Parser, Subcommand};
use netlens_core::{EXIT_CODES_HELP, ExitCode, Tool, execute};

pub mod journey;

/// The tools' own names, as links to the dispatcher are named.
pub const TOOLS: &[&str] = &["url-parse", "subnet-calc", "dns-lookup", "http-get"];

/// Follow one request out of a browser: decode the URL, resolve the name,
/// place the address in its subnet, fetch the page.
#[derive(Parser, Debug)]
#[command(name = "netlens", version, after_help = EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The tools, by short name with the long name as an alias.
#[derive(Subcommand, Debug)]
enum Command {
    /// Decode, inspect, change and resolve URLs (WHATWG URL Standard)
    #[command(name = "url", visible_alias = "url-parse")]
    Url(url_parse::Args),
    /// Network, broadcast, host range and netmask math; split, contains, aggregate, range, exclude
    #[command(name = "subnet", visible_alias = "subnet-calc")]
    Subnet(subnet_calc::Args),
    /// Look up DNS records, or trace a resolution from the root servers
    #[command(name = "dns", visible_alias = "dns-lookup")]
    Dns(dns_lookup::Args),
    /// HTTP/1.1, HTTP/2 and HTTPS requests, every phase shown and timed
    #[command(name = "get", visible_alias = "http-get")]
    Get(Box<http_get::Args>),
    /// Follow one request step by step: URL, message, DNS from the root, subnet, socket, response
    #[command(name = "journey")]
    Journey(journey::JourneyArgs),
}

/// Run with these arguments (`argv[0]` first) and return the exit code.
pub fn run(argv: Vec<OsString>) -> ExitCode {
    let invoked_as = argv
        .first()
        .and_then(|arg0| Path::new(arg0).file_stem())
        .and_then(|stem| stem.to_str())
        .unwrap_or("netlens");
    match invoked_as {
        "url-parse" => multicall::<url_parse::UrlParse>(argv),
        "subnet-calc" => multicall::<subnet_calc::SubnetCalc>(argv),
        "dns-lookup" => multicall::<dns_lookup::DnsLookup>(argv),
        "http-get" => multicall::<http_get::HttpGet>(argv),
        _ => dispatch(Cli::parse_from(argv).command),
    }
}

/// The dispatcher's clap command, for completions and man pages.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Each tool's own clap command, as its binary (or link) parses arguments.
pub fn tool_commands() -> Vec<clap::Command> {
    vec![
        url_parse::Args::command(),
        subnet_calc::Args::command(),
        dns_lookup::Args::command(),
        http_get::Args::command(),
    ]
}

/// Run the subcommand's tool.
fn dispatch(command: Command) -> ExitCode {
    match command {
        Command::Url(args) => execute::<url_parse::UrlParse>(args),
        Command::Subnet(args) => execute::<subnet_calc::SubnetCalc>(args),
        Command::Dns(args) => execute::<dns_lookup::DnsLookup>(args),
        Command::Get(args) => execute::<http_get::HttpGet>(*args),
        Command::Journey(args) => execute::<journey::Journey>(args),
    }
}

/// Run a tool as if its own binary had been invoked with `argv`.
fn multicall<T: Tool>(argv: Vec<OsString>) -> ExitCode {
    execute::<T>(<T::Args as Parser>::parse_from(argv))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definitions_are_consistent() {
        command().debug_assert();
        for tool in tool_commands() {
            tool.debug_assert();
        }
    }

    #[test]
    fn every_tool_is_a_subcommand_under_both_names() {
        let cli = command();
        for (short, long) in [
            ("subnet", "subnet-calc"),
            ("dns", "dns-lookup"),
            ("get", "http-get"),
        ] {
            let sub = cli.find_subcommand(short).expect(short);
            assert!(sub.get_all_aliases().any(|a| a == long), "{long}");
            assert!(TOOLS.contains(&long));
        }
    }
}
