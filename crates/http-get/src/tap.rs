//! The I/O tap between hyper and the socket: it passes every byte through and
//! records what `-v` and `-w` need — the bytes written (the request message
//! exactly as sent), the response head exactly as received, the instant of the
//! last write and of the first byte read, and whether the server closed first.
//!
//! Over HTTP/2 it follows the frames each way instead of a text head: the
//! request counts as written when the frame ending it is, and the response
//! starts with the first HEADERS frame on a stream (the server's SETTINGS,
//! sent before any request, are not a first byte).

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::frames::{Frame, FrameReader};

/// At most this much of the request is kept for `-v` (a large `-d @FILE` body
/// is sent whole but shown cut).
const KEEP_WRITTEN: usize = 64 * 1024;
/// At most this much of the response head is kept (hyper refuses larger heads).
const KEEP_HEAD: usize = 512 * 1024;
/// At most this many HTTP/2 frames are listed (a large body is many DATA frames).
const KEEP_FRAMES: usize = 200;
/// At most this many reads and writes are listed (all are counted).
const KEEP_CALLS: usize = 4096;

/// One read or write that completed on the stream.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    /// A write (`Sent`) or a read (`Received`).
    pub dir: Dir,
    /// The bytes it moved (0 for the read that saw the end of the stream).
    pub bytes: usize,
    /// When it completed.
    pub at: Instant,
}

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    /// Written by http-get.
    Sent,
    /// Read from the server.
    Received,
}

/// What the tap saw.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    /// The first bytes written (up to 64 KiB).
    pub written: Vec<u8>,
    /// Total bytes written.
    pub written_total: u64,
    /// When the last write (so far) completed.
    pub last_write: Option<Instant>,
    /// When the first byte arrived.
    pub first_read: Option<Instant>,
    /// The response bytes up to and including the blank line ending the head.
    pub head: Vec<u8>,
    /// Whether `head` ends with the blank line.
    pub head_complete: bool,
    /// Where the last head in `head` starts (after interim 1xx heads).
    pub head_start: usize,
    /// Total bytes read.
    pub read_total: u64,
    /// Whether the server closed its side (a read returned end of file).
    pub peer_closed: bool,
    /// HTTP/2 frames each way, in the order seen (the first [`KEEP_FRAMES`]).
    pub frames: Vec<(Dir, Frame)>,
    /// HTTP/2 frames seen but not kept in `frames`.
    pub frames_left_out: u64,
    /// Every read and write in the connection's life (the first
    /// [`KEEP_CALLS`]); left empty by [`snapshot`].
    pub calls: Vec<Call>,
    /// Reads that completed (end of stream included), and writes.
    pub read_calls: u64,
    /// Writes that completed.
    pub write_calls: u64,
    /// The room offered to the first read: the receive buffer's size.
    pub receive_buffer: usize,
}

impl Seen {
    /// Note one completed read or write.
    fn call(&mut self, dir: Dir, bytes: usize) {
        match dir {
            Dir::Sent => self.write_calls += 1,
            Dir::Received => self.read_calls += 1,
        }
        if self.calls.len() < KEEP_CALLS {
            self.calls.push(Call {
                dir,
                bytes,
                at: Instant::now(),
            });
        }
    }
}

impl Seen {
    /// The final response head (interim 1xx heads skipped), once whole.
    pub fn final_head(&self) -> Option<&[u8]> {
        self.head_complete
            .then(|| self.head.get(self.head_start..))
            .flatten()
            .filter(|head| !head.is_empty())
    }
}

/// A stream wrapper that records what passes through.
pub struct Tap<S> {
    inner: S,
    seen: Arc<Mutex<Seen>>,
    /// Frame readers for what is written and what is read, over HTTP/2.
    h2: Option<(FrameReader, FrameReader)>,
}

impl<S> Tap<S> {
    /// Wrap `inner` (speaking HTTP/2 if `h2`); the returned handle reads what
    /// the tap saw.
    pub fn new(inner: S, h2: bool) -> (Tap<S>, Arc<Mutex<Seen>>) {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let h2 = h2.then(|| (FrameReader::client(), FrameReader::server()));
        (
            Tap {
                inner,
                seen: Arc::clone(&seen),
                h2,
            },
            seen,
        )
    }
}

/// Note an HTTP/2 frame: kept for `-v`, and marking the request written and
/// the response's first byte.
fn note_frame(seen: &mut Seen, dir: Dir, frame: Frame) {
    match dir {
        Dir::Sent if frame.ends_message() => seen.last_write = Some(Instant::now()),
        Dir::Received if frame.is_header_block() => {
            seen.first_read.get_or_insert_with(Instant::now);
        }
        _ => {}
    }
    if seen.frames.len() < KEEP_FRAMES {
        seen.frames.push((dir, frame));
    } else {
        seen.frames_left_out += 1;
    }
}

/// A copy of what the tap has seen so far, but the reads and writes listed
/// (see [`calls`]): those of a long-lived connection are many, and an
/// exchange's printing needs none of them.
pub fn snapshot(seen: &Mutex<Seen>) -> Seen {
    record(seen, |seen| {
        let calls = std::mem::take(&mut seen.calls);
        let copy = seen.clone();
        seen.calls = calls;
        copy
    })
}

/// The reads and writes listed so far.
pub fn calls(seen: &Mutex<Seen>) -> Vec<Call> {
    record(seen, |seen| seen.calls.clone())
}

/// Start afresh for the next exchange on the same connection: what was
/// written and the response head are forgotten, the bytes read in all and
/// whether the server closed are kept.
pub fn rearm(seen: &Mutex<Seen>) {
    record(seen, |seen| {
        *seen = Seen {
            read_total: seen.read_total,
            peer_closed: seen.peer_closed,
            calls: std::mem::take(&mut seen.calls),
            read_calls: seen.read_calls,
            write_calls: seen.write_calls,
            receive_buffer: seen.receive_buffer,
            ..Seen::default()
        }
    });
}

fn record<T>(seen: &Mutex<Seen>, f: impl FnOnce(&mut Seen) -> T) -> T {
    f(&mut seen.lock().unwrap_or_else(PoisonError::into_inner))
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let room = buf.remaining();
        let this = &mut *self;
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &result {
            let got = &buf.filled()[before..];
            record(&this.seen, |seen| {
                if seen.read_calls == 0 {
                    seen.receive_buffer = room;
                }
                seen.call(Dir::Received, got.len());
                if got.is_empty() {
                    seen.peer_closed = true;
                    return;
                }
                seen.read_total += got.len() as u64;
                if let Some((_, reader)) = &mut this.h2 {
                    reader.feed(got, &mut |frame| note_frame(seen, Dir::Received, frame));
                    return;
                }
                seen.first_read.get_or_insert_with(Instant::now);
                if !seen.head_complete && seen.head.len() < KEEP_HEAD {
                    keep_head(seen, got);
                }
            });
        }
        result
    }
}

/// Append to the kept head, stopping after the blank line that ends it.
///
/// See: RFC 9112 §2.1 (the head ends with an empty line, CRLF CRLF).
fn keep_head(seen: &mut Seen, got: &[u8]) {
    let mut scan = seen.head.len().saturating_sub(3);
    seen.head.extend_from_slice(got);
    while let Some(at) = seen.head[scan..].windows(4).position(|w| w == b"\r\n\r\n") {
        let end = scan + at + 4;
        // A 1xx interim response is a head of its own; the final one follows.
        let this_head = &seen.head[seen.head_start..end];
        let is_interim =
            this_head.starts_with(b"HTTP/1.1 1") || this_head.starts_with(b"HTTP/1.0 1");
        if !is_interim {
            seen.head.truncate(end);
            seen.head_complete = true;
            return;
        }
        seen.head_start = end;
        scan = end;
    }
}

/// Note bytes written: kept (the first [`KEEP_WRITTEN`]), counted, and over
/// HTTP/2 followed frame by frame.
fn wrote(seen: &mut Seen, h2: &mut Option<(FrameReader, FrameReader)>, bytes: &[u8]) {
    let room = KEEP_WRITTEN.saturating_sub(seen.written.len());
    seen.written
        .extend_from_slice(&bytes[..bytes.len().min(room)]);
    seen.written_total += bytes.len() as u64;
    match h2 {
        Some((reader, _)) => reader.feed(bytes, &mut |frame| note_frame(seen, Dir::Sent, frame)),
        None => seen.last_write = Some(Instant::now()),
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &result {
            record(&this.seen, |seen| {
                seen.call(Dir::Sent, *n);
                wrote(seen, &mut this.h2, &buf[..*n]);
            });
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = &result {
            let mut left = *n;
            record(&this.seen, |seen| {
                seen.call(Dir::Sent, left);
                for buf in bufs {
                    if left == 0 {
                        break;
                    }
                    let take = left.min(buf.len());
                    wrote(seen, &mut this.h2, &buf[..take]);
                    left -= take;
                }
            });
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[test]
    fn records_writes_head_and_close() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client, mut server) = tokio::io::duplex(64);
            let (mut tap, seen) = Tap::new(client, false);
            tap.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
            let mut req = [0u8; 18];
            server.read_exact(&mut req).await.unwrap();
            server
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\nbody")
                .await
                .unwrap();
            drop(server);
            let mut rest = Vec::new();
            tap.read_to_end(&mut rest).await.unwrap();
            let seen = snapshot(&seen);
            assert_eq!(seen.written, b"GET / HTTP/1.1\r\n\r\n");
            assert_eq!(
                seen.head,
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\n"
            );
            assert!(seen.head_complete && seen.peer_closed);
            assert!(seen.first_read >= seen.last_write);
            assert_eq!(seen.read_total, rest.len() as u64);
        });
    }
}
