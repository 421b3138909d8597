//! `cargo xtask bench`: whole-process comparisons with the tools a user would
//! pick instead, timed by hyperfine in one run so that the ratios are fair.
//!
//! Each comparison prints every command's mean wall time and its ratio to the
//! peer measured in the same run. Inputs are generated deterministically into
//! `target/xtask-bench/`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{run_cmd, target_dir};

mod bulk;
mod loopback;
mod validated;

/// The comparisons, in the order `all` runs them.
const ALL: &[&str] = &["startup", "subnet", "url", "dns", "http", "bulk"];

/// Run the named comparisons (all when none is named).
pub fn run(args: &[String]) -> Result<()> {
    for tool in ["hyperfine"] {
        if Command::new(tool).arg("--version").output().is_err() {
            bail!("{tool} is needed: apt-get install hyperfine");
        }
    }
    run_cmd("cargo", &["build", "--release", "--bin", "netlens"])?;
    let bench = Bench::new()?;
    let wanted: Vec<&str> = if args.is_empty() {
        ALL.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    for what in wanted {
        match what {
            "startup" => bench.startup()?,
            "subnet" => bench.subnet()?,
            "url" => bench.url()?,
            "dns" => bench.dns()?,
            "http" => bench.http()?,
            "bulk" => bench.bulk()?,
            other => bail!("unknown comparison {other:?}; known: {}", ALL.join(" ")),
        }
    }
    Ok(())
}

struct Bench {
    dir: PathBuf,
}

impl Bench {
    fn new() -> Result<Bench> {
        let dir = target_dir().join("xtask-bench");
        std::fs::create_dir_all(&dir)?;
        let netlens = target_dir().join("release/netlens");
        for tool in netlens::TOOLS {
            let link = dir.join(tool.name);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&netlens, &link)
                .with_context(|| format!("linking {}", link.display()))?;
        }
        Ok(Bench { dir })
    }

    fn tool(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// Start-up: one input, whole process, against the floor (`/bin/true`,
    /// a process that does nothing) and ipcalc when it is installed.
    fn startup(&self) -> Result<()> {
        let standalone = crate::standalone::build()?;
        let alone = |tool: &str| standalone.join(tool).display().to_string();
        let url = "http://user@www.cyber.co.kr/dir/file1.html";
        let mut commands = vec![
            ("/bin/true (floor)".to_string(), "/bin/true".to_string()),
            (
                "subnet-calc".into(),
                format!("{} 10.11.12.13/24", alone("subnet-calc")),
            ),
            ("url-parse".into(), format!("{} {url}", alone("url-parse"))),
            (
                "subnet-calc (netlens link)".into(),
                format!("{} 10.11.12.13/24", self.tool("subnet-calc")),
            ),
            (
                "url-parse (netlens link)".into(),
                format!("{} {url}", self.tool("url-parse")),
            ),
            (
                "ipcalc (peer)".to_string(),
                "ipcalc -n 10.11.12.13/24".to_string(),
            ),
        ];
        commands.retain(|(label, cmd)| label != "ipcalc (peer)" || available(cmd));
        let means = compare(
            "start-up, one input",
            &commands,
            &["-N", "--warmup", "20", "--runs", "300"],
        )?;
        // SPEC §8: within 0.2 ms of the floor measured in the same run.
        for ((label, _), mean) in commands.iter().zip(&means).skip(1) {
            println!(
                "  {label:<28} {:+.3} ms above the floor",
                (mean - means[0]) * 1000.0
            );
        }
        Ok(())
    }

    /// 1,000,000 IPv4 prefixes from stdin, aggregated; then the common part
    /// and the difference of two such lists; each against iprange.
    fn subnet(&self) -> Result<()> {
        let prefix_line = |rng: &mut Lcg, line: &mut String, changed: bool| {
            let address = rng.next() as u32;
            let prefix = 8 + rng.next() % 25;
            // The second list moves one line in ten to a longer prefix.
            let prefix = if changed {
                (prefix + 1).min(32)
            } else {
                prefix
            };
            let [a, b, c, d] = address.to_be_bytes();
            let _ = write!(line, "{a}.{b}.{c}.{d}/{prefix}");
        };
        let first = self.generate("prefixes-1m.txt", 1_000_000, |rng, line| {
            prefix_line(rng, line, false)
        })?;
        let mut n = 0u32;
        let second = self.generate("prefixes-1m-b.txt", 1_000_000, |rng, line| {
            n += 1;
            prefix_line(rng, line, n.is_multiple_of(10))
        })?;
        let (a, b) = (first.display(), second.display());
        let subnet_calc = self.tool("subnet-calc");
        let aggregate = [
            (
                "iprange (peer)".to_string(),
                format!("iprange < {a} > /dev/null"),
            ),
            (
                "subnet-calc aggregate".into(),
                format!("{subnet_calc} aggregate < {a} > /dev/null"),
            ),
        ];
        compare(
            "aggregate 1,000,000 IPv4 prefixes",
            &aggregate,
            &["--warmup", "1", "--runs", "10"],
        )?;
        for (mode, flag) in [("common", "--common"), ("diff", "--diff")] {
            let commands = [
                (
                    format!("iprange {flag} (peer)"),
                    format!("iprange {a} {flag} {b} > /dev/null"),
                ),
                (
                    format!("subnet-calc {mode}"),
                    format!("{subnet_calc} {mode} @{a} -- @{b} > /dev/null"),
                ),
            ];
            // Both exit 1 when the lists differ, as they do here.
            compare(
                &format!("{mode} of two lists of 1,000,000 IPv4 prefixes"),
                &commands,
                &["--warmup", "1", "--runs", "10", "-i"],
            )?;
        }
        Ok(())
    }

    /// 1,000,000 URLs from stdin to JSON Lines.
    fn url(&self) -> Result<()> {
        const HOSTS: &[&str] = &[
            "www.cyber.co.kr",
            "example.com",
            "[2001:db8::1]",
            "192.0.2.7",
            "bücher.example",
        ];
        let input = self.generate("urls-1m.txt", 1_000_000, |rng, line| {
            let host = HOSTS[rng.next() as usize % HOSTS.len()];
            let n = rng.next() % 1000;
            let _ = write!(
                line,
                "https://user:pw@{host}:8443/dir{n}/file{n}.html?q={n}&r=x#frag"
            );
        })?;
        let input = input.display();
        // The limit: Ada's bare parse-and-print loop, built from url-parse's example.
        run_cmd(
            "cargo",
            &[
                "build",
                "--release",
                "-p",
                "url-parse",
                "--example",
                "ada-loop",
            ],
        )?;
        let ada_loop = target_dir().join("release/examples/ada-loop");
        let commands = [
            (
                "ada parse+print loop (limit)".to_string(),
                format!("{} < {input} > /dev/null", ada_loop.display()),
            ),
            (
                "url-parse --json".to_string(),
                format!("{} --json < {input} > /dev/null", self.tool("url-parse")),
            ),
        ];
        let means = compare(
            "1,000,000 URLs to JSON Lines",
            &commands,
            &["--warmup", "1", "--runs", "5"],
        )?;
        for ((label, _), mean) in commands.iter().zip(&means) {
            println!("  {label:<28} {:.2} M URLs/s", 1.0 / mean);
        }
        Ok(())
    }

    /// A question to one server, and a trace from the root, on the loopback
    /// hierarchy, against dig.
    fn dns(&self) -> Result<()> {
        let net = loopback::Loopback::start(&self.dir)?;
        let (port, hints, lab) = (net.port, &net.hints, net.lab);
        let name = "www.lab.glasscom.com";
        let query = [
            (
                "dig (peer)".to_string(),
                format!("dig -p {port} @{} {name} A", lab.ip()),
            ),
            (
                "dns-lookup".into(),
                format!("{} --server {lab} {name} A", self.tool("dns-lookup")),
            ),
        ];
        compare(
            "one question to one server",
            &query,
            &["-N", "--warmup", "20", "--runs", "200"],
        )?;

        // dig +trace ignores glue and looks name servers up through the system
        // resolver, so it runs in a private mount namespace whose /etc/hosts names
        // the sandbox servers: nothing leaves the machine.
        let hosts = self.dir.join("sandbox.hosts");
        let mut text = String::from("127.0.0.1 localhost\n");
        for (addr, name) in &net.servers {
            let _ = writeln!(text, "{addr} {}", name.trim_end_matches('.'));
        }
        std::fs::write(&hosts, text)?;
        let trace = [
            (
                "dig +trace (peer)".to_string(),
                format!("dig -p {port} +trace @127.53.0.1 {name}"),
            ),
            (
                "dns-lookup --trace".into(),
                format!(
                    "{} --trace --root-hints {hints} --port {port} {name}",
                    self.tool("dns-lookup")
                ),
            ),
            ("the namespace alone".into(), "true".into()),
        ];
        let namespaced = |cmd: &str| {
            format!(
                "unshare --mount sh -c 'mount --bind {} /etc/hosts && {cmd}'",
                hosts.display()
            )
        };
        let trace: Vec<(String, String)> = trace
            .iter()
            .map(|(label, cmd)| (label.clone(), namespaced(cmd)))
            .collect();
        let means = compare(
            "trace from the root (both in a private /etc/hosts namespace)",
            &trace,
            &["--warmup", "10", "--runs", "100"],
        )?;
        // The namespace's own cost is in both figures: the ratio without it.
        if let [dig, ours, alone] = means[..] {
            println!(
                "  without the namespace's {:.3} ms: dig +trace {:.3} ms, dns-lookup {:.3} ms, {:.1}x faster",
                alone * 1000.0,
                (dig - alone) * 1000.0,
                (ours - alone) * 1000.0,
                (dig - alone) / (ours - alone)
            );
        }
        self.dns_encrypted(&net, name)?;
        self.dns_validated()
    }

    /// One question over TLS and over HTTPS (HTTP/2), against kdig, through
    /// the sandbox's front ends for the `lab.glasscom.com.` server.
    fn dns_encrypted(&self, net: &loopback::Loopback, name: &str) -> Result<()> {
        if !available("kdig") {
            println!("\nskipping DoT and DoH: kdig is needed (apt-get install knot-dnsutils)");
            return Ok(());
        }
        let ca = &net.cacert;
        let tls = "+tls-hostname=dns.sandbox.test";
        let tool = self.tool("dns-lookup");
        let (dot, doh) = (net.dot.port(), net.doh.port());
        let cases = [
            ("DoT", "+tls", "--tls", dot),
            ("DoH", "+https=/dns-query", "--https", doh),
        ];
        for (label, kdig_flag, flag, port) in cases {
            let commands = [
                (
                    format!("kdig {kdig_flag} (peer)"),
                    format!("kdig -p {port} @127.0.0.1 {kdig_flag} +tls-ca={ca} {tls} {name} A"),
                ),
                (
                    format!("dns-lookup {flag}"),
                    format!(
                        "{tool} {flag} --cacert {ca} --tls-name dns.sandbox.test \
                         @127.0.0.1 --port {port} {name} A"
                    ),
                ),
            ];
            compare(
                &format!("one question over {label}"),
                &commands,
                &["-N", "--warmup", "10", "--runs", "100"],
            )?;
        }
        Ok(())
    }

    /// A small page and a 1 GiB body over loopback, against curl; peak memory too.
    fn http(&self) -> Result<()> {
        let server = netlens_sandbox::web::serve([127, 0, 0, 1].into())?;
        let page = server.url("/sample.htm");
        let small = [
            (
                "curl (peer)".to_string(),
                format!("curl -s -o /dev/null {page}"),
            ),
            (
                "http-get".into(),
                format!("{} -s -o /dev/null {page}", self.tool("http-get")),
            ),
        ];
        compare(
            "small page, whole process",
            &small,
            &["-N", "--warmup", "20", "--runs", "200"],
        )?;
        let big = server.url("/bytes/1073741824");
        let large = [
            (
                "curl (peer)".to_string(),
                format!("curl -s -o /dev/null {big}"),
            ),
            (
                "http-get".into(),
                format!("{} -s -o /dev/null {big}", self.tool("http-get")),
            ),
        ];
        download("1 GiB to /dev/null", &large)?;
        let h2c = [
            (
                "curl --http2-prior-knowledge (peer)".to_string(),
                format!("curl --http2-prior-knowledge -s -o /dev/null {big}"),
            ),
            (
                "http-get --http2-prior-knowledge".into(),
                format!(
                    "{} --http2-prior-knowledge -s -o /dev/null {big}",
                    self.tool("http-get")
                ),
            ),
        ];
        download("1 GiB over h2c to /dev/null", &h2c)?;
        self.http2()?;
        self.repeated(&page)
    }

    /// A small page over HTTPS and HTTP/2 (ALPN), against `curl --http2`.
    fn http2(&self) -> Result<()> {
        let pki =
            netlens_sandbox::web::pki::Pki::generate(netlens_sandbox::web::pki::DEFAULT_NAMES)?;
        let ca = self.dir.join("sandbox-ca.pem");
        std::fs::write(&ca, pki.ca_pem())?;
        let server = netlens_sandbox::web::serve_https([127, 0, 0, 1].into(), &pki)?;
        let page = server.url("/sample.htm");
        let ca = ca.display();
        let small = [
            (
                "curl --http2 (peer)".to_string(),
                format!("curl --http2 -s -o /dev/null --cacert {ca} {page}"),
            ),
            (
                "http-get (h2 by ALPN)".into(),
                format!(
                    "{} -s -o /dev/null --cacert {ca} {page}",
                    self.tool("http-get")
                ),
            ),
        ];
        compare(
            "small page over HTTPS + HTTP/2, whole process",
            &small,
            &["-N", "--warmup", "20", "--runs", "200"],
        )?;
        let big = server.url("/bytes/1073741824");
        let large = [
            (
                "curl --http2 (peer)".to_string(),
                format!("curl --http2 -s -o /dev/null --cacert {ca} {big}"),
            ),
            (
                "http-get (h2 by ALPN)".into(),
                format!(
                    "{} -s -o /dev/null --cacert {ca} {big}",
                    self.tool("http-get")
                ),
            ),
        ];
        download("1 GiB over HTTPS + HTTP/2 to /dev/null", &large)
    }

    /// Requests per second on one kept connection: `http-get -n 1000` (one
    /// process, timed whole) against wrk (one thread, one connection, 5 s).
    fn repeated(&self, page: &str) -> Result<()> {
        const N: u32 = 1000;
        let command = format!("{} -n {N} {page}", self.tool("http-get"));
        let means = compare(
            "http-get -n 1000 on one connection, whole process",
            &[("http-get -n 1000".to_string(), command)],
            &["-N", "--warmup", "1", "--runs", "5"],
        )?;
        let ours = f64::from(N) / means[0];
        let wrk = Command::new("wrk")
            .args(["-t1", "-c1", "-d5s", page])
            .output()
            .context("running wrk (apt-get install wrk)")?;
        let text = String::from_utf8_lossy(&wrk.stdout);
        let theirs: f64 = text
            .lines()
            .find_map(|l| l.strip_prefix("Requests/sec:"))
            .and_then(|v| v.trim().parse().ok())
            .context("wrk printed no Requests/sec")?;
        println!(
            "
requests per second, one connection"
        );
        println!(
            "  {:<28} {theirs:>10.0}   {:>6.2}x of wrk",
            "wrk (peer)", 1.0
        );
        println!(
            "  {:<28} {ours:>10.0}   {:>6.2}x of wrk",
            "http-get -n 1000",
            ours / theirs
        );
        Ok(())
    }

    /// Write `lines` generated lines into `name` once (kept between runs).
    fn generate(
        &self,
        name: &str,
        lines: usize,
        mut line: impl FnMut(&mut Lcg, &mut String),
    ) -> Result<PathBuf> {
        let path = self.dir.join(name);
        if path.exists() {
            return Ok(path);
        }
        let mut rng = Lcg(0x9e37_79b9_7f4a_7c15);
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut text = String::new();
        for _ in 0..lines {
            text.clear();
            line(&mut rng, &mut text);
            writeln!(out, "{text}")?;
        }
        out.flush()?;
        Ok(path)
    }
}

/// A small deterministic generator, so every run benches the same input.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        // See: Knuth, MMIX linear congruential generator constants.
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 16
    }
}

/// Peak resident memory of a command, from GNU time.
fn peak_rss_kib(command: &str) -> Option<u64> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .args(command.split_whitespace())
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

/// Whether the program a command line starts with is installed.
fn available(command: &str) -> bool {
    let program = command.split_whitespace().next().unwrap_or_default();
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|out| out.status.success())
}

/// A large download, whole process, against its peer; then each one's peak memory.
fn download(title: &str, commands: &[(String, String)]) -> Result<()> {
    compare(title, commands, &["-N", "--warmup", "1", "--runs", "5"])?;
    for (label, cmd) in commands {
        match peak_rss_kib(cmd) {
            Some(kib) => println!("  {label:<36} peak RSS {:.1} MiB", kib as f64 / 1024.0),
            None => println!("  peak RSS needs /usr/bin/time (apt-get install time)"),
        }
    }
    Ok(())
}

/// Time `commands` in one hyperfine run; print means and ratios to the first.
/// Returns the mean seconds of each command.
fn compare(title: &str, commands: &[(String, String)], options: &[&str]) -> Result<Vec<f64>> {
    let report = std::env::temp_dir().join(format!("netlens-bench-{}.json", std::process::id()));
    let mut hyperfine = Command::new("hyperfine");
    hyperfine
        .args(options)
        .arg("--style")
        .arg("none")
        .arg("--export-json")
        .arg(&report);
    for (label, command) in commands {
        hyperfine.arg("--command-name").arg(label).arg(command);
    }
    let status = hyperfine.status().context("running hyperfine")?;
    if !status.success() {
        bail!("hyperfine failed for {title}");
    }
    let means = read_means(&report)?;
    println!("\n{title}");
    let base = means.first().copied().unwrap_or(f64::NAN);
    for ((label, _), mean) in commands.iter().zip(&means) {
        println!(
            "  {label:<28} {:>10.3} ms   {:>6.2}x of {}",
            mean * 1000.0,
            mean / base,
            commands[0].0
        );
    }
    let _ = std::fs::remove_file(&report);
    Ok(means)
}

fn read_means(report: &Path) -> Result<Vec<f64>> {
    let text = std::fs::read_to_string(report)?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    json["results"]
        .as_array()
        .context("hyperfine report without results")?
        .iter()
        .map(|result| result["mean"].as_f64().context("result without mean"))
        .collect()
}
