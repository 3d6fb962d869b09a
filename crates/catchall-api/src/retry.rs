//! Retry policy: which failures are retried, how long to wait.
//!
//! Reads (and idempotent calls like initialize, validate, delete) are
//! retried on 408, 429, 5xx, timeouts and connection errors. Calls that
//! create a paid job (submit, continue) are retried only when the service
//! has certainly not created it: a 429 (all job slots busy) or a failure to
//! connect at all. Never after a timeout, a dropped connection or a 5xx,
//! which could leave a job created and make a duplicate.

use rand::Rng;
use reqwest::header::HeaderMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How many times to retry and how long to wait between tries.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first try (so at most `max_retries + 1` requests).
    pub max_retries: u32,
    /// The first backoff delay; doubled on each retry.
    pub base_delay: Duration,
    /// No wait is ever longer, even when `Retry-After` asks for more.
    pub max_delay: Duration,
    /// Random spread of each backoff delay, as a fraction (0.2 = ±20 %).
    pub jitter: f64,
}

impl Default for RetryPolicy {
    /// The official SDKs' policy: 2 retries, 1 s doubling, at most 60 s,
    /// 20 % jitter.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Default::default()
        }
    }

    /// The backoff before retry number `retry` (0 for the first retry):
    /// `base_delay * 2^retry`, spread by `jitter`, capped by `max_delay`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let base = self.base_delay.as_secs_f64() * 2f64.powi(retry.min(30) as i32);
        let jitter = self.jitter.clamp(0.0, 1.0);
        let factor = if jitter > 0.0 {
            rand::rng().random_range(1.0 - jitter..=1.0 + jitter)
        } else {
            1.0
        };
        let secs = (base * factor).min(self.max_delay.as_secs_f64()).max(0.0);
        Duration::from_secs_f64(secs)
    }

    /// The wait before retry number `retry`: the service's hint
    /// (`Retry-After` / `X-RateLimit-Reset`) when it gave one, else the
    /// backoff; never more than `max_delay`.
    pub fn delay(&self, retry: u32, hint: Option<Duration>) -> Duration {
        match hint {
            Some(h) => h.min(self.max_delay),
            None => self.backoff(retry),
        }
    }
}

/// Whether a request may create a job (and so must not be repeated blindly).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// Safe to repeat: reads, previews, idempotent deletes.
    Read,
    /// Submit and continue: a repeat could start a second paid job.
    CreatesJob,
    /// Creates a watchlist, entity or project: retried only when nothing
    /// can have been created, as for jobs.
    Creates,
}

/// How a try failed, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The service answered with this HTTP status.
    Status(u16),
    /// The connection could not be made: the request was never sent.
    Connect,
    /// No answer in time: the service may have acted on the request.
    Timeout,
    /// The connection broke after the request was (maybe) sent.
    Transport,
}

/// Is this status one that the SDKs retry (408, 409, 429, 5xx)? The
/// Python SDK 4.0.0 retries 409 too; submit and continue still never
/// repeat on it (see [`should_retry`]).
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || (500..=599).contains(&status)
}

/// The retry rule. See the module docs.
pub fn should_retry(kind: RequestKind, failure: Failure) -> bool {
    match (kind, failure) {
        (RequestKind::Read, Failure::Status(s)) => is_retryable_status(s),
        (RequestKind::Read, _) => true,
        (RequestKind::CreatesJob, Failure::Status(429)) => true,
        (RequestKind::CreatesJob, Failure::Connect) => true,
        (RequestKind::CreatesJob, _) => false,
        (RequestKind::Creates, f) => should_retry(RequestKind::CreatesJob, f),
    }
}

/// Parses `Retry-After`: delay seconds (`"120"`, also `"1.5"`) or an HTTP
/// date (`"Wed, 21 Oct 2015 07:28:00 GMT"`, waited for relative to `now`;
/// a date in the past means no wait).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses `X-RateLimit-Reset`: either seconds until the reset (small
/// numbers) or the reset time as a Unix timestamp in seconds (or
/// milliseconds), waited for relative to `now`.
pub fn parse_rate_limit_reset(value: &str, now: SystemTime) -> Option<Duration> {
    let v: f64 = value.trim().parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let now_s = now.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
    let wait = if v > 1e12 {
        v / 1000.0 - now_s // epoch milliseconds
    } else if v > 1e9 {
        v - now_s // epoch seconds
    } else {
        v // delta seconds
    };
    Some(Duration::from_secs_f64(wait.clamp(0.0, 1e9)))
}

/// The service's hint on how long to wait: `Retry-After` first, then
/// `X-RateLimit-Reset`.
pub fn retry_hint(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    get("retry-after")
        .and_then(|v| parse_retry_after(v, now))
        .or_else(|| get("x-ratelimit-reset").and_then(|v| parse_rate_limit_reset(v, now)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn retry_after_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn retry_after_http_date() {
        // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480
        let now = at(1_445_412_480 - 10);
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(10))
        );
        // In the past: retry at once.
        let later = at(1_445_412_480 + 100);
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", later),
            Some(Duration::ZERO)
        );
        // The obsolete RFC 850 form is accepted too.
        assert_eq!(
            parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", now),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn rate_limit_reset_delta_and_epoch() {
        let now = at(1_700_000_000);
        assert_eq!(
            parse_rate_limit_reset("5", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_rate_limit_reset("1700000007", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_rate_limit_reset("1700000002000", now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            parse_rate_limit_reset("1600000000", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_rate_limit_reset("x", now), None);
    }

    #[test]
    fn hint_prefers_retry_after() {
        let now = at(1_700_000_000);
        let mut h = HeaderMap::new();
        assert_eq!(retry_hint(&h, now), None);
        h.insert("x-ratelimit-reset", HeaderValue::from_static("4"));
        assert_eq!(retry_hint(&h, now), Some(Duration::from_secs(4)));
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_hint(&h, now), Some(Duration::from_secs(2)));
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter_and_cap() {
        let p = RetryPolicy::default();
        for _ in 0..200 {
            let d0 = p.backoff(0).as_secs_f64();
            let d1 = p.backoff(1).as_secs_f64();
            let d2 = p.backoff(2).as_secs_f64();
            assert!((0.8..=1.2).contains(&d0), "{d0}");
            assert!((1.6..=2.4).contains(&d1), "{d1}");
            assert!((3.2..=4.8).contains(&d2), "{d2}");
        }
        assert!(p.backoff(20) <= p.max_delay);
        let exact = RetryPolicy {
            jitter: 0.0,
            ..RetryPolicy::default()
        };
        assert_eq!(exact.backoff(3), Duration::from_secs(8));
    }

    #[test]
    fn hints_are_capped_by_max_delay() {
        let p = RetryPolicy {
            max_delay: Duration::from_secs(5),
            ..Default::default()
        };
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3600))),
            Duration::from_secs(5)
        );
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(p.delay(0, Some(Duration::ZERO)), Duration::ZERO);
    }

    #[test]
    fn default_is_the_sdk_policy() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_retries, 2);
        assert_eq!(p.base_delay, Duration::from_secs(1));
        assert_eq!(p.max_delay, Duration::from_secs(60));
        assert_eq!(p.jitter, 0.2);
    }

    #[test]
    fn reads_retry_on_transient_failures() {
        use Failure::*;
        for f in [
            Status(408),
            Status(409),
            Status(429),
            Status(500),
            Status(502),
            Status(503),
            Status(504),
            Connect,
            Timeout,
            Transport,
        ] {
            assert!(should_retry(RequestKind::Read, f), "{f:?}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!should_retry(RequestKind::Read, Status(s)), "{s}");
        }
    }

    #[test]
    fn job_creation_retries_only_when_no_job_was_made() {
        use Failure::*;
        assert!(should_retry(RequestKind::CreatesJob, Status(429)));
        assert!(should_retry(RequestKind::CreatesJob, Connect));
        for f in [
            Status(408),
            Status(409),
            Status(500),
            Status(502),
            Status(503),
            Timeout,
            Transport,
            Status(400),
            Status(422),
        ] {
            assert!(!should_retry(RequestKind::CreatesJob, f), "{f:?}");
        }
    }
}
