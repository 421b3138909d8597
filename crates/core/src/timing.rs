//! Timing helpers: durations shown in milliseconds.

use std::time::Duration;

/// Milliseconds with microsecond precision, as shown in tables and JSON.
pub fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_keeps_microseconds() {
        assert_eq!(millis(Duration::from_micros(1_234_567)), 1234.567);
        assert_eq!(millis(Duration::ZERO), 0.0);
    }
}
