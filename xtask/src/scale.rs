//! `cargo xtask scale-demo`: the Spark recipe of the README's "Running at
//! scale", run for real with `local[2]`: `examples/spark_shards.py` pipes four
//! shards of 10,000 prefixes through `subnet-calc`, and the union of the
//! partitions' outputs must equal one process's output, line for line.
//!
//! Opt-in (not in CI): it needs pyspark and a Java runtime
//! (`pip install pyspark`, Debian `default-jre-headless`).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};

use crate::{root, run_cmd, target_dir};

/// How many inputs the demo splits.
const INPUTS: u32 = 10_000;

/// Build, split over Spark, compare with one process.
pub fn run() -> Result<()> {
    let ready = Command::new("python3")
        .args(["-c", "import pyspark"])
        .status()
        .is_ok_and(|status| status.success());
    ensure!(
        ready,
        "pyspark is not installed (pip install pyspark; it needs a Java runtime)"
    );
    run_cmd("cargo", &["build", "--release", "--bin", "netlens"])?;
    let dir = target_dir().join("xtask-scale");
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    let tool = dir.join("subnet-calc");
    std::os::unix::fs::symlink(target_dir().join("release/netlens"), &tool)?;
    let inputs = dir.join("prefixes.txt");
    let list: String = (0..INPUTS)
        .map(|n| format!("10.{}.{}.1/24\n", n >> 8, n & 255))
        .collect();
    fs::write(&inputs, list)?;

    let output = dir.join("spark-out");
    let script = root().join("examples/spark_shards.py");
    let status = Command::new("python3")
        .arg(&script)
        .args([&tool, &inputs, &output])
        .args(["4", "local[2]"])
        .status()
        .context("running examples/spark_shards.py")?;
    if !status.success() {
        bail!("spark_shards.py failed: {status}");
    }
    let spark = partition_lines(&output)?;
    let alone = Command::new(&tool)
        .args(["--json", "--input-file"])
        .arg(&inputs)
        .output()?;
    let alone: BTreeSet<String> = String::from_utf8(alone.stdout)?
        .lines()
        .map(String::from)
        .collect();
    ensure!(
        spark == alone && alone.len() == INPUTS as usize,
        "Spark's union ({} lines) differs from one process ({} lines)",
        spark.len(),
        alone.len()
    );
    eprintln!("Spark, 4 shards on local[2]: {INPUTS} results, equal to one process");
    Ok(())
}

/// Every line of the `part-*` files Spark wrote.
fn partition_lines(dir: &Path) -> Result<BTreeSet<String>> {
    let mut lines = BTreeSet::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let is_part = path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with("part-"));
        if is_part {
            lines.extend(fs::read_to_string(&path)?.lines().map(String::from));
        }
    }
    Ok(lines)
}
