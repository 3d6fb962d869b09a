//! One error type for every call, with messages an analyst can act on.
//!
//! Messages never contain the API key: the client scrubs every text field
//! with [`ApiError::redact`] before returning an error.

use crate::models::{ErrorDetail, FieldError};
use crate::retry::RequestKind;
use std::time::Duration;

/// Longest excerpt of a response body shown in an error.
pub const EXCERPT_MAX_CHARS: usize = 200;

const CHECK_JOBS: &str =
    " The job may have been created anyway: check the job list before submitting again.";

/// Everything that can go wrong talking to CatchAll.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 401/403 about the key: missing, mistyped, revoked.
    #[error(
        "The API key was not accepted (HTTP {status}). Check the key in Settings.{}",
        said(detail)
    )]
    BadKey { status: u16, detail: Option<String> },

    /// 403 that is not about the key: the plan does not include this.
    #[error("Your plan does not allow this (HTTP 403): {detail}")]
    Forbidden { detail: String },

    /// 404: unknown job, or one that belongs to another account.
    #[error("{}", not_found(job_id.as_deref(), detail.as_deref()))]
    NotFound {
        job_id: Option<String>,
        detail: Option<String>,
    },

    /// 404 about a named watchlist, company or project.
    #[error("{what} was not found. It may have been deleted, or it belongs to another account.")]
    Missing { what: String },

    /// 400: the service's message, shown as is.
    #[error("The service rejected the request: {detail}")]
    Rejected { detail: String },

    /// 422: field-level problems with the request.
    #[error("The request is not valid: {}", render_fields(details))]
    Invalid { details: Vec<FieldError> },

    /// 429 on submit/continue: every `Jobs_Concurrency` slot is taken.
    #[error(
        "All of your plan's job slots are busy. Wait for a running job to finish, then submit again.{}",
        retry_in(retry_after)
    )]
    Busy {
        retry_after: Option<Duration>,
        detail: Option<String>,
    },

    /// 429 on any other call.
    #[error(
        "The service is limiting requests right now. Wait a moment and try again.{}",
        retry_in(retry_after)
    )]
    RateLimited { retry_after: Option<Duration> },

    /// 5xx (and 408): trouble on the service's side.
    #[error(
        "The CatchAll service is having trouble (HTTP {status}). Try again in a few minutes.{}{}",
        said(detail),
        if *job_maybe_created { CHECK_JOBS } else { "" }
    )]
    Server {
        status: u16,
        detail: Option<String>,
        job_maybe_created: bool,
    },

    /// The service could not be reached, or the connection broke.
    #[error(
        "Could not reach the CatchAll service ({reason}). Check your internet connection and the server address.{}",
        if *job_maybe_created { CHECK_JOBS } else { "" }
    )]
    Network {
        reason: String,
        job_maybe_created: bool,
    },

    /// No answer within the configured timeout.
    #[error(
        "The CatchAll service did not answer within {} s. Try again later.{}",
        secs(after),
        if *job_maybe_created { CHECK_JOBS } else { "" }
    )]
    Timeout {
        after: Duration,
        job_maybe_created: bool,
    },

    /// A success answer that is not what the contract says.
    #[error("The service sent an answer this app cannot read ({reason}). It began: \"{excerpt}\"")]
    Malformed {
        status: u16,
        reason: String,
        excerpt: String,
    },

    /// Any other HTTP status.
    #[error(
        "The service answered with an unexpected status (HTTP {status}).{}",
        said(detail)
    )]
    Http { status: u16, detail: Option<String> },

    /// The client could not be set up (bad server address, bad key text),
    /// or a request was refused before sending (an empty schedule, say).
    #[error("{message}")]
    Config { message: String },

    /// A 3xx answer. Redirects are never followed: the key must reach no
    /// other host, and a service address that moved is the user's call.
    #[error(
        "The server answered with a redirect (HTTP {status}) to {to}. The app follows no redirects, so your API key was not sent there. Check the server address in Settings."
    )]
    Redirect {
        status: u16,
        /// The host (and port) the answer pointed to, or words saying there was none.
        to: String,
    },

    /// An answer larger than the client reads for one request.
    #[error(
        "The service's answer was larger than {} MB, the most the app reads at once; it was not read.",
        limit / (1024 * 1024)
    )]
    TooLarge { status: u16, limit: usize },
}

fn said(detail: &Option<String>) -> String {
    match detail.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => format!(" The service said: {d}"),
        _ => String::new(),
    }
}

fn retry_in(d: &Option<Duration>) -> String {
    match d {
        Some(d) if !d.is_zero() => format!(" (The service suggests waiting {} s.)", secs(d)),
        _ => String::new(),
    }
}

fn secs(d: &Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 || s >= 10.0 {
        format!("{}", s.round() as u64)
    } else {
        format!("{s:.1}")
    }
}

fn not_found(job_id: Option<&str>, detail: Option<&str>) -> String {
    match job_id {
        Some(id) => format!(
            "Job {id} was not found. It may have been deleted, or it belongs to another account or API key."
        ),
        None => format!(
            "The service does not know this address (HTTP 404). Check the server address in Settings.{}",
            said(&detail.map(str::to_owned))
        ),
    }
}

fn render_fields(details: &[FieldError]) -> String {
    if details.is_empty() {
        return "no details given.".to_owned();
    }
    details
        .iter()
        .map(FieldError::render)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ApiError {
    /// A stable snake_case tag for the UI.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::BadKey { .. } => "bad_key",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::NotFound { .. } | ApiError::Missing { .. } => "not_found",
            ApiError::Rejected { .. } => "rejected",
            ApiError::Invalid { .. } => "invalid",
            ApiError::Busy { .. } => "busy",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Server { .. } => "server",
            ApiError::Network { .. } => "network",
            ApiError::Timeout { .. } => "timeout",
            ApiError::Malformed { .. } => "malformed",
            ApiError::Http { .. } => "http",
            ApiError::Config { .. } => "config",
            ApiError::Redirect { .. } => "redirect",
            ApiError::TooLarge { .. } => "too_large",
        }
    }

    /// The HTTP status behind the error, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::BadKey { status, .. }
            | ApiError::Server { status, .. }
            | ApiError::Malformed { status, .. }
            | ApiError::Http { status, .. }
            | ApiError::Redirect { status, .. }
            | ApiError::TooLarge { status, .. } => Some(*status),
            ApiError::Forbidden { .. } => Some(403),
            ApiError::NotFound { .. } | ApiError::Missing { .. } => Some(404),
            ApiError::Rejected { .. } => Some(400),
            ApiError::Invalid { .. } => Some(422),
            ApiError::Busy { .. } | ApiError::RateLimited { .. } => Some(429),
            ApiError::Network { .. } | ApiError::Timeout { .. } | ApiError::Config { .. } => None,
        }
    }

    /// The service's `Retry-After`, when it gave one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Busy { retry_after, .. } | ApiError::RateLimited { retry_after } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// `true` when trying again later may well succeed (busy, rate limited,
    /// server trouble, network, timeout).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Busy { .. }
                | ApiError::RateLimited { .. }
                | ApiError::Server { .. }
                | ApiError::Network { .. }
                | ApiError::Timeout { .. }
        )
    }

    /// `true` when a submit/continue failed in a way that may still have
    /// created the job.
    pub fn job_maybe_created(&self) -> bool {
        matches!(
            self,
            ApiError::Server {
                job_maybe_created: true,
                ..
            } | ApiError::Network {
                job_maybe_created: true,
                ..
            } | ApiError::Timeout {
                job_maybe_created: true,
                ..
            }
        )
    }

    /// Replaces every occurrence of `secret` in the error's texts with
    /// `****` (in case the service or a lower layer echoed the key).
    pub fn redact(mut self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let scrub = |s: &mut String| {
            if s.contains(secret) {
                *s = s.replace(secret, "****");
            }
        };
        let scrub_opt = |s: &mut Option<String>| {
            if let Some(s) = s {
                if s.contains(secret) {
                    *s = s.replace(secret, "****");
                }
            }
        };
        match &mut self {
            ApiError::BadKey { detail, .. }
            | ApiError::Http { detail, .. }
            | ApiError::Busy { detail, .. } => scrub_opt(detail),
            ApiError::Server { detail, .. } => scrub_opt(detail),
            ApiError::NotFound { job_id, detail } => {
                scrub_opt(job_id);
                scrub_opt(detail)
            }
            ApiError::Forbidden { detail } | ApiError::Rejected { detail } => scrub(detail),
            ApiError::Invalid { details } => {
                for d in details {
                    scrub(&mut d.msg);
                    for l in &mut d.loc {
                        if let serde_json::Value::String(s) = l {
                            scrub(s);
                        }
                    }
                    scrub_opt(&mut d.kind);
                }
            }
            ApiError::Network { reason, .. } => scrub(reason),
            ApiError::Malformed {
                reason, excerpt, ..
            } => {
                scrub(reason);
                scrub(excerpt)
            }
            ApiError::Config { message } => scrub(message),
            ApiError::Missing { what } => scrub(what),
            ApiError::Redirect { to, .. } => scrub(to),
            ApiError::RateLimited { .. } | ApiError::Timeout { .. } | ApiError::TooLarge { .. } => {
            }
        }
        self
    }

    /// Maps a non-success HTTP answer to an error.
    ///
    /// `kind` tells whether the call creates a job (429 then means "slots
    /// busy", and 5xx may have created it); `job_id` names the job the call
    /// was about, for 404s; `hint` is the parsed `Retry-After`.
    pub fn from_status(
        status: u16,
        body: &[u8],
        kind: RequestKind,
        job_id: Option<&str>,
        hint: Option<Duration>,
    ) -> ApiError {
        let detail = ErrorDetail::parse(body);
        let message = match &detail {
            ErrorDetail::Message(m) => Some(m.trim().to_owned()).filter(|m| !m.is_empty()),
            ErrorDetail::Fields(f) => Some(render_fields(f)),
            ErrorDetail::None => plain_text_detail(body),
        };
        let creates = kind == RequestKind::CreatesJob;
        match status {
            400 => ApiError::Rejected {
                detail: message.unwrap_or_else(|| "no reason was given (HTTP 400).".to_owned()),
            },
            401 => ApiError::BadKey {
                status,
                detail: message,
            },
            403 => match message {
                Some(m) if !is_about_the_key(&m) => ApiError::Forbidden { detail: m },
                m => ApiError::BadKey { status, detail: m },
            },
            404 => ApiError::NotFound {
                job_id: job_id.map(str::to_owned),
                detail: message,
            },
            422 => ApiError::Invalid {
                details: match detail {
                    ErrorDetail::Fields(f) => f,
                    _ => vec![FieldError {
                        msg: message.unwrap_or_default(),
                        ..Default::default()
                    }],
                },
            },
            429 if creates => ApiError::Busy {
                retry_after: hint,
                detail: message,
            },
            429 => ApiError::RateLimited { retry_after: hint },
            408 | 500..=599 => ApiError::Server {
                status,
                detail: message,
                job_maybe_created: creates,
            },
            _ => ApiError::Http {
                status,
                detail: message,
            },
        }
    }
}

/// A non-JSON error body (a proxy's text page) as a short detail; HTML is
/// left out, it would be noise.
fn plain_text_detail(body: &[u8]) -> Option<String> {
    if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        return None; // JSON without a usable `detail`
    }
    let text = excerpt(body, EXCERPT_MAX_CHARS);
    if text.is_empty() || text.starts_with('<') {
        None
    } else {
        Some(text)
    }
}

/// Is a 403 detail about the key (rather than about the plan)?
fn is_about_the_key(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    let d = d.trim().trim_end_matches('.');
    const GENERIC: [&str; 5] = [
        "forbidden",
        "access denied",
        "not authenticated",
        "unauthorized",
        "unauthorised",
    ];
    const KEY_WORDS: [&str; 7] = [
        "key",
        "auth",
        "credential",
        "token",
        "unauthori",
        "signature",
        "login",
    ];
    d.is_empty() || GENERIC.contains(&d) || KEY_WORDS.iter().any(|w| d.contains(w))
}

/// The start of a body, lossily decoded, whitespace runs collapsed to one
/// space, at most `max_chars` characters (ending in `…` when cut).
pub fn excerpt(body: &[u8], max_chars: usize) -> String {
    // Decode a bounded prefix only: bodies can be megabytes.
    let prefix = &body[..body.len().min(max_chars * 4 + 4)];
    let text = String::from_utf8_lossy(prefix);
    let mut out = String::new();
    let mut count = 0;
    let mut last_space = true;
    let mut cut = prefix.len() < body.len();
    for c in text.chars() {
        let c = if c.is_whitespace() || c.is_control() {
            ' '
        } else {
            c
        };
        if c == ' ' && last_space {
            continue;
        }
        if count == max_chars {
            cut = true;
            break;
        }
        last_space = c == ' ';
        out.push(c);
        count += 1;
    }
    let mut out = out.trim_end().to_owned();
    if cut && max_chars > 0 {
        while out.chars().count() >= max_chars {
            out.pop();
        }
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestKind::*;

    fn map(status: u16, body: &str, kind: RequestKind) -> ApiError {
        ApiError::from_status(status, body.as_bytes(), kind, Some("job-1"), None)
    }

    #[test]
    fn bad_key_401_and_403() {
        let e = map(401, r#"{"detail":"X-API-Key header is required"}"#, Read);
        assert_eq!(e.kind(), "bad_key");
        assert!(e.to_string().contains("not accepted"), "{e}");
        assert!(
            e.to_string().contains("X-API-Key header is required"),
            "{e}"
        );
        for body in [
            r#"{"detail":"Invalid API key"}"#,
            r#"{"detail":"Forbidden"}"#,
            "",
            r#"{"detail":null}"#,
            "<html>403</html>",
        ] {
            let e = map(403, body, Read);
            assert_eq!(e.kind(), "bad_key", "{body}");
        }
    }

    #[test]
    fn forbidden_by_plan() {
        let e = map(
            403,
            r#"{"detail":"Your plan does not include company watchlists"}"#,
            CreatesJob,
        );
        assert_eq!(e.kind(), "forbidden");
        assert!(e.to_string().contains("plan does not allow"), "{e}");
        assert!(e.to_string().contains("company watchlists"), "{e}");
    }

    #[test]
    fn not_found_names_the_job() {
        let e = map(404, r#"{"detail":"Job not found"}"#, Read);
        assert_eq!(e.kind(), "not_found");
        assert!(e.to_string().contains("Job job-1 was not found"), "{e}");
        let e = ApiError::from_status(404, b"{}", Read, None, None);
        assert!(e.to_string().contains("server address"), "{e}");
    }

    #[test]
    fn rejected_shows_the_message_as_is() {
        let e = map(
            400,
            r#"{"detail":"start_date is outside your plan: your plan limited to lookback 365 days"}"#,
            CreatesJob,
        );
        assert_eq!(e.kind(), "rejected");
        assert_eq!(
            e.to_string(),
            "The service rejected the request: start_date is outside your plan: your plan limited to lookback 365 days"
        );
    }

    #[test]
    fn invalid_renders_field_details() {
        let body = r#"{"detail":[
            {"loc":["body","limit"],"msg":"Input should be greater than or equal to 10","type":"greater_than_equal"},
            {"loc":["body","enrichments",0,"type"],"msg":"Input should be 'text', 'number'","type":"enum"},
            {"loc":["body"],"msg":"Field required","type":"missing"}]}"#;
        let e = map(422, body, CreatesJob);
        assert_eq!(e.kind(), "invalid");
        assert_eq!(
            e.to_string(),
            "The request is not valid: limit: Input should be greater than or equal to 10; \
             enrichments.0.type: Input should be 'text', 'number'; body: Field required"
        );
        if let ApiError::Invalid { details } = &e {
            assert_eq!(details.len(), 3);
            assert_eq!(details[0].kind.as_deref(), Some("greater_than_equal"));
        } else {
            panic!()
        }
        // A 422 with a plain message still reads.
        let e = map(422, r#"{"detail":"bad input"}"#, Read);
        assert_eq!(e.to_string(), "The request is not valid: bad input");
    }

    #[test]
    fn busy_only_for_job_creation() {
        let e = ApiError::from_status(
            429,
            br#"{"detail":"Too many concurrent jobs"}"#,
            CreatesJob,
            None,
            Some(Duration::from_secs(30)),
        );
        assert_eq!(e.kind(), "busy");
        assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
        assert!(e.to_string().contains("job slots are busy"), "{e}");
        assert!(e.to_string().contains("30 s"), "{e}");
        let e = map(429, "", Read);
        assert_eq!(e.kind(), "rate_limited");
    }

    #[test]
    fn server_trouble() {
        let e = map(503, "<html><body>Service Unavailable</body></html>", Read);
        assert_eq!(e.kind(), "server");
        assert_eq!(
            e.to_string(),
            "The CatchAll service is having trouble (HTTP 503). Try again in a few minutes."
        );
        let e = map(500, r#"{"detail":"Internal error"}"#, CreatesJob);
        assert!(e.job_maybe_created());
        assert!(e.to_string().contains("check the job list"), "{e}");
        assert_eq!(map(408, "", Read).kind(), "server");
    }

    #[test]
    fn other_statuses() {
        let e = map(409, "conflict!", Read);
        assert_eq!(e.kind(), "http");
        assert_eq!(e.status(), Some(409));
        assert!(e.to_string().contains("conflict!"), "{e}");
    }

    #[test]
    fn excerpt_is_short_and_single_line() {
        let long = format!(
            "{{\"job_id\": \"x\",\n\n  \"all_records\": [{}",
            "\"é\",".repeat(500)
        );
        let ex = excerpt(long.as_bytes(), EXCERPT_MAX_CHARS);
        assert!(ex.chars().count() <= 200, "{}", ex.chars().count());
        assert!(ex.ends_with('…'));
        assert!(
            ex.starts_with("{\"job_id\": \"x\", \"all_records\""),
            "{ex}"
        );
        assert_eq!(excerpt(b"  short \n body ", 200), "short body");
        assert_eq!(excerpt(b"", 200), "");
        // Invalid UTF-8 does not panic.
        assert!(!excerpt(&[0xff, 0xfe, b'a'], 200).is_empty());
    }

    #[test]
    fn redact_scrubs_every_text() {
        let k = "sk-secret-XYZ";
        let errs = vec![
            ApiError::BadKey {
                status: 403,
                detail: Some(format!("key {k} is invalid")),
            },
            ApiError::Forbidden { detail: k.into() },
            ApiError::Rejected { detail: k.into() },
            ApiError::Invalid {
                details: vec![FieldError {
                    loc: vec![k.into()],
                    msg: k.into(),
                    kind: Some(k.into()),
                }],
            },
            ApiError::Network {
                reason: k.into(),
                job_maybe_created: false,
            },
            ApiError::Malformed {
                status: 200,
                reason: k.into(),
                excerpt: k.into(),
            },
            ApiError::Server {
                status: 500,
                detail: Some(k.into()),
                job_maybe_created: false,
            },
            ApiError::Http {
                status: 418,
                detail: Some(k.into()),
            },
            ApiError::NotFound {
                job_id: Some(k.into()),
                detail: Some(k.into()),
            },
            ApiError::Busy {
                retry_after: None,
                detail: Some(k.into()),
            },
            ApiError::Config { message: k.into() },
        ];
        for e in errs {
            let e = e.redact(k);
            assert!(!e.to_string().contains(k), "{e}");
            assert!(!format!("{e:?}").contains(k), "{e:?}");
        }
    }

    #[test]
    fn kinds_are_stable() {
        let e = ApiError::Timeout {
            after: Duration::from_millis(1500),
            job_maybe_created: true,
        };
        assert_eq!(e.kind(), "timeout");
        assert!(e.to_string().contains("1.5 s"), "{e}");
        assert!(e.job_maybe_created());
        assert_eq!(
            ApiError::Network {
                reason: "x".into(),
                job_maybe_created: false
            }
            .kind(),
            "network"
        );
        assert_eq!(
            ApiError::Malformed {
                status: 200,
                reason: "x".into(),
                excerpt: "y".into()
            }
            .kind(),
            "malformed"
        );
        assert_eq!(
            ApiError::Config {
                message: "x".into()
            }
            .kind(),
            "config"
        );
    }
}
