//! Fault injection: rules that make the next matching requests misbehave.
//!
//! Rules are checked in the order they were pushed; the first rule whose
//! `path_prefix` and `method` match a request applies to it (and uses up one
//! of its `times`). Control endpoints under `/_sandbox/` are never faulted.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// What a matching request gets instead of (or on top of) its normal answer.
///
/// Over HTTP (`POST /_sandbox/faults`) a fault is a JSON object tagged by
/// `type` in snake_case, e.g. `{"type": "rate_limit", "retry_after_secs": 2}`,
/// `{"type": "server_error", "status": 503}`, `{"type": "slow", "delay_ms": 5000}`,
/// `{"type": "drop_connection"}`, `{"type": "truncated_json"}`,
/// `{"type": "extra_fields"}`, `{"type": "unknown_stage", "name": "reviewing"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Fault {
    /// 429 `{"detail": ...}`, with a `Retry-After: N` header when `Some(N)`.
    RateLimit {
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    /// 429 `{"detail": ...}` saying when the limit resets the way rate
    /// limiters often do instead of `Retry-After`: `X-RateLimit-Reset` as
    /// seconds from now, or (`epoch`) as the Unix time of the reset.
    RateLimitReset {
        reset_secs: u64,
        #[serde(default)]
        epoch: bool,
    },
    /// An error status (500, 502, 503, ...) with a `{"detail": ...}` body.
    ServerError { status: u16 },
    /// Wait this long, then answer normally.
    Slow { delay_ms: u64 },
    /// Close the connection after reading the request, without any HTTP response.
    DropConnection,
    /// 200 with the normal body cut in the middle (Content-Length matches the cut body).
    TruncatedJson,
    /// Add unknown fields to JSON objects: the top level, and every object
    /// in its arrays (records and their citations, jobs, steps, features, ...).
    ExtraFields,
    /// Status and pull report this stage name instead of the real one.
    UnknownStage { name: String },
    /// A pull answers normally but with no records on the page (a page the
    /// service had not made available yet, or lost on the way).
    EmptyPage,
}

/// One fault rule. Over HTTP: `{"path_prefix": "/catchAll/submit",
/// "method": "POST", "fault": {"type": "rate_limit"}, "times": 1}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// Applies to request paths starting with this; `None` = every path.
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// Applies to this HTTP method (case-insensitive); `None` = every method.
    #[serde(default)]
    pub method: Option<String>,
    pub fault: Fault,
    /// How many requests it applies to; `None` = until cleared.
    #[serde(default)]
    pub times: Option<u32>,
    /// Applies only to requests whose `page` query parameter is this.
    #[serde(default)]
    pub page: Option<u64>,
}

impl FaultRule {
    /// A rule for every request, until cleared.
    pub fn always(fault: Fault) -> Self {
        FaultRule {
            path_prefix: None,
            method: None,
            fault,
            times: None,
            page: None,
        }
    }

    /// A rule for requests under `path_prefix`, until cleared.
    pub fn on(path_prefix: impl Into<String>, fault: Fault) -> Self {
        FaultRule {
            path_prefix: Some(path_prefix.into()),
            method: None,
            fault,
            times: None,
            page: None,
        }
    }

    /// Limit the rule to `method`.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Limit the rule to the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Limit the rule to requests for this `page`.
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    fn matches(&self, method: &str, path: &str, page: Option<u64>) -> bool {
        self.page.is_none_or(|p| page == Some(p))
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// How the sandbox pages a job's records: switches that make it behave like
/// a service that honours less than it is asked. Over HTTP
/// (`POST /_sandbox/paging`): `{"max_page_size": 7, "total_pages": false}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    /// The largest `page_size` a pull honours; a larger one is served as this
    /// (and reported as this in the answer's `page_size`).
    #[serde(default)]
    pub max_page_size: Option<u64>,
    /// Whether pulls carry `total_pages` (optional in the API).
    #[serde(default = "yes")]
    pub total_pages: bool,
}

fn yes() -> bool {
    true
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            max_page_size: None,
            total_pages: true,
        }
    }
}

/// A cheap, cloneable handle on a server's fault rules and paging switches.
#[derive(Clone, Default)]
pub struct FaultSwitch {
    rules: Arc<Mutex<Vec<FaultRule>>>,
    paging: Arc<Mutex<Paging>>,
}

impl std::fmt::Debug for FaultSwitch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultSwitch")
            .field("rules", &self.rules())
            .field("paging", &self.paging())
            .finish()
    }
}

impl FaultSwitch {
    /// Add a rule (after the existing ones).
    pub fn push(&self, rule: FaultRule) {
        if rule.times == Some(0) {
            return;
        }
        self.rules.lock().unwrap().push(rule);
    }

    /// Remove every rule.
    pub fn clear(&self) {
        self.rules.lock().unwrap().clear();
    }

    /// The rules still in force.
    pub fn rules(&self) -> Vec<FaultRule> {
        self.rules.lock().unwrap().clone()
    }

    /// How pulls are paged now.
    pub fn paging(&self) -> Paging {
        *self.paging.lock().unwrap()
    }

    /// Changes how pulls are paged (until changed again).
    pub fn set_paging(&self, paging: Paging) {
        *self.paging.lock().unwrap() = paging;
    }

    /// Take the fault for one request, using up one of its rule's `times`.
    pub(crate) fn take(&self, method: &str, path: &str, page: Option<u64>) -> Option<Fault> {
        let mut rules = self.rules.lock().unwrap();
        let idx = rules.iter().position(|r| r.matches(method, path, page))?;
        let fault = rules[idx].fault.clone();
        if let Some(t) = rules[idx].times.as_mut() {
            *t -= 1;
            if *t == 0 {
                rules.remove(idx);
            }
        }
        Some(fault)
    }
}

/// Put into each request's extensions by the connection loop: firing it
/// makes the connection task drop the socket without answering.
#[derive(Clone)]
pub(crate) struct ConnectionKiller(pub Arc<tokio::sync::Notify>);

/// The fault middleware (outermost layer of the API routes).
pub(crate) async fn fault_layer(
    State(faults): State<FaultSwitch>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/_sandbox/") {
        return next.run(req).await;
    }
    let page = query_param(req.uri().query(), "page").and_then(|p| p.parse::<u64>().ok());
    let is_pull = path.starts_with("/catchAll/pull/") && !path.ends_with("/csv");
    let (req, paging) = if is_pull {
        (cap_page_size(req, faults.paging()), faults.paging())
    } else {
        (req, Paging::default())
    };
    let next = PagedNext {
        next,
        drop_total: !paging.total_pages,
    };
    let Some(fault) = faults.take(req.method().as_str(), &path, page) else {
        return next.run(req).await;
    };
    match fault {
        Fault::RateLimit { retry_after_secs } => {
            let mut resp = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(
                    json!({"detail": "Too many requests: rate limit exceeded (sandbox fault)"}),
                ),
            )
                .into_response();
            if let Some(s) = retry_after_secs {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(s));
            }
            resp
        }
        Fault::RateLimitReset { reset_secs, epoch } => {
            let mut resp = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(
                    json!({"detail": "Too many requests: rate limit exceeded (sandbox fault)"}),
                ),
            )
                .into_response();
            let value = if epoch {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                now + reset_secs
            } else {
                reset_secs
            };
            let h = resp.headers_mut();
            h.insert("x-ratelimit-limit", HeaderValue::from(60u32));
            h.insert("x-ratelimit-remaining", HeaderValue::from(0u32));
            h.insert("x-ratelimit-reset", HeaderValue::from(value));
            resp
        }
        Fault::ServerError { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let detail = format!(
                "{} (sandbox fault)",
                status.canonical_reason().unwrap_or("Server error")
            );
            (status, axum::Json(json!({ "detail": detail }))).into_response()
        }
        Fault::Slow { delay_ms } => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            next.run(req).await
        }
        Fault::DropConnection => {
            if let Some(killer) = req.extensions().get::<ConnectionKiller>().cloned() {
                killer.0.notify_one();
                // The connection task drops the socket; never answer.
                std::future::pending::<()>().await;
            }
            // Not served by our own accept loop: the best we can do is an
            // empty response with a broken body.
            Response::builder()
                .status(StatusCode::OK)
                .body(Body::from_stream(futures::stream::once(async {
                    Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped"))
                })))
                .unwrap()
        }
        Fault::TruncatedJson => {
            let resp = next.run(req).await;
            let (mut parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let cut = bytes.slice(..bytes.len() / 2);
            parts.status = StatusCode::OK;
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(cut))
        }
        Fault::ExtraFields => rewrite_json(next.run(req).await, add_extra_fields).await,
        Fault::EmptyPage => {
            if is_pull {
                rewrite_json(next.run(req).await, |v| {
                    if let Some(o) = v.as_object_mut() {
                        o.insert("all_records".into(), json!([]));
                    }
                })
                .await
            } else {
                next.run(req).await
            }
        }
        Fault::UnknownStage { name } => {
            if path.starts_with("/catchAll/status/") || path.starts_with("/catchAll/pull/") {
                rewrite_json(next.run(req).await, move |v| set_stage(v, &name)).await
            } else {
                next.run(req).await
            }
        }
    }
}

/// The rest of the chain, with the paging switch that works on the answer.
struct PagedNext {
    next: Next,
    drop_total: bool,
}

impl PagedNext {
    async fn run(self, req: Request) -> Response {
        let resp = self.next.run(req).await;
        if !self.drop_total || !resp.status().is_success() {
            return resp;
        }
        rewrite_json(resp, |v| {
            if let Some(o) = v.as_object_mut() {
                o.remove("total_pages");
            }
        })
        .await
    }
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url_pairs(query?)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
}

/// Serves a pull's `page_size` as at most the cap, as a service that
/// honours less than it is asked would.
fn cap_page_size(mut req: Request, paging: Paging) -> Request {
    let Some(cap) = paging.max_page_size.filter(|c| *c > 0) else {
        return req;
    };
    let pairs = url_pairs(req.uri().query().unwrap_or(""));
    let asked = pairs
        .iter()
        .find(|(k, _)| k == "page_size")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .unwrap_or(100);
    if asked <= cap {
        return req;
    }
    let mut kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| k != "page_size")
        .collect();
    kept.push(("page_size".into(), cap.to_string()));
    let query = serde_urlencoded::to_string(&kept).unwrap_or_default();
    let pq = format!("{}?{query}", req.uri().path());
    let mut parts = req.uri().clone().into_parts();
    if let Ok(p) = pq.parse() {
        parts.path_and_query = Some(p);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

async fn rewrite_json(resp: Response, f: impl FnOnce(&mut Value)) -> Response {
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    f(&mut value);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(serde_json::to_vec(&value).unwrap()))
}

fn extra_object(obj: &mut Map<String, Value>) {
    obj.insert(
        "x_sandbox_extra".into(),
        json!("an unknown field the client must ignore"),
    );
    obj.insert(
        "future_feature".into(),
        json!({"enabled": true, "weights": [0.25, 0.75], "note": null}),
    );
}

fn add_extra_fields(v: &mut Value) {
    let Value::Object(top) = v else { return };
    for (key, field) in top.iter_mut() {
        if let Value::Array(items) = field {
            for item in items.iter_mut() {
                if let Value::Object(o) = item {
                    extra_object(o);
                    if key == "all_records" {
                        if let Some(Value::Array(cits)) = o.get_mut("citations") {
                            for c in cits.iter_mut().filter_map(Value::as_object_mut) {
                                extra_object(c);
                            }
                        }
                    }
                }
            }
        }
    }
    extra_object(top);
}

fn set_stage(v: &mut Value, name: &str) {
    let Value::Object(top) = v else { return };
    if top.contains_key("status") {
        top.insert("status".into(), json!(name));
    }
    if let Some(Value::Array(steps)) = top.get_mut("steps") {
        steps.push(json!({"status": name, "order": 8, "completed": false}));
    }
}
