//! subnet-calc end to end: through its own link and through `netlens subnet`.

use serde_json::{Value, json};

use crate::util::{Cmd, netlens, temp_dir, tool};

/// Both forms of the tool: the `subnet-calc` link and `netlens subnet`.
fn both() -> [fn() -> Cmd; 3] {
    [
        || tool("subnet-calc"),
        || netlens().args(["subnet"]),
        || netlens().args(["subnet-calc"]),
    ]
}

#[test]
fn info_table_shows_network_broadcast_hosts_and_binary() {
    for form in both() {
        form()
            .args(["10.11.12.13/24"])
            .run()
            .code(0)
            .stdout_has("10.11.12.0/24")
            .stdout_has("10.11.12.255")
            .stdout_has("254")
            .stdout_has("255.255.255.0 = /24")
            .stdout_has("0.0.0.255")
            .stdout_has("private (Private-Use, RFC 1918)")
            .stdout_has("network | host")
            .stdout_has("00001010.00001011.00001100|00001101")
            .stdout_has("host number");
    }
}

#[test]
fn forms_print_the_same_bytes() {
    let cases: [&[&str]; 6] = [
        &["10.11.12.13", "255.255.255.0"],
        &["--json", "2001:db8::1/64", "192.0.2.1/31"],
        &["split", "10.0.0.0/24", "--hosts", "60,20,5"],
        &["contains", "--json", "10.0.0.0/8", "10.1.2.3", "11.0.0.0/8"],
        &[
            "aggregate",
            "10.0.0.0/25",
            "10.0.0.128/25",
            "::/1",
            "8000::/1",
        ],
        &["exclude", "10.0.0.0/24", "10.0.0.64/26"],
    ];
    for args in cases {
        let runs = both().map(|form| form().args(args).run());
        for run in &runs[1..] {
            assert_eq!(run.code, runs[0].code, "{}", run.dump());
            assert_eq!(
                run.stdout,
                runs[0].stdout,
                "{}\n{}",
                runs[0].dump(),
                run.dump()
            );
        }
    }
}

#[test]
fn json_batch_from_stdin_puts_the_error_in_place() {
    for form in both() {
        let run = form()
            .args(["--json"])
            .stdin("10.0.0.1/8\nbad\n2001:db8::1/64\n")
            .run();
        run.code(2)
            .stderr_has("subnet-calc: address bad: not an IPv4 or IPv6 address");
        let lines = run.json_lines();
        assert_eq!(lines.len(), 3, "{}", run.dump());
        assert_eq!(lines[0]["cidr"], "10.0.0.0/8");
        assert_eq!(lines[0]["usable_hosts"], 16_777_214);
        assert_eq!(lines[1]["input"], "bad");
        assert_eq!(lines[1]["error"]["kind"], "invalid_address");
        assert_eq!(lines[2]["version"], 6);
        assert_eq!(lines[2]["broadcast"], Value::Null);
        assert_eq!(lines[2]["first_host"], "2001:db8::");
    }
}

#[test]
fn every_info_field_is_there() {
    let info = tool("subnet-calc")
        .args(["--json", "192.168.1.77/26"])
        .run()
        .code(0)
        .json();
    let mut fields: Vec<&str> = info
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = "input address version prefix_len netmask hostmask network cidr \
        broadcast first_host last_host total_addresses usable_hosts class kind binary \
        ipv4_mapped six_to_four nat64 teredo eui64_mac"
        .split_whitespace()
        .collect::<Vec<_>>();
    fields.sort_unstable();
    expected.sort_unstable();
    assert_eq!(fields, expected);
    assert_eq!(info["network"], "192.168.1.64");
    assert_eq!(info["broadcast"], "192.168.1.127");
    assert_eq!(info["first_host"], "192.168.1.65");
    assert_eq!(info["last_host"], "192.168.1.126");
    assert_eq!(info["total_addresses"], 64);
    assert_eq!(info["usable_hosts"], 62);
    assert_eq!(info["class"], "C");
    assert_eq!(info["binary"], "11000000.10101000.00000001.01|001101");
}

#[test]
fn the_whole_ipv6_space_is_counted_as_a_number() {
    let info = netlens()
        .args(["subnet", "--json", "::/0"])
        .run()
        .code(0)
        .json();
    // Parsed without arbitrary precision, 2^128 arrives as the exact float.
    assert!(info["total_addresses"].is_number());
    assert_eq!(info["total_addresses"].as_f64(), Some(2f64.powi(128)));
    assert_eq!(info["usable_hosts"], info["total_addresses"]);
}

#[test]
fn shapes_of_input_agree() {
    let cidrs: Vec<Value> = [
        vec!["10.11.12.13/24"],
        vec!["10.11.12.13/255.255.255.0"],
        vec!["10.11.12.13", "255.255.255.0"],
    ]
    .into_iter()
    .map(|args| {
        tool("subnet-calc")
            .args(["--json"])
            .args(args)
            .run()
            .code(0)
            .json()["cidr"]
            .clone()
    })
    .collect();
    assert!(cidrs.iter().all(|c| c == "10.11.12.0/24"), "{cidrs:?}");
    let from_stdin = tool("subnet-calc")
        .args(["--json"])
        .stdin("10.11.12.13 255.255.255.0\n")
        .run()
        .code(0)
        .json();
    assert_eq!(from_stdin["cidr"], "10.11.12.0/24");
    assert_eq!(from_stdin["input"], "10.11.12.13 255.255.255.0");
    let bare = tool("subnet-calc")
        .args(["--json", "10.1.1.1", "::1"])
        .run()
        .code(0)
        .json_lines();
    assert_eq!(bare[0]["prefix_len"], 32);
    assert_eq!(bare[0]["usable_hosts"], 1);
    assert_eq!(bare[1]["prefix_len"], 128);
    assert_eq!(bare[1]["kind"], "loopback");
}

#[test]
fn bad_input_is_exit_2_with_a_message_naming_it() {
    for form in both() {
        form()
            .args(["10.11.12.13/235.255.255.0"])
            .run()
            .code(2)
            .stderr_has("subnet-calc: netmask 235.255.255.0: not contiguous")
            .never_shows("panicked");
    }
    for args in [
        vec!["10.0.0.1/33"],
        vec!["10.11.12.13", "255.0.255.0"],
        vec!["range", "10.0.0.9", "10.0.0.1"],
        vec!["range", "10.0.0.1", "::1"],
        vec!["exclude", "10.0.0.0/8", "::/0"],
        vec!["split", "10.0.0.0/24", "--prefix", "16"],
        vec!["split", "10.0.0.0/24"],
        vec!["contains", "nonsense", "10.0.0.1"],
        vec!["\u{ffff}//::/"],
    ] {
        tool("subnet-calc")
            .args(&args)
            .run()
            .code(2)
            .never_shows("panicked");
    }
}

#[test]
fn split_through_the_dispatcher() {
    let run = netlens()
        .args([
            "subnet",
            "split",
            "--json",
            "192.168.0.0/24",
            "--hosts",
            "100,50,300",
        ])
        .run();
    run.code(1);
    assert_eq!(
        run.json(),
        json!({
            "networks": ["192.168.0.0/25", "192.168.0.128/26"],
            "allocations": [
                {"hosts": 100, "network": "192.168.0.0/25"},
                {"hosts": 50, "network": "192.168.0.128/26"}
            ],
            "unallocated": [300]
        })
    );
    netlens()
        .args(["subnet", "split", "10.0.0.0/24", "--prefix", "26"])
        .run()
        .code(0)
        .stdout_has("10.0.0.192/26")
        .stdout_has("usable hosts");
    let count = tool("subnet-calc")
        .args(["split", "--json", "10.0.0.0/24", "--count", "3"])
        .run()
        .code(0)
        .json();
    assert_eq!(count["networks"].as_array().map(Vec::len), Some(3));
}

#[test]
fn contains_answers_with_its_exit_code() {
    tool("subnet-calc")
        .args(["contains", "10.0.0.0/8", "10.1.2.3", "10.200.0.0/16"])
        .run()
        .code(0)
        .stdout_has("10.1.2.3: inside 10.0.0.0/8");
    tool("subnet-calc")
        .args(["contains", "10.0.0.0/8"])
        .stdin("10.1.2.3\n11.0.0.1\n")
        .run()
        .code(1)
        .stdout_has("11.0.0.1: not inside 10.0.0.0/8");
    let run = netlens()
        .args([
            "subnet",
            "contains",
            "--json",
            "10.1.2.3/8",
            "10.9.9.9",
            "2001:db8::1",
            "x",
        ])
        .run();
    run.code(2);
    let value = run.json();
    assert_eq!(value["network"], "10.0.0.0/8");
    assert_eq!(
        value["results"][0],
        json!({"input": "10.9.9.9", "contained": true})
    );
    assert_eq!(
        value["results"][1],
        json!({"input": "2001:db8::1", "contained": false})
    );
    assert_eq!(value["results"][2]["error"]["kind"], "invalid_address");
}

#[test]
fn aggregate_range_exclude_print_networks_in_order() {
    let run = tool("subnet-calc")
        .args(["aggregate"])
        .stdin("2001:db8:1::/48\n10.0.1.0/24\n# comment\n\n10.0.0.0/24\n2001:db8::/48\n192.0.2.7\n")
        .run();
    run.code(0);
    assert_eq!(run.out(), "10.0.0.0/23\n192.0.2.7/32\n2001:db8::/47\n");
    let json_run = tool("subnet-calc")
        .args(["aggregate", "--json", "10.0.0.0/25", "10.0.0.128/25"])
        .run();
    assert_eq!(
        json_run.code(0).json(),
        json!({"networks": ["10.0.0.0/24"]})
    );
    tool("subnet-calc")
        .args(["aggregate"])
        .stdin("10.0.0.0/24\nnope\n")
        .run()
        .code(2)
        .stdout_has("10.0.0.0/24")
        .stderr_has("address nope");

    let range = netlens()
        .args(["subnet", "range", "--json", "192.0.2.1", "192.0.2.6"])
        .run();
    assert_eq!(
        range.code(0).json(),
        json!({"networks": ["192.0.2.1/32", "192.0.2.2/31", "192.0.2.4/31", "192.0.2.6/32"]})
    );
    let exclude = netlens()
        .args([
            "subnet",
            "exclude",
            "--json",
            "10.0.0.0/24",
            "10.0.0.0/26",
            "10.0.0.128/26",
        ])
        .run();
    assert_eq!(
        exclude.code(0).json(),
        json!({"networks": ["10.0.0.64/26", "10.0.0.192/26"]})
    );
}

#[test]
fn help_documents_exit_codes_and_subcommands() {
    tool("subnet-calc")
        .args(["--help"])
        .run()
        .code(0)
        .stdout_has("Exit codes:")
        .stdout_has("aggregate")
        .stdout_has("exclude");
    netlens()
        .args(["subnet", "split", "--help"])
        .run()
        .code(0)
        .stdout_has("--hosts");
}

#[test]
fn ipv6_info_shows_what_the_address_embeds() {
    let teredo = tool("subnet-calc")
        .args(["--json", "2001:0:4136:e378:8000:63bf:3fff:fdd2"])
        .run()
        .code(0)
        .json();
    assert_eq!(
        teredo["teredo"],
        json!({"server": "65.54.227.120", "client": "192.0.2.45", "port": 40000})
    );
    assert_eq!(teredo["nat64"], Value::Null);
    let lines = tool("subnet-calc")
        .args([
            "--json",
            "::ffff:192.0.2.1",
            "2002:c000:204::1/48",
            "64:ff9b::198.51.100.7",
            "fe80::21b:63ff:fe94:d5f1/64",
            "192.0.2.1",
        ])
        .run()
        .code(0)
        .json_lines();
    assert_eq!(lines[0]["ipv4_mapped"], "192.0.2.1");
    assert_eq!(lines[1]["six_to_four"], "192.0.2.4");
    assert_eq!(lines[2]["nat64"], "198.51.100.7");
    assert_eq!(lines[3]["eui64_mac"], "00:1b:63:94:d5:f1");
    for field in ["ipv4_mapped", "six_to_four", "nat64", "teredo", "eui64_mac"] {
        assert_eq!(lines[4][field], Value::Null, "{field}");
    }
    tool("subnet-calc")
        .args(["2001:0:4136:e378:8000:63bf:3fff:fdd2"])
        .run()
        .code(0)
        .stdout_has("Teredo server")
        .stdout_has("65.54.227.120")
        .stdout_has("192.0.2.45:40000");
}

#[test]
fn reverse_zones() {
    let run = tool("subnet-calc")
        .args([
            "reverse",
            "192.0.2.77/26",
            "10.1.2.0/23",
            "2001:db8:abcd::/48",
        ])
        .run();
    run.code(0);
    assert_eq!(
        run.out(),
        "64/26.2.0.192.in-addr.arpa\n2.1.10.in-addr.arpa\n3.1.10.in-addr.arpa\n\
         d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa\n"
    );
    let lines = netlens()
        .args([
            "subnet",
            "reverse",
            "--json",
            "2001:db8:abcd:4000::/50",
            "nonsense",
        ])
        .run()
        .code(2)
        .json_lines();
    assert_eq!(lines[0]["input"], "2001:db8:abcd:4000::/50");
    assert_eq!(lines[0]["zones"].as_array().unwrap().len(), 4);
    assert_eq!(lines[1]["error"]["kind"], "invalid_address");
}

#[test]
fn common_and_diff_of_two_lists() {
    let dir = temp_dir();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, "# list A\n10.0.0.0/24\n10.0.2.0/24\n2001:db8::/32\n").unwrap();
    std::fs::write(&b, "10.0.0.128 - 10.0.2.9\n2001:db8:8000::/33\n").unwrap();
    let (a, b) = (format!("@{}", a.display()), format!("@{}", b.display()));
    let run = tool("subnet-calc")
        .args(["common", a.as_str(), "--", b.as_str()])
        .run();
    run.code(0);
    assert_eq!(
        run.out(),
        "10.0.0.128/25\n10.0.2.0/29\n10.0.2.8/31\n2001:db8:8000::/33\n"
    );
    let run = tool("subnet-calc")
        .args(["common", "--format", "range", a.as_str(), "--", b.as_str()])
        .run();
    assert_eq!(
        run.out(),
        "10.0.0.128-10.0.0.255\n10.0.2.0-10.0.2.9\n\
         2001:db8:8000::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\n"
    );
    let diff = tool("subnet-calc")
        .args(["diff", "--json", a.as_str(), "--", b.as_str()])
        .run()
        .code(1)
        .json();
    assert_eq!(
        diff["networks"],
        json!([
            "10.0.0.0/25",
            "10.0.1.0/24",
            "10.0.2.10/31",
            "10.0.2.12/30",
            "10.0.2.16/28",
            "10.0.2.32/27",
            "10.0.2.64/26",
            "10.0.2.128/25",
            "2001:db8::/33"
        ])
    );
    // The same set written two ways does not differ.
    tool("subnet-calc")
        .args(["diff", "10.0.0.0/24", "--", "10.0.0.0", "-", "10.0.0.255"])
        .run()
        .code(0);
    tool("subnet-calc")
        .args(["diff", "10.0.0.0/24", "--", "-"])
        .stdin("10.0.0.0/25\n10.0.0.128/25\n")
        .run()
        .code(0);
    tool("subnet-calc")
        .args(["common", "@/nonexistent/list", "--", "10.0.0.0/8"])
        .run()
        .code(2)
        .stderr_has("subnet-calc: @/nonexistent/list: ");
}

#[test]
fn free_blocks_in_a_supernet() {
    let run = tool("subnet-calc")
        .args([
            "free",
            "10.0.0.0/16",
            "--used",
            "10.0.0.0/24",
            "10.0.1.5",
            "10.0.3.0-10.0.3.255",
            "--prefix",
            "24",
            "--count",
            "3",
        ])
        .run();
    run.code(0);
    assert_eq!(run.out(), "10.0.2.0/24\n10.0.4.0/24\n10.0.5.0/24\n");
    let free = netlens()
        .args([
            "subnet",
            "free",
            "--json",
            "2001:db8::/32",
            "--used",
            "2001:db8::/48",
        ])
        .args(["--prefix", "48", "--format", "netmask"])
        .run()
        .code(0)
        .json();
    assert_eq!(free["networks"], json!(["2001:db8:1::/48"]));
    tool("subnet-calc")
        .args([
            "free",
            "10.0.0.0/24",
            "--used",
            "10.0.0.0/25",
            "--prefix",
            "25",
            "--count",
            "2",
        ])
        .run()
        .code(1)
        .stdout_has("10.0.0.128/25");
    tool("subnet-calc")
        .args([
            "free",
            "10.0.0.0/24",
            "--used",
            "10.0.0.0/8",
            "--prefix",
            "26",
        ])
        .run()
        .code(1);
    tool("subnet-calc")
        .args(["free", "10.0.0.0/24", "--prefix", "16"])
        .run()
        .code(2)
        .stderr_has("subnet-calc: free 10.0.0.0/24: prefix /16 is not between /24 and /32");
}

#[test]
fn list_every_address() {
    let run = tool("subnet-calc").args(["list", "192.0.2.0/30"]).run();
    run.code(0);
    assert_eq!(run.out(), "192.0.2.0\n192.0.2.1\n192.0.2.2\n192.0.2.3\n");
    let run = tool("subnet-calc")
        .args(["list", "2001:db8::fffe", "-", "2001:db8::1:1"])
        .run();
    assert_eq!(
        run.out(),
        "2001:db8::fffe\n2001:db8::ffff\n2001:db8::1:0\n2001:db8::1:1\n"
    );
    assert_eq!(
        tool("subnet-calc")
            .args(["list", "10.0.0.0/16"])
            .run()
            .code(0)
            .out()
            .lines()
            .count(),
        65_536
    );
    tool("subnet-calc")
        .args(["list", "10.0.0.0/8"])
        .run()
        .code(2)
        .stderr_has(
            "subnet-calc: list 10.0.0.0/8: 16777216 addresses; --limit N lists more than 65536",
        );
    let listed = tool("subnet-calc")
        .args(["list", "--json", "10.0.0.0/8", "--limit", "3"])
        .run()
        .code(0)
        .json();
    assert_eq!(
        listed,
        json!({"input": "10.0.0.0/8", "addresses": ["10.0.0.0", "10.0.0.1", "10.0.0.2"]})
    );
}

#[test]
fn ranges_and_formats_wherever_networks_are_taken() {
    let info = tool("subnet-calc")
        .args(["--json", "10.0.0.0 - 10.0.0.255"])
        .run()
        .code(0)
        .json();
    assert_eq!(info["cidr"], "10.0.0.0/24");
    tool("subnet-calc")
        .args(["10.0.0.1-10.0.0.5"])
        .run()
        .code(2)
        .stderr_has("range 10.0.0.1 10.0.0.5: not one network");
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "aggregate",
                "--format",
                "range",
                "10.0.0.0/25",
                "10.0.0.128 - 10.0.1.3",
            ],
            "10.0.0.0-10.0.1.3\n",
        ),
        (
            &["range", "--format", "netmask", "10.0.0.0", "10.0.0.5"],
            "10.0.0.0 255.255.255.252\n10.0.0.4 255.255.255.254\n",
        ),
        (
            &[
                "exclude",
                "--format",
                "range",
                "10.0.0.0/24",
                "10.0.0.10-10.0.0.19",
            ],
            "10.0.0.0-10.0.0.9\n10.0.0.20-10.0.0.255\n",
        ),
        (
            &["split", "--format", "range", "10.0.0.0/24", "--count", "2"],
            "10.0.0.0-10.0.0.127\n10.0.0.128-10.0.0.255\n",
        ),
        (
            &["contains", "10.0.0.0/24", "10.0.0.5 - 10.0.0.8"],
            "10.0.0.5 - 10.0.0.8: inside 10.0.0.0/24\n",
        ),
    ];
    for (args, expected) in cases {
        let run = tool("subnet-calc").args(args).run();
        run.code(0);
        assert_eq!(run.out(), expected, "{}", run.dump());
    }
}
