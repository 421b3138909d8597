//! `--retry N`: transient failures retried as curl does — a timeout, a
//! refused or broken connection, or a status of 408, 429, 500, 502, 503 or
//! 504. The wait before each retry is the server's `Retry-After` (seconds or
//! an HTTP date), else `--retry-delay`, else 1 s doubling after each retry;
//! no retry starts past `--retry-max-time`. A response that will be retried
//! is not written; a failed attempt's `-o` file is dropped and the next
//! attempt starts it afresh; nothing is retried once body bytes went to stdout.
//!
//! See: RFC 9110 §10.2.3 (Retry-After), §15.5.9, §15.5.20, §15.6 (the statuses).

use std::time::{Duration, Instant, SystemTime};

use netlens_core::timing::millis;
use serde::Serialize;

use crate::error::Error;

/// The first wait when neither the server nor `--retry-delay` says.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest wait of the doubling backoff (curl's).
const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// The retry settings of a run.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Retry {
    /// Retries at most (`--retry`).
    pub retries: u32,
    /// The wait between retries (`--retry-delay`).
    pub delay: Option<Duration>,
    /// No retry past this long after the first attempt (`--retry-max-time`).
    pub max_time: Option<Duration>,
}

/// One attempt, as `--json` lists them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Attempt {
    /// The status answered, if a response came.
    pub status: Option<u16>,
    /// Why the attempt failed, if it did.
    pub error: Option<String>,
    /// When it ended, from the start of the first attempt.
    pub elapsed_ms: f64,
}

/// Where the retries of one URL stand.
pub(crate) struct Attempts {
    retry: Retry,
    started: Instant,
    backoff: Duration,
    /// The attempts so far.
    pub list: Vec<Attempt>,
}

impl Attempts {
    /// Retries of `retry` for a URL whose first attempt starts now.
    pub fn new(retry: Retry) -> Attempts {
        Attempts {
            retry,
            started: Instant::now(),
            backoff: FIRST_BACKOFF,
            list: Vec::new(),
        }
    }

    /// Retries left after the attempts so far.
    pub fn left(&self) -> u32 {
        self.retry.retries.saturating_sub(self.list.len() as u32)
    }

    /// The wait before the next attempt, if one may start: a retry is left,
    /// and the wait (the server's `retry_after` first) ends within
    /// `--retry-max-time`.
    pub fn next_wait(&self, retry_after: Option<Duration>) -> Option<Duration> {
        if self.left() == 0 {
            return None;
        }
        let wait = retry_after.or(self.retry.delay).unwrap_or(self.backoff);
        let ends = self.started.elapsed() + wait;
        match self.retry.max_time {
            Some(max) if ends > max => None,
            _ => Some(wait),
        }
    }

    /// Note an attempt that ended with `status` or `error`.
    pub fn record(&mut self, status: Option<u16>, error: Option<String>) {
        self.list.push(Attempt {
            status,
            error,
            elapsed_ms: millis(self.started.elapsed()),
        });
    }

    /// Wait `wait` before the next attempt; the backoff doubles.
    pub async fn wait(&mut self, wait: Duration) {
        tokio::time::sleep(wait).await;
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
    }
}

/// Whether a response with `status` is worth retrying.
pub(crate) fn transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// A response asking for fewer requests: 429 Too Many Requests, or 503
/// Service Unavailable with a `Retry-After`.
///
/// See: RFC 6585 §4 (429), RFC 9110 §15.6.4 (503).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The server's `Retry-After`, if it gave one.
    pub retry_after: Option<Duration>,
}

/// The refusal in a response with `status` and `headers`, if it is one.
pub(crate) fn refusal(status: u16, headers: &http::HeaderMap) -> Option<Refusal> {
    let retry_after = headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(retry_after);
    match status {
        429 => Some(Refusal { retry_after }),
        503 if retry_after.is_some() => Some(Refusal { retry_after }),
        _ => None,
    }
}

/// Whether a failure is worth retrying: a timeout, a connection refused or broken.
pub(crate) fn transient_error(error: &Error) -> bool {
    matches!(
        error,
        Error::Timeout { .. } | Error::Connect { .. } | Error::Network { .. }
    )
}

/// A `Retry-After` value as a wait from now: seconds, or an HTTP date (a
/// date past is no wait).
pub(crate) fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(100));
        let wait = retry_after(&later).unwrap();
        assert!(wait > Duration::from_secs(90) && wait <= Duration::from_secs(100));
        assert_eq!(retry_after("soon"), None);
    }

    #[test]
    fn waits_back_off_and_stop_at_the_limits() {
        let mut attempts = Attempts::new(Retry {
            retries: 2,
            delay: None,
            max_time: Some(Duration::from_secs(30)),
        });
        assert_eq!(attempts.next_wait(None), Some(FIRST_BACKOFF));
        assert_eq!(
            attempts.next_wait(Some(Duration::from_secs(5))),
            Some(Duration::from_secs(5))
        );
        assert_eq!(attempts.next_wait(Some(Duration::from_secs(31))), None);
        attempts.backoff *= 2;
        attempts.record(Some(503), None);
        assert_eq!(attempts.next_wait(None), Some(Duration::from_secs(2)));
        attempts.record(None, Some("timeout".into()));
        assert_eq!(attempts.left(), 0);
        assert_eq!(attempts.next_wait(None), None);
        assert!(transient_status(503) && !transient_status(404));
        assert!(transient_error(&Error::Connect {
            to: "x".into(),
            reason: "refused".into()
        }));
        assert!(!transient_error(&Error::Protocol("bad".into())));
    }

    #[test]
    fn refusals_are_429_and_503_with_retry_after() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(refusal(429, &headers), Some(Refusal { retry_after: None }));
        assert_eq!(refusal(503, &headers), None);
        assert_eq!(refusal(500, &headers), None);
        headers.insert(http::header::RETRY_AFTER, "2".parse().unwrap());
        let two = Some(Refusal {
            retry_after: Some(Duration::from_secs(2)),
        });
        assert_eq!(refusal(503, &headers), two);
        assert_eq!(refusal(429, &headers), two);
        assert_eq!(refusal(200, &headers), None);
    }
}
