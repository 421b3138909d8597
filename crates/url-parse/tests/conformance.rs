//! The WHATWG URL conformance vectors (web-platform-tests): every parsing case
//! through the library's report, every setter case through `--set`'s code path,
//! and every host-to-ASCII case through parsing and the host setters.
//!
//! Prints the pass counts; fails on any case that is not listed in
//! [`PARSING_EXCEPTIONS`] or [`SETTER_EXCEPTIONS`] with its reason (and on a
//! listed case that has started to pass, so that the lists stay true).

use serde_json::Value;
use url_parse::edit::{Component, set_component};
use url_parse::parse::parse;
use url_parse::report::Report;

/// Parsing cases known to fail, by input, with the reason. Empty: all pass.
const PARSING_EXCEPTIONS: &[(&str, &str)] = &[];

/// Setter cases known to fail, by component, URL and new value, with the reason.
/// Empty: all pass.
const SETTER_EXCEPTIONS: &[(&str, &str, &str, &str)] = &[];

/// The 11 getters of the `URL` class, as the vectors name them.
const GETTERS: [&str; 11] = [
    "href", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search",
    "hash", "origin",
];

fn getter(report: &Report<'_>, name: &str) -> String {
    match name {
        "href" => report.href.to_string(),
        "protocol" => report.protocol.to_string(),
        "username" => report.username.to_string(),
        "password" => report.password.to_string(),
        "host" => report.host.to_string(),
        "hostname" => report.hostname.to_string(),
        "port" => report.port.to_string(),
        "pathname" => report.pathname.to_string(),
        "search" => report.search.to_string(),
        "hash" => report.hash.to_string(),
        "origin" => report.origin.to_string(),
        other => panic!("unknown getter {other}"),
    }
}

fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The test cases of a WPT file: its objects (the strings between them are comments).
fn test_cases(data: &Value) -> Vec<&Value> {
    let all = data.as_array().expect("an array");
    all.iter().filter(|case| case.is_object()).collect()
}

/// Compare the expected getters of `expected` with the report; the first difference.
fn mismatch(expected: &Value, report: &Report<'_>) -> Option<String> {
    GETTERS.iter().find_map(|&name| {
        let want = expected.get(name)?.as_str()?;
        let got = getter(report, name);
        (got != want).then(|| format!("{name}: got {got:?}, expected {want:?}"))
    })
}

/// Check the outcome against the exception list; panics listing the surprises.
fn judge(kind: &str, total: usize, failures: Vec<(String, String)>, excepted: &[String]) {
    let passed = total - failures.len();
    println!("{kind} {passed}/{total}");
    let unexpected: Vec<_> = failures
        .iter()
        .filter(|(key, _)| !excepted.contains(key))
        .collect();
    let fixed: Vec<_> = excepted
        .iter()
        .filter(|key| !failures.iter().any(|(k, _)| k == *key))
        .collect();
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "{kind}: {} unexpected failures:\n{}\nlisted exceptions that now pass: {fixed:?}",
        unexpected.len(),
        unexpected
            .iter()
            .map(|(k, why)| format!("  {k}: {why}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_parsing_vector() {
    let data = load("urltestdata.json");
    let cases = test_cases(&data);
    let mut failures = Vec::new();
    for case in &cases {
        let input = case["input"].as_str().expect("input");
        let base = case["base"].as_str();
        let must_fail = case["failure"].as_bool().unwrap_or(false);
        let why = match (parse(input, base), must_fail) {
            (Ok(url), true) => Some(format!("accepted as {}", url.href())),
            (Err(_), true) => None,
            (Err(reason), false) => Some(format!("rejected: {reason}")),
            (Ok(url), false) => mismatch(case, &Report::new(&url)),
        };
        if let Some(why) = why {
            failures.push((input.to_string(), format!("(base {base:?}) {why}")));
        }
    }
    let excepted: Vec<String> = PARSING_EXCEPTIONS
        .iter()
        .map(|(input, _)| input.to_string())
        .collect();
    judge("WPT", cases.len(), failures, &excepted);
    assert_eq!(cases.len(), 891, "the vector file changed size");
}

#[test]
fn every_setter_vector() {
    let data = load("setters_tests.json");
    let mut total = 0;
    let mut failures = Vec::new();
    for (group, cases) in data.as_object().expect("an object") {
        if group == "comment" {
            continue;
        }
        let component: Component = group.parse().expect("a component name");
        for case in cases.as_array().expect("an array") {
            total += 1;
            let href = case["href"].as_str().expect("href");
            let value = case["new_value"].as_str().expect("new_value");
            let key = format!("{group} {href:?} = {value:?}");
            let mut url = match parse(href, None) {
                Ok(url) => url,
                Err(reason) => {
                    failures.push((key, format!("starting URL rejected: {reason}")));
                    continue;
                }
            };
            // A refused value leaves the URL as it was, which the vectors expect.
            let _ = set_component(&mut url, component, value);
            if let Some(why) = mismatch(&case["expected"], &Report::new(&url)) {
                failures.push((key, why));
            }
        }
    }
    let excepted: Vec<String> = SETTER_EXCEPTIONS
        .iter()
        .map(|(group, href, value, _)| format!("{group} {href:?} = {value:?}"))
        .collect();
    judge("setters", total, failures, &excepted);
    assert_eq!(total, 278, "the vector file changed size");
}

/// `--as-idn` on every URL of the parsing vectors: the href with its host in
/// Unicode form must read back as the same URL.
#[test]
fn every_unicode_href_reads_back() {
    let data = load("urltestdata.json");
    let mut checked = 0;
    for case in test_cases(&data) {
        let input = case["input"].as_str().expect("input");
        let Ok(url) = parse(input, case["base"].as_str()) else {
            continue;
        };
        let report = Report::new(&url);
        let unicode = report.href_unicode();
        let again = parse(&unicode, None).unwrap_or_else(|e| panic!("{unicode}: {e}"));
        assert_eq!(again.href(), report.href, "{input:?} as {unicode:?}");
        checked += 1;
    }
    println!("Unicode hrefs {checked}/{checked}");
}

/// One host-to-ASCII case the way the vectors' own harness runs it: as the
/// host of `https://INPUT/x`, then through the `host` and `hostname` setters
/// of `https://x/x`. `expected` is None where the host must be refused.
fn toascii_mismatch(input: &str, expected: Option<&str>) -> Option<String> {
    let parsed = parse(&format!("https://{input}/x"), None);
    match (&parsed, expected) {
        (Ok(url), None) => return Some(format!("accepted as {}", url.href())),
        (Err(reason), Some(_)) => return Some(format!("rejected: {reason}")),
        (Ok(url), Some(want)) if url.hostname() != want || url.pathname() != "/x" => {
            return Some(format!("parsed as {}", url.href()));
        }
        _ => {}
    }
    for component in [Component::Host, Component::Hostname] {
        let mut url = parse("https://x/x", None).expect("a valid URL");
        let _ = set_component(&mut url, component, input);
        let got = Report::new(&url).hostname.to_string();
        let want = expected.unwrap_or("x");
        if got != want {
            return Some(format!(
                "{component} setter: got {got:?}, expected {want:?}"
            ));
        }
    }
    None
}

#[test]
fn every_toascii_vector() {
    let data = load("toascii.json");
    let cases = test_cases(&data);
    let failures: Vec<(String, String)> = cases
        .iter()
        .filter_map(|case| {
            let input = case["input"].as_str().expect("input");
            let why = toascii_mismatch(input, case["output"].as_str())?;
            Some((input.to_string(), why))
        })
        .collect();
    judge("toascii", cases.len(), failures, &[]);
    assert_eq!(cases.len(), 87, "the vector file changed size");
}
