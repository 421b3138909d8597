//! `cargo xtask`: the project's automation, one task per file.
//!
//! - `test`: the Debian tools the tests drive (installed when missing), then the test suite;
//! - `ci`: formatting check, clippy with warnings denied, then `test`;
//! - `dist`: release binaries, tool links, shell completions and man pages in `target/dist`;
//! - `bench`: whole-process comparisons with the peer tools (ipcalc, iprange, dig, delv, curl);
//! - `fuzz`: run the cargo-fuzz targets in `fuzz/` for a while each;
//! - `scale-demo`: the Spark recipe of "Running at scale", run with `local[2]`.

mod bench;
mod ci;
mod dist;
mod fuzz;
mod scale;
mod standalone;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <task> [args]
  test               apt-get the tools the tests drive if missing, then cargo test --workspace
  ci                 cargo fmt --check, clippy -D warnings, then test
  dist               release build, tool links, completions and man pages into target/dist
  bench [WHAT...]    whole-process comparisons with peer tools (startup subnet url dns http bulk)
  fuzz [SECS]        run every fuzz target for SECS seconds (default 60; needs cargo-fuzz)
  scale-demo         split 10,000 inputs over Spark (local[2]) with --shard; needs pyspark";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    match task.as_str() {
        "ci" => ci::run(),
        "test" => ci::test(),
        "dist" => dist::run(),
        "bench" => bench::run(&rest),
        "fuzz" => fuzz::run(&rest),
        "scale-demo" => scale::run(),
        "" | "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown task {other:?}\n{USAGE}"),
    }
}

/// The workspace root (the parent of this crate's directory).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The cargo target directory, honoring `CARGO_TARGET_DIR`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Run a command in the workspace root, failing if it fails.
fn run_cmd(program: &str, args: &[&str]) -> Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .with_context(|| format!("running {program}"))?;
    if !status.success() {
        bail!("{program} {} failed: {status}", args.join(" "));
    }
    Ok(())
}
