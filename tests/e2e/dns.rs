//! dns-lookup against the loopback DNS hierarchy of netlens-sandbox: query mode
//! (`--server`) and `--trace`, every hard case of the hierarchy, both command
//! forms. Each test starts its own hierarchy on a free port and stops it after.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use netlens_sandbox::dns::encrypted::Encrypted;
use netlens_sandbox::dns::{Hierarchy, zones};
use serde_json::Value;

use crate::util::{Cmd, netlens, tool};

fn sandbox() -> Hierarchy {
    Hierarchy::start().expect("start the DNS hierarchy")
}

/// The wait for each reply when one is expected: generous, for a loaded
/// machine (the test's own time limit bounds the run).
const PATIENT: &str = "5";

/// The wait for each reply when a server is expected to stay silent.
const SHORT: &str = "0.3";

/// `dns-lookup --trace` from the hierarchy's root hints, waiting `timeout`
/// seconds for each reply.
fn trace_waiting(h: &Hierarchy, timeout: &str) -> Cmd {
    iterative(h, "--trace", timeout)
}

/// `dns-lookup MODE` (`--trace`, `--nssearch`) from the hierarchy's root
/// hints, waiting `timeout` seconds for each reply.
fn iterative(h: &Hierarchy, mode: &str, timeout: &str) -> Cmd {
    tool("dns-lookup").args([
        mode,
        "--root-hints",
        &h.root_hints().display().to_string(),
        "--port",
        &h.port().to_string(),
        "--timeout",
        timeout,
        "--retries",
        "0",
    ])
}

/// `dns-lookup --trace` from the hierarchy's root hints.
fn trace(h: &Hierarchy) -> Cmd {
    trace_waiting(h, PATIENT)
}

/// `dns-lookup --server ADDR:PORT`, waiting `timeout` seconds for the reply.
fn stub_waiting(h: &Hierarchy, server: Ipv4Addr, timeout: &str) -> Cmd {
    tool("dns-lookup").args([
        "--server",
        &h.socket(server).to_string(),
        "--timeout",
        timeout,
        "--retries",
        "0",
    ])
}

/// `dns-lookup --server ADDR:PORT`.
fn stub(h: &Hierarchy, server: Ipv4Addr) -> Cmd {
    stub_waiting(h, server, PATIENT)
}

fn steps(report: &Value) -> &Vec<Value> {
    report["steps"].as_array().expect("steps array")
}

fn zones_of(report: &Value) -> Vec<&str> {
    steps(report)
        .iter()
        .map(|s| s["zone"].as_str().unwrap())
        .collect()
}

fn answer_data(report: &Value) -> Vec<&str> {
    report["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["data"].as_str().unwrap())
        .collect()
}

#[test]
fn trace_walks_from_the_root_to_the_lab_zone() {
    let h = sandbox();
    let run = trace(&h).args(["--json", "www.lab.glasscom.com"]).run();
    run.code(0);
    let report = run.json();
    assert_eq!(
        zones_of(&report),
        [".", ".", "com.", "glasscom.com.", "lab.glasscom.com."]
    );
    assert_eq!(answer_data(&report), ["192.0.2.10"]);
    assert_eq!(report["rcode"], "NOERROR");
    assert_eq!(report["authoritative"], true);
    assert_eq!(report["server"], h.socket(zones::LAB).to_string());
    let steps = steps(&report);
    assert!(steps.iter().all(|s| s["source"] == "network"));
    // Priming is answered by the root's own data; referrals are not authoritative.
    assert_eq!(steps[0]["authoritative"], true);
    assert!(
        steps[1..4]
            .iter()
            .all(|s| s["kind"] == "referral" && s["authoritative"] == false)
    );
    assert_eq!(steps[2]["referral"]["zone"], "glasscom.com.");
    assert_eq!(steps[2]["referral"]["ns"].as_array().unwrap().len(), 2);
    assert_eq!(steps[2]["referral"]["glue"].as_array().unwrap().len(), 2);
    let last = steps.last().unwrap();
    assert_eq!(last["kind"], "answer");
    assert_eq!(last["authoritative"], true);
    assert_eq!(last["address"], zones::LAB.to_string());
    assert_eq!(last["port"], h.port());
    assert_eq!(last["protocol"], "udp");
    assert!(last["bytes"].as_u64().unwrap() > 0);
}

#[test]
fn trace_shows_each_step_as_a_line() {
    let h = sandbox();
    let run = trace(&h).args(["www.lab.glasscom.com", "AAAA"]).run();
    run.code(0)
        .stdout_has("root servers (1 NS, 1 glue)")
        .stdout_has("referral to com. (1 NS, 1 glue)")
        .stdout_has("referral to glasscom.com. (2 NS, 2 glue)")
        .stdout_has("referral to lab.glasscom.com. (1 NS, 1 glue)")
        .stdout_has("answer: 2001:db8::10")
        .stdout_has("2001:db8::10");
}

#[test]
fn second_name_reuses_the_cached_root_and_com_referrals() {
    let h = sandbox();
    let run = trace(&h)
        .args([
            "--json",
            "www.lab.glasscom.com",
            "cyber.co.kr",
            "MX",
            "nosuch.glasscom.com",
        ])
        .run();
    run.code(1);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 3);
    let mx = &lines[1];
    assert_eq!(answer_data(mx), ["10 mail.cyber.co.kr."]);
    let root = &steps(mx)[0];
    assert_eq!(root["zone"], ".");
    assert_eq!(root["source"], "cache");
    assert!(root["ttl_left"].as_u64().unwrap() > 0);
    assert_eq!(steps(mx)[1]["source"], "network");
    // Under com. again: the root's referral to com. and com.'s to glasscom.com.
    // come from the cache, with the TTL left.
    let nx = &lines[2];
    let cached: Vec<(&str, &str)> = steps(nx)
        .iter()
        .filter(|s| s["source"] == "cache")
        .map(|s| {
            (
                s["zone"].as_str().unwrap(),
                s["referral"]["zone"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cached,
        [(".", "."), (".", "com."), ("com.", "glasscom.com.")]
    );
    assert_eq!(nx["rcode"], "NXDOMAIN");
}

#[test]
fn human_trace_marks_cache_hits_with_ttl_left() {
    let h = sandbox();
    trace(&h)
        .args(["www.lab.glasscom.com", "cyber.co.kr", "MX"])
        .run()
        .code(0)
        .stdout_has("cache")
        .stdout_has("TTL 518400 left")
        .stdout_has("10 mail.cyber.co.kr.");
}

#[test]
fn trace_works_through_the_dispatcher_and_from_a_named_root() {
    let h = sandbox();
    let root = format!("@{}", h.socket(zones::ROOT));
    let run = netlens()
        .args(["dns", "--trace", "--json", &root, "www.lab.glasscom.com"])
        .run();
    run.code(0);
    assert_eq!(answer_data(&run.json()), ["192.0.2.10"]);
}

#[test]
fn glueless_delegation_is_resolved_in_nested_steps() {
    let h = sandbox();
    let run = trace(&h).args(["--json", "www.glueless.com"]).run();
    run.code(0);
    let report = run.json();
    assert_eq!(answer_data(&report), ["192.0.2.30"]);
    let nested: Vec<&Value> = steps(&report)
        .iter()
        .filter(|s| s["depth"] == 1 && s["query"]["name"] != ".")
        .collect();
    assert!(!nested.is_empty());
    assert!(
        nested
            .iter()
            .all(|s| s["query"]["name"] == "ns2.cyber.co.kr.")
    );
    assert_eq!(nested.last().unwrap()["kind"], "answer");
    let last = steps(&report).last().unwrap();
    assert_eq!(last["depth"], 0);
    assert_eq!(last["server"], "ns2.cyber.co.kr.");
}

#[test]
fn glue_outside_the_referring_zone_is_not_trusted() {
    let h = sandbox();
    let run = trace(&h).args(["--json", "www.spoof.com"]).run();
    run.code(0);
    let report = run.json();
    assert_eq!(answer_data(&report), ["192.0.2.31"]);
    let spoofed = zones::SPOOFED_GLUE.to_string();
    assert!(
        steps(&report)
            .iter()
            .all(|s| s["address"] != spoofed.as_str())
    );
    let referral = steps(&report)
        .iter()
        .find(|s| s["referral"]["zone"] == "spoof.com.")
        .expect("referral to spoof.com.");
    assert_eq!(referral["referral"]["ignored_glue"][0], "ns.cyber.co.kr.");
    assert_eq!(referral["referral"]["glue"].as_array().unwrap().len(), 0);
}

#[test]
fn cname_chain_is_followed_across_zones() {
    let h = sandbox();
    let run = trace(&h).args(["--json", "www.glasscom.com"]).run();
    run.code(0);
    let report = run.json();
    assert_eq!(
        answer_data(&report),
        ["web.cyber.co.kr.", "www.lab.glasscom.com.", "192.0.2.10"]
    );
    let cnames: Vec<&str> = steps(&report)
        .iter()
        .filter(|s| s["kind"] == "cname")
        .map(|s| s["zone"].as_str().unwrap())
        .collect();
    assert_eq!(cnames, ["glasscom.com.", "cyber.co.kr."]);
}

#[test]
fn nxdomain_exits_1_and_is_cached_negatively() {
    let h = sandbox();
    let run = trace(&h)
        .args(["--json", "nosuch.glasscom.com", "nosuch.glasscom.com"])
        .run();
    run.code(1);
    let lines = run.json_lines();
    for report in &lines {
        assert_eq!(report["rcode"], "NXDOMAIN");
        assert_eq!(report["authority"][0]["type"], "SOA");
    }
    let again = steps(&lines[1]);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["source"], "cache");
    assert_eq!(again[0]["kind"], "nxdomain");
    // RFC 2308: the negative TTL is the SOA's MINIMUM (300) here.
    assert!(again[0]["ttl_left"].as_u64().unwrap() <= 300);
    assert_eq!(lines[1]["source"], "cache");
}

#[test]
fn nodata_exits_1_with_the_soa() {
    let h = sandbox();
    let run = trace(&h)
        .args(["--json", "www.lab.glasscom.com", "MX"])
        .run();
    run.code(1);
    let report = run.json();
    assert_eq!(report["rcode"], "NOERROR");
    assert!(report["answers"].as_array().unwrap().is_empty());
    assert_eq!(report["authority"][0]["type"], "SOA");
    assert_eq!(steps(&report).last().unwrap()["kind"], "nodata");
}

#[test]
fn truncated_reply_is_retried_over_tcp() {
    let h = sandbox();
    let run = trace(&h).args(["--json", "big.glasscom.com", "TXT"]).run();
    run.code(0);
    let report = run.json();
    assert_eq!(report["answers"].as_array().unwrap().len(), 8);
    let last = steps(&report).last().unwrap();
    assert_eq!(last["protocol"], "tcp");
    assert!(last["bytes"].as_u64().unwrap() > 1232);
    assert!(last["note"].as_str().unwrap().contains("TCP"));
}

#[test]
fn lame_server_is_skipped_for_the_working_one() {
    let h = sandbox();
    let run = trace(&h).args(["--json", "www.flaky.com"]).run();
    run.code(0);
    let report = run.json();
    assert_eq!(answer_data(&report), ["192.0.2.40"]);
    let flaky: Vec<&Value> = steps(&report)
        .iter()
        .filter(|s| s["zone"] == "flaky.com.")
        .collect();
    // Both servers are unknown: either may be asked first.
    let (good, lame): (Vec<&Value>, Vec<&Value>) = flaky
        .iter()
        .partition(|s| s["address"] == zones::FLAKY_GOOD.to_string());
    assert_eq!(good.len(), 1);
    assert_eq!(good[0]["kind"], "answer");
    assert!(lame.len() <= 1);
    assert!(lame.iter().all(|s| s["kind"] == "error"));
}

#[test]
fn a_server_that_failed_is_tried_last_for_later_names() {
    let h = sandbox();
    let flaky_steps = |report: &Value| -> Vec<Value> {
        steps(report)
            .iter()
            .filter(|s| s["zone"] == "flaky.com.")
            .cloned()
            .collect()
    };
    // Unknown servers are asked in random order: run until the lame one is
    // asked (and fails) for the first name.
    for _ in 0..20 {
        let run = trace(&h)
            .args(["--json", "www.flaky.com", "nosuch.flaky.com"])
            .run();
        run.code(1);
        let lines = run.json_lines();
        if flaky_steps(&lines[0]).len() < 2 {
            continue;
        }
        let flaky = flaky_steps(&lines[1]);
        assert_eq!(flaky.len(), 1);
        assert_eq!(flaky[0]["address"], zones::FLAKY_GOOD.to_string());
        assert_eq!(flaky[0]["kind"], "nxdomain");
        return;
    }
    panic!("the lame server was never asked first");
}

#[test]
fn delegations_that_cannot_answer_exit_4() {
    let h = sandbox();
    let cases = [
        ("www.refused.com", "rcode"),
        ("www.loop.com", "referral_loop"),
        ("www.cycle1.com", "referral_loop"),
        ("ping.glasscom.com", "cname_loop"),
    ];
    for (name, kind) in cases {
        let run = trace(&h)
            .args(["--json", name])
            .limit(Duration::from_secs(20))
            .run();
        run.code(4).never_shows("panicked");
        let report = run.json();
        assert_eq!(report["input"], name);
        assert_eq!(report["error"]["kind"], kind, "{name}");
        assert!(!steps(&report).is_empty());
    }
}

#[test]
fn zones_whose_servers_never_reply_exit_3() {
    let h = sandbox();
    for (name, zone) in [
        ("www.dead.com", "dead.com."),
        ("www.silent.com", "silent.com."),
    ] {
        // Timeouts are 0.3 s and every trace is bounded: far below this limit.
        let run = trace_waiting(&h, SHORT)
            .args(["--json", name])
            .limit(Duration::from_secs(20))
            .run();
        run.code(3)
            .never_shows("panicked")
            .stderr_has(&format!("{zone}: no server replied ("));
        let report = run.json();
        assert_eq!(report["error"]["kind"], "no_reply", "{name}");
        assert_eq!(steps(&report).last().unwrap()["kind"], "error");
    }
}

#[test]
fn silent_server_times_out_and_refusal_is_shown() {
    let h = sandbox();
    trace_waiting(&h, SHORT)
        .args(["www.silent.com"])
        .run()
        .code(3)
        .stdout_has("timeout")
        .stderr_has("silent.com.: no server replied (ns.silent.com. (127.53.9.1): timeout)");
    trace(&h)
        .args(["www.refused.com"])
        .run()
        .code(4)
        .stdout_has("REFUSED")
        .stderr_has("www.refused.com.: server answered REFUSED");
    trace(&h)
        .args(["www.loop.com"])
        .run()
        .code(4)
        .stdout_has("referral back to loop.com.");
}

#[test]
fn a_silent_server_beside_a_good_one_costs_little() {
    let h = sandbox();
    // Either server may be asked first; when the silent one is, the good one
    // is asked after a short wait, long before the 5 s timeout.
    let mut seen_silent_first = false;
    for _ in 0..20 {
        let started = Instant::now();
        let run = trace(&h)
            .args(["--json", "www.half.com", "nosuch.half.com"])
            .run();
        let wall = started.elapsed();
        run.code(1);
        let lines = run.json_lines();
        assert_eq!(answer_data(&lines[0]), ["192.0.2.50"]);
        assert!(
            lines[0]["elapsed_ms"].as_f64().unwrap() < 1000.0,
            "{wall:?}"
        );
        let half: Vec<&Value> = steps(&lines[0])
            .iter()
            .filter(|s| s["zone"] == "half.com.")
            .collect();
        if half.len() == 2 {
            assert_eq!(half[0]["address"], zones::SILENT.to_string());
            let note = half[0]["note"].as_str().unwrap();
            assert!(
                note.starts_with("no reply (next server asked after 1"),
                "{note}"
            );
            assert_eq!(half[1]["address"], zones::HALF_GOOD.to_string());
            seen_silent_first = true;
        }
        // Once both servers are known, the second name asks the one that
        // answered, first and only.
        let again: Vec<&Value> = steps(&lines[1])
            .iter()
            .filter(|s| s["zone"] == "half.com.")
            .collect();
        assert_eq!(
            again.last().unwrap()["address"],
            zones::HALF_GOOD.to_string()
        );
        assert!(
            lines[1]["elapsed_ms"].as_f64().unwrap() < 1000.0,
            "{wall:?}"
        );
        if half.len() == 2 {
            assert_eq!(again.len(), 1);
            break;
        }
    }
    assert!(seen_silent_first, "the silent server was never asked first");
}

#[test]
fn silent_root_servers_exit_3_within_max_time() {
    let h = sandbox();
    let dir = crate::util::temp_dir();
    let hints = dir.path().join("silent.hints");
    std::fs::write(
        &hints,
        format!(
            ". 3600 NS silent.root.\nsilent.root. 3600 A {}\n",
            zones::SILENT
        ),
    )
    .unwrap();
    let silent_roots = |extra: &[&str]| {
        tool("dns-lookup")
            .args(["--trace", "--port", &h.port().to_string()])
            .args([std::ffi::OsStr::new("--root-hints"), hints.as_os_str()])
            .args(extra)
            .args(["www.lab.glasscom.com"])
    };
    // Default timeout and retries (2 s, 1 resend), default --max-time 10.
    let started = Instant::now();
    silent_roots(&[])
        .run()
        .code(3)
        .stderr_has(".: no server replied (silent.root. (127.53.9.1): timeout)");
    assert!(started.elapsed() < Duration::from_secs(11));
    // --max-time cuts a longer wait short.
    let started = Instant::now();
    silent_roots(&["--timeout", "5", "--max-time", "0.5"])
        .run()
        .code(3)
        .stderr_has("www.lab.glasscom.com. (time limit of 0.5 s): no response in time");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[test]
fn unreachable_root_exits_3_and_bad_hints_exit_2() {
    let h = sandbox();
    let dir = crate::util::temp_dir();
    let hints = dir.path().join("dead.hints");
    std::fs::write(
        &hints,
        format!(". 3600 NS dead.root.\ndead.root. 3600 A {}\n", zones::DEAD),
    )
    .unwrap();
    tool("dns-lookup")
        .args([
            "--trace",
            "--timeout",
            SHORT,
            "--port",
            &h.port().to_string(),
        ])
        .args([std::ffi::OsStr::new("--root-hints"), hints.as_os_str()])
        .args(["www.lab.glasscom.com"])
        .run()
        .code(3);
    // A relative hints path is read from the current directory.
    std::fs::write(dir.path().join("empty.hints"), "; nothing\n").unwrap();
    tool("dns-lookup")
        .current_dir(dir.path())
        .args(["--trace", "--root-hints", "empty.hints", "x.example"])
        .run()
        .code(2)
        .stderr_has("no NS record for .");
}

#[test]
fn stub_query_shows_flags_server_and_answer() {
    let h = sandbox();
    let run = stub(&h, zones::LAB)
        .args(["--json", "www.lab.glasscom.com"])
        .run();
    run.code(0);
    let report = run.json();
    assert_eq!(report["query"]["name"], "www.lab.glasscom.com.");
    assert_eq!(report["query"]["type"], "A");
    assert_eq!(answer_data(&report), ["192.0.2.10"]);
    assert_eq!(report["authoritative"], true);
    assert_eq!(report["server"], h.socket(zones::LAB).to_string());
    assert!(report.get("steps").is_none());
    netlens()
        .args([
            "dns-lookup",
            &format!("@{}", h.socket(zones::LAB)),
            "www.lab.glasscom.com",
            "AAAA",
        ])
        .run()
        .code(0)
        .stdout_has("2001:db8::10")
        .stdout_has("authoritative");
}

#[test]
fn stub_nxdomain_exits_1() {
    let h = sandbox();
    let run = stub(&h, zones::GLASSCOM_1)
        .args(["--json", "nosuch.glasscom.com"])
        .run();
    run.code(1);
    let report = run.json();
    assert_eq!(report["rcode"], "NXDOMAIN");
    assert_eq!(report["authority"][0]["type"], "SOA");
}

#[test]
fn stub_negative_and_failed_answers() {
    let h = sandbox();
    stub(&h, zones::LAB)
        .args(["www.lab.glasscom.com", "MX"])
        .run()
        .code(1)
        .stdout_has("NOERROR (no data)");
    stub(&h, zones::COM)
        .args(["www.lab.glasscom.com"])
        .run()
        .code(1)
        .stdout_has("NOERROR (referral)")
        .stdout_has("ns1.glasscom.com.");
    let refused = stub(&h, zones::REFUSED)
        .args(["--json", "www.refused.com"])
        .run();
    refused.code(4).stderr_has("server answered REFUSED");
    assert_eq!(refused.json()["rcode"], "REFUSED");
    let silent = stub_waiting(&h, zones::SILENT, SHORT)
        .args(["--json", "www.silent.com"])
        .run();
    silent.code(3);
    assert_eq!(silent.json()["error"]["kind"], "timeout");
    stub(&h, zones::DEAD)
        .args(["www.dead.com"])
        .run()
        .code(3)
        .stderr_has("unreachable");
}

#[test]
fn stub_big_answer_comes_over_tcp() {
    let h = sandbox();
    let run = stub(&h, zones::GLASSCOM_2)
        .args(["--json", "big.glasscom.com", "TXT"])
        .run();
    run.code(0);
    let report = run.json();
    assert_eq!(report["protocol"], "tcp");
    assert_eq!(report["answers"].as_array().unwrap().len(), 8);
    let run = stub(&h, zones::LAB)
        .args(["--json", "--tcp", "www.lab.glasscom.com"])
        .run();
    assert_eq!(run.json()["protocol"], "tcp");
}

#[test]
fn stub_names_share_a_cache_and_short_prints_data() {
    let h = sandbox();
    let run = stub(&h, zones::CYBER)
        .args([
            "--json",
            "cyber.co.kr",
            "MX",
            "www.lab.cyber.co.kr",
            "cyber.co.kr",
            "MX",
        ])
        .run();
    run.code(0);
    let lines = run.json_lines();
    let sources: Vec<&str> = lines
        .iter()
        .map(|l| l["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["network", "network", "cache"]);
    assert_eq!(answer_data(&lines[1]), ["192.0.2.226"]);
    let run = tool("dns-lookup")
        .args([
            format!("@{}", h.socket(zones::CYBER)),
            "--short".into(),
            "mail.cyber.co.kr".into(),
        ])
        .run();
    run.code(0);
    assert_eq!(run.out(), "192.0.2.227\n");
}

#[test]
fn names_come_from_stdin_too() {
    let h = sandbox();
    let run = stub(&h, zones::LAB)
        .args(["--json", "AAAA"])
        .stdin("www.lab.glasscom.com\n# comment\n\nnosuch.lab.glasscom.com A\n")
        .run();
    run.code(1);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(answer_data(&lines[0]), ["2001:db8::10"]);
    assert_eq!(lines[1]["query"]["type"], "A");
    assert_eq!(lines[1]["rcode"], "NXDOMAIN");
}

#[test]
fn reverse_lookup_asks_ptr_in_in_addr_arpa() {
    let h = sandbox();
    let run = stub(&h, zones::ROOT)
        .args(["--json", "-x", "192.0.2.10"])
        .run();
    run.code(1);
    let report = run.json();
    assert_eq!(report["query"]["name"], "10.2.0.192.in-addr.arpa.");
    assert_eq!(report["query"]["type"], "PTR");
    assert_eq!(report["rcode"], "NXDOMAIN");
}

#[test]
fn bad_input_exits_2_and_the_batch_goes_on() {
    let h = sandbox();
    let run = stub(&h, zones::LAB)
        .args(["--json", "bad..name", "www.lab.glasscom.com"])
        .run();
    run.code(2);
    let lines = run.json_lines();
    assert_eq!(lines[0]["error"]["kind"], "invalid_name");
    assert_eq!(answer_data(&lines[1]), ["192.0.2.10"]);
    tool("dns-lookup")
        .args(["@nameserver.example", "x.example"])
        .run()
        .code(2)
        .stderr_has("dns-lookup: server nameserver.example: not an address");
    tool("dns-lookup")
        .args(["@192.0.2.1", "@192.0.2.2", "x.example"])
        .run()
        .code(2)
        .stderr_has("only one server");
    tool("dns-lookup")
        .args(["--timeout", "never", "x.example"])
        .run()
        .code(2)
        .never_shows("panicked");
}

#[test]
fn a_lone_type_word_is_the_name() {
    let h = sandbox();
    // Nothing on stdin: the word is the name, asked for its A records.
    let run = stub(&h, zones::ROOT).args(["--json", "mx"]).stdin("").run();
    let report = run.json();
    assert_eq!(report["query"]["name"], "mx.");
    assert_eq!(report["query"]["type"], "A");
    assert_eq!(report["rcode"], "NXDOMAIN");
    run.code(1).never_shows("taken as the name");
    // Its own types may follow; -v says how the words were read.
    let run = stub(&h, zones::ROOT)
        .args(["-v", "--json", "a", "txt"])
        .stdin("")
        .run();
    run.code(1)
        .stderr_has("dns-lookup: a: no name given, so taken as the name to look up");
    assert_eq!(run.json()["query"]["name"], "a.");
    assert_eq!(run.json()["query"]["type"], "TXT");
}

/// `dns-lookup @RESOLVER`: the sandbox's recursive resolver stand-in.
fn resolver(h: &Hierarchy) -> Cmd {
    stub(h, netlens_sandbox::dns::resolver::RESOLVER)
}

#[test]
fn edns_options_sent_and_received() {
    let h = sandbox();
    let run = resolver(&h)
        .args(["--json", "--nsid", "--cookie=0102030405060708"])
        .args(["--subnet", "198.51.100.77/24", "--padding", "www.example"])
        .run();
    run.code(0);
    let report = run.json();
    assert_eq!(answer_data(&report), ["192.0.2.80"]);
    let edns = &report["edns"];
    assert_eq!(edns["version"], 0);
    assert_eq!(edns["udp_size"], 1232);
    assert_eq!(edns["do"], false);
    let options = edns["options"].as_array().unwrap();
    let names: Vec<&str> = options
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["NSID", "ECS", "COOKIE", "PADDING"]);
    assert_eq!(options[0]["code"], 3);
    assert_eq!(options[0]["text"], "sandbox-resolver-1");
    assert_eq!(options[0]["data"], "73616e64626f782d7265736f6c7665722d31");
    assert_eq!(options[1]["subnet"], "198.51.100.0/24");
    assert_eq!(options[1]["scope"], 24);
    assert_eq!(options[2]["client_cookie"], "0102030405060708");
    assert_eq!(options[2]["server_cookie"], "73616e64626f7821");
    // The padded reply fills 468-byte blocks.
    assert!(options[3]["data"].as_str().unwrap().len() > 100);
    // The human form lists them after the summary line.
    resolver(&h)
        .args(["--nsid", "--cookie", "www.example"])
        .run()
        .code(0)
        .stdout_has(";; edns: version 0, udp 1232\n")
        .stdout_has(";; nsid: 73616e64626f782d7265736f6c7665722d31 (\"sandbox-resolver-1\")")
        .stdout_has(", server 73616e64626f7821");
    // Without EDNS the reply has no OPT record.
    let plain = resolver(&h)
        .args(["--json", "--no-edns", "www.example"])
        .run();
    plain.code(0);
    assert!(plain.json().get("edns").is_none());
}

#[test]
fn servfail_with_an_extended_error_says_why() {
    let h = sandbox();
    let run = resolver(&h).args(["--json", "blocked.example"]).run();
    run.code(4).stderr_has(
        "dns-lookup: blocked.example.: server answered SERVFAIL \
         (EDE 15 Blocked: blocked by the sandbox's policy)",
    );
    let report = run.json();
    assert_eq!(report["rcode"], "SERVFAIL");
    let ede = &report["edns"]["ede"][0];
    assert_eq!(ede["code"], 15);
    assert_eq!(ede["name"], "Blocked");
    assert_eq!(ede["text"], "blocked by the sandbox's policy");
    resolver(&h)
        .args(["blocked.example"])
        .run()
        .code(4)
        .stdout_has(";; ede: 15 (Blocked): blocked by the sandbox's policy");
}

#[test]
fn rd_is_cleared_with_norecurse_and_bad_edns_flags_exit_2() {
    let h = sandbox();
    let run = resolver(&h)
        .args(["--json", "--norecurse", "www.example"])
        .run();
    run.code(4);
    assert_eq!(run.json()["rcode"], "REFUSED");
    for (flag, message) in [
        (
            "--subnet=192.0.2.1/40",
            "--subnet 192.0.2.1/40: not an address with a prefix",
        ),
        ("--cookie=0102", "--cookie 0102: not a cookie"),
        ("--ednsopt=65536:00", "--ednsopt 65536:00: not CODE[:HEX]"),
        ("--ednsopt=65001:xyz", "--ednsopt 65001:xyz: not CODE[:HEX]"),
    ] {
        resolver(&h)
            .args([flag, "www.example"])
            .run()
            .code(2)
            .stderr_has(&format!("dns-lookup: {message}"))
            .never_shows("panicked");
    }
}

#[test]
fn stub_defaults_wait_out_a_cold_resolution_past_a_silent_server() {
    let h = sandbox();
    // The resolver takes 1.2 s (its first server for half.com. is silent):
    // the default timeout (2 s, one resend, within --max-time 10) waits for it.
    let server = h
        .socket(netlens_sandbox::dns::resolver::RESOLVER)
        .to_string();
    let run = tool("dns-lookup")
        .args(["--server", &server, "--json", "www.half.com"])
        .run();
    run.code(0);
    let report = run.json();
    assert_eq!(answer_data(&report), ["192.0.2.50"]);
    assert!(report["elapsed_ms"].as_f64().unwrap() >= 1200.0);
    // A shorter --max-time gives up first, with exit 3.
    tool("dns-lookup")
        .args(["--server", &server, "--max-time", "0.5", "www.half.com"])
        .run()
        .code(3)
        .stderr_has("www.half.com. (time limit of 0.5 s): no response in time");
}

#[test]
fn nssearch_compares_the_serials_of_every_server() {
    let h = sandbox();
    let run = iterative(&h, "--nssearch", PATIENT)
        .args(["--json", "www.serial.com"])
        .run();
    run.code(1).stderr_has(
        "dns-lookup: serial.com.: serials disagree: ns1.serial.com. (127.53.10.2) 1, \
         ns2.serial.com. (127.53.10.3) 2",
    );
    let report = run.json();
    assert_eq!(report["zone"], "serial.com.");
    assert_eq!(report["agree"], false);
    let rows = report["servers"].as_array().unwrap();
    let serials: Vec<(&str, &str, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["server"].as_str().unwrap(),
                r["address"].as_str().unwrap(),
                r["serial"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        serials,
        [
            ("ns1.serial.com.", "127.53.10.2", 1),
            ("ns2.serial.com.", "127.53.10.3", 2)
        ]
    );
    assert!(
        rows.iter()
            .all(|r| r["rcode"] == "NOERROR" && r["authoritative"] == true)
    );
    // Two servers with one serial agree: exit 0, one row each.
    iterative(&h, "--nssearch", PATIENT)
        .args(["www.glasscom.com"])
        .run()
        .code(0)
        .stdout_has(";; nssearch www.glasscom.com. SOA: zone glasscom.com., 2 server addresses")
        .stdout_has("ns2.glasscom.com.  127.53.3.2  serial 1")
        .stdout_has(";; every server has the same serial");
}

#[test]
fn nssearch_with_a_silent_server_exits_4() {
    let h = sandbox();
    let run = iterative(&h, "--nssearch", SHORT)
        .args(["--json", "www.half.com"])
        .run();
    run.code(4)
        .stderr_has("dns-lookup: half.com.: ns1.half.com. (127.53.9.1): timeout");
    let rows = run.json()["servers"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["error"], "timeout");
    assert!(rows[0]["serial"].is_null());
    assert_eq!(rows[1]["serial"], 1);
}

/// DoT and DoH front ends for the `lab.glasscom.com.` server, and their CA in a file.
fn encrypted(h: &Hierarchy) -> (Encrypted, tempfile::TempDir, String) {
    let front = Encrypted::start(h.socket(zones::LAB)).expect("start DoT and DoH");
    let dir = crate::util::temp_dir();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, front.ca_pem()).unwrap();
    let ca = ca.display().to_string();
    (front, dir, ca)
}

/// `dns-lookup FLAG @127.0.0.1 --port PORT`, patient.
fn secure(flag: &str, port: u16) -> Cmd {
    tool("dns-lookup").args([
        flag,
        "@127.0.0.1",
        "--port",
        &port.to_string(),
        "--timeout",
        PATIENT,
    ])
}

fn assert_tls_session(report: &Value, protocol: &str, alpn: &str) {
    assert_eq!(report["protocol"], protocol);
    assert_eq!(answer_data(report), ["192.0.2.10"]);
    let tls = &report["tls"];
    assert!(
        tls["version"].as_str().unwrap().starts_with("TLSv1."),
        "{tls}"
    );
    assert!(!tls["cipher"].as_str().unwrap().is_empty());
    assert_eq!(tls["alpn"], alpn);
    assert_eq!(tls["peer_subject"], "CN=dns.sandbox.test");
}

#[test]
fn dns_over_tls_answers_and_shows_the_session() {
    let h = sandbox();
    let (front, _dir, ca) = encrypted(&h);
    let run = secure("--tls", front.dot().port())
        .args(["--json", "--cacert", &ca, "www.lab.glasscom.com"])
        .run();
    run.code(0);
    assert_tls_session(&run.json(), "tls", "dot");
    secure("--tls", front.dot().port())
        .args(["--cacert", &ca, "www.lab.glasscom.com", "AAAA"])
        .run()
        .code(0)
        .stdout_has(&format!("from {} over tls", front.dot()))
        .stdout_has(", alpn dot, certificate CN=dns.sandbox.test")
        .stdout_has("2001:db8::10");
}

#[test]
fn dns_over_https_answers_and_shows_the_session() {
    let h = sandbox();
    let (front, _dir, ca) = encrypted(&h);
    // `--https NAME`: no URL, the name is the name.
    let run = secure("--https", front.doh().port())
        .args(["--cacert", &ca, "--json", "www.lab.glasscom.com"])
        .run();
    run.code(0);
    assert_tls_session(&run.json(), "https", "h2");
    // A URL names the certificate's host and the path.
    let run = secure(
        "--https=https://dns.sandbox.test/dns-query",
        front.doh().port(),
    )
    .args(["--cacert", &ca, "--json", "www.lab.glasscom.com"])
    .run();
    run.code(0);
    assert_tls_session(&run.json(), "https", "h2");
    secure("--https=/elsewhere", front.doh().port())
        .args(["--cacert", &ca, "www.lab.glasscom.com"])
        .run()
        .code(4)
        .stderr_has("malformed response: HTTP status 404 Not Found");
}

#[test]
fn untrusted_or_mismatched_certificates_exit_5() {
    let h = sandbox();
    let (front, _dir, ca) = encrypted(&h);
    let dot = front.dot().port();
    let run = secure("--tls", dot)
        .args(["--cacert", &ca, "--tls-name", "wrong.example", "--json"])
        .args(["www.lab.glasscom.com"])
        .run();
    run.code(5)
        .stderr_has("certificate is not valid for the name wrong.example");
    assert_eq!(run.json()["error"]["kind"], "tls");
    secure("--https", front.doh().port())
        .args(["www.lab.glasscom.com"])
        .run()
        .code(5)
        .stderr_has("certificate not trusted: unknown issuer");
    // -k checks nothing.
    let run = secure("--tls", dot)
        .args([
            "-k",
            "--tls-name",
            "wrong.example",
            "--short",
            "www.lab.glasscom.com",
        ])
        .run();
    run.code(0);
    assert_eq!(run.out(), "192.0.2.10\n");
    tool("dns-lookup")
        .args(["--tls", "www.lab.glasscom.com"])
        .run()
        .code(2)
        .stderr_has("--tls and --https ask a named server");
}
