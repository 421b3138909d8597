//! Many inputs at once: `dns-lookup -P N` (with `--rate`, `--unordered`)
//! against the sandbox's `bulk.test.` zone, which answers every name below it;
//! results in input order, every input once, bad flags refused.

use std::time::{Duration, Instant};

use netlens_sandbox::dns::bulk::{BulkZone, address_of};

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
fn unordered_writes_every_name_once() {
    let zone = BulkZone::start().expect("start bulk.test");
    let run = lookup(&zone, &["-P", "64", "--unordered", "--json"])
        .stdin(names(3000))
        .run();
    run.code(0);
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
    let script = format!(
        "seq 1 4 | parallel -j 4 '{} -P 32 --server 127.0.0.1 --port {port} --json --shard {{}}/4 \
         --input-file {}'",
        tool_path("dns-lookup").display(),
        inputs.display()
    );
    let sharded = shell(&script).env("HOME", dir.path()).run();
    sharded.code(0);
    let mut got = answers(&sharded.json_lines());
    got.sort();
    let mut want = answers(&whole.json_lines());
    assert_eq!(want, expected(4000));
    want.sort();
    assert_eq!(got, want);
}
