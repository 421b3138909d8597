//! Percent-decoding of path segments and `application/x-www-form-urlencoded`
//! query pairs, borrowing the input when there is nothing to decode.
//!
//! See: URL Standard §1.3 (percent-decode) and §5.1 (application/x-www-form-urlencoded parsing)

use std::borrow::Cow;

/// Percent-decode `input` (`%41` → `A`); invalid sequences stay as they are;
/// bytes that are not UTF-8 after decoding become U+FFFD.
pub fn percent_decode_lossy(input: &str) -> Cow<'_, str> {
    decode(input, false)
}

/// Decode one name or value of a query: `+` is a space, then percent-decoding.
pub fn form_decode_lossy(input: &str) -> Cow<'_, str> {
    decode(input, true)
}

fn decode(input: &str, plus_is_space: bool) -> Cow<'_, str> {
    if !needs_decoding(input, plus_is_space) {
        return Cow::Borrowed(input);
    }
    let mut out = Vec::with_capacity(input.len());
    decode_into(input, plus_is_space, &mut out);
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Whether decoding would change `input`: it has a `%` (or a `+`, in a query).
pub fn needs_decoding(input: &str, plus_is_space: bool) -> bool {
    input
        .bytes()
        .any(|b| b == b'%' || (plus_is_space && b == b'+'))
}

/// Append the decoded bytes of `input` to `out` (which may then not be UTF-8).
pub fn decode_into(input: &str, plus_is_space: bool, out: &mut Vec<u8>) {
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b),
            },
            b'+' if plus_is_space => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The query string's pairs as `URLSearchParams` sees them: split on `&`,
/// empty pieces skipped, name and value split at the first `=`, then decoded.
pub fn query_pairs(query: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    raw_query_pairs(query).map(|(name, value)| (form_decode_lossy(name), form_decode_lossy(value)))
}

/// The query string's pairs as [`query_pairs`] splits them, not yet decoded.
pub fn raw_query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    split_ascii(query, b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| match piece.bytes().position(|b| b == b'=') {
            Some(i) => (&piece[..i], &piece[i + 1..]),
            None => (piece, ""),
        })
}

/// `text.split(sep)` for an ASCII separator, with a plain byte loop: URL parts
/// are short, and this is quicker on them than the general string searcher.
pub fn split_ascii(text: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|b| b == sep) {
            Some(i) => {
                rest = Some(&current[i + 1..]);
                Some(&current[..i])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_when_nothing_to_decode() {
        assert!(matches!(percent_decode_lossy("abc"), Cow::Borrowed("abc")));
        assert!(matches!(form_decode_lossy("a%b"), Cow::Owned(_)));
    }

    #[test]
    fn decodes_percent_sequences() {
        assert_eq!(percent_decode_lossy("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decode_lossy("%zz%4"), "%zz%4");
        assert_eq!(percent_decode_lossy("100%"), "100%");
        assert_eq!(percent_decode_lossy("%C3%A9"), "é");
        assert_eq!(percent_decode_lossy("%FF"), "\u{fffd}");
        assert_eq!(percent_decode_lossy("a+b"), "a+b");
        assert_eq!(form_decode_lossy("a+b%2B"), "a b+");
    }

    #[test]
    fn splits_like_str_split() {
        for text in ["", "/", "a", "a/b", "/a//b/", "é/€"] {
            let ours: Vec<&str> = split_ascii(text, b'/').collect();
            let std: Vec<&str> = text.split('/').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn splits_query_pairs() {
        let pairs: Vec<(String, String)> = query_pairs("a=1&&b&a=2=3&c=%41+x")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(
            pairs,
            [("a", "1"), ("b", ""), ("a", "2=3"), ("c", "A x")]
                .map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }
}
