//! `netlens journey`: the whole request, step by step. With `--sandbox` it
//! runs against its own in-process loopback internet; without it, only
//! IP-literal URLs of servers this test starts on loopback.

use netlens_sandbox::web::{self, pages, scripted};
use serde_json::Value;

use crate::util::netlens;

const SAMPLE: &str = "http://www.lab.glasscom.com/sample.htm";

#[test]
fn sandbox_journey_narrates_every_step() {
    let run = netlens()
        // --step never waits when stdin is not a terminal.
        .args(["journey", "--sandbox", "--step", "--color", "never", SAMPLE])
        .run();
    run.code(0)
        .never_shows("[Enter")
        .stdout_has("www.lab.glasscom.com (domain name)")
        .stdout_has("Connection: keep-alive")
        .stdout_has("Accept-Language: ")
        .stdout_has("3. The resolver asks the nearest DNS server")
        .stdout_has("with RD=1 (recursion desired)")
        .stdout_has("AA=0 (not authoritative")
        .stdout_has("what the DNS server did behind this one question")
        .stdout_has("referral to lab.glasscom.com.")
        .stdout_has("from the DNS server's cache, TTL left")
        .stdout_has("host number")
        .stdout_has("socket()  -> descriptor ")
        .stdout_has("ephemeral port")
        .stdout_has("receive buffer: 65536 bytes")
        .stdout_has("2xx success")
        .stdout_has("GET http://www.lab.glasscom.com/gazou.jpg")
        .stdout_has("Referer: http://www.lab.glasscom.com/sample.htm")
        .stdout_has("over the same connection")
        .stdout_has("image/jpeg");
}

#[test]
fn sandbox_journey_as_json() {
    let run = netlens()
        .args(["journey", "--sandbox", "--json", SAMPLE])
        .run();
    run.code(0);
    let v = run.json();
    let stub = &v["resolve"]["stub"];
    assert_eq!(stub["rd"], true);
    assert_eq!(stub["ra"], true);
    assert_eq!(stub["aa"], false);
    assert_eq!(stub["answers"][0]["data"], "192.0.2.10");
    let steps = v["resolve"]["recursive"]["steps"].as_array().unwrap();
    let zones: Vec<&str> = steps.iter().map(|s| s["zone"].as_str().unwrap()).collect();
    assert_eq!(
        zones,
        [".", ".", "com.", "glasscom.com.", "lab.glasscom.com."]
    );
    // The second look-up (step 7) is answered from the server's cache.
    let again = &v["resolve"]["again"];
    assert_eq!(again["recursive"]["answered_from_cache"], true);
    assert!(again["recursive"]["cache_hits"].as_u64().unwrap() >= 1);
    assert_eq!(again["stub"]["aa"], false);
    let c = &v["connection"];
    assert!(c["descriptor"].as_i64().unwrap() >= 3);
    assert_eq!(c["receive_buffer"], 65536);
    assert_eq!(c["closed_by"], "client");
    assert!(c["closed_ms"].as_f64().unwrap() > 0.0);
    let reads = c["reads"].as_array().unwrap();
    let sum: u64 = reads.iter().map(|r| r["bytes"].as_u64().unwrap()).sum();
    assert_eq!(sum, c["bytes_read"].as_u64().unwrap());
    let jpeg = pages::gazou_jpeg().len() as u64;
    let page = pages::SAMPLE_PAGE.len() as u64;
    assert!(sum > page + jpeg, "{sum}");
    assert_eq!(c["writes"].as_array().unwrap().len(), 2);
    assert_eq!(
        c["ephemeral_port"],
        c["local_addr"]
            .as_str()
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    );
    assert_eq!(v["response"]["status"], 200);
    assert!(v["response"]["class"].as_str().unwrap().starts_with("2xx"));
    let r = &v["resources"][0];
    assert_eq!(r["url"], "http://www.lab.glasscom.com/gazou.jpg");
    assert_eq!(r["referer"], SAMPLE);
    assert_eq!(r["status"], 200);
    assert_eq!(r["content_type"], "image/jpeg");
    assert_eq!(r["body_bytes"], jpeg);
    assert_eq!(r["connection_reused"], true);
    assert_eq!(r["descriptor"], c["descriptor"]);
}

#[test]
fn a_server_that_closes_after_each_response_means_a_new_socket() {
    let url = "http://www.lab.glasscom.com/close/sample.htm";
    let run = netlens()
        .args(["journey", "--sandbox", "--json", url])
        .run();
    run.code(0);
    let v = run.json();
    let r = &v["resources"][0];
    assert_eq!(r["url"], "http://www.lab.glasscom.com/close/gazou.jpg");
    assert_eq!(r["connection_reused"], false);
    assert_ne!(r["local_port"], v["connection"]["ephemeral_port"]);
    netlens()
        .args(["journey", "--sandbox", "--color", "never", url])
        .run()
        .code(0)
        .stdout_has(
            "the connection is closed after the response: the server said Connection: close",
        )
        .stdout_has("on a new socket");
}

/// Where strace is installed, or why this run cannot cross-check.
fn strace() -> Option<std::path::PathBuf> {
    let found = std::process::Command::new("strace").arg("-V").output();
    match found {
        Ok(out) if out.status.success() => Some("strace".into()),
        _ => {
            eprintln!("skipped: strace is not installed (the cross-check needs it)");
            None
        }
    }
}

#[test]
fn descriptor_and_reads_match_the_system_calls() {
    let Some(strace) = strace() else { return };
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("trace");
    let bin = env!("CARGO_BIN_EXE_netlens");
    let out = std::process::Command::new(strace)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=socket,connect,read,recvfrom,write,writev,sendto,close",
            "-o",
        ])
        .arg(&prefix)
        .arg(bin)
        .args(["journey", "--sandbox", "--json", SAMPLE])
        .output()
        .unwrap();
    if !out.status.success() && out.stdout.is_empty() {
        eprintln!(
            "skipped: strace cannot trace here: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fd = v["connection"]["descriptor"].as_i64().unwrap();
    let port = v["connection"]["remote_addr"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let trace = std::fs::read_to_string(&prefix).unwrap();
    // From the connect of that descriptor to the web server, to its close.
    let lines: Vec<&str> = trace
        .lines()
        .map(|l| l.split_once(' ').map_or(l, |(_, rest)| rest.trim_start()))
        .collect();
    let connect = format!("connect({fd}, ");
    let start = lines
        .iter()
        .position(|l| l.starts_with(&connect) && l.contains(&format!("htons({port})")))
        .unwrap_or_else(|| panic!("no connect({fd}) to port {port} in\n{trace}"));
    let close = format!("close({fd})");
    let life = &lines[start..];
    let end = life
        .iter()
        .position(|l| l.starts_with(&close))
        .unwrap_or(life.len());
    let reads = life[..end]
        .iter()
        .filter(|l| {
            l.starts_with(&format!("recvfrom({fd}, ")) || l.starts_with(&format!("read({fd}, "))
        })
        .filter(|l| !l.contains("= -1 EAGAIN"))
        .count();
    assert_eq!(
        reads,
        v["connection"]["reads"].as_array().unwrap().len(),
        "{trace}"
    );
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
    let url = "http://nosuch.lab.glasscom.com/";
    let run = netlens()
        .args(["journey", "--sandbox", "--json", url])
        .run();
    run.code(1).stderr_has("does not exist (NXDOMAIN)");
    let v = run.json();
    assert_eq!(v["error"]["kind"], "nxdomain");
    assert_eq!(v["resolve"]["stub"]["rcode"], "NXDOMAIN");
    assert_eq!(v["resolve"]["stub"]["aa"], false);
    assert_eq!(v["resolve"]["stub"]["authority"][0]["type"], "SOA");
    assert!(v.get("connection").is_none());
}

#[test]
fn sandbox_https() {
    let url = "https://www.lab.glasscom.com/sample.htm";
    let run = netlens()
        .args(["journey", "--sandbox", "--json", url])
        .run();
    run.code(0);
    let v = run.json();
    assert_eq!(v["connection"]["tls"]["alpn"], "http/1.1");
    assert_eq!(v["url"]["effective_port"], 443);
    assert_eq!(v["response"]["status"], 200);
    assert_eq!(v["resources"][0]["connection_reused"], true);
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
        .stdout_has("connect(")
        .stdout_has(&server.addr().to_string())
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
        .stdout_has("5. The protocol stack, through the socket library")
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

#[test]
fn a_silent_dns_server_ends_the_journey_within_10_s() {
    // A DNS server on loopback that reads every question and never answers:
    // the network as the stub resolver sees it when it is down.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let server = silent.local_addr().unwrap().to_string();
    let started = std::time::Instant::now();
    let run = netlens()
        .args(["journey", "--json", "--resolver", &server, SAMPLE])
        .run();
    let took = started.elapsed();
    run.code(3)
        .stderr_has(&format!("DNS server {server}: no reply within 8 s"))
        .stderr_has("the network or the DNS server cannot be reached");
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    let v = run.json();
    assert_eq!(v["error"]["kind"], "unreachable");
    assert_eq!(v["request"]["request_line"], "GET /sample.htm HTTP/1.1");
    assert!(v.get("connection").is_none());
    drop(silent);
}

#[test]
fn a_proxy_from_the_environment_is_honoured_and_said() {
    let server = web::serve("127.0.0.1".parse().unwrap()).unwrap();
    let proxy = web::proxy::start("127.0.0.1".parse().unwrap()).unwrap();
    let url = server.url("/sample.htm");
    let run = netlens()
        .env("HTTP_PROXY", proxy.url())
        .args(["journey", "--json", &url])
        .run();
    run.code(0);
    let v = run.json();
    assert_eq!(v["connection"]["proxy"], proxy.addr().to_string());
    assert_eq!(v["connection"]["remote_addr"], proxy.addr().to_string());
    assert_eq!(v["response"]["status"], 200);
    assert!(
        proxy.seen().contains(&format!("GET {url} HTTP/1.1")),
        "{:?}",
        proxy.seen()
    );
    netlens()
        .env("HTTP_PROXY", proxy.url())
        .args(["journey", "--color", "never", &url])
        .run()
        .code(0)
        .stdout_has(&format!(
            "a proxy is set (HTTP_PROXY/HTTPS_PROXY): the socket goes to {}",
            proxy.addr()
        ));
}

#[test]
fn a_compressed_page_is_decoded_before_its_links_are_read() {
    let url = "http://www.lab.glasscom.com/gzip";
    let run = netlens()
        .args(["journey", "--sandbox", "--json", url])
        .run();
    run.code(0);
    let v = run.json();
    let response = &v["response"];
    assert!(response["headers"].to_string().contains("gzip"));
    assert_eq!(response["decoded_bytes"], pages::SAMPLE_PAGE.len());
    assert_ne!(response["body_bytes"], pages::SAMPLE_PAGE.len());
    assert_eq!(
        v["resources"][0]["url"],
        "http://www.lab.glasscom.com/gazou.jpg"
    );
    assert_eq!(v["resources"][0]["connection_reused"], true);
}
