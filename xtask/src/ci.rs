//! `cargo xtask test`: the Debian tools the end-to-end tests drive, then the
//! whole test suite; `cargo xtask ci`: what `.ci/run` does (format check,
//! lints with warnings denied, then `test`), runnable locally.

use std::process::Command;

use anyhow::{Result, bail};

use crate::run_cmd;

/// Debian packages the tests run: GNU parallel (shards side by side),
/// strace (the journey's system calls checked), openssl (the signed
/// sandbox's RSA key).
const PACKAGES: &[&str] = &["parallel", "strace", "openssl"];

/// Format check, lints with warnings denied, then the tests.
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
    test()
}

/// Install what the tests need, then run every test of the workspace.
pub fn test() -> Result<()> {
    install_missing()?;
    run_cmd("cargo", &["test", "--workspace"])
}

/// `apt-get install` the packages of [`PACKAGES`] that are missing.
fn install_missing() -> Result<()> {
    let missing: Vec<&str> = PACKAGES
        .iter()
        .copied()
        .filter(|package| {
            !Command::new("dpkg")
                .args(["-s", package])
                .output()
                .is_ok_and(|out| out.status.success())
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
    if !root {
        bail!(
            "the tests need these Debian packages: {} (apt-get install them as root)",
            missing.join(" ")
        );
    }
    run_cmd("apt-get", &["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq"];
    install.extend(&missing);
    run_cmd("apt-get", &install)
}
