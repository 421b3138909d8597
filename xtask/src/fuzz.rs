//! `cargo xtask fuzz [SECS]`: run each cargo-fuzz target in `fuzz/` for a while.
//!
//! The fuzz crate lives outside the workspace (its builds carry coverage
//! instrumentation flags), so this task only drives `cargo fuzz`, which must be
//! installed (`cargo install cargo-fuzz`).
//!
//! The toolchain is stable. cargo-fuzz's default sanitizer (address) needs
//! `-Zsanitizer`, a nightly flag, so the targets run with `-s none`: libFuzzer's
//! coverage instrumentation uses only stable flags, and the workspace forbids
//! unsafe code, which is what AddressSanitizer would watch. Panics, overflow
//! (cargo-fuzz turns debug assertions on), timeouts and memory blow-ups are
//! still caught. `FUZZ_SANITIZER=address` asks for AddressSanitizer anyway,
//! with `RUSTC_BOOTSTRAP=1` so that the stable compiler accepts `-Zsanitizer`
//! (about five times fewer executions per second).

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::root;

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
    let sanitizer = std::env::var("FUZZ_SANITIZER").unwrap_or_else(|_| "none".into());
    let limit = format!("-max_total_time={seconds}");
    for target in &targets {
        let mut args = vec![
            "fuzz".to_string(),
            "run".into(),
            "--fuzz-dir".into(),
            "fuzz".into(),
            "-s".into(),
            sanitizer.clone(),
            target.clone(),
            "--".into(),
            limit.clone(),
        ];
        // A dictionary of the syntax a target reads helps it past the first
        // bytes of a URL sooner than bit flips would.
        let dict = format!("fuzz/dicts/{target}.dict");
        if root().join(&dict).is_file() {
            args.push(format!("-dict={dict}"));
        }
        eprintln!("$ cargo {}", args.join(" "));
        let mut cargo = Command::new("cargo");
        // Fuzz builds carry their own flags: keep them in fuzz/target (ignored by
        // git), away from the workspace's target directory.
        cargo
            .args(&args)
            .env_remove("CARGO_TARGET_DIR")
            .current_dir(root());
        if sanitizer != "none" {
            // Sanitizers are still nightly-only flags; let stable rustc take them.
            cargo.env("RUSTC_BOOTSTRAP", "1");
        }
        let status = cargo.status().context("running cargo fuzz")?;
        if !status.success() {
            bail!(
                "fuzz target {target} failed: {status} (the input is in fuzz/artifacts/{target}/)"
            );
        }
    }
    Ok(())
}
