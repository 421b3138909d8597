//! The dispatcher itself: help, version, exit-code documentation, bad usage,
//! multicall through links, and a closed stdout.

use crate::util::{netlens, tool};

#[test]
fn help_lists_exit_codes() {
    netlens()
        .args(["--help"])
        .run()
        .code(0)
        .stdout_has("Exit codes:")
        .stdout_has("5  TLS or security failure");
}

#[test]
fn every_tool_documents_exit_codes_in_its_help() {
    for name in ["url-parse", "subnet-calc", "dns-lookup", "http-get"] {
        tool(name)
            .args(["--help"])
            .run()
            .code(0)
            .stdout_has("Exit codes:")
            .stdout_has("4  remote or protocol error");
    }
}

#[test]
fn version_is_printed() {
    netlens()
        .args(["--version"])
        .run()
        .code(0)
        .stdout_has(env!("CARGO_PKG_VERSION"));
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    netlens()
        .args(["nosuchtool"])
        .run()
        .code(2)
        .never_shows("panicked");
}

#[test]
fn short_and_long_subcommand_names_and_links_agree() {
    let via_link = tool("subnet-calc").args(["--json", "192.0.2.7/30"]).run();
    via_link.code(0);
    for form in [["subnet", "--json"], ["subnet-calc", "--json"]] {
        let via_dispatcher = netlens().args(form).args(["192.0.2.7/30"]).run();
        via_dispatcher.code(0);
        assert_eq!(
            via_dispatcher.stdout,
            via_link.stdout,
            "{}",
            via_dispatcher.dump()
        );
    }
    assert_eq!(via_link.json()["broadcast"], "192.0.2.7");
}

#[test]
fn a_closed_stdout_ends_the_run_quietly_with_success() {
    // Far more output than a pipe buffer holds, so writes hit the closed pipe.
    let lines = "10.0.0.0/8\n".repeat(20_000);
    let run = crate::util::Cmd::shell_pipe(tool("subnet-calc").args(["--json"]).stdin(lines), 1);
    run.code(0)
        .never_shows("panicked")
        .never_shows("Broken pipe");
    assert_eq!(run.out().lines().count(), 1, "{}", run.dump());
}
