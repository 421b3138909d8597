//! dns-lookup --dnssec and --validate against the signed loopback hierarchy of
//! netlens-sandbox, in query mode (its all-zones server, as delv asks a
//! resolver) and with --trace (from its root hints): the secure chain, the
//! secure denials, the insecure delegation, each bogus case, bad anchors.

use netlens_sandbox::dns::signed::SignedHierarchy;
use serde_json::Value;

use crate::util::{Cmd, Run, temp_dir, tool};

fn sandbox() -> SignedHierarchy {
    SignedHierarchy::start().expect("start the signed DNS hierarchy")
}

/// Generous for a loaded machine; the test's own time limit bounds the run.
const PATIENT: &str = "5";

fn anchor(h: &SignedHierarchy) -> String {
    h.trust_anchor().display().to_string()
}

/// `dns-lookup --validate` asking the hierarchy's all-zones server.
fn stub(h: &SignedHierarchy) -> Cmd {
    tool("dns-lookup").args([
        "--validate",
        "--trust-anchor",
        &anchor(h),
        "--server",
        &h.resolver().to_string(),
        "--timeout",
        PATIENT,
    ])
}

/// `dns-lookup --trace --validate` from the hierarchy's root hints.
fn trace(h: &SignedHierarchy) -> Cmd {
    tool("dns-lookup").args([
        "--trace",
        "--validate",
        "--root-hints",
        &h.root_hints().display().to_string(),
        "--trust-anchor",
        &anchor(h),
        "--port",
        &h.port().to_string(),
        "--timeout",
        PATIENT,
    ])
}

fn chain_zones(report: &Value) -> Vec<&str> {
    report["dnssec"]["chain"]
        .as_array()
        .expect("chain")
        .iter()
        .map(|link| link["zone"].as_str().unwrap())
        .collect()
}

fn last_line(run: &Run) -> String {
    run.out().lines().last().unwrap_or_default().to_string()
}

#[test]
fn trace_shows_every_step_secure_and_ends_secure() {
    let h = sandbox();
    let run = trace(&h).args(["www.lab.glasscom.com"]).run();
    run.code(0).stdout_has("answer: 192.0.2.10");
    let out = run.out();
    let steps: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with(";;") && !l.starts_with(' '))
        .collect();
    let steps: Vec<&&str> = steps
        .iter()
        .filter(|l| l.contains(" ms") || l.contains(" left"))
        .collect();
    assert!(steps.len() > 5, "{out}");
    assert!(steps.iter().all(|l| l.ends_with("  secure")), "{out}");
    assert_eq!(last_line(&run), ";; verdict: secure");
    run.stdout_has("[lab.glasscom.com. DS] answer: 1 DS records")
        .stdout_has("[lab.glasscom.com. DNSKEY] answer: 1 DNSKEY records")
        .stdout_has(";; chain com.  DS ");
}

#[test]
fn trace_json_carries_the_chain_and_a_verdict_per_step() {
    let h = sandbox();
    let run = trace(&h).args(["--json", "www.lab.glasscom.com"]).run();
    run.code(0);
    let report = run.json();
    assert_eq!(report["dnssec"]["status"], "secure");
    assert!(report["dnssec"]["reason"].is_null());
    assert_eq!(
        chain_zones(&report),
        [".", "com.", "glasscom.com.", "lab.glasscom.com."]
    );
    let chain = report["dnssec"]["chain"].as_array().unwrap();
    let algorithms: Vec<u64> = chain
        .iter()
        .map(|link| link["dnskey"][0]["algorithm"].as_u64().unwrap())
        .collect();
    assert_eq!(algorithms, [13, 8, 13, 15]);
    for link in chain {
        assert_eq!(link["status"], "secure");
        assert_eq!(link["ds"][0]["key_tag"], link["dnskey"][0]["key_tag"]);
        assert_eq!(link["ds"][0]["digest_type"], 2);
        assert_eq!(link["dnskey"][0]["flags"], 257);
    }
    let steps = report["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["dnssec"]["status"] == "secure"));
    let asked: Vec<(&str, &str)> = steps
        .iter()
        .filter(|s| s["source"] == "network")
        .map(|s| {
            (
                s["query"]["name"].as_str().unwrap(),
                s["query"]["type"].as_str().unwrap(),
            )
        })
        .collect();
    for wanted in [
        (".", "DNSKEY"),
        ("com.", "DS"),
        ("com.", "DNSKEY"),
        ("lab.glasscom.com.", "DS"),
        ("lab.glasscom.com.", "DNSKEY"),
    ] {
        assert!(asked.contains(&wanted), "{wanted:?} not asked: {asked:?}");
    }
    // DS and DNSKEY look-ups reuse the cached referrals.
    assert!(steps.iter().any(|s| s["source"] == "cache"));
    assert_eq!(report["answers"][1]["type"], "RRSIG");
}

#[test]
fn stub_validates_through_the_same_server() {
    let h = sandbox();
    let run = stub(&h).args(["--json", "www.lab.glasscom.com"]).run();
    run.code(0);
    let report = run.json();
    assert_eq!(report["dnssec"]["status"], "secure");
    assert_eq!(report["ad"], false);
    assert_eq!(
        chain_zones(&report),
        [".", "com.", "glasscom.com.", "lab.glasscom.com."]
    );
    assert_eq!(report["answers"][0]["data"], "192.0.2.10");
    let human = stub(&h).args(["www.lab.glasscom.com"]).run();
    human.code(0);
    assert_eq!(last_line(&human), ";; verdict: secure");
}

#[test]
fn expired_signature_is_bogus_exits_5_and_is_rejected() {
    let h = sandbox();
    for cmd in [trace(&h), stub(&h)] {
        let run = cmd.args(["expired.glasscom.com"]).run();
        run.code(5)
            .stdout_has(";; rejected:")
            .stderr_has("dns-lookup: expired.glasscom.com.: bogus: signature expired");
        assert!(
            last_line(&run).starts_with(";; verdict: bogus: signature expired"),
            "{}",
            run.dump()
        );
        // The address appears only on a commented "rejected" line.
        assert!(
            run.out()
                .lines()
                .filter(|l| l.contains("192.0.2.50"))
                .all(|l| l.starts_with(";; ")),
            "{}",
            run.dump()
        );
    }
    let json = stub(&h).args(["--json", "expired.glasscom.com"]).run();
    json.code(5);
    let report = json.json();
    assert_eq!(report["dnssec"]["status"], "bogus");
    assert_eq!(report["answers"].as_array().unwrap().len(), 0);
    assert_eq!(report["rejected"][0]["data"], "192.0.2.50");
}

#[test]
fn broken_signatures_are_bogus_with_their_reason() {
    let h = sandbox();
    let cases = [
        ("notyet.glasscom.com", "signature not yet valid"),
        ("stripped.glasscom.com", "RRSIG missing"),
        ("tampered.glasscom.com", "signature does not verify"),
        ("www.badds.com", "no DS matches any DNSKEY of badds.com."),
    ];
    for (name, why) in cases {
        for cmd in [trace(&h), stub(&h)] {
            let run = cmd.args(["--json", name]).run();
            run.code(5);
            let report = run.json();
            assert_eq!(report["dnssec"]["status"], "bogus", "{}", run.dump());
            let reason = report["dnssec"]["reason"].as_str().unwrap();
            assert!(reason.contains(why), "{name}: {reason}");
        }
    }
}

#[test]
fn bogus_zone_marks_its_steps() {
    let h = sandbox();
    let run = trace(&h).args(["www.badds.com"]).run();
    run.code(5)
        .stdout_has("referral to badds.com. (1 NS, 1 glue)")
        .stdout_has("BOGUS (no DS matches any DNSKEY of badds.com.)")
        .stdout_has(";; chain badds.com.  DS ");
}

#[test]
fn unsigned_child_is_insecure_in_both_modes() {
    let h = sandbox();
    for cmd in [trace(&h), stub(&h)] {
        let run = cmd.args(["www.unsigned.com"]).run();
        run.code(0).stdout_has("192.0.2.60");
        assert_eq!(
            last_line(&run),
            ";; verdict: insecure: no DS for unsigned.com.: an unsigned delegation, proven by NSEC3"
        );
    }
    let run = trace(&h).args(["--json", "www.unsigned.com"]).run();
    let report = run.json();
    assert_eq!(report["dnssec"]["status"], "insecure");
    let steps = report["steps"].as_array().unwrap();
    let answer = steps.iter().find(|s| s["zone"] == "unsigned.com.").unwrap();
    assert_eq!(answer["dnssec"]["status"], "insecure");
    let link = report["dnssec"]["chain"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(link["zone"], "unsigned.com.");
    assert_eq!(link["status"], "insecure");
}

#[test]
fn nxdomain_and_nodata_are_proven_by_nsec3() {
    let h = sandbox();
    for cmd in [trace(&h), stub(&h)] {
        let run = cmd
            .args([
                "--json",
                "nope.lab.glasscom.com",
                "www.lab.glasscom.com",
                "MX",
                "nope.glasscom.com",
            ])
            .run();
        run.code(1);
        let reports = run.json_lines();
        assert_eq!(reports.len(), 3, "{}", run.dump());
        assert_eq!(reports[0]["rcode"], "NXDOMAIN");
        assert_eq!(reports[1]["rcode"], "NOERROR");
        for report in &reports {
            assert_eq!(report["dnssec"]["status"], "secure", "{report}");
            let nsec3 = report["authority"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["type"] == "NSEC3")
                .count();
            assert!(nsec3 >= 1, "{report}");
        }
    }
}

#[test]
fn wildcard_answers_are_secure_with_their_proof() {
    let h = sandbox();
    for cmd in [trace(&h), stub(&h)] {
        let run = cmd
            .args([
                "--json",
                "any.wild.glasscom.com",
                "a.b.wild.glasscom.com",
                "any.wild.glasscom.com",
                "MX",
            ])
            .run();
        run.code(1);
        let reports = run.json_lines();
        assert_eq!(reports.len(), 3, "{}", run.dump());
        for report in &reports[..2] {
            assert_eq!(report["dnssec"]["status"], "secure", "{report}");
            assert_eq!(report["answers"][0]["data"], "192.0.2.70", "{report}");
        }
        // The wildcard has no MX: a NODATA proven by the wildcard's own NSEC3.
        assert_eq!(reports[2]["rcode"], "NOERROR");
        assert_eq!(reports[2]["dnssec"]["status"], "secure", "{}", reports[2]);
    }
}

#[test]
fn dnssec_shows_signatures_and_short_stays_short() {
    let h = sandbox();
    let server = h.resolver().to_string();
    let run = tool("dns-lookup")
        .args([
            "--dnssec",
            "--json",
            "--server",
            &server,
            "glasscom.com",
            "DS",
        ])
        .run();
    run.code(0);
    let report = run.json();
    assert_eq!(report["ad"], false);
    assert!(report.get("dnssec").is_none());
    let types: Vec<&str> = report["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["DS", "RRSIG"]);
    let rrsig = report["answers"][1]["data"].as_str().unwrap();
    // As dig prints it: covered type, algorithm number, labels, TTL, times.
    assert!(rrsig.starts_with("DS 8 2 "), "{rrsig}");
    let short = tool("dns-lookup")
        .args([
            "--dnssec",
            "--short",
            "--server",
            &server,
            "www.glasscom.com",
        ])
        .run();
    short.code(0);
    assert_eq!(short.out(), "192.0.2.20\n");
    let plain = tool("dns-lookup")
        .args(["--json", "--server", &server, "www.glasscom.com"])
        .run();
    assert!(plain.json().get("ad").is_none());
    assert_eq!(plain.json()["answers"].as_array().unwrap().len(), 1);
}

#[test]
fn the_built_in_root_anchor_does_not_trust_the_sandbox() {
    let h = sandbox();
    let run = tool("dns-lookup")
        .args([
            "--validate",
            "--server",
            &h.resolver().to_string(),
            "www.lab.glasscom.com",
        ])
        .run();
    run.code(5)
        .stderr_has("bogus: no DS matches any DNSKEY of .");
}

#[test]
fn unsupported_algorithms_are_insecure() {
    let h = sandbox();
    let dir = temp_dir();
    let file = dir.path().join("private.ds");
    std::fs::write(
        &file,
        ". IN DS 12345 253 2 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\n",
    )
    .unwrap();
    let run = tool("dns-lookup")
        .args(["--validate", "--trust-anchor"])
        .args([&file])
        .args([
            "--server",
            &h.resolver().to_string(),
            "www.lab.glasscom.com",
        ])
        .run();
    run.code(0);
    assert_eq!(
        last_line(&run),
        ";; verdict: insecure: unsupported algorithm 253 in the DS of ."
    );
}

#[test]
fn bad_trust_anchors_and_usage_exit_2() {
    let dir = temp_dir();
    let garbage = dir.path().join("garbage.ds");
    std::fs::write(&garbage, ". IN DS this is not a DS record\n").unwrap();
    let run = tool("dns-lookup")
        .args(["--validate", "--trust-anchor"])
        .args([&garbage])
        .args(["--server", "127.0.0.1:9", "x.example"])
        .run();
    run.code(2).stderr_has("dns-lookup: trust anchor ");
    assert_eq!(run.err().lines().count(), 1, "{}", run.dump());
    let missing = tool("dns-lookup")
        .args([
            "--validate",
            "--trust-anchor",
            "/nonexistent/root.ds",
            "--server",
            "127.0.0.1:9",
            "x.example",
        ])
        .run();
    missing
        .code(2)
        .stderr_has("trust anchor /nonexistent/root.ds: ");
    let no_server = tool("dns-lookup").args(["--validate", "x.example"]).run();
    no_server
        .code(2)
        .stderr_has("--validate needs a named server (@SERVER or --server) or --trace");
}

#[test]
fn a_dnskey_anchor_works_as_well_as_a_ds() {
    let h = sandbox();
    let server = h.resolver().to_string();
    let keys = tool("dns-lookup")
        .args(["--dnssec", "--json", "--server", &server, ".", "DNSKEY"])
        .run();
    keys.code(0);
    let key = keys.json()["answers"][0]["data"]
        .as_str()
        .unwrap()
        .to_string();
    let dir = temp_dir();
    let file = dir.path().join("root.key");
    std::fs::write(&file, format!(". IN DNSKEY {key}\n")).unwrap();
    let run = tool("dns-lookup")
        .args(["--validate", "--json", "--trust-anchor"])
        .args([&file])
        .args(["--server", &server, "www.lab.glasscom.com"])
        .run();
    run.code(0);
    let report = run.json();
    assert_eq!(report["dnssec"]["status"], "secure");
    assert_eq!(
        report["dnssec"]["chain"][0]["ds"].as_array().unwrap().len(),
        0
    );
}

#[test]
fn validate_under_p8_keeps_each_verdict_in_its_place() {
    let h = sandbox();
    let kinds = [
        ("www.lab.glasscom.com", "secure"),
        ("expired.glasscom.com", "bogus"),
        ("www.unsigned.com", "insecure"),
        ("www.badds.com", "bogus"),
        ("tampered.glasscom.com", "bogus"),
    ];
    // Each name three times, interleaved: 15 names, 8 in flight at once.
    let names: Vec<(&str, &str)> = (0..3).flat_map(|_| kinds).collect();
    let stdin: String = names.iter().map(|(name, _)| format!("{name}\n")).collect();
    for cmd in [trace(&h), stub(&h)] {
        let run = cmd.args(["-P", "8", "--json"]).stdin(stdin.clone()).run();
        // A bogus answer anywhere: exit 5, the highest.
        run.code(5);
        let lines = run.json_lines();
        assert_eq!(lines.len(), names.len(), "{}", run.dump());
        for (line, (name, status)) in lines.iter().zip(&names) {
            assert_eq!(line["query"]["name"], format!("{name}."));
            assert_eq!(line["dnssec"]["status"], *status, "{name}: {}", run.dump());
        }
        assert_eq!(run.err().matches(": bogus: ").count(), 9, "{}", run.dump());
    }
}
