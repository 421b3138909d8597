//! Many inputs: `--input-file`, `--input-field`, `--shard K/N`, and N shards
//! run side by side by GNU parallel holding every input exactly once.

use std::collections::BTreeSet;
use std::path::Path;

use crate::util::{shell, temp_dir, tool, tool_path};

/// `count` distinct IPv4 addresses, one per line.
fn addresses(count: u32) -> String {
    (0..count)
        .map(|n| {
            let [_, b, c, d] = (0x0a00_0000 + n * 7).to_be_bytes();
            format!("10.{b}.{c}.{d}/24\n")
        })
        .collect()
}

fn lines(text: &str) -> BTreeSet<String> {
    text.lines().map(String::from).collect()
}

#[test]
fn four_shards_through_gnu_parallel_equal_one_process() {
    let dir = temp_dir();
    let inputs = dir.path().join("inputs.txt");
    std::fs::write(&inputs, addresses(10_000)).unwrap();
    let whole = tool("subnet-calc")
        .args(["--json", "--input-file"])
        .args([&inputs])
        .run();
    whole.code(0);
    assert_eq!(whole.out().lines().count(), 10_000);

    let link = tool_path("subnet-calc");
    let script = format!(
        "seq 1 4 | parallel -j 4 '{} --json --shard {{}}/4 --input-file {}'",
        link.display(),
        inputs.display()
    );
    let sharded = shell(&script).env("HOME", dir.path()).run();
    sharded.code(0);
    let union = sharded.out();
    assert_eq!(union.lines().count(), 10_000, "{}", sharded.dump());
    assert_eq!(lines(&union), lines(&whole.out()));
}

#[test]
fn each_shard_keeps_its_part_in_input_order() {
    let text = addresses(400);
    let mut seen = Vec::new();
    for k in 1..=3 {
        let run = tool("subnet-calc")
            .args(["--json", "--shard", &format!("{k}/3")])
            .stdin(text.clone())
            .run();
        run.code(0);
        let part: Vec<String> = run
            .json_lines()
            .iter()
            .map(|info| info["input"].as_str().unwrap().to_string())
            .collect();
        assert!(
            !part.is_empty() && part.len() < 400,
            "shard {k}: {}",
            part.len()
        );
        let order: Vec<usize> = part
            .iter()
            .map(|input| text.lines().position(|line| line == input).unwrap())
            .collect();
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "shard {k} out of order"
        );
        seen.extend(part);
    }
    assert_eq!(seen.len(), 400);
    assert_eq!(lines(&seen.join("\n")), lines(&text));
}

#[test]
fn the_input_field_of_another_tools_json_lines_is_the_input() {
    let infos = tool("subnet-calc")
        .args(["--json", "192.0.2.7/30", "198.51.100.9/24"])
        .run();
    infos.code(0);
    let run = tool("subnet-calc")
        .args(["--json", "--input-field", "cidr"])
        .stdin(format!("{}{{\"other\": 1}}\n", infos.out()))
        .run();
    run.code(2)
        .stderr_has("input field \"cidr\": no such field");
    let results = run.json_lines();
    assert_eq!(results[0]["input"], "192.0.2.4/30");
    assert_eq!(results[1]["input"], "198.51.100.0/24");
    assert_eq!(results[2]["error"]["kind"], "input_field");
    assert_eq!(results[2]["input"], "{\"other\": 1}");
}

#[test]
fn url_parse_and_aggregate_read_input_files() {
    let dir = temp_dir();
    let urls = dir.path().join("urls.txt");
    std::fs::write(&urls, "http://a.example/x\n# comment\nhttps://b.example/\n").unwrap();
    let run = tool("url-parse")
        .args(["--get", "{hostname}", "--input-file"])
        .args([&urls])
        .run();
    run.code(0);
    assert_eq!(run.out(), "a.example\nb.example\n");

    let nets = dir.path().join("nets.txt");
    std::fs::write(&nets, "10.0.0.0/25\n10.0.0.128/25\n").unwrap();
    let run = tool("subnet-calc")
        .args(["aggregate", "--input-file"])
        .args([&nets])
        .run();
    run.code(0);
    assert_eq!(run.out(), "10.0.0.0/24\n");
}

#[test]
fn bad_selection_flags_are_usage_errors_naming_the_token() {
    for (flag, value) in [("--shard", "0/4"), ("--shard", "5/4"), ("--shard", "x")] {
        tool("subnet-calc")
            .args([flag, value, "10.0.0.1"])
            .run()
            .code(2)
            .stderr_has(value);
    }
    let missing = Path::new("/nonexistent/inputs.txt");
    tool("url-parse")
        .args(["--input-file"])
        .args([missing])
        .run()
        .code(2)
        .stderr_has("input file /nonexistent/inputs.txt");
}
