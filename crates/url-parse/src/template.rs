//! `--get TEMPLATE`: text with `{placeholder}`s filled from each URL's report.
//!
//! The template is parsed once, when the arguments are read, so that an unknown
//! placeholder is a usage error before any input is read; `{{` and `}}` stand
//! for literal braces. trurl's modifiers are taken too: `{url:NAME}` (the
//! percent-encoded form), `{puny:host}` and `{idn:host}` (the host in ASCII or
//! Unicode form; also `hostname` and `url`), `{default:port}` (the port even
//! when it is the scheme's default).

use std::borrow::Cow;
use std::io::{self, Write};
use std::str::FromStr;

use crate::decode::form_decode_lossy;
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
    Segment(usize, Form),
    QueryFirst(String, Form),
    QueryAll(String, Form),
}

/// Whether a path segment or query value is printed decoded or as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Decoded,
    Encoded,
}

/// The plain placeholders, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Href,
    HrefUnicode,
    Scheme,
    Username,
    Password,
    Host,
    HostIdn,
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

/// The host forms of `{puny:...}` and `{idn:...}`: ASCII, then Unicode.
const HOST_FORMS: &[(&str, Field, Field)] = &[
    ("host", Field::Host, Field::HostIdn),
    ("hostname", Field::Hostname, Field::HostUnicode),
    ("url", Field::Href, Field::HrefUnicode),
    ("href", Field::Href, Field::HrefUnicode),
];

fn placeholder(name: &str) -> Result<Piece, String> {
    let unknown = || format!("unknown placeholder {{{name}}}");
    if let Some(inner) = name.strip_prefix("url:") {
        return encoded(inner).ok_or_else(unknown);
    }
    if name == "default:port" {
        return Ok(Piece::Field(Field::EffectivePort));
    }
    for (prefix, unicode) in [("puny:", false), ("idn:", true)] {
        if let Some(inner) = name.strip_prefix(prefix) {
            let form = HOST_FORMS.iter().find(|(n, _, _)| *n == inner);
            let (_, ascii, idn) = form.ok_or_else(unknown)?;
            return Ok(Piece::Field(if unicode { *idn } else { *ascii }));
        }
    }
    piece(name, Form::Decoded)?.ok_or_else(unknown)
}

/// `{url:NAME}`: NAME in its percent-encoded form (the WHATWG getters are
/// already; segments and query values are printed as written).
fn encoded(name: &str) -> Option<Piece> {
    match piece(name, Form::Encoded).ok()?? {
        Piece::Field(Field::HostUnicode) => Some(Piece::Field(Field::Hostname)),
        Piece::Field(Field::HrefUnicode) => Some(Piece::Field(Field::Href)),
        piece => Some(piece),
    }
}

/// A plain placeholder: a field, `segment:N`, `query:NAME` or `query-all:NAME`.
fn piece(name: &str, form: Form) -> Result<Option<Piece>, String> {
    if let Some(n) = name.strip_prefix("segment:") {
        return n
            .parse()
            .map(|n| Some(Piece::Segment(n, form)))
            .map_err(|_| format!("{{{name}}}: segment index must be a number from 0"));
    }
    if let Some(key) = name.strip_prefix("query:") {
        return Ok(Some(Piece::QueryFirst(key.to_string(), form)));
    }
    if let Some(key) = name.strip_prefix("query-all:") {
        return Ok(Some(Piece::QueryAll(key.to_string(), form)));
    }
    Ok(FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, field)| Piece::Field(field)))
}

impl Template {
    /// Write the template filled from `report`, then a newline. Absent values
    /// (no port, no such query key, null fields) are empty.
    pub fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.write_all(text.as_bytes())?,
                Piece::Field(field) => write_field(*field, report, out)?,
                Piece::Segment(n, form) => {
                    let segment = match form {
                        Form::Decoded => report.segment(*n),
                        Form::Encoded => report.segments.raw().nth(*n).map(Cow::Borrowed),
                    };
                    if let Some(segment) = segment {
                        out.write_all(segment.as_bytes())?;
                    }
                }
                Piece::QueryFirst(name, form) => {
                    if let Some(value) = query_values(report, name, *form).next() {
                        out.write_all(value.as_bytes())?;
                    }
                }
                Piece::QueryAll(name, form) => {
                    for (i, value) in query_values(report, name, *form).enumerate() {
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

/// The values of query parameter `name` (matched decoded), decoded or as written.
fn query_values<'a>(
    report: &Report<'a>,
    name: &'a str,
    form: Form,
) -> Box<dyn Iterator<Item = Cow<'a, str>> + 'a> {
    match form {
        Form::Decoded => Box::new(report.query_values(name)),
        Form::Encoded => Box::new(
            report
                .query
                .raw()
                .filter(move |(k, _)| form_decode_lossy(k) == name)
                .map(|(_, v)| Cow::Borrowed(v)),
        ),
    }
}

fn write_field(field: Field, r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let text: &str = match field {
        Field::Href => r.href,
        Field::HrefUnicode => return out.write_all(r.href_unicode().as_bytes()),
        Field::HostIdn => return out.write_all(r.host_unicode_with_port().as_bytes()),
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
    fn trurl_modifiers() {
        let u = "https://u@xn--bcher-kva.example:8443/a%20b/c?k=x%20y&k=2#f";
        assert_eq!(
            fill("{puny:host} {idn:host} {idn:hostname} {puny:hostname}", u),
            "xn--bcher-kva.example:8443 bücher.example:8443 bücher.example xn--bcher-kva.example\n"
        );
        assert_eq!(
            fill("{idn:url}", u),
            "https://u@bücher.example:8443/a%20b/c?k=x%20y&k=2#f\n"
        );
        assert_eq!(
            fill(
                "{segment:0}|{url:segment:0}|{query:k}|{url:query:k}|{url:query-all:k}",
                u
            ),
            "a b|a%20b|x y|x%20y|x%20y\n2\n"
        );
        assert_eq!(
            fill(
                "{url:path} {url:host_unicode} {host_unicode}",
                "http://bücher.example/é"
            ),
            "/%C3%A9 xn--bcher-kva.example bücher.example\n"
        );
        assert_eq!(
            fill("{default:port} {port}", "https://example.com/"),
            "443 \n"
        );
        assert_eq!(
            fill("{idn:url}", "http://example.com/"),
            "http://example.com/\n"
        );
        for bad in ["{url:nope}", "{puny:path}", "{idn:}", "{default:host}"] {
            assert!(bad.parse::<Template>().is_err(), "{bad}");
        }
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
