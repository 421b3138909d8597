//! `cargo xtask ci`: what `.ci/run` does, runnable locally.

use anyhow::Result;

use crate::run_cmd;

/// Format check, lints with warnings denied, then the whole test suite.
pub fn run() -> Result<()> {
    run_cmd("cargo", &["fmt", "--all", "--check"])?;
    run_cmd(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    run_cmd("cargo", &["test", "--workspace"])
}
