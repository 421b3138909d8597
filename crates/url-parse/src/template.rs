//! `--get TEMPLATE`: text with `{placeholder}`s filled from each URL's report.
//!
//! The template is parsed once, when the arguments are read, so that an unknown
//! placeholder is a usage error before any input is read; `{{` and `}}` stand
//! for literal braces.

use std::io::{self, Write};
use std::str::FromStr;

use crate::report::Report;

/// A parsed `--get` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(Field),
    Segment(usize),
    QueryFirst(String),
    QueryAll(String),
}

/// The plain placeholders, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Href,
    Scheme,
    Username,
    Password,
    Host,
    Hostname,
    HostUnicode,
    HostKind,
    Port,
    EffectivePort,
    Path,
    Directory,
    File,
    Query,
    Fragment,
    Origin,
    RequestTarget,
    RegistrableDomain,
    Subdomain,
}

/// The names accepted in `{...}`: SPEC §3's, plus the WHATWG getter names.
const FIELDS: &[(&str, Field)] = &[
    ("href", Field::Href),
    ("url", Field::Href),
    ("scheme", Field::Scheme),
    ("protocol", Field::Scheme),
    ("username", Field::Username),
    ("user", Field::Username),
    ("password", Field::Password),
    ("host", Field::Host),
    ("hostname", Field::Hostname),
    ("host_unicode", Field::HostUnicode),
    ("host_kind", Field::HostKind),
    ("port", Field::Port),
    ("effective_port", Field::EffectivePort),
    ("path", Field::Path),
    ("pathname", Field::Path),
    ("directory", Field::Directory),
    ("file", Field::File),
    ("query", Field::Query),
    ("search", Field::Query),
    ("fragment", Field::Fragment),
    ("hash", Field::Fragment),
    ("origin", Field::Origin),
    ("request_target", Field::RequestTarget),
    ("registrable_domain", Field::RegistrableDomain),
    ("subdomain", Field::Subdomain),
];

impl FromStr for Template {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(['{', '}']) {
            text.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                text.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            if tail.starts_with('}') {
                return Err(format!("{s:?}: unmatched }} (write }}}} for a brace)"));
            }
            let end = tail
                .find('}')
                .ok_or_else(|| format!("{s:?}: unclosed {{"))?;
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(placeholder(&tail[1..end])?);
            rest = &tail[end + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Template { pieces })
    }
}

fn placeholder(name: &str) -> Result<Piece, String> {
    if let Some(n) = name.strip_prefix("segment:") {
        return n
            .parse()
            .map(Piece::Segment)
            .map_err(|_| format!("{{{name}}}: segment index must be a number from 0"));
    }
    if let Some(key) = name.strip_prefix("query:") {
        return Ok(Piece::QueryFirst(key.to_string()));
    }
    if let Some(key) = name.strip_prefix("query-all:") {
        return Ok(Piece::QueryAll(key.to_string()));
    }
    FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, field)| Piece::Field(field))
        .ok_or_else(|| format!("unknown placeholder {{{name}}}"))
}

impl Template {
    /// Write the template filled from `report`, then a newline. Absent values
    /// (no port, no such query key, null fields) are empty.
    pub fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.write_all(text.as_bytes())?,
                Piece::Field(field) => write_field(*field, report, out)?,
                Piece::Segment(n) => {
                    if let Some(segment) = report.segment(*n) {
                        out.write_all(segment.as_bytes())?;
                    }
                }
                Piece::QueryFirst(name) => {
                    if let Some(value) = report.query_value(name) {
                        out.write_all(value.as_bytes())?;
                    }
                }
                Piece::QueryAll(name) => {
                    for (i, value) in report.query_values(name).enumerate() {
                        if i > 0 {
                            out.write_all(b"\n")?;
                        }
                        out.write_all(value.as_bytes())?;
                    }
                }
            }
        }
        out.write_all(b"\n")
    }
}

fn write_field(field: Field, r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let text: &str = match field {
        Field::Href => r.href,
        Field::Scheme => r.scheme,
        Field::Username => r.username,
        Field::Password => r.password,
        Field::Host => r.host,
        Field::Hostname => r.hostname,
        Field::HostUnicode => r.host_unicode.as_deref().unwrap_or(""),
        Field::HostKind => r.host_kind.map_or("", |k| k.name()),
        Field::Port => r.port,
        Field::EffectivePort => {
            if let Some(port) = r.effective_port {
                write!(out, "{port}")?;
            }
            return Ok(());
        }
        Field::Path => r.pathname,
        Field::Directory => r.directory.unwrap_or(""),
        Field::File => r.file.unwrap_or(""),
        Field::Query => r.search.strip_prefix('?').unwrap_or(r.search),
        Field::Fragment => r.hash.strip_prefix('#').unwrap_or(r.hash),
        Field::Origin => return write!(out, "{}", r.origin),
        Field::RequestTarget => {
            if let Some(target) = &r.request_target {
                write!(out, "{target}")?;
            }
            return Ok(());
        }
        Field::RegistrableDomain => r.registrable_domain.unwrap_or(""),
        Field::Subdomain => r.subdomain.unwrap_or(""),
    };
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn fill(template: &str, input: &str) -> String {
        let template: Template = template.parse().unwrap();
        let url = parse(input, None).unwrap();
        let mut out = Vec::new();
        template.write(&Report::new(&url), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(
            fill("{host}:{effective_port}", "https://example.com/"),
            "example.com:443\n"
        );
        let u = "http://u:p@a.b.example.co.uk:81/d/f.txt?k=1&k=two%20x&z#frag";
        assert_eq!(
            fill("{scheme} {username} {password} {hostname} {port} {path}", u),
            "http u p a.b.example.co.uk 81 /d/f.txt\n"
        );
        assert_eq!(
            fill("{directory}|{file}|{query}|{fragment}", u),
            "/d/|f.txt|k=1&k=two%20x&z|frag\n"
        );
        assert_eq!(
            fill("{query:k}/{query-all:k}/{query:none}", u),
            "1/1\ntwo x/\n"
        );
        assert_eq!(fill("{segment:0}-{segment:1}-{segment:9}", u), "d-f.txt-\n");
        assert_eq!(
            fill("{origin} {request_target}", u),
            "http://a.b.example.co.uk:81 /d/f.txt?k=1&k=two%20x&z\n"
        );
        assert_eq!(
            fill("{registrable_domain} {subdomain}", u),
            "example.co.uk a.b\n"
        );
        assert_eq!(fill("{{{host}}}", u), "{a.b.example.co.uk:81}\n");
    }

    #[test]
    fn rejects_bad_templates() {
        assert!(
            "{nope}"
                .parse::<Template>()
                .unwrap_err()
                .contains("unknown placeholder {nope}")
        );
        assert!("{host".parse::<Template>().is_err());
        assert!("host}".parse::<Template>().is_err());
        assert!("{segment:x}".parse::<Template>().is_err());
    }
}
