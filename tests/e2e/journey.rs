//! `netlens journey`: the whole request, step by step. With `--sandbox` it
//! runs against its own in-process loopback internet; without it, only
//! IP-literal URLs of servers this test starts on loopback.

use netlens_sandbox::web::{self, pages, scripted};
use serde_json::Value;

use crate::util::netlens;

const SAMPLE: &str = "http://www.lab.glasscom.com/sample.htm";

/// The zones of the trace's steps, in order.
fn zones(trace: &Value) -> Vec<&str> {
    trace["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["zone"].as_str().expect("zone"))
        .collect()
}

#[test]
fn sandbox_journey_narrates_every_step() {
    let run = netlens()
        .args(["journey", "--sandbox", "--color", "never", SAMPLE])
        .run();
    run.code(0)
        // 1. the URL decoded
        .stdout_has("www.lab.glasscom.com (domain name)")
        .stdout_has("80 (the default for http)")
        .stdout_has("sample.htm")
        // 2. the message, as http-get writes it
        .stdout_has("  GET /sample.htm HTTP/1.1\n  Host: www.lab.glasscom.com\n  User-Agent: netlens-http-get/")
        // 3. from the root down, then AAAA through the cache
        .stdout_has("root servers (1 NS, 1 glue)")
        .stdout_has("referral to com.")
        .stdout_has("referral to glasscom.com.")
        .stdout_has("referral to lab.glasscom.com.")
        .stdout_has("answer: 192.0.2.10")
        .stdout_has(";; trace www.lab.glasscom.com. AAAA")
        .stdout_has("cache  NOERROR")
        // 4. the subnet view
        .stdout_has("192.0.2.10 under /24")
        .stdout_has("192.0.2.0/24")
        .stdout_has("documentation (Documentation (TEST-NET-1), RFC 5737)")
        .stdout_has("host number")
        // 5. and 6. the connection and the response
        .stdout_has("the sandbox serves 192.0.2.10 from 127.0.0.1:")
        .stdout_has("192.0.2.10 is a documentation address (RFC 5737) where nothing listens")
        .stdout_has("is ephemeral, picked by the kernel")
        .stdout_has("TCP three-way handshake")
        .stdout_has("journey closed it after the body")
        .stdout_has("  HTTP/1.1 200 OK\n")
        .stdout_has(&format!("body {} bytes", pages::SAMPLE_PAGE.len()));
    let out = run.out();
    let sections: Vec<usize> = [
        "\n1. The URL",
        "\n2. The request",
        "\n3. The name",
        "\n4. Where",
        "\n5. Socket",
        "\n6. The response",
    ]
    .iter()
    .map(|h| out.find(h).unwrap_or_else(|| panic!("{h}\n{}", run.dump())))
    .collect();
    assert!(sections.windows(2).all(|w| w[0] < w[1]), "{}", run.dump());
    // The referrals come in order, root first.
    let chain: Vec<usize> = [
        "referral to com.",
        "referral to glasscom.com.",
        "referral to lab.glasscom.com.",
        "answer: 192.0.2.10",
    ]
    .iter()
    .map(|needle| out.find(needle).expect(needle))
    .collect();
    assert!(chain.windows(2).all(|w| w[0] < w[1]), "{}", run.dump());
}

#[test]
fn sandbox_journey_as_json() {
    let run = netlens()
        .args(["journey", "--sandbox", "--json", SAMPLE])
        .run();
    run.code(0);
    let v = run.json();
    assert_eq!(v["input"], SAMPLE);
    assert_eq!(v["url"]["host_kind"], "domain");
    assert_eq!(v["url"]["effective_port"], 80);
    assert_eq!(v["url"]["file"], "sample.htm");
    assert_eq!(v["request"]["request_line"], "GET /sample.htm HTTP/1.1");
    assert_eq!(
        v["request"]["headers"][0],
        serde_json::json!(["Host", "www.lab.glasscom.com"])
    );

    let resolve = &v["resolve"];
    assert_eq!(resolve["skipped"], false);
    let a = &resolve["traces"][0];
    assert_eq!(a["query"]["type"], "A");
    assert_eq!(
        zones(a),
        [".", ".", "com.", "glasscom.com.", "lab.glasscom.com."]
    );
    let referrals: Vec<&str> = a["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["referral"]["zone"].as_str())
        .collect();
    assert_eq!(
        referrals,
        [".", "com.", "glasscom.com.", "lab.glasscom.com."]
    );
    assert_eq!(a["answers"][0]["data"], "192.0.2.10");
    assert!(
        a["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["source"] == "network")
    );
    // The AAAA trace walks down the same delegations, from the cache.
    let aaaa = &resolve["traces"][1];
    assert_eq!(aaaa["query"]["type"], "AAAA");
    let cached = aaaa["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"] == "cache")
        .count();
    assert!(cached >= 4, "{}", run.dump());
    assert_eq!(resolve["addresses"][0], "192.0.2.10");

    let subnet = &v["subnet"];
    assert_eq!(subnet["assumed_prefix"], 24);
    assert_eq!(subnet["info"]["cidr"], "192.0.2.0/24");
    assert_eq!(subnet["info"]["kind"], "documentation");
    assert_eq!(subnet["info"]["address"], "192.0.2.10");

    let web = v["sandbox"]["web"].as_str().expect("sandbox web server");
    let connection = &v["connection"];
    assert_eq!(connection["sandbox_serves"]["address"], "192.0.2.10");
    assert_eq!(connection["sandbox_serves"]["from"], web);
    assert_eq!(
        connection["sandbox_serves"]["kind"],
        "documentation address (RFC 5737)"
    );
    assert_eq!(connection["remote_addr"], web);
    let local = connection["local_addr"].as_str().unwrap();
    assert!(local.starts_with("127.0.0.1:"), "{local}");
    assert_eq!(
        local.rsplit(':').next().unwrap(),
        connection["local_port"].to_string()
    );
    assert_eq!(connection["bytes_written"], v["request"]["bytes"]);
    assert_eq!(connection["closed_by"], "client");
    assert!(connection["timings_ms"]["close"].is_number());
    assert_eq!(connection["tls"], Value::Null);

    let response = &v["response"];
    assert_eq!(response["status"], 200);
    assert_eq!(response["status_line"], "HTTP/1.1 200 OK");
    assert_eq!(response["body_bytes"], pages::SAMPLE_PAGE.len());
    assert_eq!(response["content_type"], "text/html; charset=utf-8");
    assert!(v.get("error").is_none());
}

#[test]
fn bad_url_is_a_usage_error() {
    netlens()
        .args(["journey", "--sandbox", "http://www.lab.glasscom.com:99999/"])
        .run()
        .code(2)
        .stderr_has("journey: http://www.lab.glasscom.com:99999/: invalid port number")
        .never_shows("1. The URL");
    let run = netlens()
        .args(["journey", "--json", "http://u:s3cret@h:99999/"])
        .run();
    run.code(2).never_shows("s3cret");
    let v = run.json();
    assert_eq!(v["error"]["kind"], "invalid_port");
    assert!(v.get("request").is_none());
    // A URL that parses but cannot be fetched: decoded, then refused.
    netlens()
        .args(["journey", "--sandbox", "ftp://www.lab.glasscom.com/x"])
        .run()
        .code(2)
        .stdout_has("1. The URL")
        .stderr_has("unsupported scheme");
}

#[test]
fn nxdomain_in_the_sandbox_ends_at_step_3() {
    netlens()
        .args(["journey", "--sandbox", "http://nosuch.lab.glasscom.com/"])
        .run()
        .code(1)
        .stdout_has("referral to lab.glasscom.com.")
        .stdout_has("NXDOMAIN")
        .stderr_has("journey: nosuch.lab.glasscom.com.: does not exist (NXDOMAIN)")
        .never_shows("4. Where");
    let run = netlens()
        .args([
            "journey",
            "--sandbox",
            "--json",
            "http://nosuch.lab.glasscom.com/",
        ])
        .run();
    run.code(1);
    let v = run.json();
    assert_eq!(v["error"]["kind"], "nxdomain");
    assert_eq!(v["resolve"]["traces"][0]["rcode"], "NXDOMAIN");
    assert_eq!(
        zones(&v["resolve"]["traces"][0]).last(),
        Some(&"lab.glasscom.com.")
    );
    assert!(v.get("subnet").is_none() && v.get("connection").is_none());
}

#[test]
fn sandbox_https_and_a_cname_chain() {
    // www.glasscom.com is a CNAME to web.cyber.co.kr, itself a CNAME back to
    // www.lab.glasscom.com: two zones, then the address.
    let run = netlens()
        .args([
            "journey",
            "--sandbox",
            "--json",
            "https://www.glasscom.com/sample.htm",
        ])
        .run();
    run.code(0);
    let v = run.json();
    let answers = v["resolve"]["traces"][0]["answers"].as_array().unwrap();
    let types: Vec<&str> = answers
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["CNAME", "CNAME", "A"]);
    assert_eq!(v["resolve"]["addresses"][0], "192.0.2.10");
    assert_eq!(v["connection"]["tls"]["alpn"], "http/1.1");
    assert_eq!(v["url"]["effective_port"], 443);
    assert_eq!(v["response"]["status"], 200);
}

#[test]
fn ip_literal_skips_dns_and_connects_for_real() {
    let server = web::serve("127.0.0.1".parse().unwrap()).unwrap();
    let url = server.url("/sample.png");
    netlens()
        .args(["journey", "--color", "never", &url])
        .run()
        .code(0)
        .stdout_has("127.0.0.1 is an IP address: no DNS lookup")
        .stdout_has("127.0.0.0/24")
        .stdout_has("loopback")
        .stdout_has(&format!("-> {}", server.addr()))
        .stdout_has(&format!(
            "body {} bytes of image/png",
            pages::SAMPLE_PNG.len()
        ))
        .never_shows("sandbox");
    // A status >= 400 is the server's answer, told like any other.
    netlens()
        .args(["journey", &server.url("/nope")])
        .run()
        .code(0)
        .stdout_has("HTTP/1.1 404 Not Found");
}

#[test]
fn refused_connection_is_a_network_failure() {
    let refused = scripted::refused("127.0.0.1".parse().unwrap()).unwrap();
    let run = netlens()
        .args([
            "journey",
            "--json",
            "--timeout",
            "2",
            &format!("http://{refused}/"),
        ])
        .run();
    run.code(3).stderr_has("journey: connect");
    // Without --json: every step up to the socket, then why it ends.
    netlens()
        .args(["journey", &format!("http://{refused}/")])
        .run()
        .code(3)
        .stdout_has("5. Socket, connect")
        .stderr_has("connection refused");
    let v = run.json();
    assert_eq!(v["error"]["kind"], "connect");
    assert_eq!(v["subnet"]["info"]["kind"], "loopback");
}

#[test]
fn help_ends_with_the_exit_codes() {
    netlens()
        .args(["journey", "--help"])
        .run()
        .code(0)
        .stdout_has("--sandbox")
        .stdout_has("Exit codes:");
}

#[test]
fn credentials_are_sent_and_never_shown() {
    let url = "http://al:s3cret@www.lab.glasscom.com/basic-auth/al/s3cret";
    for json in [false, true] {
        let mut args = vec!["journey", "--sandbox", url];
        if json {
            args.push("--json");
        }
        let run = netlens().args(args).run();
        // The page checks the credentials: 200 means they went out.
        run.code(0)
            .stdout_has("Authorization: Basic ****")
            // The password is in the path too (the page checks it): never as userinfo.
            .never_shows("al:s3cret")
            .never_shows("YWw6czNjcmV0");
        if json {
            assert_eq!(run.json()["response"]["status"], 200);
        } else {
            run.stdout_has("HTTP/1.1 200 OK");
        }
    }
}
