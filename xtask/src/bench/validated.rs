//! `cargo xtask bench dns`, validated: `dns-lookup --trace --validate` on the
//! sandbox's signed hierarchy against `delv +vtrace` through a local recursive
//! server (Debian's `unbound`), both with the sandbox's trust anchor.
//!
//! Every server of the signed hierarchy listens on one loopback port, and a
//! recursive server follows referrals to port 53; so unbound is given each
//! zone as a stub zone at its server's address and port, and it resolves and
//! validates from there as it would from the root. delv is told the same
//! anchor (converted to its `trust-anchors { }` form) and checks the chain
//! itself, asking unbound for each record it needs; unbound's cache is warm
//! after hyperfine's warm-up runs, as a recursive server's is.

use std::fmt::Write as _;
use std::net::UdpSocket;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use netlens_sandbox::dns::signed::SignedHierarchy;

use super::{Bench, available, compare};

impl Bench {
    /// The validated trace against delv through unbound.
    pub(super) fn dns_validated(&self) -> Result<()> {
        if !available("delv") || !available("unbound") {
            println!(
                "\nskipping the validated trace: delv and unbound are needed \
                 (apt-get install bind9-dnsutils unbound)"
            );
            return Ok(());
        }
        let signed = SignedHierarchy::start()?;
        let unbound = Unbound::start(&self.dir, &signed)?;
        let anchor = self.dir.join("delv-anchor.conf");
        std::fs::write(&anchor, delv_anchor(signed.trust_anchor())?)?;
        let name = "www.lab.glasscom.com";
        let commands = [
            (
                "delv +vtrace via unbound (peer)".to_string(),
                format!(
                    "delv @127.0.0.1 -p {} -a {} +vtrace {name} A",
                    unbound.port,
                    anchor.display()
                ),
            ),
            (
                "dns-lookup --trace --validate".to_string(),
                format!(
                    "{} --trace --validate --root-hints {} --trust-anchor {} --port {} {name}",
                    self.tool("dns-lookup"),
                    signed.root_hints().display(),
                    signed.trust_anchor().display(),
                    signed.port()
                ),
            ),
        ];
        compare(
            "validated answer from the signed root (delv through a warm unbound)",
            &commands,
            &["-N", "--warmup", "10", "--runs", "100"],
        )?;
        Ok(())
    }
}

/// Debian's unbound, resolving and validating over the signed hierarchy.
struct Unbound {
    child: Child,
    port: u16,
}

impl Unbound {
    /// Write its configuration into `dir`, start it in the foreground and wait
    /// until it answers.
    fn start(dir: &Path, signed: &SignedHierarchy) -> Result<Unbound> {
        // A port the system just handed out and took back: free for a moment.
        let port = UdpSocket::bind("127.0.0.1:0")?.local_addr()?.port();
        let conf = dir.join("unbound.conf");
        std::fs::write(&conf, unbound_conf(dir, port, signed)?)?;
        let child = Command::new("unbound")
            .args(["-d", "-c"])
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("unbound.log"))?)
            .spawn()
            .context("starting unbound")?;
        let mut unbound = Unbound { child, port };
        for _ in 0..100 {
            let probe = Command::new("dig")
                .args(["+time=1", "+tries=1", "+short", "@127.0.0.1", "-p"])
                .arg(port.to_string())
                .args(["www.lab.glasscom.com", "A"])
                .output()?;
            if probe.status.success() && !probe.stdout.is_empty() {
                return Ok(unbound);
            }
            if unbound.child.try_wait()?.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "unbound did not answer; see {}",
            dir.join("unbound.log").display()
        )
    }
}

impl Drop for Unbound {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// unbound's settings: loopback only, no privileges dropped, the sandbox's
/// anchor, and one stub zone per zone of the signed hierarchy.
fn unbound_conf(dir: &Path, port: u16, signed: &SignedHierarchy) -> Result<String> {
    let mut text = format!(
        "server:\n  interface: 127.0.0.1\n  port: {port}\n  do-ip6: no\n  \
         access-control: 127.0.0.0/8 allow\n  do-not-query-localhost: no\n  \
         chroot: \"\"\n  username: \"\"\n  directory: \"{dir}\"\n  pidfile: \"\"\n  \
         use-syslog: no\n  num-threads: 1\n  trust-anchor-file: \"{anchor}\"\n",
        dir = dir.display(),
        anchor = signed.trust_anchor().display(),
    );
    for (zone, server) in signed.zones()? {
        let _ = write!(
            text,
            "stub-zone:\n  name: \"{zone}\"\n  stub-addr: {}@{}\n",
            server.ip(),
            server.port()
        );
    }
    Ok(text)
}

/// The anchor file's DS records (zone-file format) in delv's `trust-anchors`
/// form.
fn delv_anchor(anchor: &Path) -> Result<String> {
    let text = std::fs::read_to_string(anchor)?;
    let mut out = String::from("trust-anchors {\n");
    for line in text.lines().filter(|l| !l.trim_start().starts_with(';')) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = fields.iter().position(|f| *f == "DS") else {
            continue;
        };
        let [tag, algorithm, digest_type, digest @ ..] = &fields[at + 1..] else {
            bail!("a DS record without its fields: {line}");
        };
        let _ = writeln!(
            out,
            "  \"{}\" static-ds {tag} {algorithm} {digest_type} \"{}\";",
            fields[0],
            digest.concat()
        );
    }
    out.push_str("};\n");
    Ok(out)
}
