//! The human reading of a URL: a table of its parts, what a browser makes of
//! them, and the request it would send.
//!
//! The human output never shows a password: it is masked in the table and in
//! the URL line.

use std::borrow::Cow;
use std::io::{self, Write};

use netlens_core::redact::MASK;
use netlens_core::table;

use crate::decode::percent_decode_lossy;
use crate::report::{HostKind, Report};

/// The URL as written, with the password masked.
pub fn masked_href<'a>(r: &Report<'a>) -> Cow<'a, str> {
    if r.password.is_empty() {
        return Cow::Borrowed(r.href);
    }
    Cow::Owned(format!(
        "{}//{}:{MASK}@{}{}{}{}",
        r.protocol, r.username, r.host, r.pathname, r.search, r.hash
    ))
}

/// Write the human reading of one URL.
pub fn human(r: &Report<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let reading = decoded(r, color, out)?;
    if !reading.request.is_empty() {
        writeln!(out, "Request (as http-get would send it):")?;
        for line in &reading.request {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}

/// Write the URL, its table of components and the browser's reading of it,
/// but not the request lines (`netlens journey` shows the whole message that
/// http-get builds instead). Returns the reading, request lines included.
pub fn decoded(r: &Report<'_>, color: bool, out: &mut dyn Write) -> io::Result<Reading> {
    writeln!(out, "{}", masked_href(r))?;
    writeln!(out, "{}", components(r, color))?;
    let reading = reading(r);
    if !reading.notes.is_empty() {
        writeln!(out, "{}:", reading.title)?;
        for note in &reading.notes {
            writeln!(out, "  {note}")?;
        }
    }
    Ok(reading)
}

/// The table of components.
fn components(r: &Report<'_>, color: bool) -> comfy_table::Table {
    let mut rows: Vec<(&str, String)> = Vec::new();
    let special = crate::parse::is_special(r.scheme);
    let kind = if special { "special" } else { "not special" };
    rows.push(("scheme", format!("{} ({kind})", r.scheme)));
    if !r.username.is_empty() {
        rows.push(("username", r.username.to_string()));
    }
    if !r.password.is_empty() {
        rows.push(("password", format!("{MASK} (masked)")));
    }
    if let Some(host_kind) = r.host_kind {
        rows.push(("host", format!("{} ({})", r.hostname, host_kind.describe())));
        if let Some(unicode) = &r.host_unicode
            && unicode != r.hostname
        {
            rows.push(("host (Unicode)", unicode.to_string()));
        }
        if let (Some(registrable), Some(sub)) = (r.registrable_domain, r.subdomain) {
            rows.push(("registrable domain", registrable.to_string()));
            if !sub.is_empty() {
                rows.push(("subdomain", sub.to_string()));
            }
        }
    }
    match (r.port.is_empty(), r.effective_port) {
        (false, _) => rows.push(("port", format!("{} (explicit)", r.port))),
        (true, Some(port)) => rows.push(("port", format!("{port} (the default for {})", r.scheme))),
        (true, None) => {}
    }
    match (r.directory, r.file) {
        (Some(directory), Some(file)) => {
            rows.push(("path", r.pathname.to_string()));
            rows.push(("directory", directory.to_string()));
            let file = if file.is_empty() {
                "(none)".to_string()
            } else {
                decoded_if_different(file)
            };
            rows.push(("file", file));
        }
        _ => rows.push(("path (opaque)", decoded_if_different(r.pathname))),
    }
    if !r.query.is_empty() {
        let pairs: Vec<String> = r.query.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        rows.push(("query", pairs.join("\n")));
    } else if r.search == "?" {
        rows.push(("query", "(empty)".to_string()));
    }
    if !r.hash.is_empty() {
        rows.push(("fragment", decoded_if_different(&r.hash[1..])));
    }
    rows.push(("origin", r.origin.to_string()));
    table::key_value(rows, color)
}

/// `text`, followed by its percent-decoded form when that differs.
fn decoded_if_different(text: &str) -> String {
    match percent_decode_lossy(text) {
        Cow::Owned(decoded) if decoded != text => format!("{text} (decoded: {decoded})"),
        _ => text.to_string(),
    }
}

/// The browser's reading of a URL: notes, and the request lines if any.
pub struct Reading {
    /// The heading of the notes (`Reading (FTP)`...).
    pub title: &'static str,
    /// What a browser makes of the URL, one note per line.
    pub notes: Vec<String>,
    /// The request line and headers it would send (http, https, ws, wss).
    pub request: Vec<String>,
}

fn reading(r: &Report<'_>) -> Reading {
    let mut reading = Reading {
        title: "Reading",
        notes: Vec::new(),
        request: Vec::new(),
    };
    match r.scheme {
        "http" | "https" => web(r, &mut reading),
        "ws" | "wss" => websocket(r, &mut reading),
        "ftp" => ftp(r, &mut reading),
        "file" => file(r, &mut reading),
        "mailto" => mailto(r, &mut reading),
        "data" => data(r, &mut reading),
        other => {
            reading.notes.push(format!(
                "{other}: is not a special scheme: the host (if any) is opaque and the path \
                 is kept as written; what it means is up to the program that handles {other}: URLs"
            ));
        }
    }
    reading
}

/// Where the browser connects: host, kind and port.
fn connection_note(r: &Report<'_>) -> String {
    let how = match r.host_kind {
        Some(HostKind::Domain) => "a domain name, resolved through DNS",
        Some(HostKind::Ipv4) => "an IPv4 address: no DNS lookup",
        Some(HostKind::Ipv6) => "an IPv6 address: no DNS lookup",
        Some(HostKind::Opaque) | None => "a host",
    };
    let port = match (r.port.is_empty(), r.effective_port) {
        (false, _) => format!("port {} (explicit)", r.port),
        (true, Some(port)) => format!("port {port}, the default for {}", r.scheme),
        (true, None) => "no port".to_string(),
    };
    let tls = if matches!(r.scheme, "https" | "wss") {
        ", over TLS"
    } else {
        ""
    };
    format!("connects to {} ({how}) on {port}{tls}", r.hostname)
}

/// What the server is asked for: a file, or the default document.
fn document_note(r: &Report<'_>) -> Option<String> {
    let file = r.file?;
    Some(if file.is_empty() {
        format!(
            "asks for the directory {}: no file name, so the server answers with its \
             default document (e.g. index.html)",
            r.directory.unwrap_or("/")
        )
    } else {
        format!(
            "asks for {file} in {}: the path has no trailing /, so it is a file, or a \
             directory the server will redirect to",
            r.directory.unwrap_or("/")
        )
    })
}

/// Notes shared by every scheme that has a fragment or credentials.
fn common_notes(r: &Report<'_>, reading: &mut Reading, credentials: &str) {
    if !r.hash.is_empty() {
        reading.notes.push(format!(
            "the fragment {} stays in the browser: it is never sent to the server",
            r.hash
        ));
    }
    if !r.username.is_empty() || !r.password.is_empty() {
        reading.notes.push(credentials.to_string());
    }
}

fn web(r: &Report<'_>, reading: &mut Reading) {
    reading.notes.push(connection_note(r));
    reading.notes.extend(document_note(r));
    query_note(r, reading);
    common_notes(
        r,
        reading,
        "the user name and password become an Authorization: Basic header (the \
         pair in base64), not part of the request line; browsers ask before sending it",
    );
    if let Some(target) = &r.request_target {
        reading.request.push(format!("GET {target} HTTP/1.1"));
        reading.request.push(format!("Host: {}", r.host));
        if !r.username.is_empty() || !r.password.is_empty() {
            reading.request.push(format!("Authorization: Basic {MASK}"));
        }
    }
}

fn query_note(r: &Report<'_>, reading: &mut Reading) {
    let count = r.query.iter().count();
    if count > 0 {
        reading.notes.push(format!(
            "the query ({count} pair{}) is sent to the server with the path",
            if count == 1 { "" } else { "s" }
        ));
    }
}

fn websocket(r: &Report<'_>, reading: &mut Reading) {
    reading.title = "Reading (WebSocket)";
    reading.notes.push(connection_note(r));
    reading.notes.push(
        "opens a WebSocket: an HTTP/1.1 GET with an Upgrade handshake, then messages both ways"
            .to_string(),
    );
    common_notes(
        r,
        reading,
        "the user name and password become an Authorization: Basic header",
    );
    if let Some(target) = &r.request_target {
        reading.request.push(format!("GET {target} HTTP/1.1"));
        reading.request.push(format!("Host: {}", r.host));
        reading.request.push("Upgrade: websocket".to_string());
        reading.request.push("Connection: Upgrade".to_string());
    }
}

fn ftp(r: &Report<'_>, reading: &mut Reading) {
    reading.title = "Reading (FTP)";
    reading.notes.push(connection_note(r));
    let user = if r.username.is_empty() {
        "logs in as anonymous".to_string()
    } else {
        format!("logs in as {} (USER, then PASS {MASK})", r.username)
    };
    reading.notes.push(user);
    if let (Some(directory), Some(file)) = (r.directory, r.file) {
        reading.notes.push(if file.is_empty() {
            format!("changes to {directory} (CWD) and lists it (LIST)")
        } else {
            format!("changes to {directory} (CWD) and downloads {file} (RETR)")
        });
    }
}

fn file(r: &Report<'_>, reading: &mut Reading) {
    reading.title = "Reading (local file)";
    let path = percent_decode_lossy(r.pathname);
    match r.host_kind {
        None => reading
            .notes
            .push(format!("a file on this machine: {path}")),
        Some(_) => reading.notes.push(format!(
            "a file on the host {} (a network share, such as \\\\{}\\... on Windows): {path}",
            r.hostname, r.hostname
        )),
    }
    if r.file == Some("") {
        reading
            .notes
            .push("no file name: the browser lists the directory".to_string());
    }
}

fn mailto(r: &Report<'_>, reading: &mut Reading) {
    reading.title = "Reading (e-mail)";
    let to = percent_decode_lossy(r.pathname);
    if to.is_empty() {
        reading
            .notes
            .push("a new message with no recipient".to_string());
    } else {
        reading.notes.push(format!("a new message to {to}"));
    }
    for (name, value) in r.query.iter() {
        reading.notes.push(format!("header {name}: {value}"));
    }
}

fn data(r: &Report<'_>, reading: &mut Reading) {
    reading.title = "Reading (inline data)";
    let Some((meta, payload)) = r.pathname.split_once(',') else {
        reading
            .notes
            .push("no comma: not a valid data: URL (the browser shows an error)".to_string());
        return;
    };
    let (media, base64) = match meta.trim_end().strip_suffix(";base64") {
        Some(media) => (media, true),
        None => (meta, false),
    };
    let media = if media.trim().is_empty() {
        "text/plain;charset=US-ASCII (the default)".to_string()
    } else {
        percent_decode_lossy(media.trim()).into_owned()
    };
    reading
        .notes
        .push(format!("the content is in the URL itself: {media}"));
    let encoding = if base64 { "base64" } else { "percent-encoded" };
    reading.notes.push(format!(
        "{} characters of {encoding} payload; nothing is fetched",
        payload.len()
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn show(input: &str) -> String {
        let url = parse(input, None).unwrap();
        let mut out = Vec::new();
        human(&Report::new(&url), false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn http_reading_masks_the_password() {
        let text = show("http://user:password@www.cyber.co.kr:80/dir/file1.html");
        assert!(!text.contains("password@"), "{text}");
        assert!(text.contains("http://user:****@www.cyber.co.kr/dir/file1.html"));
        assert!(text.contains("80 (the default for http)"));
        assert!(text.contains("/dir/"));
        assert!(text.contains("file1.html"));
        assert!(text.contains("GET /dir/file1.html HTTP/1.1"));
        assert!(text.contains("Host: www.cyber.co.kr"));
        assert!(text.contains("Authorization"));
        assert!(text.contains("a directory the server will redirect to"));
    }

    #[test]
    fn decoded_leaves_the_request_out() {
        let url = parse("http://www.lab.glasscom.com/", None).unwrap();
        let mut out = Vec::new();
        let reading = decoded(&Report::new(&url), false, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("default document"), "{text}");
        assert!(!text.contains("GET /"), "{text}");
        assert_eq!(reading.request[0], "GET / HTTP/1.1");
    }

    #[test]
    fn default_document_and_ipv6_host() {
        let text = show("http://[::1]:8080/docs/?a=b%20c");
        assert!(
            text.contains("default document (e.g. index.html)"),
            "{text}"
        );
        assert!(text.contains("Host: [::1]:8080"));
        assert!(text.contains("a = b c"));
        assert!(text.contains("8080 (explicit)"));
    }

    #[test]
    fn idn_in_both_forms() {
        let text = show("https://faß.example/");
        assert!(text.contains("xn--fa-hia.example"));
        assert!(text.contains("faß.example"));
    }

    #[test]
    fn other_schemes_have_their_own_reading() {
        assert!(show("mailto:a@b.example?subject=Hi%20you").contains("header subject: Hi you"));
        assert!(show("ftp://ftp.example/pub/f.tgz").contains("downloads f.tgz (RETR)"));
        assert!(show("file:///etc/hosts").contains("a file on this machine: /etc/hosts"));
        assert!(show("data:text/plain;base64,SGk=").contains("base64"));
        assert!(show("wss://h.example/chat").contains("Upgrade: websocket"));
        assert!(show("urn:isbn:0451450523").contains("not a special scheme"));
    }
}
