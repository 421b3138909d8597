//! `http-get` / `netlens get` against the sandbox's loopback web servers: the
//! normal cases (hyper server), HTTPS with a CA made at run time, a proxy, and
//! raw-socket servers that break the protocol on purpose. No DNS: IP literals
//! or `--resolve`.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use netlens_sandbox::web::counting::serve_counting;
use netlens_sandbox::web::{
    self, Server, pages, pki::Pki, proxy::Proxy, scripted, scripted::Script,
};
use serde_json::Value;

use crate::util::{Cmd, netlens, temp_dir, tool};

/// A password that must never show up in any output.
const SECRET: &str = "s3cr3t-pa55";

struct Sandbox {
    /// The web server on 127.0.0.1.
    a: Server,
    /// The same pages on 127.0.0.2: another origin.
    b: Server,
    https: Server,
    ca: PathBuf,
    proxy: Proxy,
}

fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let pki = Pki::generate(web::pki::DEFAULT_NAMES).expect("generate pki");
        let ca = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("sandbox-ca-{}.pem", std::process::id()));
        std::fs::write(&ca, pki.ca_pem()).expect("write ca");
        Sandbox {
            a: web::serve(ip("127.0.0.1")).expect("serve a"),
            b: web::serve(ip("127.0.0.2")).expect("serve b"),
            https: web::serve_https(ip("127.0.0.1"), &pki).expect("serve https"),
            ca,
            proxy: web::proxy::start(ip("127.0.0.1")).expect("proxy"),
        }
    })
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip")
}

fn scripted(script: Script) -> SocketAddr {
    scripted::start(ip("127.0.0.1"), script).expect("scripted server")
}

fn get() -> Cmd {
    tool("http-get")
}

fn ca() -> String {
    sandbox().ca.display().to_string()
}

#[test]
fn verbose_shows_every_phase_then_the_page() {
    let url = sandbox().a.url("/sample.htm");
    let port = sandbox().a.port();
    for cmd in [
        get().args(["-v", &url]),
        netlens().args(["get", "-v", &url]),
    ] {
        cmd.run()
            .code(0)
            .stdout_has("<img src=\"gazou.jpg\"")
            .stderr_has("* resolve 127.0.0.1: 127.0.0.1")
            .stderr_has(&format!("* connect to 127.0.0.1:{port} ..."))
            .stderr_has("* socket 127.0.0.1:")
            .stderr_has(&format!("-> 127.0.0.1:{port}: connected"))
            .stderr_has("> GET /sample.htm HTTP/1.1\n")
            .stderr_has(&format!("> Host: 127.0.0.1:{port}\n"))
            .stderr_has("> User-Agent: netlens-http-get/")
            .stderr_has("> Accept: */*\n")
            .stderr_has("< HTTP/1.1 200 OK\n")
            .stderr_has("< content-type: text/html")
            .stderr_has("* body: ")
            .stderr_has("closed the connection");
    }
    let run = netlens().args(["http-get", &url]).run();
    run.code(0);
    assert_eq!(run.out(), pages::SAMPLE_PAGE);
    assert!(run.err().is_empty(), "{}", run.dump());
}

#[test]
fn timing_table_shows_durations_and_offsets() {
    let run = get()
        .args([
            "-w",
            "-s",
            &sandbox().https.url("/sample.htm"),
            "--cacert",
            &ca(),
        ])
        .run();
    run.code(0);
    for phase in [
        "dns",
        "connect",
        "tls",
        "request",
        "first_byte",
        "body",
        "total",
    ] {
        run.stderr_has(&format!("│ {phase} "));
    }
    run.stderr_has("duration ms")
        .stderr_has("start ms")
        .stderr_has("end ms");
}

#[test]
fn json_summary_has_every_field() {
    let s = sandbox();
    let run = get()
        .args([
            "--json",
            "-u",
            &format!("al:{SECRET}"),
            &s.a.url("/sample.htm"),
        ])
        .run();
    run.code(0).never_shows(SECRET).never_shows("<html>");
    let v = run.json();
    for key in [
        "url",
        "effective_url",
        "method",
        "status",
        "reason",
        "http_version",
        "headers",
        "remote_addr",
        "local_addr",
        "redirects",
        "timings_ms",
        "offsets_ms",
        "body_bytes",
        "content_type",
        "tls",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["status"], 200);
    assert_eq!(v["reason"], "OK");
    assert_eq!(v["method"], "GET");
    assert_eq!(v["http_version"], "HTTP/1.1");
    assert_eq!(v["remote_addr"], s.a.addr().to_string());
    assert!(v["local_addr"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert_eq!(v["body_bytes"], pages::SAMPLE_PAGE.len());
    assert_eq!(v["tls"], Value::Null);
    assert_eq!(v["timings_ms"]["tls"], Value::Null);
    assert!(v["content_type"].as_str().unwrap().starts_with("text/html"));
    let headers = v["headers"].as_array().unwrap();
    assert!(headers.iter().any(|h| h[0] == "content-length"));
    let offsets = &v["offsets_ms"];
    let order = ["dns", "connect", "request", "first_byte", "body"];
    for pair in order.windows(2) {
        assert!(
            offsets[pair[0]].as_f64() <= offsets[pair[1]].as_f64(),
            "{offsets}"
        );
    }
    assert_eq!(offsets["total"], v["timings_ms"]["total"]);
}

#[test]
fn offline_prints_exactly_what_would_be_sent() {
    let echo = scripted(Script::RawEcho);
    let url = format!("http://{echo}/path?q=1");
    let args = ["-H", "X-Trace: 42", "-d", "a=1&b=2", "-X", "PUT", &url];
    let offline = get().args(["--offline"]).args(args).run();
    offline.code(0);
    let sent = get().args(args).run();
    sent.code(0);
    let offline_head = offline.out().split("\r\n\r\n").next().unwrap().to_string() + "\r\n\r\n";
    assert_eq!(sent.out(), offline_head);
    offline
        .stdout_has("PUT /path?q=1 HTTP/1.1\r\n")
        .stdout_has("Content-Length: 7\r\n")
        .stdout_has("X-Trace: 42\r\n");
    assert!(offline.out().ends_with("\r\n\r\na=1&b=2"));
    // The default port stays out of Host; an http proxy gets the absolute form.
    get()
        .args(["--offline", "http://example.test:80/a?b"])
        .run()
        .code(0)
        .stdout_has("GET /a?b HTTP/1.1\r\nHost: example.test\r\n");
    get()
        .args([
            "--offline",
            "-x",
            "http://127.0.0.1:9",
            "http://example.test:8080/a",
        ])
        .run()
        .code(0)
        .stdout_has("GET http://example.test:8080/a HTTP/1.1\r\nHost: example.test:8080\r\n");
    get()
        .args([
            "--offline",
            "-x",
            "http://127.0.0.1:9",
            "https://example.test/a",
        ])
        .run()
        .code(0)
        .stdout_has("GET /a HTTP/1.1\r\nHost: example.test\r\n");
    // Nothing is sent: a port nobody listens on is fine.
    let refused = scripted::refused(ip("127.0.0.1")).unwrap();
    get()
        .args(["--offline", &format!("http://{refused}/")])
        .run()
        .code(0);
}

#[test]
fn request_options_reach_the_server() {
    let s = sandbox();
    let dir = temp_dir();
    let body = dir.path().join("body.txt");
    std::fs::write(&body, "from a file").unwrap();
    get()
        .args([
            "-X",
            "PATCH",
            "-H",
            "X-One: 1",
            "-H",
            "user-agent: probe/1",
            &s.a.url("/echo"),
        ])
        .run()
        .code(0)
        .stdout_has("PATCH /echo HTTP/1.1")
        .stdout_has("x-one: 1\n")
        .stdout_has("user-agent: probe/1\n")
        .stdout_has("body: 0 bytes");
    get()
        .args(["-d", &format!("@{}", body.display()), &s.a.url("/echo")])
        .run()
        .code(0)
        .stdout_has("POST /echo HTTP/1.1")
        .stdout_has("content-type: application/x-www-form-urlencoded")
        .stdout_has("body: 11 bytes");
    get()
        .args(["-d", "@-", &s.a.url("/echo")])
        .stdin("from stdin")
        .run()
        .code(0)
        .stdout_has("body: 10 bytes");
    get()
        .args(["-H", "X-Evil: 1\r\nInjected: yes", &s.a.url("/echo")])
        .run()
        .code(2)
        .stderr_has("CR or LF");
    get()
        .args(["-d", "@/no/such/file", &s.a.url("/echo")])
        .run()
        .code(2)
        .stderr_has("/no/such/file");
}

#[test]
fn basic_auth_from_flag_or_url_and_never_shown() {
    let s = sandbox();
    // The sandbox takes the expected password from the path, so the path shows
    // it; what must never show is the userinfo and the encoded credentials.
    let path = format!("/basic-auth/al/{SECRET}");
    let token = "YWw6czNjcjN0LXBhNTU="; // base64("al:s3cr3t-pa55")
    get()
        .args(["-v", "-u", &format!("al:{SECRET}"), &s.a.url(&path)])
        .run()
        .code(0)
        .stdout_has("authenticated as al")
        .stderr_has("> Authorization: Basic ****")
        .never_shows(token);
    get()
        .args(["--offline", "-u", &format!("al:{SECRET}"), &s.a.url("/")])
        .run()
        .code(0)
        .stdout_has("Authorization: Basic ****\r\n")
        .never_shows(token);
    let userinfo = format!("al:{SECRET}@");
    let with_userinfo = format!("http://{userinfo}{}{path}", s.a.addr());
    let run = get().args(["-v", "--json", &with_userinfo]).run();
    run.code(0).never_shows(token).never_shows(&userinfo);
    assert!(run.json()["url"].as_str().unwrap().contains("al:****@"));
    get()
        .args(["-f", "-u", "al:wrong", &s.a.url(&path)])
        .run()
        .code(1)
        .stderr_has("401");
}

#[test]
fn redirects_are_followed_counted_and_bounded() {
    let s = sandbox();
    let run = get().args(["-L", "--json", &s.a.url("/redirect/3")]).run();
    run.code(0);
    let v = run.json();
    assert_eq!(v["redirects"].as_array().unwrap().len(), 3);
    assert_eq!(v["redirects"][0]["status"], 302);
    assert_eq!(v["effective_url"], s.a.url("/redirect/0"));
    get()
        .args([&s.a.url("/redirect/1")])
        .run()
        .code(0)
        .stdout_has("see /redirect/0");
    get()
        .args(["-L", "--max-redirs", "2", &s.a.url("/redirect/3")])
        .run()
        .code(4)
        .stderr_has("more than 2 redirects");
    get()
        .args(["-L", &s.a.url("/loop/a")])
        .run()
        .code(4)
        .stderr_has("loop");
    get()
        .args(["-L", &s.a.url("/redirect-to?url=ftp%3A%2F%2F127.0.0.1%2F")])
        .run()
        .code(4)
        .stderr_has("unsupported scheme");
}

#[test]
fn redirect_methods_follow_rfc_9110() {
    let s = sandbox();
    let to_echo = |status: u16| {
        s.a.url(&format!("/redirect-to?url=%2Fecho&status={status}"))
    };
    get()
        .args(["-L", "-d", "x=1", &to_echo(303)])
        .run()
        .code(0)
        .stdout_has("GET /echo")
        .stdout_has("body: 0 bytes");
    get()
        .args(["-L", "-d", "x=1", &to_echo(302)])
        .run()
        .code(0)
        .stdout_has("GET /echo");
    get()
        .args(["-L", "-d", "x=1", &to_echo(307)])
        .run()
        .code(0)
        .stdout_has("POST /echo")
        .stdout_has("body: 3 bytes");
    get()
        .args(["-L", "-X", "PUT", "-d", "x=1", &to_echo(308)])
        .run()
        .code(0)
        .stdout_has("PUT /echo")
        .stdout_has("body: 3 bytes");
}

#[test]
fn credentials_never_follow_a_redirect_to_another_host() {
    let s = sandbox();
    let b_echo = format!("http%3A%2F%2F{}%2Fecho", s.b.addr());
    let a_to_b = s.a.url(&format!("/redirect-to?url={b_echo}"));
    let run = get()
        .args([
            "-L",
            "-u",
            &format!("al:{SECRET}"),
            "-H",
            "Cookie: id=7",
            "-H",
            "X-Keep: 1",
            &a_to_b,
        ])
        .run();
    run.code(0)
        .stdout_has(&format!("host: {}", s.b.addr()))
        .stdout_has("x-keep: 1");
    let lower = run.out().to_ascii_lowercase();
    assert!(!lower.contains("authorization"), "{}", run.dump());
    assert!(!lower.contains("cookie"), "{}", run.dump());
    // Within one origin they do follow.
    let a_to_a = s.a.url("/redirect-to?url=%2Fecho");
    get()
        .args([
            "-L",
            "-u",
            &format!("al:{SECRET}"),
            "-H",
            "Cookie: id=7",
            &a_to_a,
        ])
        .run()
        .code(0)
        .stdout_has("authorization: Basic ")
        .stdout_has("cookie: id=7");
    // The same through names given with --resolve: a.test and b.test are two origins.
    let port_a = s.a.port();
    let port_b = s.b.port();
    let named =
        format!("http://a.test:{port_a}/redirect-to?url=http%3A%2F%2Fb.test%3A{port_b}%2Fecho");
    get()
        .args([
            "-L",
            "-u",
            &format!("al:{SECRET}"),
            "--resolve",
            &format!("a.test:{port_a}:127.0.0.1"),
            "--resolve",
            &format!("b.test:{port_b}:127.0.0.2"),
            &named,
        ])
        .run()
        .code(0)
        .stdout_has(&format!("host: b.test:{port_b}"))
        .never_shows("authorization");
}

#[test]
fn https_trust_decides_the_exit_code() {
    let s = sandbox();
    let url = s.https.url("/sample.htm");
    get().args([&url]).run().code(5).stderr_has("not trusted");
    let run = get().args(["--json", "--cacert", &ca(), &url]).run();
    run.code(0);
    let tls = &run.json()["tls"];
    assert_eq!(tls["alpn"], "h2");
    assert_eq!(run.json()["http_version"], "HTTP/2");
    assert!(tls["version"].as_str().unwrap().starts_with("TLSv1."));
    assert!(
        tls["peer_issuer"]
            .as_str()
            .unwrap()
            .contains("netlens sandbox CA")
    );
    assert!(tls["not_after"].as_str().unwrap().ends_with('Z'));
    get().args(["-k", &url]).run().code(0).stdout_has("<img");
    let port = s.https.port();
    get()
        .args([
            "--cacert",
            &ca(),
            "--resolve",
            &format!("wrong.test:{port}:127.0.0.1"),
            &format!("https://wrong.test:{port}/"),
        ])
        .run()
        .code(5)
        .stderr_has("not valid for the name wrong.test");
    get()
        .args([
            "-v",
            "--cacert",
            &ca(),
            "--resolve",
            &format!("www.lab.glasscom.com:{port}:127.0.0.1"),
            &format!("https://www.lab.glasscom.com:{port}/sample.htm"),
        ])
        .run()
        .code(0)
        .stderr_has("* tls TLSv1.3")
        .stderr_has("from --resolve")
        .stderr_has(&format!("> :authority: www.lab.glasscom.com:{port}"));
    get().args(["--cacert", "/no/such.pem", &url]).run().code(2);
}

#[test]
fn proxies_use_absolute_form_and_connect() {
    let s = sandbox();
    let http_url = s.a.url("/echo?via=flag");
    get()
        .args(["-x", &s.proxy.url(), &http_url])
        .run()
        .code(0)
        .stdout_has("GET /echo?via=flag");
    assert!(
        s.proxy.seen().contains(&format!("GET {http_url} HTTP/1.1")),
        "{:?}",
        s.proxy.seen()
    );

    let https_url = s.https.url("/echo?via=tunnel");
    let proxy_with_auth = format!("http://pal:{SECRET}@{}", s.proxy.addr());
    get()
        .args(["-v", "-x", &proxy_with_auth, "--cacert", &ca(), &https_url])
        .run()
        .code(0)
        .stdout_has("GET /echo?via=tunnel")
        .never_shows(SECRET);
    let connect = format!("CONNECT {} HTTP/1.1 [auth]", s.https.addr());
    assert!(s.proxy.seen().contains(&connect), "{:?}", s.proxy.seen());

    let env_url = s.a.url("/echo?via=env");
    get()
        .env("HTTP_PROXY", s.proxy.url())
        .args([&env_url])
        .run()
        .code(0);
    assert!(s.proxy.seen().contains(&format!("GET {env_url} HTTP/1.1")));
    let bypass_url = s.a.url("/echo?via=bypass");
    get()
        .env("HTTP_PROXY", s.proxy.url())
        .env("NO_PROXY", "127.0.0.0/8")
        .args([&bypass_url])
        .run()
        .code(0);
    assert!(!s.proxy.seen().iter().any(|l| l.contains("via=bypass")));
}

#[test]
fn truncated_download_exits_4_and_leaves_no_file() {
    let addr = scripted(Script::Truncated);
    let dir = temp_dir();
    get()
        .args(["-o", "out.bin", &format!("http://{addr}/file.bin")])
        .current_dir(dir.path())
        .run()
        .code(4)
        .stderr_has("end of file before message length reached");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn broken_servers_are_protocol_errors() {
    for (script, says) in [
        (Script::GarbageStatus, "reading the response"),
        (Script::HugeHeader, "too large"),
        (Script::ManyHeaders, "too large"),
        (Script::BadChunk, "chunk size"),
    ] {
        get()
            .args([&format!("http://{}/", scripted(script))])
            .run()
            .code(4)
            .stderr_has(says)
            .never_shows("panicked");
    }
    let refused = scripted::refused(ip("127.0.0.1")).unwrap();
    get()
        .args([&format!("http://{refused}/")])
        .run()
        .code(3)
        .stderr_has("refused");
    netlens()
        .args(["get", "-6", &format!("http://{refused}/")])
        .run()
        .code(3)
        .stderr_has("no IPv6 address");
}

#[test]
fn connect_timeout_and_happy_eyeballs() {
    let hole = scripted::blackhole("127.0.0.1:0".parse().unwrap()).unwrap();
    get()
        .args(["--connect-timeout", "1", &format!("http://{hole}/")])
        .limit(Duration::from_secs(20))
        .run()
        .code(3)
        .stderr_has("connect: timed out after 1 s");
    // The first address never answers; RFC 8305 starts the next one 250 ms later.
    let s = sandbox();
    let port = s.a.port();
    let silent = scripted::blackhole(SocketAddr::new(ip("127.0.0.3"), port)).unwrap();
    let run = get()
        .args([
            "-v",
            "--json",
            "--resolve",
            &format!("he.test:{port}:{}", silent.ip()),
            "--resolve",
            &format!("he.test:{port}:127.0.0.1"),
            &format!("http://he.test:{port}/sample.htm"),
        ])
        .limit(Duration::from_secs(20))
        .run();
    run.code(0).stderr_has("happy eyeballs: 2 addresses");
    assert_eq!(run.json()["remote_addr"], s.a.addr().to_string());
}

#[test]
fn close_delimited_body_is_complete() {
    let run = get()
        .args([&format!("http://{}/", scripted(Script::CloseDelimited))])
        .run();
    run.code(0);
    assert_eq!(run.out(), scripted::CLOSE_DELIMITED_BODY);
    get()
        .args([
            "-v",
            "-o",
            "/dev/null",
            &format!("http://{}/", scripted(Script::CloseDelimited)),
        ])
        .run()
        .code(0)
        .stderr_has("the server closed the connection");
}

#[test]
fn chunked_trailers_are_read_and_shown() {
    let run = get()
        .args(["-v", &format!("http://{}/", scripted(Script::Trailers))])
        .run();
    run.code(0).stderr_has("* trailer x-checksum: 5d41402a");
    assert_eq!(run.out(), "hello");
}

#[test]
fn max_time_stops_a_dripping_server() {
    let addr = scripted(Script::Drip);
    let dir = temp_dir();
    get()
        .args(["-m", "2", "-o", "out.bin", &format!("http://{addr}/")])
        .current_dir(dir.path())
        .limit(Duration::from_secs(20))
        .run()
        .code(3)
        .stderr_has("timed out after 2 s");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn output_files_are_written_whole() {
    let s = sandbox();
    let dir = temp_dir();
    get()
        .args(["-o", "page.html", &s.a.url("/sample.htm")])
        .current_dir(dir.path())
        .run()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("page.html")).unwrap(),
        pages::SAMPLE_PAGE
    );
    get()
        .args(["-O", &s.a.url("/sample.png")])
        .current_dir(dir.path())
        .run()
        .code(0);
    assert_eq!(
        std::fs::read(dir.path().join("sample.png")).unwrap(),
        pages::SAMPLE_PNG
    );
    get()
        .args(["-O", &s.a.url("/")])
        .current_dir(dir.path())
        .run()
        .code(2);
    let run = get()
        .args(["--json", "-o", "/dev/null", &s.a.url("/chunked/3000000")])
        .run();
    run.code(0);
    assert_eq!(run.json()["body_bytes"], 3_000_000);
    get()
        .args(["-o", "chunked.bin", &s.a.url("/chunked/70000")])
        .current_dir(dir.path())
        .run()
        .code(0);
    let data = std::fs::read(dir.path().join("chunked.bin")).unwrap();
    assert_eq!(data.len(), 70_000);
    assert!(
        data.iter()
            .enumerate()
            .all(|(i, b)| *b == pages::pattern_byte(i as u64))
    );
}

#[test]
fn hundred_mebibytes_stream_through() {
    let run = get()
        .args(["--json", "-o", "/dev/null", &sandbox().a.url("/big")])
        .limit(Duration::from_secs(120))
        .run();
    run.code(0);
    assert_eq!(run.json()["body_bytes"], pages::BIG);
}

#[test]
fn include_head_and_fail() {
    let s = sandbox();
    let run = get().args(["-i", &s.a.url("/sample.htm")]).run();
    run.code(0);
    assert!(
        run.out().starts_with("HTTP/1.1 200 OK\r\n"),
        "{}",
        run.dump()
    );
    assert!(run.out().ends_with(pages::SAMPLE_PAGE));
    let run = get().args(["-I", &s.a.url("/sample.htm")]).run();
    run.code(0)
        .stdout_has("content-length: ")
        .never_shows("<html>");
    for (status, reason) in [(204, "No Content"), (304, "Not Modified")] {
        let run = get()
            .args(["-i", &s.a.url(&format!("/status/{status}"))])
            .run();
        run.code(0);
        assert!(
            run.out()
                .starts_with(&format!("HTTP/1.1 {status} {reason}\r\n"))
        );
        assert!(
            run.out().ends_with("\r\n\r\n"),
            "no body after a {status}: {}",
            run.dump()
        );
    }
    // HEAD: the length is announced, no body follows, nothing waits for one.
    get()
        .args(["-X", "HEAD", "-i", &s.a.url("/bytes/1000")])
        .run()
        .code(0)
        .stdout_has("content-length: 1000");
    let missing = s.a.url("/missing");
    get().args([&missing]).run().code(0).stdout_has("not found");
    let run = get().args(["-f", &missing]).run();
    run.code(1).stderr_has("404 Not Found");
    assert!(run.out().is_empty());
    get()
        .args(["--fail-with-body", &missing])
        .run()
        .code(1)
        .stdout_has("not found");
}

#[test]
fn compressed_bodies_are_decoded_and_limited() {
    let s = sandbox();
    for coding in ["gzip", "deflate", "br"] {
        let run = get()
            .args(["--compressed", "-v", &s.a.url(&format!("/{coding}"))])
            .run();
        run.code(0)
            .stderr_has("> Accept-Encoding: gzip, deflate, br");
        assert_eq!(run.out(), pages::SAMPLE_PAGE, "{coding}");
    }
    let raw = get().args([&s.a.url("/gzip")]).run();
    raw.code(0);
    assert_eq!(&raw.stdout[..2], &[0x1f, 0x8b]);
    let compressed_len = raw.stdout.len();
    let limit = (compressed_len + 10).to_string();
    assert!(compressed_len + 10 < pages::SAMPLE_PAGE.len());
    get()
        .args(["--compressed", "--max-filesize", &limit, &s.a.url("/gzip")])
        .run()
        .code(4)
        .stderr_has("--max-filesize");
    get()
        .args(["--max-filesize", "999", &s.a.url("/bytes/1000")])
        .run()
        .code(4);
    get()
        .args(["--max-filesize", "1000", &s.a.url("/bytes/1000")])
        .run()
        .code(0);
}

#[test]
fn help_documents_flags_and_exit_codes() {
    for cmd in [get().args(["--help"]), netlens().args(["get", "--help"])] {
        cmd.run()
            .code(0)
            .stdout_has("--resolve <HOST:PORT:ADDR>")
            .stdout_has("--fail-with-body")
            .stdout_has("Exit codes:");
    }
}

#[test]
fn bad_input_is_a_usage_error() {
    get()
        .args(["not a url"])
        .run()
        .code(2)
        .stderr_has("http-get: url");
    get()
        .args(["ftp://127.0.0.1/"])
        .run()
        .code(2)
        .stderr_has("unsupported scheme");
    get()
        .args(["-X", "BAD METHOD", "http://127.0.0.1/"])
        .run()
        .code(2);
    let run = get()
        .args(["--json", &format!("http://u:{SECRET}@[::1")])
        .run();
    run.code(2).never_shows(SECRET);
    let refused = scripted::refused(ip("127.0.0.1")).unwrap();
    let run = get().args(["--json", &format!("http://{refused}/")]).run();
    run.code(3);
    assert_eq!(run.json()["error"]["kind"], "connect");
}

#[test]
fn https_speaks_http2_by_alpn_and_lists_the_frames() {
    let s = sandbox();
    let url = s.https.url("/sample.htm");
    let run = get().args(["-v", "-i", "--cacert", &ca(), &url]).run();
    run.code(0)
        .stdout_has("HTTP/2 200\r\ncontent-type: text/html; charset=utf-8\r\n")
        .stdout_has("<img src=\"gazou.jpg\"")
        .stderr_has("alpn h2")
        .stderr_has("> :method: GET\n> :scheme: https\n")
        .stderr_has(&format!("> :authority: 127.0.0.1:{}\n", s.https.port()))
        .stderr_has("> :path: /sample.htm\n")
        .stderr_has("< :status: 200\n")
        .stderr_has("* > SETTINGS stream 0, flags 0x00")
        .stderr_has("* > HEADERS stream 1, flags 0x05 (END_STREAM END_HEADERS)")
        .stderr_has("* < SETTINGS stream 0, flags 0x01 (ACK), 0 bytes")
        .stderr_has(&format!(
            "* < DATA stream 1, flags 0x01 (END_STREAM), {} bytes",
            pages::SAMPLE_PAGE.len()
        ))
        .stderr_has("* header blocks: request ");
    let hpack = run
        .err()
        .lines()
        .find_map(|l| l.strip_prefix("* header blocks: request "))
        .map(|l| l.split(' ').next().unwrap().parse::<u32>().unwrap())
        .unwrap();
    assert!(hpack > 0 && hpack < 100, "{}", run.dump());

    let run = get().args(["--json", "--cacert", &ca(), &url]).run();
    run.code(0);
    let v = run.json();
    assert_eq!(v["http_version"], "HTTP/2");
    assert_eq!(v["tls"]["alpn"], "h2");
    assert_eq!(v["body_bytes"], pages::SAMPLE_PAGE.len());
    let t = &v["timings_ms"];
    assert!(t["first_byte"].as_f64().unwrap() >= 0.0);

    let run = get()
        .args(["--json", "--http1.1", "--cacert", &ca(), &url])
        .run();
    run.code(0);
    assert_eq!(run.json()["http_version"], "HTTP/1.1");
    assert_eq!(run.json()["tls"]["alpn"], "http/1.1");
}

#[test]
fn http2_prior_knowledge_speaks_h2c_on_cleartext() {
    let s = sandbox();
    let url = s.a.url("/echo");
    let run = get()
        .args(["--http2-prior-knowledge", "--json", &url])
        .run();
    run.code(0);
    assert_eq!(run.json()["http_version"], "HTTP/2");
    assert!(run.json()["tls"].is_null());
    get()
        .args(["--http2-prior-knowledge", "-v", &url])
        .run()
        .code(0)
        .stdout_has("GET /echo HTTP/2.0\n")
        .stderr_has("> :scheme: http\n");
    // Without it, cleartext stays HTTP/1.1, as curl does.
    get()
        .args(["--http2", &url])
        .run()
        .code(0)
        .stdout_has("GET /echo HTTP/1.1\n");
}

#[test]
fn http2_errors_from_the_server_are_protocol_errors_named() {
    let cases = [
        (Script::H2GoAway, "the server sent GOAWAY ENHANCE_YOUR_CALM"),
        (
            Script::H2Reset,
            "the server reset the stream (RST_STREAM) INTERNAL_ERROR",
        ),
        (Script::H2FlowControl, "FLOW_CONTROL_ERROR"),
        (Script::H2BadFrame, "the server broke HTTP/2"),
    ];
    for (script, message) in cases {
        let addr = scripted(script);
        let url = format!("http://{addr}/");
        get()
            .args(["--http2-prior-knowledge", &url])
            .run()
            .code(4)
            .stderr_has(message);
        let run = get()
            .args(["--http2-prior-knowledge", "--json", &url])
            .run();
        run.code(4);
        assert_eq!(run.json()["error"]["kind"], "protocol", "{script:?}");
    }
    get()
        .args(["--http1.1", "--http2", "http://127.0.0.1/"])
        .run()
        .code(2)
        .stderr_has("--http2");
}

#[test]
fn several_urls_share_one_connection_to_their_origin() {
    let server = web::serve(ip("127.0.0.1")).expect("serve");
    let (one, two) = (server.url("/sample.htm"), server.url("/bytes/100"));
    let run = get().args(["-w", "-v", &one, &two]).run();
    run.code(0)
        .stdout_has("<img src=\"gazou.jpg\"")
        .stdout_has("0123456789abcdef")
        .stderr_has(&format!(
            "* reusing connection #0 to 127.0.0.1:{}",
            server.port()
        ));
    assert_eq!(server.connections(), 1, "{}", run.dump());
    let err = run.err();
    let tables: Vec<&str> = err.split("│ phase").skip(1).collect();
    assert_eq!(tables.len(), 2, "{}", run.dump());
    assert!(tables[0].contains("│ dns") && tables[0].contains("│ connect"));
    assert!(!tables[1].contains("│ dns") && !tables[1].contains("│ connect"));
    assert!(!tables[1].contains("│ tls") && tables[1].contains("│ first_byte"));
    assert_eq!(err.matches("closed the connection").count(), 1);

    // JSON Lines in order, a failure in its place, the highest exit code.
    let refused = scripted::refused(ip("127.0.0.1")).unwrap();
    let run = get()
        .args(["--json", &one, &format!("http://{refused}/"), &two])
        .run();
    run.code(3);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 3, "{}", run.dump());
    assert_eq!(lines[0]["connection"]["reused"], false);
    assert_eq!(lines[1]["error"]["kind"], "connect");
    assert_eq!(lines[2]["connection"]["reused"], true);
    assert_eq!(lines[2]["connection"]["id"], lines[0]["connection"]["id"]);
    assert!(lines[2]["timings_ms"]["dns"].is_null());
    assert!(lines[2]["timings_ms"]["connect"].is_null());
    assert!(lines[2]["timings_ms"]["request"].is_number());
    assert_eq!(server.connections(), 2);
}

#[test]
fn http2_streams_share_one_connection() {
    let pki = Pki::generate(web::pki::DEFAULT_NAMES).expect("pki");
    let server = web::serve_https(ip("127.0.0.1"), &pki).expect("serve https");
    let dir = temp_dir();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, pki.ca_pem()).unwrap();
    let ca_file = ca_file.display().to_string();
    let urls = [
        server.url("/bytes/10"),
        server.url("/echo"),
        server.url("/"),
    ];
    let run = get()
        .args(["--json", "--cacert", &ca_file])
        .args(&urls)
        .run();
    run.code(0);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 3);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["http_version"], "HTTP/2");
        assert_eq!(line["connection"]["id"], 0);
        assert_eq!(line["connection"]["reused"], i > 0);
    }
    assert_eq!(server.connections(), 1);
    // Stdin lines are inputs too, `#` comments skipped.
    let input = format!("{}\n# skipped\n{}\n", urls[0], urls[1]);
    let run = get()
        .args([
            "-v",
            "--cacert",
            &ca_file,
            "-o",
            "/dev/null",
            "-o",
            "/dev/null",
        ])
        .stdin(input)
        .run();
    run.code(0).stderr_has("* reusing connection #0");
    assert_eq!(server.connections(), 2);
    // Redirects followed with -L go on the same connection too.
    let run = get()
        .args(["-L", "--json", "--cacert", &ca_file])
        .args([server.url("/redirect/3"), server.url("/bytes/1")])
        .run();
    run.code(0);
    assert_eq!(run.json_lines()[1]["connection"]["id"], 0);
    assert_eq!(server.connections(), 3);
}

#[test]
fn a_connection_the_server_closes_is_not_reused() {
    let server = web::serve(ip("127.0.0.1")).expect("serve");
    let (one, two) = (server.url("/bytes/3"), server.url("/bytes/4"));
    let run = get()
        .args(["-v", "--json", "-H", "Connection: close", &one, &two])
        .run();
    run.code(0).never_shows("reusing");
    assert_eq!(run.err().matches("closed the connection").count(), 2);
    let lines = run.json_lines();
    assert_eq!(lines[1]["connection"]["reused"], false);
    assert_eq!(lines[1]["connection"]["id"], 1);
    assert_eq!(server.connections(), 2);

    // A server that closes without saying so: whether hyper sees it before
    // the next request or the request fails on it, a new connection serves it.
    let gone = scripted(Script::CloseAfterResponse);
    let url = format!("http://{gone}/");
    let run = get().args(["--json", &url, &url, &url]).run();
    run.code(0);
    assert_eq!(run.json_lines().len(), 3);
    for line in run.json_lines() {
        assert_eq!(line["body_bytes"], 3);
        assert_eq!(line["connection"]["reused"], false);
    }

    // Another origin gets its own connection; -o goes once per URL.
    let s = sandbox();
    let dir = temp_dir();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    get()
        .args(["-o", a.to_str().unwrap(), "-o", b.to_str().unwrap()])
        .args([s.a.url("/bytes/5"), s.b.url("/bytes/7")])
        .run()
        .code(0)
        .never_shows("reusing");
    assert_eq!(std::fs::read(&a).unwrap(), b"01234");
    assert_eq!(std::fs::read(&b).unwrap(), b"0123456");
}

#[test]
fn repeat_gives_statistics_per_phase_the_first_apart() {
    let server = web::serve(ip("127.0.0.1")).expect("serve");
    let url = server.url("/bytes/64");
    let run = get().args(["-n", "5", "--json", &url]).run();
    run.code(0);
    let v = run.json();
    let stats = &v["stats"];
    assert_eq!(stats["count"], 5);
    assert_eq!(stats["failures"], 0);
    assert!(stats["first"]["connect"].is_number());
    let phases = stats["phases"].as_object().unwrap();
    let names: Vec<&str> = phases.keys().map(String::as_str).collect();
    assert_eq!(names, ["body", "first_byte", "request", "total"]);
    let total = &phases["total"];
    for key in ["min", "p50", "p95", "max", "mean"] {
        assert!(total[key].as_f64().unwrap() >= 0.0, "{key}");
    }
    assert!(total["min"].as_f64() <= total["p50"].as_f64());
    assert!(total["p95"].as_f64() <= total["max"].as_f64());
    assert_eq!(v["connection"]["reused"], true);
    assert_eq!(server.connections(), 1);

    let run = get().args(["-n", "3", "--fresh", &url]).run();
    run.code(0)
        .stdout_has("3 requests in ")
        .stdout_has("0 failed; the first apart")
        .stdout_has("p95 ms")
        .stdout_has("│ connect");
    assert_eq!(server.connections(), 4);

    let refused = scripted::refused(ip("127.0.0.1")).unwrap();
    let run = get()
        .args(["-n", "2", "--json", &format!("http://{refused}/")])
        .run();
    run.code(3);
    assert_eq!(run.json()["stats"]["failures"], 2);
    get().args(["-n", "0", &url]).run().code(2).stderr_has("0");
}

#[test]
fn max_time_bounds_a_whole_repeat_run() {
    // Each request takes 200 ms: 100 of them would take 20 s, -m 1 ends the run.
    let server = serve_counting(ip("127.0.0.1"), Duration::from_millis(200)).expect("serve");
    let url = server.url("/bytes/8");
    let started = Instant::now();
    let run = get().args(["-n", "100", "-m", "1", "--json", &url]).run();
    let took = started.elapsed();
    run.code(3).stderr_has(&format!(
        "http-get: {url}: whole run (-m): timed out after 1 s"
    ));
    let stats = &run.json()["stats"];
    let count = stats["count"].as_u64().unwrap();
    // The request cut short counts too; at most five fit in 1 s.
    assert!((1..=6).contains(&count), "{count} requests in 1 s");
    assert_eq!(stats["failures"], 1, "{}", run.dump());
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(server.requests() < 10);
}

#[test]
fn retries_survive_transient_failures() {
    let s = sandbox();
    let dir = temp_dir();
    let file = dir.path().join("out");
    let url = s.a.url("/flaky/2/two-503s");
    let run = get()
        .args(["-v", "--json", "--retry", "3", "--retry-delay", "0.05"])
        .args(["-o", file.to_str().unwrap(), &url])
        .run();
    run.code(0)
        .stderr_has(
            "* attempt 1 failed: 503 Service Unavailable; retrying in 0.050 s (2 retries left)",
        )
        .stderr_has("* attempt 2 failed: 503 Service Unavailable");
    let v = run.json();
    let attempts = v["attempts"].as_array().unwrap();
    let statuses: Vec<&Value> = attempts.iter().map(|a| &a["status"]).collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert!(attempts[2]["elapsed_ms"].as_f64() >= attempts[1]["elapsed_ms"].as_f64());
    // Only the final body is in the file: the 503 pages were never written.
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "ok after 2 failures\n"
    );

    // Retry-After (seconds) is honoured, within --retry-max-time.
    let url = s.a.url("/flaky/1/after?status=429&retry-after=1");
    let run = get().args(["--json", "--retry", "2", &url]).run();
    run.code(0);
    let attempts = run.json()["attempts"].clone();
    assert_eq!(attempts[0]["status"], 429);
    assert!(attempts[1]["elapsed_ms"].as_f64().unwrap() >= 1000.0);
    let url = s.a.url("/flaky/1/too-late?retry-after=5");
    let run = get()
        .args(["--json", "--retry", "2", "--retry-max-time", "1", &url])
        .run();
    run.code(0);
    assert_eq!(run.json()["status"], 503);
    assert_eq!(run.json()["attempts"].as_array().unwrap().len(), 1);

    // Retries run out: the last answer is delivered (and fails with -f).
    let url = s.a.url("/flaky/5/run-out");
    get()
        .args(["-f", "--retry", "1", "--retry-delay", "0.05", &url])
        .run()
        .code(1);
    // A refused connection is retried too, then reported.
    let refused = scripted::refused(ip("127.0.0.1")).unwrap();
    get()
        .args(["-v", "--retry", "2", "--retry-delay", "0.05"])
        .args([format!("http://{refused}/")])
        .run()
        .code(3)
        .stderr_has("* attempt 2 failed: connect")
        .stderr_has("(0 retries left)");
    get()
        .args(["--retry", "-1", &s.a.url("/")])
        .run()
        .code(2)
        .stderr_has("-1");
}

#[test]
fn bodies_urlencoded_multipart_and_uploaded() {
    let s = sandbox();
    let echo = s.a.url("/echo/body");
    let dir = temp_dir();
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "a b&c\n").unwrap();
    let at_note = format!("n@{}", note.display());
    get()
        .args([
            "--data-urlencode",
            "q=hello world",
            "--data-urlencode",
            &at_note,
        ])
        .args(["-d", "x=1", &echo])
        .run()
        .code(0)
        .stdout_has("x=1&q=hello%20world&n=a%20b%26c%0A");

    let big = dir.path().join("big.bin");
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&big, &content).unwrap();
    let part = format!("file=@{};type=application/x-test", big.display());
    let run = get()
        .args(["-v", "-F", "name=netlens", "-F", &part, &echo])
        .run();
    run.code(0)
        .stderr_has("> Content-Type: multipart/form-data; boundary=------------------------")
        .stderr_has("* request body: ");
    let boundary = run
        .err()
        .lines()
        .find_map(|l| l.strip_prefix("> Content-Type: multipart/form-data; boundary="))
        .unwrap()
        .to_string();
    let mut expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nnetlens\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\
         Content-Type: application/x-test\r\n\r\n"
    )
    .into_bytes();
    expected.extend_from_slice(&content);
    expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    assert!(run.stdout == expected, "multipart body differs");

    let run = get().args(["-v", "-T", big.to_str().unwrap(), &echo]).run();
    run.code(0)
        .stderr_has("> PUT /echo/body HTTP/1.1")
        .stderr_has(&format!("> Content-Length: {}", content.len()))
        .stderr_has(&format!("* request body: {} bytes", content.len()));
    assert!(run.stdout == content, "uploaded body differs");
    // The same over HTTP/2.
    let run = get()
        .args(["--cacert", &ca(), "-T", big.to_str().unwrap()])
        .args([s.https.url("/echo/body")])
        .run();
    run.code(0);
    assert!(run.stdout == content, "uploaded body differs over h2");
    // To a URL ending in `/`, the file's name is appended, percent-encoded (as curl does).
    let spaced = dir.path().join("my note+1.txt");
    std::fs::write(&spaced, "x").unwrap();
    let run = get()
        .args(["-T", spaced.to_str().unwrap(), &s.a.url("/echo/")])
        .run();
    run.code(0)
        .stdout_has("PUT /echo/my%20note%2B1.txt HTTP/1.1");
    let binary = format!("@{}", big.display());
    let run = get().args(["--data-binary", &binary, &echo]).run();
    assert!(run.stdout == content);

    get()
        .args(["-F", "no-equals-sign", &echo])
        .run()
        .code(2)
        .stderr_has("no-equals-sign");
    get()
        .args(["-F", "f=@/no/such/file", &echo])
        .run()
        .code(2)
        .stderr_has("/no/such/file");
}

#[test]
fn cookies_follow_redirects_and_go_to_the_jar() {
    let s = sandbox();
    let dir = temp_dir();
    let jar = dir.path().join("jar.txt");
    let jar_arg = jar.to_str().unwrap();
    // Set on a redirect, sent on the next hop and the next URL of the run.
    get()
        .args(["-L", "-c", jar_arg])
        .args([
            s.a.url("/cookies/set/session/abc123"),
            s.a.url("/cookies/require/session/abc123"),
        ])
        .run()
        .code(0)
        .stdout_has("cookie: session=abc123\n")
        .stdout_has("welcome, session=abc123");
    let written = std::fs::read_to_string(&jar).unwrap();
    assert!(
        written.starts_with("# Netscape HTTP Cookie File\n"),
        "{written}"
    );
    assert!(
        written.contains("127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc123\n"),
        "{written}"
    );

    // Read back from the file; another host never gets it.
    let need = s.a.url("/cookies/require/session/abc123");
    get().args(["-f", "-b", jar_arg, &need]).run().code(0);
    get().args(["-f", &need]).run().code(1);
    get()
        .args(["-b", jar_arg, &s.b.url("/cookies")])
        .run()
        .code(0)
        .stdout_has("cookie: (none)");
    get()
        .args(["-f", "-b", "session=abc123", &need])
        .run()
        .code(0);

    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "127.0.0.1\tFALSE\t/\tnot-a-flag\t0\tn\tv\n").unwrap();
    get()
        .args(["-b", bad.to_str().unwrap(), &need])
        .run()
        .code(2)
        .stderr_has("line 1")
        .stderr_has("not-a-flag");
}

#[test]
fn the_progress_line_is_drawn_on_a_terminal_and_cleared() {
    let s = sandbox();
    let dir = temp_dir();
    let out = dir.path().join("big");
    let run = get()
        .env("NETLENS_PRETEND_TTY", "1")
        .args(["-o", out.to_str().unwrap(), &s.a.url("/bytes/300000")])
        .run();
    run.code(0).stderr_has("/292.97 KiB").stderr_has("/s eta ");
    assert!(run.err().ends_with("\r\x1b[2K"), "{:?}", run.err());
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 300_000);
    get()
        .env("NETLENS_PRETEND_TTY", "1")
        .args(["-s", "-o", out.to_str().unwrap(), &s.a.url("/bytes/300000")])
        .run()
        .code(0)
        .never_shows("eta");
}
