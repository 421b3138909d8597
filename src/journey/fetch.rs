//! Steps 5 to 7 in data: the socket (descriptor, ends, every write and read
//! into the receive buffer, who closed it), the response with its status
//! class, and the resources the page asked for next. The exchanges are
//! http-get's [`Visit`]: a connection kept open between requests when the
//! server allows it, as a browser keeps it.

use std::net::SocketAddr;

use http_get::{ClosedBy, Fetched, Phases, Socket, SysCall, TlsInfo};
use serde::Serialize;

/// The socket of the page's exchange, its whole life.
#[derive(Debug, Serialize)]
pub struct Connection {
    /// The descriptor number the OS returned for the socket (Unix).
    pub descriptor: Option<i32>,
    /// Our end: the kernel picked its port.
    pub local_addr: SocketAddr,
    /// The server's (or the proxy's) end.
    pub remote_addr: SocketAddr,
    /// The ephemeral port alone.
    pub ephemeral_port: u16,
    /// Every `write()`, in order.
    pub writes: Vec<SysCall>,
    /// Every `read()` into the receive buffer, in order (the last, 0 bytes,
    /// is the server's FIN seen as end of file, when it closed first).
    pub reads: Vec<SysCall>,
    /// The receive buffer's size: the room offered to each read.
    pub receive_buffer: usize,
    /// The bytes written, all writes together.
    pub bytes_written: usize,
    /// The bytes read, all reads together.
    pub bytes_read: usize,
    /// `server` (its FIN came first) or `client` (journey closed it).
    pub closed_by: Option<ClosedBy>,
    /// When `close()` returned, in milliseconds since the connection was begun.
    pub closed_ms: Option<f64>,
    /// The page exchange's phases, in milliseconds.
    pub timings_ms: Phases,
    /// When each phase of the page exchange ended.
    pub offsets_ms: Phases,
    /// The TLS session, for https.
    pub tls: Option<TlsInfo>,
    /// The proxy the socket went to (from `HTTP_PROXY`/`HTTPS_PROXY`), if any.
    pub proxy: Option<String>,
}

impl Connection {
    /// The connection of the page's exchange, as it was when it ended.
    pub fn of(page: &Fetched) -> Connection {
        let mut connection = Connection {
            descriptor: None,
            local_addr: page.summary.local_addr,
            remote_addr: page.summary.remote_addr,
            ephemeral_port: page.summary.local_addr.port(),
            writes: Vec::new(),
            reads: Vec::new(),
            receive_buffer: 0,
            bytes_written: 0,
            bytes_read: 0,
            closed_by: None,
            closed_ms: None,
            timings_ms: page.summary.timings_ms,
            offsets_ms: page.summary.offsets_ms,
            tls: page.summary.tls.clone(),
            proxy: page.proxy.clone(),
        };
        connection.update(&page.socket);
        connection
    }

    /// Bring the socket's account up to date (every read and write so far).
    pub fn update(&mut self, socket: &Socket) {
        self.descriptor = socket.descriptor;
        self.writes.clone_from(&socket.writes);
        self.reads.clone_from(&socket.reads);
        self.receive_buffer = socket.receive_buffer;
        self.bytes_written = socket.writes.iter().map(|c| c.bytes).sum();
        self.bytes_read = socket.reads.iter().map(|c| c.bytes).sum();
        self.closed_by = socket.closed_by;
        self.closed_ms = socket.closed_ms;
    }
}

/// The response to the page's request.
#[derive(Debug, Serialize)]
pub struct Response {
    /// The status line as received (`HTTP/1.1 200 OK`).
    pub status_line: String,
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: String,
    /// What the status class means (`2xx success: ...`).
    pub class: &'static str,
    /// The header fields, in order.
    pub headers: Vec<[String; 2]>,
    /// The response head's size on the wire.
    pub head_bytes: usize,
    /// The body's size as received.
    pub body_bytes: u64,
    /// The body's size once decoded (`Content-Encoding`), when kept.
    pub decoded_bytes: Option<usize>,
    /// The Content-Type, if any.
    pub content_type: Option<String>,
}

impl Response {
    /// The response of an exchange.
    pub fn of(fetched: &Fetched) -> Response {
        let head = String::from_utf8_lossy(&fetched.head);
        let summary = &fetched.summary;
        Response {
            status_line: head.lines().next().unwrap_or_default().to_string(),
            status: summary.status,
            reason: summary.reason.clone(),
            class: class(summary.status),
            headers: summary.headers.clone(),
            head_bytes: fetched.head.len(),
            body_bytes: summary.body_bytes,
            decoded_bytes: fetched.body.as_ref().map(Vec::len),
            content_type: summary.content_type.clone(),
        }
    }
}

/// What a status code's class means. See: RFC 9110 §15
pub fn class(status: u16) -> &'static str {
    match status / 100 {
        1 => "1xx informational: the request was received, the server goes on",
        2 => "2xx success: the request was received, understood and accepted",
        3 => "3xx redirection: the client must go elsewhere to complete it",
        4 => "4xx client error: the request is wrong, or cannot be served to this client",
        5 => "5xx server error: the server failed to answer a valid request",
        _ => "not a standard status class",
    }
}

/// One resource the page asked for next.
#[derive(Debug, Serialize)]
pub struct Resource {
    /// Its URL, resolved against the page's.
    pub url: String,
    /// The `Referer` sent: the page's URL.
    pub referer: String,
    /// The status code.
    pub status: u16,
    /// The Content-Type, if any.
    pub content_type: Option<String>,
    /// The body's size as received.
    pub body_bytes: u64,
    /// Whether it came over the page's connection (no new `socket()`/`connect()`).
    pub connection_reused: bool,
    /// The descriptor of the socket it came over.
    pub descriptor: Option<i32>,
    /// The ephemeral port of that socket.
    pub local_port: u16,
}

impl Resource {
    /// The account of a resource's exchange.
    pub fn of(url: String, referer: &str, fetched: &Fetched) -> Resource {
        Resource {
            url,
            referer: referer.to_string(),
            status: fetched.summary.status,
            content_type: fetched.summary.content_type.clone(),
            body_bytes: fetched.summary.body_bytes,
            connection_reused: fetched.reused,
            descriptor: fetched.socket.descriptor,
            local_port: fetched.socket.local_addr.port(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_is_explained() {
        assert!(class(101).starts_with("1xx"));
        assert!(class(204).starts_with("2xx"));
        assert!(class(301).starts_with("3xx"));
        assert!(class(404).starts_with("4xx"));
        assert!(class(503).starts_with("5xx"));
        assert_eq!(class(99), "not a standard status class");
    }
}
