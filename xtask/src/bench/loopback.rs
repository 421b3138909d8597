//! The loopback DNS hierarchy of `cargo xtask bench dns`, served by the
//! sandbox's release-built `dns-hierarchy` example in a process of its own
//! (with its DNS-over-TLS and -HTTPS front ends): served from this debug-built
//! process, the servers were the slowest part of what was timed, and their
//! speed moved the ratios from run to run.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, Result};

use super::bulk::Served;

/// The running hierarchy, as its example printed it.
pub(super) struct Loopback {
    _served: Served,
    /// The port every server listens on.
    pub port: u16,
    /// The root hints file.
    pub hints: String,
    /// Every server: address and name.
    pub servers: Vec<(String, String)>,
    /// The `lab.glasscom.com.` server.
    pub lab: SocketAddr,
    /// Its DNS-over-TLS and DNS-over-HTTPS front ends, and their CA file.
    pub dot: SocketAddr,
    pub doh: SocketAddr,
    pub cacert: String,
}

impl Loopback {
    /// Build and start the example in `dir`; read what it printed.
    pub fn start(dir: &Path) -> Result<Loopback> {
        let served = Served::start(dir, "dns-hierarchy", &["3600"], "cacert ")?;
        let text = std::fs::read_to_string(dir.join("dns-hierarchy.out"))?;
        let value = |key: &str| -> Result<String> {
            text.lines()
                .find_map(|line| line.strip_prefix(key))
                .map(|rest| rest.trim().to_string())
                .with_context(|| format!("dns-hierarchy printed no {key:?} line"))
        };
        // `server ADDRESS NAME ZONE...`
        let servers: Vec<Vec<&str>> = text
            .lines()
            .filter_map(|line| line.strip_prefix("server "))
            .map(|rest| rest.split_whitespace().collect())
            .collect();
        let port: u16 = value("port ")?.parse()?;
        let lab = servers
            .iter()
            .find(|fields| fields[2..].contains(&"lab.glasscom.com."))
            .context("no server for lab.glasscom.com.")?;
        Ok(Loopback {
            port,
            hints: value("hints ")?,
            lab: SocketAddr::new(lab[0].parse()?, port),
            servers: servers
                .iter()
                .map(|fields| (fields[0].to_string(), fields[1].to_string()))
                .collect(),
            dot: value("dot ")?.parse()?,
            doh: value("doh ")?.parse()?,
            cacert: value("cacert ")?,
            _served: served,
        })
    }
}
