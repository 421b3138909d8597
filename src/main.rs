//! `netlens`: one binary for every netlens tool.
//!
//! `netlens TOOL ARGS...` runs a tool by its short or long name (`subnet` or
//! `subnet-calc`); invoked through a link named like a tool (`ln -s netlens
//! subnet-calc`) it acts as that tool (multicall). Every tool's flags come from
//! its own library, so both forms behave the same.

use std::ffi::OsString;
use std::path::Path;

use clap::{Parser, Subcommand};
use netlens_core::{EXIT_CODES_HELP, ExitCode, Tool, execute};

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
}

fn main() {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let invoked_as = argv
        .first()
        .and_then(|arg0| Path::new(arg0).file_stem())
        .and_then(|stem| stem.to_str())
        .unwrap_or("netlens");
    let code = match invoked_as {
        "url-parse" => multicall::<url_parse::UrlParse>(argv),
        _ => dispatch(Cli::parse_from(argv).command),
    };
    std::process::exit(code.code())
}

/// Run the subcommand's tool.
fn dispatch(command: Command) -> ExitCode {
    match command {
        Command::Url(args) => execute::<url_parse::UrlParse>(args),
    }
}

/// Run a tool as if its own binary had been invoked with `argv`.
fn multicall<T: Tool>(argv: Vec<OsString>) -> ExitCode {
    execute::<T>(<T::Args as Parser>::parse_from(argv))
}
