//! Internationalized domain names: the `xn--` labels of a parsed host shown in
//! Unicode, through Ada's own IDNA (the same code that put the host in ASCII
//! form while parsing).
//!
//! See: UTS #46 §4.2 (ToUnicode), URL Standard §3.3 (IDNA)

use std::borrow::Cow;

use ada_url::Idna;

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
    let unicode = Idna::unicode(host);
    if Idna::ascii(&unicode) == host {
        Cow::Owned(unicode)
    } else {
        Cow::Borrowed(host)
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
