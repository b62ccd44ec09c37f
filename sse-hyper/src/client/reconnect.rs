//! When to reconnect, and when to give up: [`Reconnect`].

use core::time::Duration;
use std::hash::{BuildHasher, RandomState};

/// The reconnection policy of an [`EventSource`](super::EventSource): how
/// long to wait before each reconnection and when to give up.
///
/// The wait starts from the reconnection interval: the server's last
/// `retry:` when it sent one (rule D6), else [`with_interval`](Self::with_interval)'s
/// (3 s by default, as browsers do). The first reconnection after a
/// connection that received anything waits exactly that long, as a
/// browser's `EventSource` would. Each further attempt in a row doubles
/// the wait, up to [`with_max_delay`](Self::with_max_delay) (30 s by
/// default, or the server's interval if that is longer), and draws it at
/// random between half of that and all of it, never below the interval,
/// so that clients cut off together do not come back together.
///
/// It never gives up by default. [`with_max_attempts`](Self::with_max_attempts)
/// and [`with_max_elapsed`](Self::with_max_elapsed) bound the attempts in
/// a row, or the time since the connection was lost; an attempt whose
/// response arrived and sent any bytes ends the run.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sse_hyper::client::Reconnect;
///
/// // Wait 1 s (or the server's `retry:`), at most 10 s between attempts,
/// // and give up after 2 minutes without a working connection.
/// let policy = Reconnect::new()
///     .with_interval(Duration::from_secs(1))
///     .with_max_delay(Duration::from_secs(10))
///     .with_max_elapsed(Duration::from_secs(120));
/// assert_eq!(policy.interval(), Duration::from_secs(1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Reconnect {
    interval: Duration,
    max_delay: Duration,
    jitter: bool,
    max_attempts: Option<u32>,
    max_elapsed: Option<Duration>,
}

impl Default for Reconnect {
    fn default() -> Self {
        Self::new()
    }
}

impl Reconnect {
    /// The default interval, used until the server sends a `retry:`.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(3);

    /// The default longest wait between two attempts.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(30);

    /// The default policy: 3 s, doubling up to 30 s with jitter, forever.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::Reconnect;
    ///
    /// let policy = Reconnect::new();
    /// assert_eq!(policy.interval(), Reconnect::DEFAULT_INTERVAL);
    /// assert_eq!(policy.max_attempts(), None);
    /// ```
    pub const fn new() -> Self {
        Self {
            interval: Self::DEFAULT_INTERVAL,
            max_delay: Self::DEFAULT_MAX_DELAY,
            jitter: true,
            max_attempts: None,
            max_elapsed: None,
        }
    }

    /// A policy that never reconnects: the first connection lost ends the
    /// stream with an error of kind
    /// [`GaveUp`](super::ErrorKind::GaveUp).
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::Reconnect;
    ///
    /// assert_eq!(Reconnect::never().max_attempts(), Some(0));
    /// ```
    pub const fn never() -> Self {
        Self::new().with_max_attempts(0)
    }

    /// Sets the reconnection interval used until the server sends a
    /// `retry:` field.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sse_hyper::client::Reconnect;
    ///
    /// let policy = Reconnect::new().with_interval(Duration::from_millis(500));
    /// assert_eq!(policy.interval(), Duration::from_millis(500));
    /// ```
    pub const fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sets the longest wait between two attempts; a server's `retry:`
    /// longer than it is still honoured.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sse_hyper::client::Reconnect;
    ///
    /// let policy = Reconnect::new().with_max_delay(Duration::from_secs(5));
    /// assert_eq!(policy.max_delay(), Duration::from_secs(5));
    /// ```
    pub const fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// Waits exactly the doubled interval (capped) before each attempt,
    /// with no random part: for tests, or a single client.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::Reconnect;
    ///
    /// let policy = Reconnect::new().without_jitter();
    /// # let _ = policy;
    /// ```
    pub const fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }

    /// Gives up after `attempts` reconnections in a row that got nothing:
    /// the next lost connection ends the stream with an error of kind
    /// [`GaveUp`](super::ErrorKind::GaveUp). `0` never reconnects.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::Reconnect;
    ///
    /// assert_eq!(Reconnect::new().with_max_attempts(5).max_attempts(), Some(5));
    /// ```
    pub const fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// Gives up when the next attempt would start more than `elapsed`
    /// after the connection was lost (the last one that received
    /// anything, or the start).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sse_hyper::client::Reconnect;
    ///
    /// let policy = Reconnect::new().with_max_elapsed(Duration::from_secs(60));
    /// assert_eq!(policy.max_elapsed(), Some(Duration::from_secs(60)));
    /// ```
    pub const fn with_max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = Some(elapsed);
        self
    }

    /// The interval used until the server sends a `retry:`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::Reconnect;
    ///
    /// assert_eq!(Reconnect::new().interval(), Reconnect::DEFAULT_INTERVAL);
    /// ```
    #[must_use]
    pub const fn interval(&self) -> Duration {
        self.interval
    }

    /// The longest wait between two attempts.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::Reconnect;
    ///
    /// assert_eq!(Reconnect::new().max_delay(), Reconnect::DEFAULT_MAX_DELAY);
    /// ```
    #[must_use]
    pub const fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// The most reconnections in a row, if bounded.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::Reconnect;
    ///
    /// assert_eq!(Reconnect::new().max_attempts(), None);
    /// ```
    #[must_use]
    pub const fn max_attempts(&self) -> Option<u32> {
        self.max_attempts
    }

    /// The longest time without a connection, if bounded.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::Reconnect;
    ///
    /// assert_eq!(Reconnect::new().max_elapsed(), None);
    /// ```
    #[must_use]
    pub const fn max_elapsed(&self) -> Option<Duration> {
        self.max_elapsed
    }

    /// The wait before attempt `attempt` (1 for the first in a row), from
    /// the server's interval if it sent one.
    pub(super) fn delay(&self, attempt: u32, server: Option<Duration>, rng: &mut Rng) -> Duration {
        let base = server.unwrap_or(self.interval);
        if attempt <= 1 {
            return base;
        }
        let cap = self.max_delay.max(base);
        let factor = 1_u32.checked_shl(attempt - 1).unwrap_or(u32::MAX);
        let nominal = base.saturating_mul(factor).min(cap);
        if !self.jitter {
            return nominal;
        }
        // "Equal jitter": between half the nominal wait and all of it,
        // never below the interval the server asked for.
        let low = (nominal / 2).max(base);
        low + (nominal - low).mul_f64(rng.fraction())
    }
}

/// A small random generator for the jitter (splitmix64), seeded from the
/// standard library's per-process random hash keys.
#[derive(Clone, Debug)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new() -> Self {
        Self(RandomState::new().hash_one(0x5eed_u64))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `[0, 1)`.
    #[allow(
        clippy::cast_precision_loss,
        reason = "53 bits fit an f64's mantissa exactly"
    )]
    fn fraction(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::{Reconnect, Rng};
    use core::time::Duration;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn the_first_attempt_waits_exactly_the_interval_the_server_asked_for() {
        let policy = Reconnect::new();
        let mut rng = Rng::new();
        assert_eq!(policy.delay(1, None, &mut rng), Reconnect::DEFAULT_INTERVAL);
        assert_eq!(policy.delay(1, Some(250 * MS), &mut rng), 250 * MS);
        // A server's interval longer than the cap is still honoured.
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(90)), &mut rng),
            Duration::from_secs(90)
        );
        assert_eq!(
            policy.delay(7, Some(Duration::from_secs(90)), &mut rng),
            Duration::from_secs(90)
        );
    }

    #[test]
    fn later_attempts_double_up_to_the_cap_with_jitter_never_below_the_interval() {
        let policy = Reconnect::new().with_max_delay(1000 * MS);
        let mut rng = Rng::new();
        for _ in 0..1000 {
            let second = policy.delay(2, Some(100 * MS), &mut rng);
            assert!((100 * MS..=200 * MS).contains(&second), "{second:?}");
            let fourth = policy.delay(4, Some(100 * MS), &mut rng);
            assert!((400 * MS..=800 * MS).contains(&fourth), "{fourth:?}");
            let late = policy.delay(u32::MAX, Some(100 * MS), &mut rng);
            assert!((500 * MS..=1000 * MS).contains(&late), "{late:?}");
        }
        let exact = policy.clone().without_jitter();
        assert_eq!(exact.delay(3, Some(100 * MS), &mut rng), 400 * MS);
        assert_eq!(exact.delay(40, Some(100 * MS), &mut rng), 1000 * MS);
        assert_eq!(exact.delay(40, None, &mut rng), 3000 * MS);
        assert_eq!(
            exact.delay(2, Some(Duration::ZERO), &mut rng),
            Duration::ZERO
        );
    }

    #[test]
    fn the_jitter_spreads() {
        let policy = Reconnect::new();
        let mut rng = Rng::new();
        let delays: std::collections::HashSet<_> =
            (0..100).map(|_| policy.delay(3, None, &mut rng)).collect();
        assert!(delays.len() > 50, "{}", delays.len());
    }
}
