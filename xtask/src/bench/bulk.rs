//! `cargo xtask bench bulk`: many inputs at once against the peers, in one
//! hyperfine run per comparison, with peak memory from GNU time.
//!
//! The servers are the sandbox's examples built in release (`bulk-zone`,
//! `web-server`), in processes of their own, so that they are not the
//! bottleneck of what is measured.
//!
//! - DNS: 100,000 names to the sandbox's `bulk.test.` server on
//!   127.0.0.153:53 (adnshost cannot be given a port): `dnsperf` (a load
//!   generator that renders nothing: the limit), `adnshost --asynch`, and
//!   `dns-lookup --json` one name at a time and with `-P 256`; peak RSS for
//!   100,000 and 1,000,000 names.
//! - HTTP: 10,000 URLs to the sandbox web server: `curl -Z --parallel-max 32`
//!   and `http-get -P 32 --json` (bodies to /dev/null), `http-get` one at a
//!   time, and `wrk` on one URL (the limit, as requests per second).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::process::{Child, Command};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::{Bench, compare};
use crate::{run_cmd, target_dir};

/// The address of the bench's `bulk.test.` server.
const DNS_ADDR: &str = "127.0.0.153:53";

impl Bench {
    /// The DNS and HTTP bulk comparisons.
    pub(super) fn bulk(&self) -> Result<()> {
        self.bulk_dns()?;
        self.bulk_http()
    }

    fn bulk_dns(&self) -> Result<()> {
        let addr: SocketAddr = DNS_ADDR.parse()?;
        let _zone = Served::start(&self.dir, "bulk-zone", &[DNS_ADDR, "3600"], "bulk.test.")?;
        // Every name distinct, so that no tool's cache answers.
        let names = |name: &str, count: usize, suffix: &'static str| {
            let mut n = 0;
            self.generate(name, count, move |_, line| {
                n += 1;
                let _ = write!(line, "name{n}.bulk.test{suffix}");
            })
        };
        let small = names("names-100000.txt", 100_000, "")?;
        let large = names("names-1000000.txt", 1_000_000, "")?;
        let perf = names("names-100000.dnsperf", 100_000, " A")?;
        let lookup = self.tool("dns-lookup");
        let server = format!("--server {} --port {}", addr.ip(), addr.port());
        let small = small.display();
        let commands = [
            (
                "dnsperf -q 256 (the limit)".to_string(),
                format!(
                    "dnsperf -s {} -p {} -d {} -n 1 -q 256 -c 1 -t 5",
                    addr.ip(),
                    addr.port(),
                    perf.display()
                ),
            ),
            (
                "adnshost --asynch".into(),
                format!(
                    "adnshost --config 'nameserver {}' -a -Fi -t a -f < {small} > /dev/null",
                    addr.ip()
                ),
            ),
            (
                "dns-lookup -P 256 --json".into(),
                format!("{lookup} -P 256 {server} --json --input-file {small} > /dev/null"),
            ),
            (
                "dns-lookup --json (one at a time)".into(),
                format!("{lookup} {server} --json --input-file {small} > /dev/null"),
            ),
        ];
        compare(
            "100,000 names to one loopback authoritative server",
            &commands,
            // adnshost exits 2 when one of 100,000 answers is late: still timed.
            &["-i", "--warmup", "1", "--runs", "3"],
        )?;
        let large = large.display();
        for (label, cmd) in [
            (
                "dns-lookup -P 256, 100,000 names",
                format!("{lookup} -P 256 {server} --json --input-file {small}"),
            ),
            (
                "dns-lookup -P 256, 1,000,000 names",
                format!("{lookup} -P 256 {server} --json --input-file {large}"),
            ),
            (
                "dns-lookup (one at a time), 1,000,000 names",
                format!("{lookup} {server} --json --input-file {large}"),
            ),
        ] {
            print_rss(label, &cmd);
        }
        Ok(())
    }

    fn bulk_http(&self) -> Result<()> {
        let server = Served::start(&self.dir, "web-server", &["3600"], "http ")?;
        let base = server
            .line
            .split_whitespace()
            .nth(1)
            .context("the server's URL")?;
        let base = base.trim_end_matches('/').to_string();
        let count = 10_000;
        // The server's port is part of every URL: one input file per port.
        let port = base.rsplit(':').next().unwrap_or_default();
        let name = format!("urls-10000-{port}.txt");
        let urls = self.generate(&name, count, |rng, line| {
            let _ = write!(line, "{base}/bytes/{}", 100 + rng.next() % 900);
        })?;
        let text = std::fs::read_to_string(&urls)?;
        let mut config = String::new();
        for url in text.lines() {
            let _ = writeln!(config, "url = \"{url}\"\noutput = \"/dev/null\"");
        }
        let curl_config = self.dir.join("urls-10000.curl");
        std::fs::write(&curl_config, config)?;
        let get = self.tool("http-get");
        let urls = urls.display();
        let commands = [
            (
                "curl -Z --parallel-max 32".to_string(),
                format!("curl -s -Z --parallel-max 32 -K {}", curl_config.display()),
            ),
            (
                "http-get -P 32 --json".into(),
                format!("{get} -P 32 --json --input-file {urls} > /dev/null"),
            ),
            (
                "http-get --json (one at a time)".into(),
                format!("{get} --json --input-file {urls} > /dev/null"),
            ),
        ];
        let means = compare(
            "10,000 URLs to one loopback web server",
            &commands,
            &["--warmup", "1", "--runs", "3"],
        )?;
        print_rss(
            "http-get -P 32, 10,000 URLs",
            &format!("{get} -P 32 --json --input-file {urls}"),
        );
        let wrk = Command::new("wrk")
            .args(["-t1", "-c32", "-d5s", &format!("{base}/bytes/500")])
            .output();
        if let Ok(out) = wrk {
            let text = String::from_utf8_lossy(&out.stdout);
            let rate = text
                .lines()
                .find_map(|l| l.strip_prefix("Requests/sec:"))
                .and_then(|r| r.trim().parse::<f64>().ok());
            if let (Some(rate), Some(ours)) = (rate, means.get(1)) {
                println!(
                    "  wrk -c32 on one URL (the limit): {rate:.0} requests/s; \
                     http-get -P 32: {:.0} URLs/s ({:.0}% of it)",
                    count as f64 / ours,
                    100.0 * count as f64 / ours / rate
                );
            }
        }
        Ok(())
    }
}

/// A sandbox example, built in release, serving in a process of its own
/// until dropped.
pub(super) struct Served {
    child: Child,
    /// The first line it printed that starts with what was awaited.
    line: String,
}

impl Served {
    /// Build and start example `name` with `args` in `dir`; wait for the line
    /// starting with `ready`.
    pub(super) fn start(
        dir: &std::path::Path,
        name: &str,
        args: &[&str],
        ready: &str,
    ) -> Result<Served> {
        let build = [
            "build",
            "--release",
            "-p",
            "netlens-sandbox",
            "--example",
            name,
        ];
        run_cmd("cargo", &build)?;
        // Its output goes to a file: a pipe closed early would end it.
        let log = dir.join(format!("{name}.out"));
        let child = Command::new(target_dir().join("release/examples").join(name))
            .args(args)
            .current_dir(dir)
            .stdout(std::fs::File::create(&log)?)
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        let mut served = Served {
            child,
            line: String::new(),
        };
        for _ in 0..300 {
            let text = std::fs::read_to_string(&log)?;
            if let Some(line) = text.lines().find(|line| line.starts_with(ready)) {
                served.line = line.to_string();
                return Ok(served);
            }
            if served.child.try_wait()?.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("{name} ended before saying {ready:?}")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Print the peak RSS of `command` (its stdout to /dev/null).
fn print_rss(label: &str, command: &str) {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", "sh", "-c", &format!("{command} > /dev/null")])
        .output();
    let kib = out.ok().and_then(|out| {
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()?
            .trim()
            .parse::<f64>()
            .ok()
    });
    match kib {
        Some(kib) => println!("  {label:<44} peak RSS {:.1} MiB", kib / 1024.0),
        None => println!("  peak RSS needs /usr/bin/time (apt-get install time)"),
    }
}
