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
pub fn to_unicode(host: &str) -> Cow<'_, str> {
    if has_punycode(host) {
        Cow::Owned(Idna::unicode(host))
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
    }
}
