//! url-parse: parsing (and the reason given on failure), a `--set` edit, the
//! report, its hand-written JSON line (which must be valid JSON equal to serde's
//! rendering of the same report), the human reading, the `--get` template
//! parser and the Unicode form of hosts.
//!
//! Input: `URL \n BASE \n TEMPLATE \n SET`, the URL first so that every input
//! reaches the parser (a missing part is empty; an empty base is none).

#![no_main]

use libfuzzer_sys::fuzz_target;
use url_parse::Report;
use url_parse::edit::{Edits, Set};
use url_parse::json::LineWriter;
use url_parse::template::Template;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(4, '\n');
    let input = parts.next().unwrap_or("");
    let base = parts.next().filter(|b| !b.is_empty());
    let template = parts.next().unwrap_or("");
    let set = parts.next().unwrap_or("");

    let template = template.parse::<Template>().ok();
    let _ = url_parse::idn::to_unicode(input);
    let _ = url_parse::error::mask_password(input);
    let mut url = match url_parse::parse::parse(input, base) {
        Ok(url) => url,
        Err(reason) => {
            let _ = reason.to_string();
            return;
        }
    };
    if let Ok(set) = set.parse::<Set>() {
        let edits = Edits {
            sets: vec![set],
            ..Edits::default()
        };
        let _ = edits.apply(&mut url);
    }
    let report = Report::new(&url);

    let mut writer = LineWriter::new();
    let line = writer.line(&report);
    let ours: serde_json::Value = serde_json::from_slice(line).expect("JSON line is not JSON");
    let theirs = serde_json::to_value(&report).expect("report serializes");
    assert_eq!(ours, theirs, "JSON line differs from serde's");

    let mut out = Vec::new();
    url_parse::render::human(&report, false, &mut out).expect("writing to memory");
    if let Some(template) = template {
        template
            .write(&report, &mut out)
            .expect("writing to memory");
    }
});
