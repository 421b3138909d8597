//! The dispatcher itself: help, version, exit-code documentation, bad usage.

use crate::util::netlens;

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
