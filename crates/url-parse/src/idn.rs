//! Internationalized domain names: the `xn--` labels of a parsed host shown in
//! Unicode, through Ada's own IDNA (the same code that put the host in ASCII
//! form while parsing).
//!
//! See: UTS #46 §4.2 (ToUnicode), URL Standard §3.3 (IDNA)

use std::borrow::Cow;
use std::cell::RefCell;

use ada_url::Idna;

/// How many hosts' Unicode forms each thread remembers. Lists of URLs repeat
/// a few hosts, and the IDNA round trip below is the dearest part of a report.
const REMEMBERED: usize = 8;

thread_local! {
    static RECENT: RefCell<Recent> = const { RefCell::new(Recent { hosts: Vec::new(), next: 0 }) };
}

/// Whether a (parsed, lowercase) host has an `xn--` in it: a quick test before
/// any IDNA work.
pub fn has_punycode(host: &str) -> bool {
    host.as_bytes().windows(4).any(|w| w == b"xn--")
}

/// The host with its `xn--` labels decoded (borrowed when it has none): UTS #46
/// ToUnicode. A label that does not decode is kept as it is.
///
/// A Unicode form that does not map back to the same ASCII host is not
/// offered: the host stays in ASCII, so that `--as-idn` always reads back as
/// the same URL.
pub fn to_unicode(host: &str) -> Cow<'_, str> {
    if !has_punycode(host) {
        return Cow::Borrowed(host);
    }
    match RECENT.with_borrow_mut(|recent| recent.unicode(host)) {
        Some(unicode) => Cow::Owned(unicode),
        None => Cow::Borrowed(host),
    }
}

/// The Unicode form of an ASCII host with punycode labels, when it maps back
/// to the same host.
fn decode(host: &str) -> Option<String> {
    let unicode = Idna::unicode(host);
    (Idna::ascii(&unicode) == host).then_some(unicode)
}

/// The last few hosts decoded, and what [`decode`] gave for them.
struct Recent {
    hosts: Vec<(String, Option<String>)>,
    /// The entry replaced next once all are in use.
    next: usize,
}

impl Recent {
    fn unicode(&mut self, host: &str) -> Option<String> {
        if let Some((_, unicode)) = self.hosts.iter().find(|(known, _)| known == host) {
            return unicode.clone();
        }
        let unicode = decode(host);
        let entry = (host.to_string(), unicode.clone());
        if self.hosts.len() < REMEMBERED {
            self.hosts.push(entry);
        } else {
            self.hosts[self.next] = entry;
            self.next = (self.next + 1) % REMEMBERED;
        }
        unicode
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_punycode_labels() {
        assert!(has_punycode("a.xn--fa-hia.example") && has_punycode("xn--n3h"));
        assert!(!has_punycode("xn-.example") && !has_punycode("example.com"));
    }

    #[test]
    fn unicode_form() {
        assert_eq!(to_unicode("www.xn--fa-hia.example"), "www.faß.example");
        assert_eq!(to_unicode("xn--6qqa088eba.xn--fiqs8s"), "你好你好.中国");
        assert!(matches!(to_unicode("example.com"), Cow::Borrowed(_)));
        // Asked again, and after more hosts than are remembered: the same answers.
        for round in 0..3 {
            for i in 0..=REMEMBERED {
                let host = format!("h{i}.xn--fa-hia.example");
                assert_eq!(to_unicode(&host), format!("h{i}.faß.example"), "{round}");
            }
        }
        // A label that the Standard accepts but that does not decode to a valid
        // Unicode label is kept as it is.
        assert_eq!(to_unicode("a.xn--pokxncvks"), "a.xn--pokxncvks");
        // Found by the url_parse fuzz target: a host whose Unicode form does
        // not go back to the same ASCII stays in ASCII.
        let host = format!(
            ".n-p.xn--lfiiodddddddddddddtn-p.xn--lfiiodddddddddddddt{}",
            "d".repeat(150)
        );
        let url = crate::parse::parse(&format!("ws:{host}"), None).unwrap();
        let ascii = url.hostname();
        let unicode = to_unicode(ascii);
        let again = format!("ws://{unicode}/");
        assert_eq!(crate::parse::parse(&again, None).unwrap().hostname(), ascii);
    }
}
