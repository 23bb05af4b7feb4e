//! Token buckets for per-connection rate limits.

use std::time::{Duration, Instant};

/// A token bucket: `rate` tokens per second, holding at most `burst`.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub(crate) fn new(rate: u32, burst: u32, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        TokenBucket {
            rate: f64::from(rate.max(1)),
            burst,
            tokens: burst,
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = now;
    }

    /// Takes one token if there is one.
    pub(crate) fn try_take(&mut self, now: Instant) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Takes one token, going into debt if needed; returns how long the caller should wait
    /// before acting so that the sustained rate is respected.
    pub(crate) fn take_or_wait(&mut self, now: Instant) -> Duration {
        self.refill(now);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_paces() {
        let t = Instant::now();
        let mut b = TokenBucket::new(10, 5, t);
        for _ in 0..5 {
            assert_eq!(b.take_or_wait(t), Duration::ZERO);
        }
        let wait = b.take_or_wait(t);
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-6, "{wait:?}");
        // After the wait the debt is paid.
        assert_eq!(
            b.take_or_wait(t + Duration::from_millis(300)),
            Duration::ZERO
        );
    }

    #[test]
    fn try_take_drops_excess() {
        let t = Instant::now();
        let mut b = TokenBucket::new(2, 2, t);
        assert!(b.try_take(t) && b.try_take(t));
        assert!(!b.try_take(t));
        assert!(b.try_take(t + Duration::from_millis(600)));
    }
}
