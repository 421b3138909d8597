//! Step 7, what the page asks for next: the `src` of its `<img>` and
//! `<script>` elements and the `href` of its `<link rel=stylesheet>`, in
//! document order, resolved against the page's URL (url-parse), at most 8.
//!
//! A small scanner over start tags, enough for the pages a journey meets;
//! comments are skipped. See: HTML Living Standard §13.2.5 (tokenization).

/// At most this many resources are fetched.
pub const MAX_RESOURCES: usize = 8;

/// The URLs the page `html` (at `base`) embeds, absolute, at most [`MAX_RESOURCES`].
pub fn resources(html: &str, base: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        rest = &rest[end..];
        if let Some(link) = embedded(tag)
            && let Ok(url) = url_parse::parse(&link, Some(base))
        {
            let href = url.href().to_string();
            if !found.contains(&href) {
                found.push(href);
            }
        }
        if found.len() == MAX_RESOURCES {
            break;
        }
    }
    found
}

/// The URL a start tag (without its `<` and `>`) embeds, if it is one of ours.
fn embedded(tag: &str) -> Option<String> {
    let name_end = tag
        .find(|c: char| c.is_ascii_whitespace() || c == '/')
        .unwrap_or(tag.len());
    let attrs = attributes(&tag[name_end..]);
    let get = |key: &str| {
        attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
    };
    match tag[..name_end].to_ascii_lowercase().as_str() {
        "img" | "script" => get("src"),
        "link" => get("rel")
            .filter(|rel| {
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("stylesheet"))
            })
            .and(get("href")),
        _ => None,
    }
    .filter(|v| !v.trim().is_empty())
}

/// The attributes of a start tag: `name=value`, quoted or not, and bare names.
fn attributes(mut text: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    loop {
        text = text.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if text.is_empty() {
            return attrs;
        }
        let name_end = text
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(text.len());
        let name = text[..name_end].to_string();
        text = text[name_end..].trim_start();
        let Some(after) = text.strip_prefix('=') else {
            attrs.push((name, String::new()));
            continue;
        };
        let after = after.trim_start();
        let (value, left) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let inner = &after[1..];
                let end = inner.find(q).unwrap_or(inner.len());
                (&inner[..end], inner.get(end + 1..).unwrap_or(""))
            }
            _ => {
                let end = after
                    .find(|c: char| c.is_ascii_whitespace())
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        attrs.push((name, value.to_string()));
        text = left;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_scripts_and_stylesheets_resolved_in_order() {
        let html = r#"<html><head><link rel="stylesheet" href="/s.css"><link rel=icon href=f.ico>
            <script src='app.js'></script></head><body><!-- <img src="no.png"> -->
            <IMG alt="x" SRC=gazou.jpg><img src="gazou.jpg"><a href="next.htm">n</a>
            <img src="https://other.test/b.png"/></body></html>"#;
        let found = resources(html, "http://www.lab.glasscom.com/dir/sample.htm");
        assert_eq!(
            found,
            [
                "http://www.lab.glasscom.com/s.css",
                "http://www.lab.glasscom.com/dir/app.js",
                "http://www.lab.glasscom.com/dir/gazou.jpg",
                "https://other.test/b.png",
            ]
        );
    }

    #[test]
    fn at_most_eight() {
        let html: String = (0..20).map(|i| format!("<img src=i{i}.png>")).collect();
        assert_eq!(resources(&html, "http://h.test/").len(), MAX_RESOURCES);
        assert!(resources("<img>< img src=>", "http://h.test/").is_empty());
    }
}
