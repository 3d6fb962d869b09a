//! The HTTP client.

use crate::error::{excerpt, ApiError, EXCERPT_MAX_CHARS};
use crate::models::*;
use crate::request::{fill_blank, paging, query_pairs, Req};
use crate::retry::{retry_hint, should_retry, Failure, RequestKind, RetryPolicy};
use crate::secret::ApiKey;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The real service.
pub const DEFAULT_BASE_URL: &str = "https://catchall.newscatcherapi.com";

/// Largest `page_size` the service accepts.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The most the client reads of one answer (64 MiB). A pull page that is
/// larger is asked for again in smaller pages; any other answer that is
/// larger fails with [`ApiError::TooLarge`]. Bodies are read as they
/// arrive, so a larger answer is refused before it is held in memory.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// Of an error answer only the start is read: it is shown as an excerpt.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// How to reach the service.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// e.g. `https://catchall.newscatcherapi.com` or a sandbox's
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    pub api_key: ApiKey,
    /// For one request, connection to last byte.
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

impl ClientConfig {
    /// Defaults: 60 s timeout, the SDKs' retry policy.
    pub fn new(base_url: impl Into<String>, api_key: ApiKey) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            api_key,
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
        }
    }
}

/// A CatchAll client. Cheap to clone (shares one connection pool).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    http: reqwest::Client,
    base: Url,
    key: ApiKey,
    timeout: Duration,
    retry: RetryPolicy,
    max_answer: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field("api_key", &self.inner.key)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish()
    }
}

/// `/catchAll/...` about one job.
fn job<'a>(method: Method, rest: &[&'a str], id: &'a str) -> Req<'a> {
    Req::new(method, &["catchAll"]).then(rest).job(id)
}

/// True for a server on this machine (a sandbox), whatever its scheme; an
/// address given without one is read as `http://`.
pub fn is_loopback(base_url: &str) -> bool {
    let text = base_url.trim();
    let url = if text.contains("://") {
        Url::parse(text)
    } else {
        Url::parse(&format!("http://{text}"))
    };
    url.is_ok_and(|u| host_is_loopback(&u))
}

/// A server address's origin, `scheme://host[:port]` in lower case (the
/// default port left out), or None when it is not an http(s) URL.
pub fn origin_of(base_url: &str) -> Option<String> {
    let u = Url::parse(base_url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return None;
    }
    Some(u.origin().ascii_serialization())
}

/// The built-in sandbox's address: plain http on this machine, which needs
/// none of the system's TLS root certificates.
fn is_plain_loopback(url: &Url) -> bool {
    url.scheme() == "http" && host_is_loopback(url)
}

fn host_is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Result<Client, ApiError> {
        let base_text = cfg.base_url.trim();
        let base = Url::parse(base_text).map_err(|e| ApiError::Config {
            message: format!("The server address \"{base_text}\" is not a valid URL ({e})."),
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ApiError::Config {
                message: format!(
                    "The server address \"{base_text}\" must start with https:// (or http://)."
                ),
            });
        }
        if base.scheme() == "http" && !host_is_loopback(&base) && !cfg.api_key.is_empty() {
            return Err(ApiError::Config {
                message: format!(
                    "The server address \"{base_text}\" is plain http, which would send your API key unencrypted. Use https:// (plain http is only for a server on this computer)."
                ),
            });
        }
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if !cfg.api_key.is_empty() {
            let mut v = HeaderValue::from_str(cfg.api_key.expose()).map_err(|_| ApiError::Config {
                message: "The API key contains characters that cannot be sent (spaces or line breaks inside it?). Paste it again.".into(),
            })?;
            v.set_sensitive(true);
            headers.insert("x-api-key", v);
        }
        let timeout = if cfg.timeout.is_zero() {
            Duration::from_secs(60)
        } else {
            cfg.timeout
        };
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("catchall-desk/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            // Never follow: a redirect could take the key to another host
            // or from https down to http. A 3xx becomes ApiError::Redirect.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout.min(Duration::from_secs(15)));
        if is_plain_loopback(&base) {
            // None of the system's root certificates, which the TLS setup
            // otherwise reads and parses (~290 files, ~75 ms of a core at
            // every app start here).
            builder = builder.tls_certs_only(std::iter::empty());
        }
        let http = builder.build().map_err(|e| ApiError::Config {
            message: format!("Could not set up the HTTP client: {e}"),
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                key: cfg.api_key,
                timeout,
                retry: cfg.retry,
                max_answer: MAX_ANSWER_BYTES,
            }),
        })
    }

    /// The same client reading at most `bytes` of one answer (instead of
    /// [`MAX_ANSWER_BYTES`]).
    pub fn with_max_answer_bytes(mut self, bytes: usize) -> Client {
        Arc::make_mut(&mut self.inner).max_answer = bytes.max(1);
        self
    }

    /// The server address in use.
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str()
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    // -- endpoints ---------------------------------------------------------

    /// `POST /catchAll/initialize`: suggested validators and enrichments
    /// for a query (a preview: no job, no credits).
    pub async fn initialize(
        &self,
        req: &InitializeRequest,
    ) -> Result<InitializeResponse, ApiError> {
        self.call(Req::post(&["catchAll", "initialize"]).json(req))
            .await
    }

    /// `POST /catchAll/validate`: how good a query is.
    pub async fn validate(&self, query: &str) -> Result<ValidateQueryResponse, ApiError> {
        let req = ValidateRequest {
            query: query.to_owned(),
        };
        self.call(Req::post(&["catchAll", "validate"]).json(&req))
            .await
    }

    /// `POST /catchAll/submit`: starts a job, returns its id. Retried only
    /// when no job can have been created (429, connection refused).
    pub async fn submit(&self, req: &SubmitRequest) -> Result<String, ApiError> {
        let r = Req::post(&["catchAll", "submit"])
            .json(req)
            .kind(RequestKind::CreatesJob);
        self.call_required(
            r,
            |s: SubmitResponse| s.job_id.filter(|id| !id.trim().is_empty()),
            "the answer has no job_id",
        )
        .await
    }

    /// `GET /catchAll/status/{job_id}`.
    pub async fn status(&self, job_id: &str) -> Result<StatusResponse, ApiError> {
        let mut s: StatusResponse = self
            .call(job(Method::GET, &["status", job_id], job_id))
            .await?;
        fill_blank(&mut s.job_id, job_id);
        Ok(s)
    }

    /// `GET /catchAll/pull/{job_id}?page&page_size`: one page (pages start at 1).
    pub async fn pull_page(
        &self,
        job_id: &str,
        page: u32,
        page_size: u32,
    ) -> Result<PullResponse, ApiError> {
        self.pull_page_as(job_id, page, page_size).await
    }

    /// Like [`pull_page`](Self::pull_page), with each record kept as the raw
    /// JSON text the service sent (plus its `record_id`).
    pub async fn pull_page_raw(
        &self,
        job_id: &str,
        page: u32,
        page_size: u32,
    ) -> Result<RawPullPage, ApiError> {
        self.pull_page_as(job_id, page, page_size).await
    }

    /// One pull page decoded as `T` (typed records or raw record text).
    /// A page larger than the answer limit is fetched again as smaller
    /// pages covering the same records (page `p` of size `s` is pages
    /// `(p-1)*f+1 ..= p*f` of size `s/f`), down to one record a page.
    async fn pull_page_as<T: PullPage>(
        &self,
        job_id: &str,
        page: u32,
        page_size: u32,
    ) -> Result<T, ApiError> {
        let mut plan = vec![(page, page_size)];
        let mut parts: Vec<T> = Vec::new();
        let mut first_size = page_size;
        // Depth-first over the pieces, keeping record order.
        while let Some((p, size)) = plan.pop() {
            match self.pull_one_page::<T>(job_id, p, size).await {
                Ok(part) => {
                    if parts.is_empty() {
                        first_size = size;
                    }
                    parts.push(part)
                }
                Err(ApiError::TooLarge { .. }) if size > 1 => {
                    let f = smallest_factor(size);
                    let smaller = size / f;
                    tracing::debug!(
                        page = p,
                        size,
                        smaller,
                        "pull page too large; asking for smaller pages"
                    );
                    let first = (p - 1).saturating_mul(f) + 1;
                    for sub in (first..first + f).rev() {
                        plan.push((sub, smaller));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        let mut parts = parts.into_iter();
        let mut out = parts.next().expect("at least one part");
        for part in parts {
            out.append(part);
        }
        if first_size != page_size {
            out.as_page(page, page_size, page_size / first_size);
        }
        Ok(out)
    }

    async fn pull_one_page<T: DeserializeOwned>(
        &self,
        job_id: &str,
        page: u32,
        page_size: u32,
    ) -> Result<T, ApiError> {
        let q = [
            ("page", page.to_string()),
            ("page_size", page_size.to_string()),
        ];
        self.call(job(Method::GET, &["pull", job_id], job_id).query(q))
            .await
    }

    /// `GET /catchAll/pull/{job_id}/csv`: the service's own CSV export.
    pub async fn pull_csv(&self, job_id: &str) -> Result<String, ApiError> {
        self.call_text(job(Method::GET, &["pull", job_id, "csv"], job_id))
            .await
    }

    /// `POST /catchAll/continue`: raise a job's limit. Retried only when no
    /// job can have been changed (429, connection refused).
    pub async fn continue_job(
        &self,
        job_id: &str,
        new_limit: Option<u64>,
    ) -> Result<ContinueResponse, ApiError> {
        let req = ContinueRequest {
            job_id: job_id.to_owned(),
            new_limit,
        };
        let r = Req::post(&["catchAll", "continue"])
            .json(&req)
            .kind(RequestKind::CreatesJob)
            .job(job_id);
        let mut answer: ContinueResponse = self.call(r).await?;
        fill_blank(&mut answer.job_id, job_id);
        Ok(answer)
    }

    /// `GET /catchAll/jobs/user`: the account's jobs, paged.
    pub async fn list_jobs(&self, q: &ListJobsQuery) -> Result<UserJobsPage, ApiError> {
        self.call(Req::get(&["catchAll", "jobs", "user"]).query(query_pairs(q)))
            .await
    }

    /// `GET /catchAll/source-groups`: one page of the curated outlet lists
    /// the account may scope a job to (no `total_pages`; see `total`).
    pub async fn source_groups(
        &self,
        page: u32,
        page_size: u32,
    ) -> Result<SourceGroupsPage, ApiError> {
        let r = Req::get(&["catchAll", "source-groups"]).query(paging(page, page_size));
        self.call(r).await
    }

    /// `DELETE /catchAll/jobs/{job_id}`: soft delete (deleting twice is fine).
    pub async fn delete_job(&self, job_id: &str) -> Result<DeleteResponse, ApiError> {
        self.call(job(Method::DELETE, &["jobs", job_id], job_id))
            .await
    }

    /// `POST /catchAll/user/limits`: the plan's features and usage.
    pub async fn limits(&self) -> Result<LimitsResponse, ApiError> {
        self.call(Req::post(&["catchAll", "user", "limits"])).await
    }

    /// `GET /health`.
    pub async fn health(&self) -> Result<bool, ApiError> {
        let h: HealthResponse = self.call(Req::get(&["health"])).await?;
        Ok(h.healthy)
    }

    /// `GET /version`.
    pub async fn version(&self) -> Result<String, ApiError> {
        self.call_required(
            Req::get(&["version"]),
            |v: VersionResponse| v.version,
            "the answer has no version",
        )
        .await
    }

    // -- plumbing ----------------------------------------------------------

    fn url(&self, segments: &[&str], query: &[(String, String)]) -> Url {
        let mut url = self.inner.base.clone();
        {
            // `cannot_be_a_base` was ruled out in `new`.
            let mut p = url.path_segments_mut().expect("base URL");
            p.pop_if_empty();
            p.extend(segments);
        }
        url.set_query(None);
        if !query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// Sends `req` and decodes its JSON answer.
    pub(crate) async fn call<T: DeserializeOwned>(&self, req: Req<'_>) -> Result<T, ApiError> {
        let (status, bytes) = self.send(req).await?;
        self.decode(status, &bytes)
    }

    /// Sends `req`; whatever a 2xx answer carries is not read.
    pub(crate) async fn call_empty(&self, req: Req<'_>) -> Result<(), ApiError> {
        self.send(req).await.map(|_| ())
    }

    /// Sends `req` and returns its answer as text (a CSV export).
    pub(crate) async fn call_text(&self, req: Req<'_>) -> Result<String, ApiError> {
        let (status, body) = self.send(req).await?;
        String::from_utf8(body).map_err(|e| {
            self.scrub(ApiError::Malformed {
                status,
                reason: "the CSV is not valid UTF-8 text".into(),
                excerpt: excerpt(e.as_bytes(), EXCERPT_MAX_CHARS),
            })
        })
    }

    /// Sends `req`, decodes its JSON answer as `T` and takes out the one
    /// thing `pick` needs; an answer without it is malformed (`missing`
    /// says why).
    pub(crate) async fn call_required<T: DeserializeOwned, R>(
        &self,
        req: Req<'_>,
        pick: impl FnOnce(T) -> Option<R>,
        missing: &str,
    ) -> Result<R, ApiError> {
        let (status, body) = self.send(req).await?;
        pick(self.decode(status, &body)?).ok_or_else(|| {
            self.scrub(ApiError::Malformed {
                status,
                reason: missing.to_owned(),
                excerpt: excerpt(&body, EXCERPT_MAX_CHARS),
            })
        })
    }

    pub(crate) fn decode<T: DeserializeOwned>(
        &self,
        status: u16,
        body: &[u8],
    ) -> Result<T, ApiError> {
        // Invalid UTF-8 (inside a record's text, say) must not cost the
        // whole answer: such bytes become U+FFFD, which the store counts.
        let lossy;
        let text = match std::str::from_utf8(body) {
            Ok(_) => body,
            Err(_) => {
                lossy = String::from_utf8_lossy(body);
                lossy.as_bytes()
            }
        };
        decode(text).map_err(|e| {
            let reason = if e.is_eof() {
                "the answer was cut off".to_owned()
            } else if e.is_syntax() {
                format!("it is not valid JSON: {e}")
            } else {
                format!("unexpected shape: {e}")
            };
            self.scrub(ApiError::Malformed {
                status,
                reason,
                excerpt: excerpt(body, EXCERPT_MAX_CHARS),
            })
        })
    }

    pub(crate) fn scrub(&self, e: ApiError) -> ApiError {
        e.redact(self.inner.key.expose())
    }

    /// Sends with retries; returns the status and body of a 2xx answer.
    async fn send(&self, req: Req<'_>) -> Result<(u16, Vec<u8>), ApiError> {
        let payload = req.payload?;
        let url = self.url(&req.path, &req.query);
        let policy = &self.inner.retry;
        let mut retry = 0u32;
        loop {
            let mut rb = self.inner.http.request(req.method.clone(), url.clone());
            if let Some((ctype, p)) = &payload {
                rb = rb.header(CONTENT_TYPE, ctype.as_str()).body(p.clone());
            }
            let (failure, hint, error) = match rb.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    if (300..400).contains(&status) {
                        let to = redirect_target(&url, resp.headers());
                        return Err(self.scrub(ApiError::Redirect { status, to }));
                    }
                    let hint = retry_hint(resp.headers(), SystemTime::now());
                    let ok = (200..300).contains(&status);
                    let limit = if ok {
                        self.inner.max_answer
                    } else {
                        MAX_ERROR_BODY_BYTES
                    };
                    match read_limited(resp, limit, ok).await {
                        Ok(bytes) if ok => return Ok((status, bytes)),
                        Err(BodyError::TooLarge) => {
                            return Err(ApiError::TooLarge { status, limit })
                        }
                        Ok(bytes) => {
                            let err = match (status, &req.what) {
                                (404, Some(what)) => ApiError::Missing { what: what.clone() },
                                _ => ApiError::from_status(
                                    status, &bytes, req.kind, req.job_id, hint,
                                ),
                            };
                            (Failure::Status(status), hint, err)
                        }
                        Err(BodyError::Http(e)) => {
                            let (f, err) = self.transport_error(&e, req.kind);
                            (f, None, err)
                        }
                    }
                }
                Err(e) => {
                    let (f, err) = self.transport_error(&e, req.kind);
                    (f, None, err)
                }
            };
            if retry < policy.max_retries && should_retry(req.kind, failure) {
                let wait = policy.delay(retry, hint);
                tracing::debug!(url = %url, failure = ?failure, wait_ms = wait.as_millis() as u64, "retrying CatchAll request");
                tokio::time::sleep(wait).await;
                retry += 1;
                continue;
            }
            return Err(self.scrub(error));
        }
    }

    fn transport_error(&self, e: &reqwest::Error, kind: RequestKind) -> (Failure, ApiError) {
        let creates = kind == RequestKind::CreatesJob;
        if e.is_connect() {
            let reason = connect_reason(e, &self.inner.base);
            return (
                Failure::Connect,
                ApiError::Network {
                    reason,
                    job_maybe_created: false,
                },
            );
        }
        if e.is_timeout() {
            return (
                Failure::Timeout,
                ApiError::Timeout {
                    after: self.inner.timeout,
                    job_maybe_created: creates,
                },
            );
        }
        let reason = format!("the connection broke: {}", root_cause(e));
        (
            Failure::Transport,
            ApiError::Network {
                reason,
                job_maybe_created: creates,
            },
        )
    }
}

enum BodyError {
    TooLarge,
    Http(reqwest::Error),
}

/// Reads a body as it arrives, refusing it (`strict`) or cutting it off
/// once it passes `limit` bytes; a big buffer is handed back whole.
async fn read_limited(
    mut resp: reqwest::Response,
    limit: usize,
    strict: bool,
) -> Result<Vec<u8>, BodyError> {
    let declared = resp.content_length().unwrap_or(0);
    if strict && declared > limit as u64 {
        return Err(BodyError::TooLarge);
    }
    let mut out = Vec::with_capacity((declared as usize).min(limit));
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Http)? {
        if out.len() + chunk.len() > limit {
            if strict {
                return Err(BodyError::TooLarge);
            }
            out.extend_from_slice(&chunk[..limit - out.len()]);
            break;
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Where a 3xx answer pointed, as a host (and port) to name in the error.
fn redirect_target(from: &Url, headers: &HeaderMap) -> String {
    let Some(loc) = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
    else {
        return "no address (it named none)".to_owned();
    };
    match from.join(loc.trim()) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("?");
            let host = excerpt(host.as_bytes(), 100);
            match u.port() {
                Some(p) => format!("{}://{host}:{p}", u.scheme()),
                None => format!("{}://{host}", u.scheme()),
            }
        }
        Err(_) => "an address that is not valid".to_owned(),
    }
}

/// A pull page that can be put together from smaller pages.
trait PullPage: DeserializeOwned {
    fn append(&mut self, other: Self);
    /// Renumbers the first piece's metadata as the page the caller asked
    /// for; `ratio` is the asked size over the first piece's size.
    fn as_page(&mut self, page: u32, page_size: u32, ratio: u32);
}

fn renumber(meta: &mut PullResponse, page: u32, page_size: u32, ratio: u32) {
    // The asked size is a multiple of the piece's: ceil(ceil(n/s)/k) is
    // ceil(n/(k*s)), exactly the page count at the asked size.
    meta.total_pages = meta.total_pages.map(|t| t.div_ceil(ratio.max(1)));
    meta.page = Some(page);
    meta.page_size = Some(page_size);
}

impl PullPage for PullResponse {
    fn append(&mut self, other: Self) {
        self.all_records.extend(other.all_records);
    }
    fn as_page(&mut self, page: u32, page_size: u32, ratio: u32) {
        renumber(self, page, page_size, ratio);
    }
}

impl PullPage for RawPullPage {
    fn append(&mut self, other: Self) {
        self.records.extend(other.records);
    }
    fn as_page(&mut self, page: u32, page_size: u32, ratio: u32) {
        renumber(&mut self.meta, page, page_size, ratio);
    }
}

fn smallest_factor(n: u32) -> u32 {
    (2..=n)
        .take_while(|f| f * f <= n)
        .find(|f| n.is_multiple_of(*f))
        .unwrap_or(n)
}

/// The innermost error text (e.g. "Connection refused (os error 111)").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    let s = cur.to_string();
    if s.is_empty() {
        e.to_string()
    } else {
        s
    }
}

fn connect_reason(e: &reqwest::Error, base: &Url) -> String {
    let host = base.host_str().unwrap_or("?");
    let place = match base.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    let cause = root_cause(e);
    let lc = cause.to_ascii_lowercase();
    let what = if lc.contains("refused") {
        "connection refused".to_owned()
    } else if lc.contains("dns")
        || lc.contains("resolve")
        || lc.contains("name or service")
        || lc.contains("nodename")
    {
        "the server name could not be looked up".to_owned()
    } else if lc.contains("certificate") || lc.contains("tls") {
        format!("secure connection failed: {cause}")
    } else if lc.contains("timed out") || e.is_timeout() {
        "connecting timed out".to_owned()
    } else {
        cause
    };
    format!("{what} at {place}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_on_this_machine_goes_without_tls_roots() {
        let plain = |s: &str| is_plain_loopback(&Url::parse(s).unwrap());
        assert!(plain("http://127.0.0.1:41234/"));
        assert!(plain("http://localhost:8080/api"));
        assert!(plain("http://[::1]:9000/"));
        assert!(!plain("https://127.0.0.1:41234/"));
        assert!(!plain("http://api.example.com/"));
        assert!(!plain("http://10.0.0.5/"));
        // Any scheme, or none, for the command line's sandbox checks.
        assert!(is_loopback("https://127.0.0.1:8443"));
        assert!(is_loopback("127.0.0.1:8080"));
        assert!(is_loopback(" http://LOCALHOST:1/ "));
        assert!(!is_loopback("https://api.example.com"));
        // Both kinds of client build.
        for base in ["http://127.0.0.1:1/", "https://api.example.com/"] {
            Client::new(ClientConfig::new(base, ApiKey::new("k"))).unwrap();
        }
    }
}
