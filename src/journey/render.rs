//! Output: the narration, one numbered section per step, and the `--json`
//! object with one member per step.

use std::io;
use std::net::IpAddr;

use comfy_table::{Cell, CellAlignment};
use http_get::ClosedBy;
use netlens_core::{Ctx, ErrorOut, Failure, table};
use serde::Serialize;

use crate::journey::fetch::{Connection, Response};

use crate::journey::place::Placed;
use crate::journey::resolve::Trace;

/// The whole journey as one JSON object: a member per step done so far, and
/// `error` when a step failed.
#[derive(Serialize, Default)]
pub struct Story {
    /// The URL as given (password masked).
    pub input: String,
    /// With `--sandbox`: where its servers listen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<SandboxOut>,
    /// Step 1: url-parse's report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<serde_json::Value>,
    /// Step 2: the request message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestOut>,
    /// Step 3: the resolution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolve: Option<ResolveOut>,
    /// Step 4: the subnet view of the address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<Placed>,
    /// Step 5: the connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection: Option<ConnectionOut>,
    /// Step 6: the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
    /// Why the journey ended early.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorOut>,
}

/// The sandbox's servers.
#[derive(Serialize)]
pub struct SandboxOut {
    /// The port of every DNS server of the hierarchy.
    pub dns_port: u16,
    /// The root server's address (from the sandbox's root hints).
    pub root: String,
    /// The web server's address.
    pub web: String,
}

/// Step 2 in JSON.
#[derive(Serialize)]
pub struct RequestOut {
    /// The request line.
    pub request_line: String,
    /// The header lines as written, `[name, value]`.
    pub headers: Vec<[String; 2]>,
    /// The message as written (credentials masked), CRLFs included.
    pub message: String,
    /// Its size.
    pub bytes: usize,
}

impl RequestOut {
    /// The JSON of a message and its head's lines.
    pub fn of(message: &[u8], head_lines: &[String]) -> RequestOut {
        let mut lines = head_lines.iter().cloned();
        let request_line = lines.next().unwrap_or_default();
        let headers = lines
            .filter_map(|line| {
                let (name, value) = line.split_once(':')?;
                Some([name.to_string(), value.trim_start().to_string()])
            })
            .collect();
        RequestOut {
            request_line,
            headers,
            message: String::from_utf8_lossy(message).into_owned(),
            bytes: message.len(),
        }
    }
}

/// Step 3 in JSON.
#[derive(Serialize)]
pub struct ResolveOut {
    /// Whether DNS was skipped (the host is an address).
    pub skipped: bool,
    /// Why it was skipped, or where the iteration started.
    pub note: String,
    /// The traces: A, then AAAA (dns-lookup's `--trace --json` objects).
    pub traces: Vec<Trace>,
    /// The addresses found, in the order they are tried.
    pub addresses: Vec<IpAddr>,
}

/// Step 5 in JSON.
#[derive(Serialize)]
pub struct ConnectionOut {
    /// With `--sandbox`: the address the name resolved to, and where the
    /// sandbox serves it from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sandbox_serves: Option<Serves>,
    /// The connection itself.
    #[serde(flatten)]
    pub connection: Connection,
}

/// The sandbox's stand-in for a resolved address.
#[derive(Serialize)]
pub struct Serves {
    /// The address the name resolved to.
    pub address: IpAddr,
    /// The loopback address actually connected to.
    pub from: String,
    /// What the address is, from subnet-calc (`documentation address (RFC 5737)`).
    pub kind: String,
}

impl Story {
    /// Record `error` as the reason the story ends here.
    pub fn fail(&mut self, error: &dyn Failure) {
        self.error = Some(ErrorOut::of(error));
    }
}

/// A numbered section heading (bold on a terminal).
pub fn heading(ctx: &mut Ctx, n: u8, title: &str, tool: &str) -> io::Result<()> {
    let line = format!("{n}. {title}  ({tool})");
    if ctx.color() {
        writeln!(ctx.out(), "\n\x1b[1m{line}\x1b[0m")
    } else {
        writeln!(ctx.out(), "\n{line}")
    }
}

/// Step 2: the message, line by line, and its size.
pub fn request(ctx: &mut Ctx, message: &[u8], lines: &[String]) -> io::Result<()> {
    let out = ctx.out();
    for line in lines {
        writeln!(out, "  {line}")?;
    }
    let masked = lines.iter().any(|l| l.ends_with("****"));
    let note = if masked {
        "; the credentials are masked here, sent in full"
    } else {
        ""
    };
    writeln!(
        out,
        "  (an empty line ends the head: {} bytes in all, no body{note})",
        message.len()
    )
}

/// Step 3: every trace as dns-lookup prints it, then the addresses.
pub fn traces(ctx: &mut Ctx, traces: &[Trace]) -> io::Result<()> {
    let out = ctx.out();
    for trace in traces {
        match trace {
            Trace::Done(report) => dns_lookup::write_report(out, report, false)?,
            Trace::Failed {
                query,
                steps,
                error,
            } => {
                dns_lookup::write_failed_trace(out, query, steps)?;
                writeln!(out, ";; failed: {}", error.message)?;
            }
        }
    }
    Ok(())
}

/// Step 4: the note, then subnet-calc's tables.
pub fn place(ctx: &mut Ctx, placed: &Placed) -> io::Result<()> {
    writeln!(ctx.out(), "{}", placed.note)?;
    subnet_calc::render::info(ctx, &placed.info)
}

/// Step 5: where the socket goes, then the phases of the connection as a table.
pub fn connection(ctx: &mut Ctx, out: &ConnectionOut, request_line: &str) -> io::Result<()> {
    let c = &out.connection;
    if let Some(serves) = &out.sandbox_serves {
        writeln!(
            ctx.out(),
            "the sandbox serves {} from {}:\n  {} is a {} where nothing listens,\n  \
             so the socket goes to the sandbox web server; the request stays the one for the URL",
            serves.address,
            serves.from,
            serves.address,
            serves.kind
        )?;
    }
    writeln!(
        ctx.out(),
        "socket {} -> {}: local port {} is ephemeral, picked by the kernel",
        c.local_addr,
        c.remote_addr,
        c.local_port
    )?;
    let (d, at) = (&c.timings_ms.phases, &c.offsets_ms.phases);
    let mut rows: Vec<(&str, String, f64, f64)> = vec![(
        "connect",
        "TCP three-way handshake".to_string(),
        d.connect,
        at.connect,
    )];
    if let (Some(tls), Some(ms), Some(end)) = (&c.tls, d.tls, at.tls) {
        rows.push((
            "tls",
            format!(
                "{} {}, ALPN {}",
                tls.version,
                tls.cipher,
                tls.alpn.as_deref().unwrap_or("none")
            ),
            ms,
            end,
        ));
    }
    rows.push((
        "write",
        format!("{} bytes: {request_line}", c.bytes_written),
        d.request,
        at.request,
    ));
    rows.push((
        "wait",
        "the first byte of the response".to_string(),
        d.first_byte,
        at.first_byte,
    ));
    rows.push((
        "read",
        format!("{} bytes: head, body, framing", c.bytes_read),
        d.body,
        at.body,
    ));
    let who = match c.closed_by {
        ClosedBy::Server => "the server closed first",
        ClosedBy::Client => "journey closed it after the body",
    };
    rows.push((
        "total",
        "socket to the body's end".to_string(),
        d.total,
        at.total,
    ));
    let close = (c.timings_ms.close, c.offsets_ms.close);
    rows.push(("close", who.to_string(), close.0, close.1));
    let color = ctx.color();
    let mut table = table::new(&["phase", "what happened", "ms", "at ms"], color);
    for (phase, what, ms, end) in rows {
        table.add_row(vec![
            Cell::new(phase),
            Cell::new(what),
            Cell::new(format!("{ms:.3}")).set_alignment(CellAlignment::Right),
            Cell::new(format!("{end:.3}")).set_alignment(CellAlignment::Right),
        ]);
    }
    writeln!(ctx.out(), "{table}")
}

/// Step 6: the status line and headers as received, and the body's size.
pub fn response(ctx: &mut Ctx, response: &Response) -> io::Result<()> {
    let out = ctx.out();
    writeln!(out, "  {}", response.status_line)?;
    for [name, value] in &response.headers {
        writeln!(out, "  {name}: {value}")?;
    }
    let kind = response
        .content_type
        .as_deref()
        .map_or(String::new(), |t| format!(" of {t}"));
    writeln!(
        out,
        "  (head {} bytes; body {} bytes{kind}, not shown: `netlens get URL` prints it)",
        response.head_bytes, response.body_bytes
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_json_splits_the_head() {
        let lines = ["GET / HTTP/1.1", "Host: h.test", "Accept: */*"].map(String::from);
        let out = RequestOut::of(
            b"GET / HTTP/1.1\r\nHost: h.test\r\nAccept: */*\r\n\r\n",
            &lines,
        );
        assert_eq!(out.request_line, "GET / HTTP/1.1");
        assert_eq!(out.headers[0], ["Host".to_string(), "h.test".to_string()]);
        assert_eq!(out.headers.len(), 2);
        assert_eq!(out.bytes, 45);
    }
}
