//! When a failed request is sent again, and how long the client waits first; the policy
//! is documented on [`RetryPolicy`].

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// How a client retries.
///
/// # The policy
///
/// * Retried statuses: 408, 409, 429, 500, 502, 503 and 504; and transport failures
///   (connection refused or reset, timeouts).
/// * **Non-idempotent requests** (POST, PATCH, such as `create_connection`) are retried only
///   when the server cannot have acted on them: the connection could not be established,
///   or the server answered 408 (it did not receive the whole request) or 429 (it refused
///   before doing anything). A POST whose connection broke after it was sent, or that got
///   a 5xx, is *not* repeated: the connection might already exist.
/// * Delays grow exponentially from 0.5 s, doubling each retry, capped at 8 s, minus up to
///   25 % random jitter so that many clients do not retry in step.
/// * `retry-after-ms` or `Retry-After` (seconds or an HTTP date) replaces that delay when
///   it asks for at most [`RetryPolicy::max_retry_after`] (60 s by default); a longer wait
///   is not honoured and the usual backoff applies.
/// * Two retries by default, settable per client ([`crate::ClientBuilder::retry_policy`])
///   and per request (`.max_retries(n)` on any request builder).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (so at most `max_retries + 1` requests).
    pub max_retries: u32,
    /// The delay before the first retry; it doubles with each further retry.
    pub base_delay: Duration,
    /// The longest computed delay.
    pub max_delay: Duration,
    /// The longest server-requested wait (`Retry-After`) the client honours.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The same policy with another retry count.
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The same policy with other backoff delays.
    pub fn with_delays(mut self, base_delay: Duration, max_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self.max_delay = max_delay;
        self
    }

    /// The same policy with another cap on server-requested waits.
    pub fn with_max_retry_after(mut self, max_retry_after: Duration) -> Self {
        self.max_retry_after = max_retry_after;
        self
    }

    /// The wait before retry number `retry` (1-based), given the failed response's headers.
    pub(crate) fn delay(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        if let Some(wait) = headers.and_then(retry_after)
            && wait <= self.max_retry_after
        {
            return wait;
        }
        let exponent = retry.saturating_sub(1).min(16);
        let full = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        full.mul_f64(1.0 - 0.25 * random_fraction())
    }
}

/// What happened to one attempt, as far as retrying is concerned.
pub(crate) enum Outcome {
    /// The server answered with this status.
    Status(StatusCode),
    /// No connection could be made: the request was never sent.
    ConnectFailed,
    /// The request may have reached the server (timeout, reset, broken body).
    SentThenFailed,
}

/// Whether an attempt with this outcome should be repeated.
pub(crate) fn should_retry(outcome: &Outcome, idempotent: bool) -> bool {
    match outcome {
        Outcome::ConnectFailed => true,
        Outcome::SentThenFailed => idempotent,
        Outcome::Status(status) if idempotent => is_retryable_status(*status),
        Outcome::Status(status) => matches!(status.as_u16(), 408 | 429),
    }
}

/// The statuses a retry may cure.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429 | 500 | 502 | 503 | 504)
}

/// `retry-after-ms: 250`, `Retry-After: 2` or `Retry-After: <HTTP date>`.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A number in [0, 1) that differs between calls and processes; jitter needs no more.
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let policy = RetryPolicy::default();
        for (retry, full) in [(1, 500), (2, 1000), (3, 2000), (5, 8000), (9, 8000)] {
            let d = policy.delay(retry, None).as_millis() as u64;
            assert!(d <= full && d >= full * 3 / 4, "retry {retry}: {d} ms");
        }
    }

    #[test]
    fn retry_after_in_its_three_spellings() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        h.insert("retry-after", HeaderValue::from_str(&soon).unwrap());
        let wait = retry_after(&h).unwrap();
        assert!(wait <= Duration::from_secs(30) && wait >= Duration::from_secs(28));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(250)));
        // Beyond the cap, the server's wait is not honoured.
        h.clear();
        h.insert("retry-after", HeaderValue::from_static("3600"));
        assert!(RetryPolicy::default().delay(1, Some(&h)) <= Duration::from_millis(500));
    }

    #[test]
    fn non_idempotent_requests_are_retried_only_when_nothing_was_done() {
        let s = |c| Outcome::Status(StatusCode::from_u16(c).unwrap());
        assert!(should_retry(&Outcome::ConnectFailed, false));
        assert!(!should_retry(&Outcome::SentThenFailed, false));
        assert!(should_retry(&Outcome::SentThenFailed, true));
        assert!(should_retry(&s(429), false) && should_retry(&s(408), false));
        for code in [409, 500, 502, 503, 504] {
            assert!(!should_retry(&s(code), false), "{code}");
            assert!(should_retry(&s(code), true), "{code}");
        }
        assert!(!should_retry(&s(404), true));
    }
}
