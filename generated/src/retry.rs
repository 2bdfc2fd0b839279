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
/// * Retries spend from a **retry budget** shared by all clones of a client
///   ([`RetryBudget`], on by default): when a service fails everything, the client stops
///   retrying after a bounded number of retries instead of multiplying its load by
///   `1 + max_retries`, and starts again as successes refill the budget.
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
    /// The client-wide retry budget; `None` retries every failure that qualifies, up to
    /// `max_retries` each, however many fail.
    pub budget: Option<RetryBudget>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            budget: Some(RetryBudget::default()),
        }
    }
}

/// A client-wide bucket of retry tokens, in the spirit of smithy-rs's standard retry
/// quota: every retry spends from it, successes put tokens back, and a failure that finds
/// too few tokens is returned at once, not retried
/// ([`crate::Error::retry_budget_exhausted`] says so).
///
/// With the defaults, a client whose every request fails retries at most
/// `capacity / retry_cost` = 100 times in all before it stops retrying; a healthy client
/// never runs short (each success refills, a success after retries refunds what they
/// spent). All clones of a [`crate::Client`] share one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryBudget {
    /// Tokens in a full bucket; a new client starts full.
    pub capacity: u32,
    /// What one retry costs.
    pub retry_cost: u32,
    /// What one retry after a timeout costs (timeouts tie up the server longest).
    pub timeout_retry_cost: u32,
    /// What a request that succeeded at its first attempt puts back.
    pub success_refill: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            capacity: 500,
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_refill: 1,
        }
    }
}

impl RetryBudget {
    /// A budget of `capacity` tokens with the default costs.
    pub fn with_capacity(capacity: u32) -> Self {
        RetryBudget {
            capacity,
            ..Self::default()
        }
    }

    /// The same budget with other costs per retry (plain, and after a timeout).
    pub fn with_costs(mut self, retry_cost: u32, timeout_retry_cost: u32) -> Self {
        self.retry_cost = retry_cost;
        self.timeout_retry_cost = timeout_retry_cost;
        self
    }

    /// The same budget with another refill per first-attempt success.
    pub fn with_success_refill(mut self, success_refill: u32) -> Self {
        self.success_refill = success_refill;
        self
    }
}

/// The tokens left of a [`RetryBudget`], shared by a client's clones.
#[derive(Debug)]
pub(crate) struct RetryTokens {
    budget: Option<RetryBudget>,
    left: std::sync::atomic::AtomicU32,
}

impl RetryTokens {
    pub(crate) fn new(budget: Option<RetryBudget>) -> Self {
        let left = budget.as_ref().map_or(0, |b| b.capacity);
        RetryTokens {
            budget,
            left: std::sync::atomic::AtomicU32::new(left),
        }
    }

    /// Takes what a retry after `outcome` costs; `None` when the bucket holds too few
    /// tokens (nothing is taken then). With no budget a retry is free.
    pub(crate) fn spend(&self, timed_out: bool) -> Option<u32> {
        use std::sync::atomic::Ordering;
        let Some(budget) = &self.budget else {
            return Some(0);
        };
        let cost = if timed_out {
            budget.timeout_retry_cost
        } else {
            budget.retry_cost
        };
        self.left
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(cost)
            })
            .ok()
            .map(|_| cost)
    }

    /// A request succeeded after spending `spent` on retries: a first-attempt success
    /// refills, a later one refunds what its retries took; never above the capacity.
    pub(crate) fn succeeded(&self, spent: u32) {
        use std::sync::atomic::Ordering;
        let Some(budget) = &self.budget else { return };
        let back = if spent == 0 {
            budget.success_refill
        } else {
            spent
        };
        let _ = self
            .left
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                Some(left.saturating_add(back).min(budget.capacity))
            });
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

    /// The same policy with another retry budget, or none (`None`: every failure that
    /// qualifies is retried up to `max_retries` times, however many fail).
    pub fn with_budget(mut self, budget: Option<RetryBudget>) -> Self {
        self.budget = budget;
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
    fn the_budget_spends_refills_and_refunds_within_its_capacity() {
        let tokens = RetryTokens::new(Some(RetryBudget::with_capacity(12).with_costs(5, 10)));
        assert_eq!(tokens.spend(false), Some(5));
        assert_eq!(tokens.spend(false), Some(5));
        // 2 left: neither kind of retry fits, and nothing is taken.
        assert_eq!(tokens.spend(false), None);
        assert_eq!(tokens.spend(true), None);
        tokens.succeeded(0);
        tokens.succeeded(0);
        tokens.succeeded(0);
        assert_eq!(tokens.spend(false), Some(5));
        // A success after retries refunds what they spent, up to the capacity.
        tokens.succeeded(100);
        assert_eq!(tokens.spend(true), Some(10));
        assert_eq!(tokens.spend(false), None);
        // No budget: retries are free and unbounded.
        let free = RetryTokens::new(None);
        for _ in 0..1000 {
            assert_eq!(free.spend(true), Some(0));
        }
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
