//! url-parse: parsing (and the reason given on failure), the address-bar
//! reading of `--default-scheme`, the edits (`--set`, every `--iterate`
//! combination, `--qtrim`, `--replace-append`), the report, its hand-written
//! JSON line (which must be valid JSON equal to serde's rendering of the same
//! report), the human reading, the `--get` template parser and the Unicode
//! form of hosts (`--as-idn`, which must read back as the same URL).
//!
//! Input: `URL \n BASE \n TEMPLATE \n SET \n ITERATE \n QTRIM \n REPLACE`, the
//! URL first so that every input reaches the parser (a missing part is empty;
//! an empty base is none).

#![no_main]

use libfuzzer_sys::fuzz_target;
use url_parse::Report;
use url_parse::edit::{Edits, Iterate, Pair, Set, combinations, glob_match};
use url_parse::json::LineWriter;
use url_parse::template::Template;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(7, '\n');
    let input = parts.next().unwrap_or("");
    let base = parts.next().filter(|b| !b.is_empty());
    let template = parts.next().unwrap_or("");
    let set = parts.next().unwrap_or("");
    let iterate = parts.next().unwrap_or("");
    let qtrim = parts.next().unwrap_or("");
    let replace = parts.next().unwrap_or("");

    let _ = glob_match(qtrim, input);
    let _ = url_parse::parse::parse(&url_parse::parse::with_default_scheme(input, "https"), None);

    let template = template.parse::<Template>().ok();
    let _ = url_parse::idn::to_unicode(input);
    let _ = netlens_core::redact::mask_url_password(input);
    let mut url = match url_parse::parse::parse(input, base) {
        Ok(url) => url,
        Err(reason) => {
            let _ = reason.to_string();
            return;
        }
    };
    let edits = Edits {
        sets: set.parse::<Set>().into_iter().collect(),
        iterates: iterate.parse::<Iterate>().into_iter().collect(),
        trims: vec![qtrim.to_string()],
        replaces: replace.parse::<Pair>().into_iter().map(|p| (p, true)).collect(),
        ..Edits::default()
    };
    let all = combinations(&edits.iterates);
    for combination in all.iter().skip(1).take(4) {
        let _ = edits.apply(&mut url.clone(), combination);
    }
    let _ = edits.apply(&mut url, &all[0]);
    let report = Report::new(&url);
    let unicode = report.href_unicode();
    let again = url_parse::parse::parse(&unicode, None).expect("the Unicode href reads back");
    assert_eq!(again.href(), report.href, "the Unicode href reads back as another URL");

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
