//! The standalone builds of the two tools whose start-up is at the floor:
//! `subnet-calc` and `url-parse` as static executables of their own.
//!
//! The `netlens` multicall binary carries every tool (hyper, rustls, hickory)
//! and the dynamic loader binds and relocates all of it at each start; a tool's
//! own binary, linked statically, starts with no loader at all. Static linking
//! needs an explicit `--target` (so that the flag does not reach proc macros),
//! hence a target directory of its own.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{root, target_dir};

/// The tools built standalone.
pub const TOOLS: &[&str] = &["subnet-calc", "url-parse"];

/// The host's target triple, which the standalone build names explicitly.
const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// Build the standalone tools; the directory that holds them.
pub fn build() -> Result<PathBuf> {
    let dir = target_dir().join("standalone");
    let mut cargo = Command::new("cargo");
    cargo.args(["build", "--release", "--target", TRIPLE]);
    for tool in TOOLS {
        cargo.args(["-p", tool, "--bin", tool]);
    }
    eprintln!(
        "$ cargo build --release --target {TRIPLE} (static: {})",
        TOOLS.join(", ")
    );
    let status = cargo
        .env("CARGO_TARGET_DIR", &dir)
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .current_dir(root())
        .status()
        .context("running cargo")?;
    if !status.success() {
        bail!("the standalone build failed: {status}");
    }
    Ok(dir.join(TRIPLE).join("release"))
}
