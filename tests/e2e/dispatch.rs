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
    for name in netlens::TOOLS.iter().map(|row| row.name) {
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
            via_dispatcher.json(),
            via_link.json(),
            "{}",
            via_dispatcher.dump()
        );
    }
    assert_eq!(via_link.json()["broadcast"], "192.0.2.7");
}

#[test]
fn every_tool_answers_under_its_short_name_its_long_name_and_its_link() {
    for row in netlens::TOOLS {
        let via_link = tool(row.name).args(["--help"]).run();
        via_link
            .code(0)
            .stdout_has(&format!("Usage: {} ", row.name));
        for name in [row.short, row.name] {
            let via_dispatcher = netlens().args([name, "--help"]).run();
            via_dispatcher
                .code(0)
                .stdout_has(&format!("Usage: netlens {} ", row.short));
            // The same flags, documented the same way, in every form.
            assert_eq!(
                options_section(&via_dispatcher.out()),
                options_section(&via_link.out()),
                "{}",
                via_dispatcher.dump()
            );
        }
    }
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

/// The help text from its "Options:" heading on: what is the same in every form.
fn options_section(help: &str) -> &str {
    help.find("Options:").map_or("", |at| &help[at..])
}
