//! Output: the narration, one numbered section per step, and the `--json`
//! object with one member per step.

use std::io;
use std::net::IpAddr;

use http_get::ClosedBy;
use netlens_core::{Ctx, ErrorOut, Failure};
use serde::Serialize;

use crate::journey::fetch::{Connection, Resource, Response};
use crate::journey::stub::StubOut;

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
    /// Step 7: what the page asked for next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<Resource>>,
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
    /// The stub resolver's question (A) and the nearest DNS server's reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stub: Option<StubOut>,
    /// What the recursive DNS server did behind it (the sandbox's server).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recursive: Option<RecursiveOut>,
    /// Without `--sandbox`: dns-lookup's traces from the root, A then AAAA.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub traces: Vec<Trace>,
    /// Step 7's second look-up of a host, answered from the server's cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub again: Option<Lookup>,
    /// The addresses found, in the order they are tried.
    pub addresses: Vec<IpAddr>,
}

/// The recursive server's work for the stub's questions.
#[derive(Serialize, Default, Clone)]
pub struct RecursiveOut {
    /// Its resolver's steps: questions to authoritative servers, cache hits.
    pub steps: Vec<dns_lookup::Step>,
    /// How many steps its cache answered.
    pub cache_hits: usize,
    /// Whether its final answer came from its cache.
    pub answered_from_cache: bool,
}

/// A look-up: the stub's question and the server's work for it.
#[derive(Serialize, Clone)]
pub struct Lookup {
    /// The stub's question and the reply.
    pub stub: StubOut,
    /// The server's work.
    pub recursive: RecursiveOut,
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

/// Step 3: the stub's question and the reply, its records with their TTLs
/// (left in the server's cache when `from_cache`).
pub fn stub(ctx: &mut Ctx, stub: &StubOut, from_cache: bool) -> io::Result<()> {
    let out = ctx.out();
    writeln!(
        out,
        "the resolver (stub, as getaddrinfo) -> DNS server {}: {} {}? with RD=1 (recursion desired)",
        stub.server, stub.query.name, stub.query.rtype
    )?;
    writeln!(
        out,
        "reply in {:.3} ms: {}, AA={} (not authoritative: the server answers for others), RA={}",
        stub.elapsed_ms,
        stub.rcode,
        u8::from(stub.aa),
        u8::from(stub.ra)
    )?;
    let from = if from_cache {
        "from the DNS server's cache, TTL left"
    } else {
        "TTL"
    };
    for r in stub.answers.iter().chain(&stub.authority) {
        writeln!(
            out,
            "  {} {} {}  ({from} {} s)",
            r.name, r.rtype, r.data, r.ttl
        )?;
    }
    Ok(())
}

/// Step 3: the stub's question and the reply, then the server's walk,
/// indented as the work behind the one question.
pub fn lookup(ctx: &mut Ctx, lookup: &Lookup) -> io::Result<()> {
    let (stub_out, rec) = (&lookup.stub, &lookup.recursive);
    stub(ctx, stub_out, rec.answered_from_cache)?;
    let out = ctx.out();
    writeln!(
        out,
        "  what the DNS server did behind this one question ({}, {} from its cache):",
        plural(rec.steps.len(), "step"),
        rec.cache_hits
    )?;
    let mut walk = Vec::new();
    dns_lookup::write_failed_trace(&mut walk, &stub_out.query, &rec.steps)?;
    for line in String::from_utf8_lossy(&walk).lines().skip(1) {
        writeln!(out, "    {line}")?;
    }
    Ok(())
}

/// The end of step 3: the addresses found, in the order they are tried.
pub fn addresses(ctx: &mut Ctx, host: &str, addresses: &[IpAddr]) -> io::Result<()> {
    let list: Vec<String> = addresses.iter().map(IpAddr::to_string).collect();
    writeln!(ctx.out(), "addresses of {host}: {}", list.join(", "))
}

/// `1 step`, `2 steps`.
fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Step 5: the socket library's calls, each with its time.
pub fn connection(ctx: &mut Ctx, out: &ConnectionOut) -> io::Result<()> {
    let c = &out.connection;
    if let Some(serves) = &out.sandbox_serves {
        writeln!(
            ctx.out(),
            "the sandbox serves {} from {}: {} is a {} where nothing listens,\n  \
             so the socket goes to the sandbox web server; the request stays the one for the URL",
            serves.address,
            serves.from,
            serves.address,
            serves.kind
        )?;
    }
    if let Some(proxy) = &c.proxy {
        writeln!(
            ctx.out(),
            "a proxy is set (HTTP_PROXY/HTTPS_PROXY): the socket goes to {proxy}"
        )?;
    }
    let fd = c.descriptor.map_or("?".to_string(), |d| d.to_string());
    let (d, at) = (&c.timings_ms, &c.offsets_ms);
    let o = ctx.out();
    writeln!(
        o,
        "the browser hands the message to the protocol stack through the socket library:"
    )?;
    writeln!(
        o,
        "  socket()  -> descriptor {fd}: the number the OS returned; every later call names it"
    )?;
    writeln!(
        o,
        "  connect({fd}, {})  from {} (ephemeral port {}, chosen by the kernel)  {:.3} ms, at {:.3} ms",
        c.remote_addr,
        c.local_addr,
        c.ephemeral_port,
        d.connect.unwrap_or_default(),
        at.connect.unwrap_or_default()
    )?;
    if let (Some(tls), Some(ms)) = (&c.tls, d.tls) {
        writeln!(
            o,
            "  TLS handshake: {} {}, ALPN {}  {ms:.3} ms",
            tls.version,
            tls.cipher,
            tls.alpn.as_deref().unwrap_or("none")
        )?;
    }
    for w in &c.writes {
        writeln!(
            o,
            "  write({fd}, {} bytes)  at {:.3} ms",
            w.bytes, w.elapsed_ms
        )?;
    }
    writeln!(
        o,
        "  receive buffer: {} bytes offered to each read()",
        c.receive_buffer
    )?;
    for r in &c.reads {
        let what = if r.bytes == 0 {
            " = 0: end of file, the server's FIN"
        } else {
            ""
        };
        writeln!(
            o,
            "  read({fd}) -> {} bytes{what}  at {:.3} ms",
            r.bytes, r.elapsed_ms
        )?;
    }
    writeln!(
        o,
        "  {}, {} bytes in all",
        plural(c.reads.len(), "read() call"),
        c.bytes_read
    )
}

/// The end of step 5 (after step 7 when the connection was kept): close().
pub fn closed(ctx: &mut Ctx, c: &Connection) -> io::Result<()> {
    let fd = c.descriptor.map_or("?".to_string(), |d| d.to_string());
    let who = match c.closed_by {
        Some(ClosedBy::Server) => {
            "the server closed first: its FIN was seen as end of file, then journey closed"
        }
        Some(ClosedBy::Client) | None => "journey (the client) closed first; the server follows",
    };
    writeln!(
        ctx.out(),
        "\nclose({fd}) at {:.3} ms: {who}; {} in the socket's life, {} bytes",
        c.closed_ms.unwrap_or_default(),
        plural(c.reads.len(), "read() call"),
        c.bytes_read
    )
}

/// Step 6: the status line explained, headers as received, the body's size.
pub fn response(ctx: &mut Ctx, response: &Response) -> io::Result<()> {
    let out = ctx.out();
    writeln!(out, "  {}", response.status_line)?;
    writeln!(out, "  (status {}: {})", response.status, response.class)?;
    for [name, value] in &response.headers {
        writeln!(out, "  {name}: {value}")?;
    }
    let kind = response
        .content_type
        .as_deref()
        .map_or(String::new(), |t| format!(" of {t}"));
    let decoded = response
        .decoded_bytes
        .filter(|&n| n as u64 != response.body_bytes)
        .map_or(String::new(), |n| format!(", {n} decoded"));
    writeln!(
        out,
        "  (head {} bytes; body {} bytes{kind}{decoded})",
        response.head_bytes, response.body_bytes
    )
}

/// Step 7: one resource, as fetched.
pub fn resource(ctx: &mut Ctx, r: &Resource) -> io::Result<()> {
    let how = if r.connection_reused {
        format!(
            "over the same connection (descriptor {}, port {}): no new socket() or connect()",
            r.descriptor.unwrap_or(-1),
            r.local_port
        )
    } else {
        format!(
            "on a new socket (descriptor {}, ephemeral port {}): the server did not keep the connection open",
            r.descriptor.unwrap_or(-1),
            r.local_port
        )
    };
    writeln!(
        ctx.out(),
        "GET {}\n  Referer: {}\n  {how}\n  -> {} {}, {} bytes",
        r.url,
        r.referer,
        r.status,
        r.content_type.as_deref().unwrap_or("(no type)"),
        r.body_bytes
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
