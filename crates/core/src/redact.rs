//! Passwords kept out of what the tools print: one mask, one function for
//! URLs as typed (before, or without, a parser's help).

use std::borrow::Cow;

/// What a password is shown as, in every tool: the same length whatever the
/// password, so its length is not given away either.
pub const MASK: &str = "****";

/// `input` with the password of its `scheme://user:password@` masked, for
/// error lines and verbose output (which CI logs keep). Text that has no such
/// password, or is no URL at all, comes back as it is.
pub fn mask_url_password(input: &str) -> Cow<'_, str> {
    let Some(scheme_end) = input.find("://") else {
        return Cow::Borrowed(input);
    };
    let start = scheme_end + 3;
    let rest = &input[start..];
    let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let (Some(at), Some(colon)) = (authority.rfind('@'), authority.find(':')) else {
        return Cow::Borrowed(input);
    };
    if colon > at || colon + 1 == at {
        return Cow::Borrowed(input);
    }
    Cow::Owned(format!(
        "{}{MASK}{}",
        &input[..start + colon + 1],
        &input[start + at..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_and_nothing_else_is_touched() {
        assert_eq!(
            mask_url_password("http://u:secret@h:99999/x"),
            "http://u:****@h:99999/x"
        );
        assert_eq!(mask_url_password("http://u:s:e@c@h/"), "http://u:****@h/");
        assert_eq!(mask_url_password("http://u@h:99999/"), "http://u@h:99999/");
        assert_eq!(mask_url_password("http://u:@h/"), "http://u:@h/");
        assert_eq!(mask_url_password("http://h:1/a:b@c"), "http://h:1/a:b@c");
        assert_eq!(mask_url_password("mailto:a:b@c"), "mailto:a:b@c");
        assert_eq!(mask_url_password("https://é:ü@h/"), "https://é:****@h/");
    }
}
