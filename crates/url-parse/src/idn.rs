//! Internationalized domain names: the `xn--` labels of a parsed host, decoded
//! (punycode) for display, and checked where Ada is lenient.
//!
//! See: RFC 3492 (Punycode), UTS #46 §4 (Processing) and §4.1 (Validity Criteria)

use std::borrow::Cow;

use ada_url::Idna;

/// Whether a (parsed, lowercase) host has an `xn--` in it: a quick test before
/// any IDNA work.
pub fn has_punycode(host: &str) -> bool {
    let b = host.as_bytes();
    (3..b.len()).any(|i| b[i] == b'-' && b[i - 1] == b'-' && b[i - 2] == b'n' && b[i - 3] == b'x')
}

/// Check every `xn--` label of a parsed host: it must decode to a non-ASCII
/// label that IDNA processing leaves as it is. Returns the first bad label.
///
/// Ada accepts labels that decode to mapped (not valid) code points, such as
/// `xn--pokxncvks` (circled numbers, which UTS #46 maps to digits), and the
/// empty `xn--`; the Standard rejects them.
pub fn check_host(host: &str) -> Result<(), &str> {
    if !has_punycode(host) {
        return Ok(());
    }
    for label in host.split('.') {
        let Some(encoded) = label.strip_prefix("xn--") else {
            continue;
        };
        let valid = match decode(encoded) {
            // Valid code points survive ToASCII unchanged; mapped ones (㉓ → 23) do not.
            Some(unicode) if !unicode.is_ascii() => Idna::ascii(&unicode) == label,
            // Nothing, or only ASCII, should never have been encoded.
            _ => false,
        };
        if !valid {
            return Err(label);
        }
    }
    Ok(())
}

/// The host with its `xn--` labels decoded (borrowed when it has none). For a
/// host that passed [`check_host`] this is UTS #46 ToUnicode.
pub fn to_unicode(host: &str) -> Cow<'_, str> {
    if !has_punycode(host) {
        return Cow::Borrowed(host);
    }
    let mut out = String::with_capacity(host.len());
    for (i, label) in host.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        match label.strip_prefix("xn--").and_then(decode) {
            Some(unicode) => out.push_str(&unicode),
            None => out.push_str(label),
        }
    }
    Cow::Owned(out)
}

/// Decode the part of a label after `xn--`. None when it is not valid punycode.
/// See: RFC 3492 §6.2 (decoding procedure), with the §5 parameters
pub fn decode(encoded: &str) -> Option<String> {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    if encoded.is_empty() || !encoded.is_ascii() {
        return None;
    }
    let (basic, deltas) = match encoded.rfind('-') {
        Some(i) => (&encoded[..i], &encoded[i + 1..]),
        None => ("", encoded),
    };
    let mut output: Vec<char> = basic.chars().collect();
    let mut n: u32 = 128;
    let mut i: u32 = 0;
    let mut bias: u32 = 72;
    let mut bytes = deltas.bytes().peekable();
    while bytes.peek().is_some() {
        let old_i = i;
        let mut w: u32 = 1;
        let mut k = BASE;
        loop {
            let digit = match bytes.next()? {
                b @ b'a'..=b'z' => u32::from(b - b'a'),
                b @ b'A'..=b'Z' => u32::from(b - b'A'),
                b @ b'0'..=b'9' => u32::from(b - b'0') + 26,
                _ => return None,
            };
            i = i.checked_add(digit.checked_mul(w)?)?;
            let t = if k <= bias {
                T_MIN
            } else if k >= bias + T_MAX {
                T_MAX
            } else {
                k - bias
            };
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let length = u32::try_from(output.len() + 1).ok()?;
        bias = adapt(i - old_i, length, old_i == 0);
        n = n.checked_add(i / length)?;
        i %= length;
        output.insert(usize::try_from(i).ok()?, char::from_u32(n)?);
        i += 1;
    }
    Some(output.into_iter().collect())
}

/// Bias adaptation. See: RFC 3492 §6.1
fn adapt(delta: u32, length: u32, first: bool) -> u32 {
    const BASE: u32 = 36;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / length;
    let mut k = 0;
    while delta > ((BASE - 1) * 26) / 2 {
        delta /= BASE - 1;
        k += BASE;
    }
    k + (BASE * delta) / (delta + SKEW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_punycode() {
        assert_eq!(decode("fa-hia").as_deref(), Some("faß"));
        assert_eq!(decode("n3h").as_deref(), Some("☃"));
        assert_eq!(decode("6qqa088eba").as_deref(), Some("你好你好"));
        // RFC 3492 §7.1 sample (A), Arabic (Egyptian).
        assert_eq!(
            decode("egbpdaj6bu4bxfgehfvwxn").as_deref(),
            Some(
                "\u{644}\u{64a}\u{647}\u{645}\u{627}\u{628}\u{62a}\u{643}\u{644}\u{645}\u{648}\u{634}\u{639}\u{631}\u{628}\u{64a}\u{61f}"
            )
        );
        assert_eq!(decode(""), None);
        assert_eq!(decode("99999999999"), None);
        assert_eq!(decode("a-!"), None);
    }

    #[test]
    fn checks_labels() {
        assert!(has_punycode("a.xn--fa-hia.example") && !has_punycode("xn-.example"));
        assert_eq!(check_host("xn--fa-hia.example"), Ok(()));
        assert_eq!(check_host("example.com"), Ok(()));
        assert_eq!(check_host("xn--.example"), Err("xn--"));
        assert_eq!(check_host("a.xn--pokxncvks"), Err("xn--pokxncvks"));
    }

    #[test]
    fn unicode_form() {
        assert_eq!(to_unicode("www.xn--fa-hia.example"), "www.faß.example");
        assert!(matches!(to_unicode("example.com"), Cow::Borrowed(_)));
    }

    #[test]
    fn agrees_with_ada() {
        for host in ["xn--fa-hia.example", "xn--n3h", "xn--6qqa088eba.xn--fiqs8s"] {
            assert_eq!(to_unicode(host), Idna::unicode(host), "{host}");
        }
    }
}
