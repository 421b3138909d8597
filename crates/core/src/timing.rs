//! Timing helpers: phases measured with a monotonic clock, shown in milliseconds.

use std::time::{Duration, Instant};

/// Milliseconds with microsecond precision, as shown in tables and JSON.
pub fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// A clock started at the beginning of a run; phases are measured against it.
#[derive(Clone, Copy, Debug)]
pub struct Stopwatch {
    start: Instant,
}

impl Stopwatch {
    /// Start now.
    pub fn start() -> Self {
        Stopwatch {
            start: Instant::now(),
        }
    }

    /// The instant the clock started.
    pub fn started(&self) -> Instant {
        self.start
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Offset of `at` from the start, in milliseconds (0 if `at` is earlier).
    pub fn offset_ms(&self, at: Instant) -> f64 {
        millis(at.saturating_duration_since(self.start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_keeps_microseconds() {
        assert_eq!(millis(Duration::from_micros(1_234_567)), 1234.567);
        assert_eq!(millis(Duration::ZERO), 0.0);
    }

    #[test]
    fn offsets_never_go_negative() {
        let watch = Stopwatch::start();
        let earlier = watch.started() - Duration::from_millis(5);
        assert_eq!(watch.offset_ms(earlier), 0.0);
        assert!(watch.offset_ms(watch.started() + Duration::from_millis(2)) >= 2.0);
    }
}
