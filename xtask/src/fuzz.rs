//! `cargo xtask fuzz [SECS]`: run each cargo-fuzz target in `fuzz/` for a while.
//!
//! The fuzz crate lives outside the workspace (it needs nightly-only flags), so
//! this task only drives `cargo fuzz`, which must be installed (`cargo install cargo-fuzz`).

use anyhow::{Context, Result, bail};

use crate::{root, run_cmd};

/// Run every target listed in `fuzz/fuzz_targets/` for `SECS` seconds (default 60).
pub fn run(args: &[String]) -> Result<()> {
    let seconds: u64 = match args.first() {
        Some(s) => s.parse().with_context(|| format!("fuzz seconds {s:?}"))?,
        None => 60,
    };
    let dir = root().join("fuzz/fuzz_targets");
    let mut targets: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    targets.sort();
    if targets.is_empty() {
        bail!("no fuzz targets in {}", dir.display());
    }
    let limit = format!("-max_total_time={seconds}");
    for target in &targets {
        run_cmd(
            "cargo",
            &["fuzz", "run", "--fuzz-dir", "fuzz", target, "--", &limit],
        )?;
    }
    Ok(())
}
