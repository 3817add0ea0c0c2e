//! The retry policy: which failures are retried, and how long to wait before the next attempt.
//!
//! This module knows time and status codes only; the HTTP layer (`transport.rs`) asks it for a
//! decision after each failed attempt. The policy and its formula are documented on
//! [`RetryConfig`].

use std::time::{Duration, SystemTime};

/// How failed calls are retried.
///
/// The client holds one (see [`crate::core::client::ClientBuilder::retry`]); a single call can override it
/// (`.retries(…)` on the call). [`RetryConfig::none`] turns retries off.
///
/// What is retried: connection failures, read timeouts and the configured statuses (by default
/// 429, 500, 502, 503 and 504), for a whole unary call including the reading of its body; for an
/// event stream only until its response headers arrive with a success status. Once a stream has
/// started, nothing is retried: events cannot be taken back. Operations that create, delete or
/// upload something are retried only when the server surely did not act on the request (a
/// connection that could not be made, 429, 503), unless the call says `.retry_side_effects(true)`.
///
/// # The delay formula
///
/// Let `k` be the number of retries already made (0 before the first retry) and `u` a uniform
/// random number in `[0, 1)`.
///
/// 1. If the failed response carried a server hint, the delay is the hint, exactly (no jitter,
///    no cap): `retry-after-ms` (milliseconds, a non-negative decimal number) wins over
///    `Retry-After` (as RFC 9110 defines it: a non-negative integer of seconds, or an HTTP date,
///    counted from now). A hint of zero, or one that is not of these forms (`inf`, `1e400`, `-1`,
///    `1.5` seconds), counts as no hint; a hint longer than the budget left ends the retries at
///    once ([`GiveUpReason::RetryAfterBeyondBudget`](crate::core::retry::GiveUpReason)).
/// 2. Otherwise `delay = min(initial_interval × exponent^k + u × jitter, max_interval)`; the
///    jitter is added before the cap. Unless set with [`jitter`](Self::jitter), it is twice the
///    initial interval, at most one second.
/// 3. If waiting `delay` would end past `max_elapsed_time` (counted from the start of the first
///    attempt), no further attempt is made and the call fails with the last error: at once, not
///    after sleeping. The same holds for a per-call deadline.
///
/// With the defaults the waits are about 0.5, 0.75, 1.125, 1.69, 2.53 … seconds, each plus up to
/// one second of jitter, never more than 60 seconds, for at most one hour in all. These defaults
/// are those of FriendliAI's official SDKs for this API.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryConfig {
    enabled: bool,
    initial_interval: Duration,
    max_interval: Duration,
    exponent: f64,
    max_elapsed_time: Duration,
    /// `None`: the default, twice the initial interval but at most one second.
    jitter: Option<Duration>,
    retry_connection_errors: bool,
    status_codes: Vec<u16>,
    max_attempts: Option<u32>,
}

impl Default for RetryConfig {
    /// Exponential backoff from 500 ms by a factor of 1.5 up to 60 s, plus up to 1 s of jitter,
    /// for at most one hour; connection errors and the statuses 429, 500, 502, 503 and 504 are
    /// retried.
    fn default() -> Self {
        RetryConfig {
            enabled: true,
            initial_interval: Duration::from_millis(500),
            max_interval: Duration::from_secs(60),
            exponent: 1.5,
            max_elapsed_time: Duration::from_secs(3600),
            jitter: None,
            retry_connection_errors: true,
            status_codes: vec![429, 500, 502, 503, 504],
            max_attempts: None,
        }
    }
}

impl RetryConfig {
    /// No retries: every call makes exactly one attempt.
    pub fn none() -> Self {
        RetryConfig {
            enabled: false,
            ..RetryConfig::default()
        }
    }

    /// The wait before the first retry (default 500 ms).
    pub fn initial_interval(mut self, interval: Duration) -> Self {
        self.initial_interval = interval;
        self
    }

    /// The longest computed wait (default 60 s). Server hints are not capped.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// The factor between successive waits (default 1.5). Values below 1 are treated as 1.
    pub fn exponent(mut self, exponent: f64) -> Self {
        self.exponent = if exponent.is_finite() {
            exponent.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The time after which no new attempt starts, counted from the first (default 1 h).
    pub fn max_elapsed_time(mut self, time: Duration) -> Self {
        self.max_elapsed_time = time;
        self
    }

    /// The largest random amount added to each computed wait. By default it is twice the
    /// initial interval, at most one second: 1 s with the default 500 ms start (as FriendliAI's
    /// SDKs do), 200 ms with a 100 ms start, so that a short interval is not swamped by the
    /// jitter. Set here, it is used as given.
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = Some(jitter);
        self
    }

    /// The jitter in use (see [`jitter`](Self::jitter)).
    pub fn effective_jitter(&self) -> Duration {
        self.jitter.unwrap_or_else(|| {
            self.initial_interval
                .saturating_mul(2)
                .min(Duration::from_secs(1))
        })
    }

    /// Whether connection failures and read timeouts are retried (default true).
    pub fn retry_connection_errors(mut self, retry: bool) -> Self {
        self.retry_connection_errors = retry;
        self
    }

    /// The HTTP statuses that are retried (default 429, 500, 502, 503, 504).
    pub fn status_codes(mut self, codes: impl IntoIterator<Item = u16>) -> Self {
        self.status_codes = codes.into_iter().collect();
        self
    }

    /// At most this many attempts in all, the first included (default: no limit but time).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }

    /// Whether any retry can happen.
    pub fn is_enabled(&self) -> bool {
        self.enabled && self.max_attempts != Some(1)
    }

    /// The configured statuses.
    pub fn retried_statuses(&self) -> &[u16] {
        &self.status_codes
    }

    /// Whether connection failures are retried.
    pub fn retries_connection_errors(&self) -> bool {
        self.retry_connection_errors
    }

    /// The computed wait before retry number `retries + 1`, for a jitter draw `u` in `[0, 1)`
    /// (step 2 of the formula above).
    pub fn backoff(&self, retries: u32, u: f64) -> Duration {
        let base =
            self.initial_interval.as_secs_f64() * self.exponent.powi(retries.min(1000) as i32);
        let jitter = self.effective_jitter().as_secs_f64() * u.clamp(0.0, 1.0);
        let seconds = (base + jitter).min(self.max_interval.as_secs_f64());
        // Saturates: a huge interval (up to `Duration::MAX`) waits the cap, never panics.
        if seconds.is_finite() && seconds >= 0.0 {
            Duration::try_from_secs_f64(seconds).unwrap_or(self.max_interval)
        } else {
            self.max_interval
        }
    }
}

/// Statuses after which the server surely did not act on the request: a call with side effects
/// (creating, deleting, uploading) is retried on these only.
pub(crate) const NOT_ACTED_ON: [u16; 2] = [429, 503];

/// What failed in an attempt, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The server answered with this status.
    Status(u16),
    /// No connection could be made: the request surely did not reach the server.
    Connect,
    /// The connection failed after it was made, or the read timeout elapsed: the request may
    /// have reached the server.
    Connection,
    /// Anything else: never retried.
    Other,
}

/// The policy's answer after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Stop.
    GiveUp(GiveUpReason),
}

/// Why the retry policy stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GiveUpReason {
    /// The maximum elapsed time would be passed.
    ElapsedTimeExhausted,
    /// The server asked to wait longer than the time left.
    RetryAfterBeyondBudget,
    /// The last error is not one the policy retries.
    NotRetryable,
    /// The configured number of attempts was made.
    MaxAttemptsReached,
    /// The call's deadline would be passed.
    DeadlineReached,
}

/// The state of one call's retries.
#[derive(Debug)]
pub(crate) struct Backoff<'a> {
    config: &'a RetryConfig,
    retries: u32,
}

impl<'a> Backoff<'a> {
    pub(crate) fn new(config: &'a RetryConfig) -> Self {
        Backoff { config, retries: 0 }
    }

    /// Decides what to do after a failed attempt. `elapsed` runs from the start of the first
    /// attempt; `deadline_left` is the time left before the call's deadline, if it has one;
    /// `u` is a jitter draw in `[0, 1)`.
    pub(crate) fn decide(
        &mut self,
        failure: Failure,
        side_effects: bool,
        hint: Option<Duration>,
        elapsed: Duration,
        deadline_left: Option<Duration>,
        u: f64,
    ) -> Decision {
        use GiveUpReason::*;
        let config = self.config;
        let retryable = match failure {
            Failure::Status(code) => {
                config.status_codes.contains(&code)
                    && (!side_effects || NOT_ACTED_ON.contains(&code))
            }
            Failure::Connect => config.retry_connection_errors,
            Failure::Connection => config.retry_connection_errors && !side_effects,
            Failure::Other => false,
        };
        if !config.enabled || !retryable {
            return Decision::GiveUp(NotRetryable);
        }
        if let Some(max) = config.max_attempts
            && self.retries + 1 >= max
        {
            return Decision::GiveUp(MaxAttemptsReached);
        }
        let (delay, from_hint) = match hint.filter(|h| !h.is_zero()) {
            Some(hint) => (hint, true),
            None => (config.backoff(self.retries, u), false),
        };
        if elapsed.saturating_add(delay) > config.max_elapsed_time {
            return Decision::GiveUp(if from_hint {
                RetryAfterBeyondBudget
            } else {
                ElapsedTimeExhausted
            });
        }
        if let Some(left) = deadline_left
            && delay >= left
        {
            return Decision::GiveUp(DeadlineReached);
        }
        self.retries += 1;
        Decision::RetryAfter(delay)
    }
}

/// The server's retry hint: `retry-after-ms` (milliseconds) wins over `Retry-After` (seconds or an
/// HTTP date, relative to `now`). `None` when neither is present and valid, or when it is not
/// positive.
///
/// `Retry-After` is read as RFC 9110 §10.2.3 defines it: an HTTP-date, or `delay-seconds`, a
/// non-negative integer (`1*DIGIT`). Anything else (`inf`, `1e400`, `-1`, `1.5`, `+5`, `5 s`) is
/// no hint, so the policy's own backoff applies: a value that is not a hint must not be able to
/// switch retries off. `retry-after-ms` is not standardised; it is read as a non-negative decimal
/// number of milliseconds (`1500`, `2.5`), with no sign, exponent or name of infinity.
pub(crate) fn server_hint(
    retry_after_ms: Option<&str>,
    retry_after: Option<&str>,
    now: SystemTime,
) -> Option<Duration> {
    if let Some(ms) = retry_after_ms.and_then(|v| decimal(v.trim(), true))
        && ms > 0.0
    {
        return Some(saturating_secs(ms / 1000.0));
    }
    let value = retry_after?.trim();
    if let Some(seconds) = decimal(value, false) {
        return (seconds > 0.0).then(|| saturating_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    date.duration_since(now).ok().filter(|d| !d.is_zero())
}

/// `text` as a non-negative decimal number: digits, and when `fraction` allows it one `.` with
/// digits after it. Nothing else (no sign, exponent, space, `inf` or `nan`).
fn decimal(text: &str, fraction: bool) -> Option<f64> {
    let (whole, part) = match text.split_once('.') {
        Some((whole, part)) if fraction => (whole, Some(part)),
        Some(_) => return None,
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || part.is_some_and(|p| !digits(p)) {
        return None;
    }
    // Only digits and at most one dot: this parses; a number of more than 308 digits parses as
    // infinity, which is a valid (huge) number of seconds here: the largest finite one stands
    // for it, and saturates below.
    text.parse::<f64>().ok().map(|v| v.min(f64::MAX))
}

/// A number of seconds as a `Duration`; one too large for a `Duration` (a valid but huge integer)
/// saturates: it is beyond any budget, and the policy gives up with `RetryAfterBeyondBudget`.
fn saturating_secs(seconds: f64) -> Duration {
    Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn backoff_table() {
        let c = RetryConfig::default();
        // (retries so far, jitter draw, expected wait)
        let table = [
            (0, 0.0, ms(500)),
            (1, 0.0, ms(750)),
            (2, 0.0, ms(1125)),
            (3, 0.0, Duration::from_secs_f64(1.6875)),
            (4, 0.0, Duration::from_secs_f64(2.53125)),
            (0, 0.5, ms(1000)),
            (0, 0.999_999, Duration::from_secs_f64(0.5 + 0.999_999)),
            (11, 0.0, Duration::from_secs_f64(0.5 * 1.5f64.powi(11))),
            (12, 0.0, Duration::from_secs(60)),
            (500, 0.5, Duration::from_secs(60)),
        ];
        for (retries, u, expected) in table {
            let got = c.backoff(retries, u);
            let diff = got.as_secs_f64() - expected.as_secs_f64();
            assert!(
                diff.abs() < 1e-6,
                "retries {retries}, u {u}: got {got:?}, expected {expected:?}"
            );
        }
    }

    #[test]
    fn the_cap_applies_after_the_jitter() {
        let c = RetryConfig::default().max_interval(Duration::from_secs(1));
        assert_eq!(c.backoff(0, 0.4), Duration::from_millis(900));
        assert_eq!(c.backoff(0, 0.9), Duration::from_secs(1));
    }

    #[test]
    fn jitter_stays_within_its_bounds() {
        let c = RetryConfig::default().jitter(ms(250));
        for retries in 0..8 {
            let low = c.backoff(retries, 0.0);
            let high = c.backoff(retries, 0.999_999);
            assert!(high >= low);
            assert!(
                high - low <= ms(250),
                "retries {retries}: {low:?}..{high:?}"
            );
        }
        let none = RetryConfig::default().jitter(Duration::ZERO);
        assert_eq!(none.backoff(2, 0.7), ms(1125));
    }

    #[test]
    fn hints_win_and_are_not_capped_or_jittered() {
        let c = RetryConfig::default();
        let mut b = Backoff::new(&c);
        let d = b.decide(
            Failure::Status(429),
            false,
            Some(Duration::from_secs(90)),
            Duration::ZERO,
            None,
            0.9,
        );
        assert_eq!(d, Decision::RetryAfter(Duration::from_secs(90)));
        // A zero hint means "no hint".
        let d = b.decide(
            Failure::Status(429),
            false,
            Some(Duration::ZERO),
            Duration::ZERO,
            None,
            0.0,
        );
        assert_eq!(d, Decision::RetryAfter(ms(750)));
    }

    #[test]
    fn only_configured_failures_are_retried() {
        let c = RetryConfig::default();
        let mut b = Backoff::new(&c);
        assert_eq!(
            b.decide(Failure::Status(400), false, None, Duration::ZERO, None, 0.0),
            Decision::GiveUp(GiveUpReason::NotRetryable)
        );
        assert_eq!(
            b.decide(Failure::Other, false, None, Duration::ZERO, None, 0.0),
            Decision::GiveUp(GiveUpReason::NotRetryable)
        );
        assert!(matches!(
            b.decide(Failure::Connection, false, None, Duration::ZERO, None, 0.0),
            Decision::RetryAfter(_)
        ));
        let c = RetryConfig::default()
            .retry_connection_errors(false)
            .status_codes([418]);
        let mut b = Backoff::new(&c);
        assert_eq!(
            b.decide(Failure::Connection, false, None, Duration::ZERO, None, 0.0),
            Decision::GiveUp(GiveUpReason::NotRetryable)
        );
        assert!(matches!(
            b.decide(Failure::Status(418), false, None, Duration::ZERO, None, 0.0),
            Decision::RetryAfter(_)
        ));
        let c = RetryConfig::none();
        let mut b = Backoff::new(&c);
        assert_eq!(
            b.decide(Failure::Status(503), false, None, Duration::ZERO, None, 0.0),
            Decision::GiveUp(GiveUpReason::NotRetryable)
        );
    }

    #[test]
    fn the_budget_ends_retries_without_sleeping_past_it() {
        let c = RetryConfig::default().max_elapsed_time(Duration::from_secs(10));
        let mut b = Backoff::new(&c);
        assert_eq!(
            b.decide(
                Failure::Status(503),
                false,
                Some(Duration::from_secs(11)),
                Duration::ZERO,
                None,
                0.0
            ),
            Decision::GiveUp(GiveUpReason::RetryAfterBeyondBudget)
        );
        assert_eq!(
            b.decide(
                Failure::Status(503),
                false,
                None,
                Duration::from_millis(9_800),
                None,
                0.0
            ),
            Decision::GiveUp(GiveUpReason::ElapsedTimeExhausted)
        );
        assert_eq!(
            b.decide(
                Failure::Status(503),
                false,
                None,
                Duration::ZERO,
                Some(ms(100)),
                0.0
            ),
            Decision::GiveUp(GiveUpReason::DeadlineReached)
        );
    }

    #[test]
    fn max_attempts_counts_the_first_attempt() {
        let c = RetryConfig::default().max_attempts(3);
        let mut b = Backoff::new(&c);
        assert!(matches!(
            b.decide(Failure::Status(503), false, None, Duration::ZERO, None, 0.0),
            Decision::RetryAfter(_)
        ));
        assert!(matches!(
            b.decide(Failure::Status(503), false, None, Duration::ZERO, None, 0.0),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            b.decide(Failure::Status(503), false, None, Duration::ZERO, None, 0.0),
            Decision::GiveUp(GiveUpReason::MaxAttemptsReached)
        );
    }

    #[test]
    fn server_hints_parse_in_every_form() {
        let now = httpdate::parse_http_date("Sun, 22 Nov 2026 10:00:00 GMT").unwrap();
        assert_eq!(server_hint(Some("1500"), Some("9"), now), Some(ms(1500)));
        assert_eq!(
            server_hint(Some("2.5"), None, now),
            Some(Duration::from_micros(2500))
        );
        assert_eq!(
            server_hint(None, Some("3"), now),
            Some(Duration::from_secs(3))
        );
        // RFC 9110: delay-seconds is an integer, so a fraction is no hint.
        assert_eq!(server_hint(None, Some("0.25"), now), None);
        assert_eq!(
            server_hint(None, Some("Sun, 22 Nov 2026 10:00:07 GMT"), now),
            Some(Duration::from_secs(7))
        );
        // Dates in the past, zero, junk: no hint.
        assert_eq!(
            server_hint(None, Some("Sun, 22 Nov 2026 09:00:00 GMT"), now),
            None
        );
        assert_eq!(server_hint(Some("0"), Some("0"), now), None);
        assert_eq!(server_hint(Some("soon"), Some("later"), now), None);
        // An invalid retry-after-ms falls back to Retry-After.
        assert_eq!(
            server_hint(Some("-5"), Some("2"), now),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn calls_with_side_effects_are_retried_only_when_the_server_did_not_act() {
        let c = RetryConfig::default();
        for (failure, retried) in [
            (Failure::Connect, true),
            (Failure::Status(429), true),
            (Failure::Status(503), true),
            (Failure::Connection, false),
            (Failure::Status(500), false),
            (Failure::Status(502), false),
            (Failure::Status(504), false),
        ] {
            let mut b = Backoff::new(&c);
            let decision = b.decide(failure, true, None, Duration::ZERO, None, 0.0);
            assert_eq!(
                matches!(decision, Decision::RetryAfter(_)),
                retried,
                "{failure:?}: {decision:?}"
            );
            // Without side effects, every one of them is retried.
            let mut b = Backoff::new(&c);
            assert!(matches!(
                b.decide(failure, false, None, Duration::ZERO, None, 0.0),
                Decision::RetryAfter(_)
            ));
        }
    }

    #[test]
    fn hints_too_large_for_a_duration_end_the_retries_without_panicking() {
        let now = SystemTime::now();
        for (ms, secs) in [
            (None, Some("18446744073709551616")),
            (None, Some(&*"9".repeat(400))),
            (Some("100000000000000000000000000000000"), None),
        ] {
            let hint = server_hint(ms, secs, now);
            assert_eq!(hint, Some(Duration::MAX), "{ms:?} {secs:?}");
            let c = RetryConfig::default();
            let mut b = Backoff::new(&c);
            assert_eq!(
                b.decide(Failure::Status(503), false, hint, Duration::ZERO, None, 0.0),
                Decision::GiveUp(GiveUpReason::RetryAfterBeyondBudget)
            );
        }
    }

    #[test]
    fn hints_the_rfc_does_not_allow_are_no_hints() {
        let now = SystemTime::now();
        for value in [
            "inf", "-inf", "infinity", "Infinity", "1e400", "1e20", "1E3", "NaN", "nan", "-1",
            "-0", "+5", "1.5", "1.5abc", "1.", ".5", "0x10", "5 s", "5s", "1_000", "", " ", "٣",
        ] {
            assert_eq!(
                server_hint(None, Some(value), now),
                None,
                "Retry-After: {value:?}"
            );
        }
        for value in [
            "inf", "infinity", "1e400", "1e30", "NaN", "-5", "+5", "12ms", "1.", ".5", "1.2.3",
        ] {
            assert_eq!(
                server_hint(Some(value), None, now),
                None,
                "retry-after-ms: {value:?}"
            );
        }
        // Whitespace around a valid value is not part of it.
        assert_eq!(
            server_hint(None, Some(" 2 "), now),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn huge_configured_intervals_saturate() {
        let c = RetryConfig::default()
            .initial_interval(Duration::MAX)
            .max_interval(Duration::MAX)
            .jitter(Duration::MAX)
            .exponent(f64::MAX);
        for retries in [0, 1, 50, 1000] {
            assert_eq!(c.backoff(retries, 0.99), Duration::MAX);
        }
        let mut b = Backoff::new(&c);
        assert_eq!(
            b.decide(Failure::Status(503), false, None, Duration::ZERO, None, 0.5),
            Decision::GiveUp(GiveUpReason::ElapsedTimeExhausted)
        );
    }

    #[test]
    fn the_default_jitter_scales_with_a_shorter_interval_unless_set() {
        assert_eq!(
            RetryConfig::default().effective_jitter(),
            Duration::from_secs(1)
        );
        let short = RetryConfig::default().initial_interval(ms(100));
        assert_eq!(short.effective_jitter(), ms(200));
        // The worst wait before the first retry is then 300 ms, not 1.1 s.
        assert_eq!(short.backoff(0, 0.999_999_999), ms(300));
        let explicit = short.clone().jitter(Duration::from_secs(2));
        assert_eq!(explicit.effective_jitter(), Duration::from_secs(2));
        assert_eq!(
            RetryConfig::default()
                .initial_interval(Duration::from_secs(5))
                .effective_jitter(),
            Duration::from_secs(1)
        );
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// Whatever a server sends as its retry hints and status, and whatever the policy, the
        /// decision is made without a panic, and a hint beyond the budget is never slept on.
        #[test]
        fn no_server_bytes_can_panic_the_retry_decision(
            retry_after_ms in proptest::option::of(".{0,40}"),
            retry_after in proptest::option::of(proptest::prop_oneof![
                ".{0,40}",
                "[0-9eE.+-]{1,40}",
                "(inf|NaN|-inf|1e[0-9]{1,4}|[0-9]{18,25})",
            ]),
            status in 0u16..1000,
            side_effects: bool,
            elapsed_ms in 0u64..10_000_000,
            u in 0.0f64..1.0,
            initial in proptest::prop_oneof![
                proptest::strategy::Just(Duration::MAX),
                (0u64..u64::MAX).prop_map(Duration::from_nanos),
            ],
        ) {
            let hint = server_hint(retry_after_ms.as_deref(), retry_after.as_deref(), SystemTime::now());
            let config = RetryConfig::default().initial_interval(initial);
            let mut backoff = Backoff::new(&config);
            let elapsed = Duration::from_millis(elapsed_ms);
            let decision = backoff.decide(Failure::Status(status), side_effects, hint, elapsed, None, u);
            if let Decision::RetryAfter(delay) = decision {
                proptest::prop_assert!(elapsed.saturating_add(delay) <= Duration::from_secs(3600));
            }
        }
    }
}
