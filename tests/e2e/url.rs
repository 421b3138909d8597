//! url-parse end to end: both forms (`url-parse` link and `netlens url`), every
//! flag, batches with a bad line, the human reading (password never shown).

use serde_json::json;

use crate::util::{Cmd, netlens, temp_dir, tool};

/// The tool through its link and through the dispatcher, for tests of both forms.
fn both() -> [Cmd; 2] {
    [tool("url-parse"), netlens().args(["url"])]
}

#[test]
fn human_reading_of_the_seed_url() {
    for cmd in both() {
        cmd.args(["http://user:password@www.cyber.co.kr:80/dir/file1.html"])
            .run()
            .code(0)
            .stdout_has("http://user:****@www.cyber.co.kr/dir/file1.html")
            .stdout_has("80 (the default for http)")
            .stdout_has("/dir/")
            .stdout_has("file1.html")
            .stdout_has("a file, or a directory the server will redirect to")
            .stdout_has("GET /dir/file1.html HTTP/1.1")
            .stdout_has("Host: www.cyber.co.kr")
            .stdout_has("Authorization")
            .never_shows("password@")
            .never_shows(":password");
    }
    for scheme in ["https", "ftp", "wss", "foo"] {
        tool("url-parse")
            .args([format!("{scheme}://me:hunter2@h.example/")])
            .run()
            .code(0)
            .never_shows("hunter2");
    }
}

#[test]
fn human_reading_of_a_directory_an_idn_and_a_query() {
    tool("url-parse")
        .args(["https://faß.example:8443/docs/?q=a+b&q=%C3%A9#top"])
        .run()
        .code(0)
        .stdout_has("xn--fa-hia.example")
        .stdout_has("faß.example")
        .stdout_has("8443 (explicit)")
        .stdout_has("default document (e.g. index.html)")
        .stdout_has("q = a b")
        .stdout_has("q = é")
        .stdout_has("GET /docs/?q=a+b&q=%C3%A9 HTTP/1.1")
        .stdout_has("Host: xn--fa-hia.example:8443")
        .stdout_has("never sent to the server");
}

#[test]
fn long_alias_of_the_dispatcher() {
    netlens()
        .args(["url-parse", "--get", "{hostname}", "http://h.example/"])
        .run()
        .code(0)
        .stdout_has("h.example\n");
}

#[test]
fn other_schemes_have_their_own_reading() {
    let run = tool("url-parse")
        .args([
            "mailto:someone@example.com?subject=Hello%20there",
            "ftp://ftp.example.org/pub/file.tgz",
            "file:///etc/hosts",
            "data:text/plain;base64,SGVsbG8=",
            "wss://chat.example.com/socket",
        ])
        .run();
    run.code(0)
        .stdout_has("a new message to someone@example.com")
        .stdout_has("header subject: Hello there")
        .stdout_has("downloads file.tgz (RETR)")
        .stdout_has("a file on this machine: /etc/hosts")
        .stdout_has("base64 payload")
        .stdout_has("Upgrade: websocket");
}

#[test]
fn get_template_with_every_placeholder() {
    let url = "https://user:pw@www.shop.example.co.uk:8443/a/b%20c/file.txt?k=1&k=2&x=y%20z#frag";
    for cmd in both() {
        let template = "{href}|{scheme}|{username}|{password}|{host}|{hostname}|{port}|\
                        {effective_port}|{path}|{directory}|{file}|{query}|{fragment}|{origin}|\
                        {request_target}|{registrable_domain}|{subdomain}|{query:x}|\
                        {segment:1}|{query-all:k}";
        let run = cmd.args(["--get", template, url]).run();
        run.code(0);
        let fields: Vec<String> = run.out().trim_end().split('|').map(String::from).collect();
        assert_eq!(
            fields,
            [
                url,
                "https",
                "user",
                "pw",
                "www.shop.example.co.uk:8443",
                "www.shop.example.co.uk",
                "8443",
                "8443",
                "/a/b%20c/file.txt",
                "/a/b%20c/",
                "file.txt",
                "k=1&k=2&x=y%20z",
                "frag",
                "https://www.shop.example.co.uk:8443",
                "/a/b%20c/file.txt?k=1&k=2&x=y%20z",
                "example.co.uk",
                "www.shop",
                "y z",
                "b c",
                "1\n2",
            ],
            "{}",
            run.dump()
        );
    }
}

#[test]
fn get_host_and_effective_port() {
    tool("url-parse")
        .args(["--get", "{host}:{effective_port}", "https://example.com/"])
        .run()
        .code(0)
        .stdout_has("example.com:443\n");
}

#[test]
fn unknown_placeholder_is_a_usage_error() {
    tool("url-parse")
        .args(["--get", "{nope}", "https://example.com/"])
        .run()
        .code(2)
        .stderr_has("unknown placeholder {nope}");
}

#[test]
fn set_changes_components_in_order() {
    for cmd in both() {
        let run = cmd
            .args([
                "--set",
                "scheme=https",
                "--set",
                "host=new.example:8443",
                "--set",
                "path=/a b",
                "--set",
                "query=x=1",
                "--set",
                "fragment=top",
                "--set",
                "username=me",
                "--set",
                "password=pw",
                "http://old.example/",
            ])
            .run();
        run.code(0);
        assert_eq!(
            run.out(),
            "https://me:pw@new.example:8443/a%20b?x=1#top\n",
            "{}",
            run.dump()
        );
    }
}

#[test]
fn set_port_and_refused_values() {
    tool("url-parse")
        .args(["--set", "port=8080", "http://h.example/"])
        .run()
        .code(0)
        .stdout_has("http://h.example:8080/\n");
    tool("url-parse")
        .args(["--set", "port=99999", "http://h.example/"])
        .run()
        .code(2)
        .stderr_has("url-parse: http://h.example/: --set port=99999: invalid port number");
    tool("url-parse")
        .args(["--set", "colour=red", "http://h.example/"])
        .run()
        .code(2)
        .stderr_has("unknown component");
}

#[test]
fn query_edits() {
    for cmd in both() {
        let run = cmd
            .args([
                "--remove-query",
                "utm_source",
                "--append",
                "query=lang=en",
                "--append",
                "query=q=a b",
                "--sort-query",
                "https://e.example/p?z=1&utm_source=x&b=2",
            ])
            .run();
        run.code(0);
        assert_eq!(
            run.out(),
            "https://e.example/p?b=2&lang=en&q=a+b&z=1\n",
            "{}",
            run.dump()
        );
    }
}

#[test]
fn edits_then_json_or_template() {
    let run = tool("url-parse")
        .args(["--json", "--append", "query=k=v", "http://h.example/"])
        .run();
    run.code(0);
    let v = run.json();
    assert_eq!(v["href"], "http://h.example/?k=v");
    assert_eq!(v["query"], json!([["k", "v"]]));
    tool("url-parse")
        .args([
            "--get",
            "{query:k}",
            "--set",
            "query=k=%41",
            "http://h.example/",
        ])
        .run()
        .code(0)
        .stdout_has("A\n");
}

#[test]
fn base_resolves_relative_references() {
    for cmd in both() {
        let run = cmd
            .args([
                "--base",
                "http://h.example/a/b/c.html?x#y",
                "--get",
                "{href}",
                "../d.html",
                "?q=1",
                "//other.example/",
                "https://abs.example/",
            ])
            .run();
        run.code(0);
        assert_eq!(
            run.out(),
            "http://h.example/a/d.html\nhttp://h.example/a/b/c.html?q=1\nhttp://other.example/\nhttps://abs.example/\n",
            "{}",
            run.dump()
        );
    }
    tool("url-parse")
        .args(["--base", "not a base", "x"])
        .run()
        .code(2)
        .stderr_has("base URL not a base: relative URL without a base");
}

#[test]
fn json_object_has_every_field() {
    let run = netlens()
        .args([
            "url",
            "--json",
            "http://user:pw@www.cyber.co.kr/dir/?a=1&a=2",
        ])
        .run();
    run.code(0);
    let v = run.json();
    let want = json!({
        "href": "http://user:pw@www.cyber.co.kr/dir/?a=1&a=2",
        "protocol": "http:", "username": "user", "password": "pw",
        "host": "www.cyber.co.kr", "hostname": "www.cyber.co.kr", "port": "",
        "pathname": "/dir/", "search": "?a=1&a=2", "hash": "",
        "origin": "http://www.cyber.co.kr", "scheme": "http", "effective_port": 80,
        "host_kind": "domain", "host_unicode": "www.cyber.co.kr",
        "directory": "/dir/", "file": "", "default_document": true,
        "segments": ["dir", ""], "query": [["a", "1"], ["a", "2"]],
        "request_target": "/dir/?a=1&a=2",
        "registrable_domain": "cyber.co.kr", "subdomain": "www",
    });
    assert_eq!(v, want, "{}", run.dump());
}

#[test]
fn batch_from_stdin_with_a_bad_line() {
    for cmd in both() {
        let run = cmd
            .args(["--json"])
            .stdin("http://a.example/\n\n# comment\nhttp://h:99999/\nurn:isbn:0451450523\n")
            .run();
        run.code(2)
            .stderr_has("url-parse: http://h:99999/: invalid port number");
        let lines = run.json_lines();
        assert_eq!(lines.len(), 3, "{}", run.dump());
        assert_eq!(lines[0]["hostname"], "a.example");
        assert_eq!(lines[1]["input"], "http://h:99999/");
        assert_eq!(lines[1]["error"]["kind"], "invalid_port");
        assert_eq!(
            lines[1]["error"]["message"],
            "http://h:99999/: invalid port number"
        );
        assert_eq!(lines[2]["pathname"], "isbn:0451450523");
        assert_eq!(lines[2]["host_kind"], serde_json::Value::Null);
    }
}

#[test]
fn dash_reads_stdin_between_arguments() {
    tool("url-parse")
        .args([
            "--get",
            "{hostname}",
            "http://one.example/",
            "-",
            "http://three.example/",
        ])
        .stdin("http://two.example/\n")
        .run()
        .code(0)
        .stdout_has("one.example\ntwo.example\nthree.example\n");
}

#[test]
fn errors_in_words() {
    for (input, reason) in [
        ("http://example.com:80a/", "invalid port number"),
        ("http:///", "empty host"),
        ("/relative/path", "relative URL without a base"),
        ("http://[::1/", "invalid IPv6 address"),
        ("http://xn--tešla/", "invalid international domain name"),
    ] {
        tool("url-parse")
            .args([input])
            .run()
            .code(2)
            .stderr_has(&format!("url-parse: {input}: {reason}"))
            .never_shows("panicked");
    }
}

#[test]
fn error_lines_mask_the_password() {
    tool("url-parse")
        .args(["http://me:hunter2@h.example:99999/"])
        .run()
        .code(2)
        .stderr_has("url-parse: http://me:****@h.example:99999/: invalid port number")
        .never_shows("hunter2");
}

#[test]
fn help_documents_flags_and_exit_codes() {
    tool("url-parse")
        .args(["--help"])
        .run()
        .code(0)
        .stdout_has("--get <TEMPLATE>")
        .stdout_has("{query-all:NAME}")
        .stdout_has("--sort-query")
        .stdout_has("Exit codes:");
}

#[test]
fn color_only_when_asked_or_on_a_terminal() {
    let url = "https://example.com/";
    tool("url-parse")
        .args(["--color", "always", url])
        .run()
        .code(0)
        .stdout_has("\u{1b}[");
    tool("url-parse")
        .args([url])
        .env("NETLENS_PRETEND_TTY", "1")
        .run()
        .code(0)
        .stdout_has("\u{1b}[");
    tool("url-parse")
        .args([url])
        .env("NETLENS_PRETEND_TTY", "1")
        .env("NO_COLOR", "1")
        .run()
        .code(0)
        .never_shows("\u{1b}[");
}

#[test]
fn large_batch_keeps_order_and_reports_in_place() {
    let lines: Vec<String> = (0..9000)
        .map(|i| {
            if i == 4100 {
                "http://bad:port/".to_string()
            } else {
                format!("https://h{i}.example/")
            }
        })
        .collect();
    let run = tool("url-parse")
        .args(["--json"])
        .stdin(lines.join("\n"))
        .run();
    run.code(2)
        .stderr_has("url-parse: http://bad:port/: invalid port number");
    let objects = run.json_lines();
    assert_eq!(objects.len(), lines.len());
    for (i, object) in objects.iter().enumerate() {
        if i == 4100 {
            assert_eq!(object["error"]["kind"], "invalid_port");
        } else {
            assert_eq!(object["hostname"], format!("h{i}.example"), "line {i}");
        }
    }
}

/// The lines a run printed.
fn lines(cmd: Cmd) -> Vec<String> {
    let run = cmd.run();
    run.code(0);
    run.out().lines().map(String::from).collect()
}

#[test]
fn iterate_prints_every_combination() {
    for cmd in both() {
        let urls = lines(cmd.args([
            "--iterate",
            "scheme=http https",
            "--iterate",
            "port=80 8080",
            "--get",
            "{href}",
            "http://example.com/",
        ]));
        assert_eq!(
            urls,
            [
                "http://example.com/",
                "http://example.com:8080/",
                "https://example.com:80/",
                "https://example.com:8080/"
            ]
        );
    }
    // Without --get the URLs are printed; with --json one object each.
    let hosts = lines(tool("url-parse").args([
        "--iterate",
        "host=a.example b.example c.example",
        "https://x.example/p",
        "https://y.example/q",
    ]));
    assert_eq!(hosts.len(), 6);
    assert_eq!(hosts[2], "https://c.example/p");
    assert_eq!(hosts[3], "https://a.example/q");
    let run = tool("url-parse")
        .args(["--json", "--iterate", "path=/1 /2", "http://h.example/"])
        .run();
    let objects = run.code(0).json_lines();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[1]["pathname"], "/2");
    tool("url-parse")
        .args(["--iterate", "port=80 x", "http://h.example/"])
        .run()
        .code(2)
        .stderr_has("url-parse: http://h.example/: --set port=x: invalid port number");
}

#[test]
fn qtrim_removes_pairs_by_name_glob() {
    let url =
        "https://shop.example/p?utm_source=news&id=7&utm_medium=mail&utm_campaign=x&ref=a#top";
    assert_eq!(
        lines(tool("url-parse").args(["--qtrim", "utm_*", url])),
        ["https://shop.example/p?id=7&ref=a#top"]
    );
    assert_eq!(
        lines(tool("url-parse").args(["--qtrim", "utm_*", "--qtrim", "ref", url])),
        ["https://shop.example/p?id=7#top"]
    );
    // Every pair gone: no `?` left, as URLSearchParams leaves it.
    assert_eq!(
        lines(tool("url-parse").args(["--qtrim", "*", url])),
        ["https://shop.example/p#top"]
    );
}

#[test]
fn replace_and_replace_append() {
    let url = "http://s.example/?q=old&page=2&q=older";
    assert_eq!(
        lines(tool("url-parse").args(["--replace", "q=new", "--replace", "absent=1", url])),
        ["http://s.example/?q=new&page=2"]
    );
    assert_eq!(
        lines(tool("url-parse").args([
            "--replace-append",
            "lang=en",
            "--replace-append",
            "page=3",
            url
        ])),
        ["http://s.example/?q=old&page=3&q=older&lang=en"]
    );
    assert_eq!(
        lines(tool("url-parse").args(["--replace", "q=a b&c", "http://s.example/?q=1"])),
        ["http://s.example/?q=a+b%26c"]
    );
}

#[test]
fn punycode_and_idn_forms_of_the_whole_url() {
    assert_eq!(
        lines(tool("url-parse").args(["--punycode", "https://bücher.example/ä?q=ü"])),
        ["https://xn--bcher-kva.example/%C3%A4?q=%C3%BC"]
    );
    assert_eq!(
        lines(tool("url-parse").args([
            "--as-idn",
            "https://user:pw@xn--bcher-kva.example:8443/a?b#c",
            "http://plain.example/"
        ])),
        [
            "https://user:pw@bücher.example:8443/a?b#c",
            "http://plain.example/"
        ]
    );
    assert_eq!(
        lines(tool("url-parse").args([
            "--get",
            "{puny:host}|{idn:host}|{idn:url}|{default:port}|{port}",
            "http://bücher.example/",
        ])),
        ["xn--bcher-kva.example|bücher.example|http://bücher.example/|80|"]
    );
    assert_eq!(
        lines(tool("url-parse").args([
            "--get",
            "{url:segment:0} {segment:0} {url:query:q} {query:q}",
            "http://h.example/a%20b?q=x+y",
        ])),
        ["a%20b a b x+y x y"]
    );
    tool("url-parse")
        .args(["--punycode", "--as-idn", "http://h.example/"])
        .run()
        .code(2);
}

#[test]
fn default_scheme_reads_inputs_as_an_address_bar() {
    for cmd in both() {
        assert_eq!(
            lines(cmd.args([
                "--default-scheme",
                "https",
                "--get",
                "{href}",
                "example.com/a",
                "localhost:8080",
                "//cdn.example/x",
                "http://kept.example/",
                "mailto:a@b.example",
            ])),
            [
                "https://example.com/a",
                "https://localhost:8080/",
                "https://cdn.example/x",
                "http://kept.example/",
                "mailto:a@b.example"
            ]
        );
    }
    // Without it, an input without a scheme is not a URL.
    tool("url-parse")
        .args(["example.com/a"])
        .run()
        .code(2)
        .stderr_has("relative URL without a base");
}

#[test]
fn url_file_and_stdin() {
    let dir = temp_dir();
    let file = dir.path().join("urls.txt");
    std::fs::write(
        &file,
        "http://a.example/\n# a comment\n\nhttps://b.example/x\n",
    )
    .unwrap();
    let file = file.display().to_string();
    assert_eq!(
        lines(
            tool("url-parse")
                .args([
                    "--get",
                    "{host}",
                    "http://first.example/",
                    "--url-file",
                    file.as_str(),
                    "--url-file",
                    "-",
                ])
                .stdin("http://from-stdin.example/\n")
        ),
        [
            "first.example",
            "a.example",
            "b.example",
            "from-stdin.example"
        ]
    );
    tool("url-parse")
        .args(["--url-file", "/nonexistent/urls.txt"])
        .run()
        .code(2)
        .stderr_has("url-parse: --url-file /nonexistent/urls.txt: ");
}
