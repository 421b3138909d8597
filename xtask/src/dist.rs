//! `cargo xtask dist`: the release binary, a link per tool (`subnet-calc` and
//! `url-parse` as static binaries of their own, see `standalone`), shell
//! completions and man pages, all in `target/dist`.
//!
//! Completions and man pages are rendered from the same clap definitions the
//! binaries parse with (`netlens::command` and each row of `netlens::TOOLS`), so they
//! cannot drift from the real flags.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use clap_complete::Shell;

use crate::{run_cmd, target_dir};

/// Build and lay out everything a package needs.
pub fn run() -> Result<()> {
    run_cmd("cargo", &["build", "--release", "--bin", "netlens"])?;
    let dist = target_dir().join("dist");
    if dist.exists() {
        fs::remove_dir_all(&dist)?;
    }
    let bin = dist.join("bin");
    fs::create_dir_all(&bin)?;
    fs::copy(target_dir().join("release/netlens"), bin.join("netlens"))
        .context("copying the release binary")?;
    let standalone = crate::standalone::build()?;
    for tool in netlens::TOOLS {
        if crate::standalone::TOOLS.contains(&tool.name) {
            // Its own static binary: the same flags, and a start-up at the floor.
            fs::copy(standalone.join(tool.name), bin.join(tool.name))
                .with_context(|| format!("copying the standalone {}", tool.name))?;
        } else {
            std::os::unix::fs::symlink("netlens", bin.join(tool.name))?;
        }
    }

    let mut commands = vec![netlens::command()];
    commands.extend(netlens::TOOLS.iter().map(|tool| (tool.command)()));
    for command in &commands {
        completions(command.clone(), &dist.join("completions"))?;
        man_pages(command.clone(), &dist.join("man/man1"))?;
    }
    eprintln!("wrote {}", dist.display());
    Ok(())
}

/// Completion scripts for bash, zsh, fish, elvish and PowerShell.
fn completions(mut command: clap::Command, dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)?;
    let name = command.get_name().to_string();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        clap_complete::generate_to(shell, &mut command, &name, dir)
            .with_context(|| format!("{shell} completions for {name}"))?;
    }
    Ok(())
}

/// A man page for the command and one for each of its subcommands
/// (`netlens-subnet.1`, `subnet-calc-split.1`...).
fn man_pages(command: clap::Command, dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)?;
    clap_mangen::generate_to(command, dir).context("man pages")?;
    Ok(())
}
