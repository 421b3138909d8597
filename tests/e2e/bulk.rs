//! Many inputs at once: `dns-lookup -P N` (with `--rate`, `--unordered`)
//! against the sandbox's `bulk.test.` zone, which answers every name below it,
//! and `dns-lookup --trace -P N` through the sandbox hierarchy (the same
//! steps as one at a time, each referral asked once),
//! and `http-get -P N --per-host M` against counting web servers (one host per
//! loopback address); results in input order, every input once, the limits
//! kept, bad flags refused.

use std::path::Path;
use std::time::{Duration, Instant};

use netlens_sandbox::dns::Hierarchy;
use netlens_sandbox::dns::bulk::{BulkZone, address_of};
use netlens_sandbox::dns::zones::{COM, GLASSCOM_1, GLASSCOM_2, LAB, ROOT};
use netlens_sandbox::web::counting::{Counting, serve_counting};
use netlens_sandbox::web::{self, Server};

use crate::util::{Cmd, shell, temp_dir, tool, tool_path};

/// Names `name1.bulk.test` ... `name{count}.bulk.test`, one per line.
fn names(count: u32) -> String {
    (1..=count)
        .map(|n| format!("name{n}.bulk.test\n"))
        .collect()
}

/// `dns-lookup --server ADDR --port PORT ARGS...` against `zone`.
fn lookup(zone: &BulkZone, args: &[&str]) -> Cmd {
    let port = zone.addr().port().to_string();
    tool("dns-lookup")
        .args(["--server", "127.0.0.1", "--port", &port, "--timeout", "5"])
        .args(args)
}

/// The queried name and the A record of each JSON line.
fn answers(lines: &[serde_json::Value]) -> Vec<(String, String)> {
    lines
        .iter()
        .map(|line| {
            let name = line["query"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let data = line["answers"][0]["data"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (name, data)
        })
        .collect()
}

fn expected(count: u32) -> Vec<(String, String)> {
    (1..=count)
        .map(|n| {
            let name = format!("name{n}.bulk.test.");
            let address = address_of(&name).to_string();
            (name, address)
        })
        .collect()
}

#[test]
fn hundred_thousand_names_through_p256_in_input_order() {
    let zone = BulkZone::start().expect("start bulk.test");
    let dir = temp_dir();
    let out = dir.path().join("out.jsonl");
    let script = format!(
        "seq -f 'name%g.bulk.test' 1 100000 | {} -P 256 --server 127.0.0.1 --port {} \
         --timeout 5 --json > {}; wc -l < {}",
        tool_path("dns-lookup").display(),
        zone.addr().port(),
        out.display(),
        out.display()
    );
    let run = shell(&script).limit(Duration::from_secs(600)).run();
    run.code(0);
    assert_eq!(run.out().trim(), "100000", "{}", run.dump());
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(answers(&lines), expected(100_000));
    assert!(zone.answered() >= 100_000);
}

#[test]
fn three_runs_at_once_ending_on_a_bad_name_all_finish() {
    // Each run's last job is ready at once while hundreds are in flight: the
    // case where a wake lost between two `block_on`s stalled a run for good.
    let zone = BulkZone::start().expect("start bulk.test");
    let dir = temp_dir();
    let script = format!(
        "for k in 1 2 3; do ((seq -f 'name%g.bulk.test' 1 20000; echo bad..name) | \
         {} -P 256 --server 127.0.0.1 --port {} --timeout 5 --json > {dir}/out$k \
         2>/dev/null; echo $? > {dir}/rc$k) & done; wait; \
         for k in 1 2 3; do echo $(cat {dir}/rc$k) $(wc -l < {dir}/out$k); done",
        tool_path("dns-lookup").display(),
        zone.addr().port(),
        dir = dir.path().display(),
    );
    let run = shell(&script).limit(Duration::from_secs(300)).run();
    run.code(0);
    // Exit 2 for the bad name, every line written.
    assert_eq!(run.out(), "2 20001\n".repeat(3), "{}", run.dump());
}

#[test]
fn unordered_writes_every_name_once() {
    let zone = BulkZone::start().expect("start bulk.test");
    let run = lookup(&zone, &["-P", "64", "--unordered", "--json"])
        .stdin(names(3000))
        .run();
    run.code(0);
    assert!(!run.err().contains("done"), "no progress line when piped");
    let mut got = answers(&run.json_lines());
    got.sort();
    let mut want = expected(3000);
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn failures_stay_in_their_place() {
    let zone = BulkZone::start().expect("start bulk.test");
    let stdin = "a.bulk.test\nbad..name\nb.bulk.test MX\nexample.com\nc.bulk.test\n";
    let run = lookup(&zone, &["-P", "8", "--json"]).stdin(stdin).run();
    // REFUSED for the name outside the zone: exit 4, the highest.
    run.code(4);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 5, "{}", run.dump());
    assert_eq!(lines[0]["query"]["name"], "a.bulk.test.");
    assert_eq!(lines[1]["input"], "bad..name");
    assert_eq!(lines[1]["error"]["kind"], "invalid_name");
    assert_eq!(lines[2]["query"]["type"], "MX");
    assert_eq!(lines[2]["answers"], serde_json::json!([]));
    assert_eq!(lines[3]["rcode"], "REFUSED");
    assert_eq!(lines[4]["query"]["name"], "c.bulk.test.");
    run.stderr_has("bad..name");
}

#[test]
fn an_unreadable_input_field_keeps_its_place_in_dns_lookup_p() {
    let zone = BulkZone::start().expect("start bulk.test");
    let stdin = "{\"name\":\"a.bulk.test\"}\nnot json\n{\"other\":1}\n{\"name\":\"b.bulk.test\"}\n";
    let run = lookup(&zone, &["-P", "8", "--json", "--input-field", "name"])
        .stdin(stdin)
        .run();
    run.code(2);
    // Each line: the name asked, or the input that could not be read.
    let lines = run.json_lines();
    let order: Vec<&str> = lines
        .iter()
        .map(|line| {
            line["query"]["name"]
                .as_str()
                .or(line["input"].as_str())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        order,
        ["a.bulk.test.", "not json", "{\"other\":1}", "b.bulk.test."]
    );
}

#[test]
fn rate_caps_queries_per_second() {
    let zone = BulkZone::start().expect("start bulk.test");
    let started = Instant::now();
    // 60 names at 100 a second: a burst of 10, then 50 more 10 ms apart.
    let run = lookup(&zone, &["-P", "16", "--rate", "100", "--short"])
        .stdin(names(60))
        .run();
    let elapsed = started.elapsed();
    run.code(0);
    assert_eq!(run.out().lines().count(), 60);
    assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
}

#[test]
fn a_refusing_server_is_backed_off() {
    let zone = BulkZone::start().expect("start bulk.test");
    let refused: String = (1..=8).map(|n| format!("name{n}.example\n")).collect();
    let started = Instant::now();
    let run = lookup(&zone, &["-P", "2", "--json"]).stdin(refused).run();
    let elapsed = started.elapsed();
    run.code(4);
    assert_eq!(run.json_lines().len(), 8);
    // Each refusal in a row doubles the wait before the next query starts
    // (50, 100, 200, 400 ms...): no burst of queries at a refusing server.
    assert!(elapsed >= Duration::from_millis(700), "{elapsed:?}");
}

#[test]
fn bad_parallel_and_rate_exit_2_naming_the_token() {
    for (flag, bad) in [
        ("-P", "0"),
        ("--parallel", "x"),
        ("--rate", "-1"),
        ("--rate", "0"),
    ] {
        let run = tool("dns-lookup")
            .args([flag, bad, "--server", "127.0.0.1", "a.bulk.test"])
            .run();
        run.code(2);
        run.stderr_has(bad);
    }
}

/// The JSON Lines of `tool FLAGS --json --shard K/4 --input-file INPUTS` for
/// K = 1..4, run side by side by GNU parallel (its files under `home`).
fn four_shards(tool: &str, flags: &str, inputs: &Path, home: &Path) -> Vec<serde_json::Value> {
    let script = format!(
        "seq 1 4 | parallel -j 4 '{} {flags} --json --shard {{}}/4 --input-file {}'",
        tool_path(tool).display(),
        inputs.display()
    );
    let sharded = shell(&script).env("HOME", home).run();
    sharded.code(0);
    sharded.json_lines()
}

#[test]
fn four_shards_with_p_equal_one_process() {
    let zone = BulkZone::start().expect("start bulk.test");
    let dir = temp_dir();
    let inputs = dir.path().join("names.txt");
    std::fs::write(&inputs, names(4000)).unwrap();
    let port = zone.addr().port();
    let whole = lookup(&zone, &["-P", "32", "--json", "--input-file"])
        .args([&inputs])
        .run();
    whole.code(0);
    let flags = format!("-P 32 --server 127.0.0.1 --port {port}");
    let sharded = four_shards("dns-lookup", &flags, &inputs, dir.path());
    let mut got = answers(&sharded);
    got.sort();
    let mut want = answers(&whole.json_lines());
    assert_eq!(want, expected(4000));
    want.sort();
    assert_eq!(got, want);
}

/// `count` URLs alternating between `hosts`, each `/bytes/N` with its own N.
fn urls(hosts: &[&Counting], count: usize) -> String {
    (0..count)
        .map(|n| {
            format!(
                "{}\n",
                hosts[n % hosts.len()].url(&format!("/bytes/{}", n + 1))
            )
        })
        .collect()
}

/// The URL and body size of each JSON summary.
fn fetched(lines: &[serde_json::Value]) -> Vec<(String, u64)> {
    lines
        .iter()
        .map(|line| {
            let url = line["url"].as_str().unwrap_or_default().to_string();
            (url, line["body_bytes"].as_u64().unwrap_or(u64::MAX))
        })
        .collect()
}

#[test]
fn http_get_p32_keeps_order_and_per_host_limit() {
    let delay = Duration::from_millis(20);
    let a = serve_counting([127, 0, 0, 1].into(), delay).expect("start a");
    let b = serve_counting([127, 0, 0, 2].into(), delay).expect("start b");
    let list = urls(&[&a, &b], 400);
    let run = tool("http-get")
        .args(["-P", "32", "--per-host", "3", "--json"])
        .stdin(list.clone())
        .limit(Duration::from_secs(300))
        .run();
    run.code(0);
    let lines = run.json_lines();
    let want: Vec<(String, u64)> = list
        .lines()
        .enumerate()
        .map(|(n, url)| (url.to_string(), n as u64 + 1))
        .collect();
    assert_eq!(fetched(&lines), want);
    for server in [&a, &b] {
        assert_eq!(server.requests(), 200);
        let most = server.most_open();
        assert!((2..=3).contains(&most), "{most} connections open at once");
    }
    let reused = lines
        .iter()
        .filter(|line| line["connection"]["reused"] == true)
        .count();
    assert!(
        reused >= 390,
        "only {reused} requests on a reused connection"
    );
}

/// `http-get -P 4 --json ARGS` over `stdin`, which holds three inputs, one
/// of them bad: exit 2, and its three lines.
fn three_with_a_bad_one(stdin: String, args: &[&str]) -> Vec<serde_json::Value> {
    let run = tool("http-get")
        .args(["-P", "4", "--json"])
        .args(args)
        .stdin(stdin)
        .run();
    run.code(2);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 3, "{}", run.dump());
    lines
}

#[test]
fn http_get_unordered_and_failures_in_place() {
    let a = serve_counting([127, 0, 0, 1].into(), Duration::ZERO).expect("start a");
    let stdin = format!(
        "{}\nhttp://[::1\n{}\n",
        a.url("/bytes/5"),
        a.url("/status/404")
    );
    let lines = three_with_a_bad_one(stdin, &["-f"]);
    assert_eq!(lines[0]["body_bytes"], 5);
    assert_eq!(lines[1]["input"], "http://[::1");
    assert_eq!(lines[2]["status"], 404);

    let list = urls(&[&a], 300);
    let run = tool("http-get")
        .args(["-P", "16", "--unordered", "--json"])
        .stdin(list.clone())
        .run();
    run.code(0);
    let mut got: Vec<String> = fetched(&run.json_lines())
        .into_iter()
        .map(|(u, _)| u)
        .collect();
    got.sort();
    let mut want: Vec<String> = list.lines().map(String::from).collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn an_unreadable_input_field_keeps_its_place_under_p() {
    // The server answers slowly, so the bad line is read while the first
    // request still runs: its error object must still come second.
    let slow = serve_counting([127, 0, 0, 1].into(), Duration::from_millis(300)).expect("start");
    let stdin = format!(
        "{{\"url\":\"{}\"}}\nnot json\n{{\"url\":\"{}\"}}\n",
        slow.url("/bytes/5"),
        slow.url("/bytes/7")
    );
    let lines = three_with_a_bad_one(stdin, &["--input-field", "url"]);
    assert_eq!(lines[0]["body_bytes"], 5);
    assert_eq!(lines[1]["input"], "not json");
    assert_eq!(lines[1]["error"]["kind"], "input_field");
    assert_eq!(lines[2]["body_bytes"], 7);
}

#[test]
fn http_get_four_shards_equal_one_process() {
    let a = serve_counting([127, 0, 0, 1].into(), Duration::ZERO).expect("start a");
    let dir = temp_dir();
    let inputs = dir.path().join("urls.txt");
    std::fs::write(&inputs, urls(&[&a], 1000)).unwrap();
    let whole = tool("http-get")
        .args(["-P", "16", "--json", "--input-file"])
        .args([&inputs])
        .run();
    whole.code(0);
    let sharded = four_shards("http-get", "-P 16", &inputs, dir.path());
    let mut got = fetched(&sharded);
    got.sort();
    let mut want = fetched(&whole.json_lines());
    assert_eq!(want.len(), 1000);
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn http_get_bad_parallel_flags_exit_2() {
    for (flag, bad) in [("-P", "0"), ("--per-host", "0"), ("--rate", "-1")] {
        let run = tool("http-get")
            .args([flag, bad, "http://127.0.0.1:9/"])
            .run();
        run.code(2);
        run.stderr_has(bad);
    }
}

/// When each request under a `/throttle` key reached `server`, by its own
/// clock (ms after the first), and the status it got.
fn arrivals(server: &Server, key: &str) -> Vec<(f64, u16)> {
    let run = tool("http-get")
        .args([server.url(&format!("/throttle-log/{key}"))])
        .run();
    run.code(0);
    run.out()
        .lines()
        .map(|line| {
            let (ms, status) = line.split_once(' ').expect("MS STATUS");
            (ms.parse().unwrap(), status.parse().unwrap())
        })
        .collect()
}

/// `count` URLs under `/throttle/REFUSALS/KEY`, each its own, with `query`.
fn throttled(server: &Server, refusals: u32, key: &str, count: u32, query: &str) -> String {
    (0..count)
        .map(|n| {
            format!(
                "{}\n",
                server.url(&format!("/throttle/{refusals}/{key}/{n}{query}"))
            )
        })
        .collect()
}

#[test]
fn http_get_backs_off_a_host_that_answers_429() {
    let server = web::serve([127, 0, 0, 1].into()).expect("serve");
    // One request at a time to the host, so that each gap the server sees is
    // the wait http-get kept.
    let run = tool("http-get")
        .args(["-P", "8", "--per-host", "1", "--json"])
        .stdin(throttled(&server, 4, "doubling", 8, ""))
        .limit(Duration::from_secs(120))
        .run();
    run.code(0);
    let statuses: Vec<u64> = run
        .json_lines()
        .iter()
        .map(|line| line["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [429, 429, 429, 429, 200, 200, 200, 200]);
    let seen = arrivals(&server, "doubling");
    assert_eq!(seen.len(), 8, "{seen:?}");
    // 50 ms after the first refusal, doubling with each refusal in a row.
    for (n, least) in [50.0, 100.0, 200.0, 400.0].into_iter().enumerate() {
        let gap = seen[n + 1].0 - seen[n].0;
        assert!(gap >= least, "gap {gap} ms after refusal {n}: {seen:?}");
    }
    // Answers end the backing off: the last three came without the 800 ms next wait.
    let rest = seen[7].0 - seen[4].0;
    assert!(
        rest < 800.0,
        "{rest} ms for three answered requests: {seen:?}"
    );

    // Retry-After is honoured (429, and 503 that carries it).
    for (key, query) in [
        ("after-429", "?retry-after=1"),
        ("after-503", "?status=503&retry-after=1"),
    ] {
        let run = tool("http-get")
            .args(["-P", "4", "--per-host", "1", "--json"])
            .stdin(throttled(&server, 1, key, 3, query))
            .limit(Duration::from_secs(120))
            .run();
        run.code(0);
        let seen = arrivals(&server, key);
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(seen[1].0 - seen[0].0 >= 1000.0, "{key}: {seen:?}");
    }
}

/// `dns-lookup --trace` from `h`'s root hints.
fn trace(h: &Hierarchy) -> Cmd {
    tool("dns-lookup").args([
        "--trace",
        "--root-hints",
        &h.root_hints().display().to_string(),
        "--port",
        &h.port().to_string(),
        "--timeout",
        "5",
        "--retries",
        "0",
    ])
}

/// What two traces of one name must share: per step, its depth, source,
/// kind, zone and question; then the rcode and the answers.
fn trace_shape(line: &serde_json::Value) -> serde_json::Value {
    let steps: Vec<serde_json::Value> = (line["steps"].as_array().into_iter().flatten())
        .map(|step| {
            serde_json::json!([
                step["depth"],
                step["source"],
                step["kind"],
                step["zone"],
                step["query"]
            ])
        })
        .collect();
    serde_json::json!([line["query"], line["rcode"], line["answers"], steps])
}

#[test]
fn trace_p32_shares_the_cache_and_each_referral_query() {
    // 200 names of one zone; www twice, further apart than the names in flight.
    let names: Vec<String> = (0..200)
        .map(|n| match n {
            10 | 190 => "www.lab.glasscom.com".to_string(),
            n => format!("n{n}.lab.glasscom.com"),
        })
        .collect();
    let stdin: String = names.iter().map(|name| format!("{name}\n")).collect();
    let one_at_a_time = Hierarchy::start().expect("start the hierarchy");
    let sequential = trace(&one_at_a_time)
        .args(["--json"])
        .stdin(stdin.clone())
        .run();
    let at_once = Hierarchy::start().expect("start the hierarchy");
    let parallel = trace(&at_once)
        .args(["-P", "32", "--json"])
        .stdin(stdin)
        .run();
    // NXDOMAIN for all but www: exit 1 both ways.
    sequential.code(1);
    parallel.code(1);
    let (sequential, parallel) = (sequential.json_lines(), parallel.json_lines());
    assert_eq!(parallel.len(), 200);
    for (n, (one, other)) in sequential.iter().zip(&parallel).enumerate() {
        assert_eq!(trace_shape(one), trace_shape(other), "name {n}");
    }
    assert_eq!(parallel[10]["answers"][0]["data"], "192.0.2.10");
    // One priming and one referral query at the root, one referral query
    // at com. and at glasscom.com. (either of its two servers), then one
    // question per distinct name at the lab.
    let asked = |h: &Hierarchy| {
        let glasscom = h.asked(GLASSCOM_1) + h.asked(GLASSCOM_2);
        [h.asked(ROOT), h.asked(COM), glasscom, h.asked(LAB)]
    };
    let (seq, par) = (asked(&one_at_a_time), asked(&at_once));
    assert_eq!(seq, par, "sequential {seq:?}, -P 32 {par:?}");
    assert_eq!(par, [2, 1, 1, 199]);
}
