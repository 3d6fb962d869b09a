//! The HTTP routes of the sandbox: request checks and response bodies.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::catalog::{self, Scope, COLLEAGUES};
use crate::errors::{enum_msg, json_object, query_enum, query_int, ApiError, Checker};
use crate::faults::{fault_layer, FaultRule, FaultSwitch, Paging};
use crate::jobs::{mask_key, Jobs, NewJob, Owner, Progress, Stage};
use crate::monitors::RunJob;
use crate::query::{self, EnrichmentSpec, ValidatorSpec, ENRICHMENT_TYPES};
use crate::records;
use crate::SandboxConfig;

pub(crate) struct AppState {
    pub config: SandboxConfig,
    pub jobs: Mutex<Jobs>,
    /// Where the jobs are kept across restarts, if anywhere.
    pub state_file: Option<std::path::PathBuf>,
    pub monitors: Mutex<crate::monitors::MonitorBook>,
    /// Watchlists and projects (kept beside the jobs, when they are).
    pub watchlists: Mutex<crate::watchlists::Store>,
}

impl AppState {
    /// Keeps the jobs after a change (submit, continue, delete).
    pub(crate) fn persist(&self, jobs: &Jobs) {
        if let Some(file) = &self.state_file {
            crate::persist::save(file, jobs);
        }
    }
}

type St = State<Arc<AppState>>;
type ApiResult = Result<Response, ApiError>;
type Params = Query<Vec<(String, String)>>;

const MAX_WINDOW_DAYS: i64 = 30;
const DEFAULT_WINDOW_DAYS: i64 = 5;

pub(crate) fn router(config: SandboxConfig, faults: FaultSwitch) -> Router {
    let mut jobs = Jobs::new();
    let state_file = config.state_dir.as_deref().map(crate::persist::state_file);
    let loaded = state_file
        .as_deref()
        .is_some_and(|f| crate::persist::load(f, &mut jobs));
    if !loaded {
        seed_account_history(&mut jobs, &config);
        if let Some(f) = &state_file {
            crate::persist::save(f, &jobs);
        }
    }
    let monitors = crate::monitors::MonitorBook::load(config.state_dir.as_deref(), &jobs);
    let watchlists = crate::watchlists::Store::load(config.state_dir.as_deref());
    let state = Arc::new(AppState {
        config,
        jobs: Mutex::new(jobs),
        state_file,
        monitors: Mutex::new(monitors),
        watchlists: Mutex::new(watchlists),
    });

    let api = Router::new()
        .route("/catchAll/initialize", post(initialize))
        .route("/catchAll/validate", post(validate))
        .route("/catchAll/submit", post(submit))
        .route("/catchAll/status/{job_id}", get(status))
        .route("/catchAll/pull/{job_id}", get(pull))
        .route("/catchAll/pull/{job_id}/csv", get(pull_csv))
        .route("/catchAll/continue", post(continue_job))
        .route("/catchAll/jobs/user", get(list_jobs))
        .route("/catchAll/jobs/{job_id}", delete(delete_job))
        .route("/catchAll/user/limits", post(limits).get(limits))
        .route("/catchAll/source-groups", get(source_groups))
        .merge(crate::monitors::routes())
        .merge(crate::watchlists::routes())
        .merge(crate::projects::routes())
        .route_layer(from_fn_with_state(state.clone(), auth));

    let control = Router::new()
        .route(
            "/_sandbox/faults",
            post(push_fault).delete(clear_faults).get(list_faults),
        )
        .route(
            "/_sandbox/paging",
            post(set_paging).get(get_paging).delete(reset_paging),
        )
        .with_state(faults.clone());

    Router::new()
        .merge(api)
        .route("/health", get(|| async { Json(json!({"healthy": true})) }))
        .route(
            "/version",
            get(|| async {
                Json(json!({"version": concat!(env!("CARGO_PKG_VERSION"), "-sandbox")}))
            }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, Json(json!({"detail": "Not Found"}))) })
        .method_not_allowed_fallback(|| async {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                Json(json!({"detail": "Method Not Allowed"})),
            )
        })
        .with_state(state)
        .merge(control)
        .layer(from_fn_with_state(faults, fault_layer))
}

/// A few finished jobs "from before", so the account history is not empty;
/// some of them shared by colleagues.
fn seed_account_history(jobs: &mut Jobs, config: &SandboxConfig) {
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    // (query, limit, mode, shared by (colleague, permission), days ago)
    type Seed = (
        &'static str,
        u64,
        &'static str,
        Option<(usize, &'static str)>,
        i64,
    );
    let history: [Seed; 6] = [
        (
            "Series B funding rounds announced by European fintech startups",
            100,
            "base",
            None,
            9,
        ),
        (
            "Acquisitions of cybersecurity companies by large tech firms",
            50,
            "base",
            None,
            6,
        ),
        (
            "Layoffs announced by US tech companies",
            200,
            "base",
            None,
            4,
        ),
        (
            "Data breaches disclosed by hospitals and healthcare providers",
            30,
            "lite",
            Some((0, "view")),
            2,
        ),
        (
            "Store openings announced by European retailers",
            40,
            "base",
            Some((1, "edit")),
            3,
        ),
        (
            "New CEO appointments at European banks",
            25,
            "base",
            Some((0, "manage")),
            8,
        ),
    ];
    for (q, limit, mode, shared, days_ago) in history {
        let created = now - Duration::days(days_ago) - Duration::hours(3);
        let limit = limit.min(config.max_results).max(1);
        let owner = if shared.is_some() {
            Owner::Shared
        } else {
            Owner::Own
        };
        let new = NewJob {
            query: q.into(),
            context: None,
            validators: query::suggest_validators(q),
            enrichments: query::suggest_enrichments(q),
            mode: mode.into(),
            start_date: created - Duration::days(DEFAULT_WINDOW_DAYS),
            end_date: created,
            limit: Some(limit),
            target: limit,
            user_key: if owner == Owner::Shared {
                "****7f3a".into()
            } else {
                "****own1".into()
            },
            scope: Scope::default(),
        };
        let at = jobs.now() - (days_ago as f64) * 86_400.0;
        let id = jobs.insert(new, at, created, owner);
        if let Some((who, permission)) = shared {
            if let Some(j) = jobs.by_id.get_mut(&id) {
                j.sharing = Some((created + Duration::hours(5), permission, COLLEAGUES[who]));
            }
        }
    }
}

async fn auth(State(state): St, req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get("x-api-key")
        .map(|v| v.to_str().unwrap_or("\u{0}").to_string());
    match key {
        None => ApiError::unauthorized("X-API-Key header is required").into_response(),
        Some(k) if k.trim().is_empty() => ApiError::forbidden("Invalid API key").into_response(),
        Some(k)
            if state
                .config
                .api_key
                .as_deref()
                .is_some_and(|want| want != k) =>
        {
            ApiError::forbidden("Invalid API key").into_response()
        }
        Some(_) => next.run(req).await,
    }
}

fn ts(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// ISO 8601: full RFC 3339, a naive date-time (taken as UTC), or a date.
fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let s2 = s.replace(' ', "T");
    if let Ok(t) = OffsetDateTime::parse(&format!("{s2}Z"), &Rfc3339) {
        return Some(t);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = time::Date::parse(s, &fmt) {
        return Some(PrimitiveDateTime::new(d, time::Time::MIDNIGHT).assume_utc());
    }
    None
}

fn date_field(c: &mut Checker, name: &str) -> Option<OffsetDateTime> {
    let s = c.string(name, false)?;
    match parse_datetime(&s) {
        Some(t) => Some(t),
        None => {
            c.error(
                &[json!(name)],
                "Input should be a valid datetime, invalid datetime format",
                "datetime_from_date_parsing",
            );
            None
        }
    }
}

fn key_of(headers: &HeaderMap) -> String {
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn nonempty_query(q: Option<String>) -> Result<String, ApiError> {
    match q {
        Some(q) if !q.trim().is_empty() => Ok(q),
        _ => Err(ApiError::bad_request("query must not be empty")),
    }
}

// ---- initialize / validate ----

async fn initialize(State(state): St, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let q = c.string("query", true);
    let context = c.string("context", false);
    let start = date_field(&mut c, "start_date");
    let end = date_field(&mut c, "end_date");
    let datasets = c.string_list("connected_dataset_ids", None);
    let all_news = c.boolean("fetch_all_watchlist_news");
    c.finish()?;
    let q = nonempty_query(q)?;
    let datasets = known_datasets(&state, datasets.unwrap_or_default())?;
    if all_news == Some(true) && datasets.is_empty() {
        return Err(ApiError::bad_request(
            "fetch_all_watchlist_news requires connected_dataset_ids",
        ));
    }

    let lookback = state.config.lookback_days as i64;
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let earliest = now - Duration::days(lookback);
    let mut messages: Vec<String> = Vec::new();
    let (mut start, mut end) = match (start, end) {
        (None, None) => match query::implied_days(&q) {
            Some(days) => (now - Duration::days(days), now),
            None => (now - Duration::days(DEFAULT_WINDOW_DAYS), now),
        },
        (Some(s), None) => (s, (s + Duration::days(DEFAULT_WINDOW_DAYS)).min(now)),
        (None, Some(e)) => (e - Duration::days(DEFAULT_WINDOW_DAYS), e),
        (Some(s), Some(e)) => (s, e),
    };
    if end > now {
        messages.push(format!(
            "end_date {} is in the future; it was set to now ({}).",
            ts(end),
            ts(now)
        ));
        end = now;
    }
    if start < earliest {
        messages.push(format!(
            "start_date {} is before your plan's lookback of {lookback} days; it was moved to {}.",
            ts(start),
            ts(earliest)
        ));
        start = earliest;
    }
    if end <= start {
        end = (start + Duration::days(DEFAULT_WINDOW_DAYS)).min(now);
        messages.push(format!(
            "end_date was not after start_date; it was set to {}.",
            ts(end)
        ));
    }
    if end - start > Duration::days(MAX_WINDOW_DAYS) {
        start = end - Duration::days(MAX_WINDOW_DAYS);
        messages.push(format!(
            "The date range was longer than {MAX_WINDOW_DAYS} days; it was limited to the {MAX_WINDOW_DAYS} days ending {}.",
            ts(end)
        ));
    }
    let validators: Vec<Value> = query::suggest_validators(&q)
        .iter()
        .map(ValidatorSpec::to_json)
        .collect();
    let enrichments: Vec<Value> = query::suggest_enrichments(&q)
        .iter()
        .map(EnrichmentSpec::to_json)
        .collect();
    Ok(Json(json!({
        "query": q,
        "context": context,
        "validators": validators,
        "enrichments": enrichments,
        "start_date": ts(start),
        "end_date": ts(end),
        "date_modification_message": messages,
    }))
    .into_response())
}

async fn validate(body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let q = c.string("query", true);
    c.finish()?;
    let q = nonempty_query(q)?;
    Ok(Json(query::validate(&q)).into_response())
}

// ---- submit ----

fn read_validators(c: &mut Checker) -> Option<Vec<ValidatorSpec>> {
    let items = c.object_list("validators")?;
    let mut out = Vec::new();
    for (i, o) in items.iter().enumerate() {
        let name = o.get("name").and_then(Value::as_str);
        let desc = o.get("description").and_then(Value::as_str);
        for (field, v) in [("name", name), ("description", desc)] {
            if v.is_none() {
                let (msg, kind) = if o.contains_key(field) {
                    ("Input should be a valid string", "string_type")
                } else {
                    ("Field required", "missing")
                };
                c.error(&[json!("validators"), json!(i), json!(field)], msg, kind);
            }
        }
        if let Some(t) = o.get("type").filter(|t| !t.is_null()) {
            if t != "boolean" {
                c.error(
                    &[json!("validators"), json!(i), json!("type")],
                    "Input should be 'boolean'",
                    "literal_error",
                );
            }
        }
        if let (Some(n), Some(d)) = (name, desc) {
            out.push(ValidatorSpec {
                name: n.into(),
                description: d.into(),
            });
        }
    }
    Some(out)
}

fn read_enrichments(c: &mut Checker) -> Option<Vec<EnrichmentSpec>> {
    let items = c.object_list("enrichments")?;
    let mut out = Vec::new();
    for (i, o) in items.iter().enumerate() {
        let mut get = |field: &str| -> Option<String> {
            match o.get(field) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    c.error(
                        &[json!("enrichments"), json!(i), json!(field)],
                        "Input should be a valid string",
                        "string_type",
                    );
                    None
                }
                None => {
                    c.error(
                        &[json!("enrichments"), json!(i), json!(field)],
                        "Field required",
                        "missing",
                    );
                    None
                }
            }
        };
        let name = get("name");
        let desc = get("description");
        let kind = get("type");
        if let Some(k) = &kind {
            if !ENRICHMENT_TYPES.contains(&k.as_str()) {
                c.error(
                    &[json!("enrichments"), json!(i), json!("type")],
                    enum_msg(&ENRICHMENT_TYPES),
                    "enum",
                );
                continue;
            }
        }
        if let (Some(name), Some(description), Some(kind)) = (name, desc, kind) {
            out.push(EnrichmentSpec {
                name,
                description,
                kind,
            });
        }
    }
    Some(out)
}

/// The checked date window of a submit.
fn submit_window(
    config: &SandboxConfig,
    start: Option<OffsetDateTime>,
    end: Option<OffsetDateTime>,
) -> Result<(OffsetDateTime, OffsetDateTime), ApiError> {
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let lookback = config.lookback_days as i64;
    let earliest = now - Duration::days(lookback);
    let (start, end) = match (start, end) {
        (None, None) => (now - Duration::days(DEFAULT_WINDOW_DAYS), now),
        (Some(s), None) => (s, (s + Duration::days(DEFAULT_WINDOW_DAYS)).min(now)),
        (None, Some(e)) => (e - Duration::days(DEFAULT_WINDOW_DAYS), e),
        (Some(s), Some(e)) => (s, e),
    };
    // Allow a little clock skew between client and server.
    let end = if end > now && end - now < Duration::days(1) {
        now
    } else {
        end
    };
    if end > now {
        return Err(ApiError::bad_request(format!(
            "end_date {} is in the future",
            ts(end)
        )));
    }
    if start >= end {
        return Err(ApiError::bad_request("start_date must be before end_date"));
    }
    if end - start > Duration::days(MAX_WINDOW_DAYS) {
        return Err(ApiError::bad_request(format!(
            "Date range too wide: at most {MAX_WINDOW_DAYS} days between start_date and end_date"
        )));
    }
    // One hour of grace, for a start computed as "now - lookback" by the client.
    if start < earliest - Duration::hours(1) {
        return Err(ApiError::bad_request(format!(
            "start_date {} is outside the allowed range: your plan limited to lookback {lookback} days",
            ts(start)
        )));
    }
    Ok((start, end))
}

/// Datasets by id, as the job will see them; an unknown one, or one that
/// is not ready, is a 400, as on the service.
fn known_datasets(
    state: &AppState,
    ids: Vec<String>,
) -> Result<Vec<std::sync::Arc<catalog::Dataset>>, ApiError> {
    state
        .watchlists
        .lock()
        .unwrap()
        .snapshot(&ids, state.config.pace)
}

fn busy(config: &SandboxConfig) -> ApiError {
    ApiError::too_many(format!(
        "All {} of your plan's concurrent job slots (Jobs_Concurrency) are busy. Wait for a running job to finish.",
        config.concurrency
    ))
}

async fn submit(State(state): St, headers: HeaderMap, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let q = c.string("query", true);
    let context = c.string("context", false);
    let limit = c.int("limit");
    let start = date_field(&mut c, "start_date");
    let end = date_field(&mut c, "end_date");
    let validators = read_validators(&mut c);
    let enrichments = read_enrichments(&mut c);
    let mode = c.string("mode", false);
    if let Some(m) = &mode {
        if m != "base" && m != "lite" {
            c.error(&[json!("mode")], enum_msg(&["base", "lite"]), "enum");
        }
    }
    let datasets = c.string_list("connected_dataset_ids", None);
    let ed_score_min = c.int("ed_score_min");
    let project_id = c.string("project_id", false);
    c.string_list("webhook_ids", Some(5));
    let groups = c.string_list("source_groups", Some(20));
    let all_news = c.boolean("fetch_all_watchlist_news");
    let association = c.string("ed_association_type", false);
    if let Some(a) = &association {
        if a != "mention" && a != "event_associated" {
            c.error(
                &[json!("ed_association_type")],
                enum_msg(&["mention", "event_associated"]),
                "enum",
            );
        }
    }
    c.finish()?;

    let q = nonempty_query(q)?;
    let config = &state.config;
    if let Some(l) = limit {
        if l < 10 {
            return Err(ApiError::bad_request(format!(
                "limit must be at least 10 (got {l})"
            )));
        }
        if l as u64 > config.max_results {
            return Err(ApiError::bad_request(format!(
                "limit {l} exceeds your plan's maximum of {} records per job (Job_Max_Results)",
                config.max_results
            )));
        }
    }
    let (start, end) = submit_window(config, start, end)?;
    let datasets = known_datasets(&state, datasets.unwrap_or_default())?;
    let mut source_groups = Vec::new();
    for slug in groups.unwrap_or_default() {
        match catalog::source_group(&slug) {
            Some(g) => source_groups.push(g),
            None => {
                return Err(ApiError::bad_request(format!(
                    "Unknown source group: {slug}"
                )))
            }
        }
    }
    let all_news = all_news.unwrap_or(false);
    if all_news && datasets.is_empty() {
        return Err(ApiError::bad_request(
            "fetch_all_watchlist_news requires connected_dataset_ids",
        ));
    }
    // Without datasets the service ignores these.
    let with_datasets = !datasets.is_empty();
    let scope = Scope {
        project_id,
        datasets,
        source_groups,
        all_news,
        ed_score_min: ed_score_min.filter(|_| with_datasets),
        association: association.filter(|_| with_datasets),
    };
    let validators = validators
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| query::suggest_validators(&q));
    let enrichments = enrichments
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| query::suggest_enrichments(&q));
    let mut seen = std::collections::HashSet::new();
    for e in &enrichments {
        if e.name == "enrichment_confidence" || !seen.insert(e.name.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Duplicate or reserved enrichment name: {}",
                e.name
            )));
        }
    }

    let limit = limit.map(|l| l as u64);
    let new = NewJob {
        query: q,
        context,
        validators,
        enrichments,
        mode: mode.unwrap_or_else(|| "base".into()),
        start_date: start,
        end_date: end,
        limit,
        target: limit.unwrap_or(config.max_results),
        user_key: mask_key(&key_of(&headers)),
        scope,
    };
    let mut jobs = state.jobs.lock().unwrap();
    if jobs.running(config.pace) >= config.concurrency as usize {
        return Err(busy(config));
    }
    let now = jobs.now();
    let id = jobs.insert(new, now, OffsetDateTime::now_utc(), Owner::Own);
    state.persist(&jobs);
    Ok(Json(json!({ "job_id": id })).into_response())
}

// ---- status / pull ----

fn steps_json(p: &Progress) -> Vec<Value> {
    p.steps
        .iter()
        .map(|(s, done)| json!({"status": s.name(), "order": s.order(), "completed": done}))
        .collect()
}

/// A monitor's run asked for through the job endpoints: None when `job_id`
/// is a job of its own, the run when it is a run, else 404.
fn monitor_run(state: &AppState, job_id: &str) -> Result<Option<RunJob>, ApiError> {
    if state.jobs.lock().unwrap().get(job_id).is_some() {
        return Ok(None);
    }
    crate::monitors::run_job(state, job_id)
        .map(Some)
        .ok_or_else(ApiError::not_found)
}

/// A finished run's progress: it took as long as a job at this pace.
fn run_progress(state: &AppState, run: &RunJob) -> Progress {
    Progress::finished(
        run.records.len() as u64,
        state.config.pace.durations().iter().sum(),
    )
}

async fn status(State(state): St, Path(job_id): Path<String>) -> ApiResult {
    if let Some(run) = monitor_run(&state, &job_id)? {
        let p = run_progress(&state, &run);
        return Ok(Json(json!({
            "job_id": run.job_id,
            "status": p.stage.name(),
            "steps": steps_json(&p),
        }))
        .into_response());
    }
    let jobs = state.jobs.lock().unwrap();
    let job = jobs.get(&job_id).ok_or_else(ApiError::not_found)?;
    let p = job.progress(state.config.pace, jobs.now());
    Ok(Json(json!({
        "job_id": job.id,
        "status": p.stage.name(),
        "steps": steps_json(&p),
    }))
    .into_response())
}

fn duration_text(secs: f64) -> String {
    if secs < 60.0 {
        format!("{}s", secs.round() as u64)
    } else {
        format!("{}m", (secs / 60.0).round() as u64)
    }
}

pub(crate) const FAILURE_MESSAGE: &str =
    "The job failed while fetching sources: no usable sources were found for this query.";

async fn pull(State(state): St, Path(job_id): Path<String>, Query(params): Params) -> ApiResult {
    let mut errors = Vec::new();
    let page = query_int(&mut errors, &params, "page", 1, 1, None) as u64;
    let page_size = query_int(&mut errors, &params, "page_size", 100, 1, Some(1000)) as u64;
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    // A monitor's run answers with its own records under its reference
    // job's query, validators and enrichments.
    let run = monitor_run(&state, &job_id)?;
    let (mut head, spec, p) = {
        let jobs = state.jobs.lock().unwrap();
        let own = run
            .as_ref()
            .map_or(job_id.as_str(), |r| &r.reference_job_id);
        let job = jobs.get(own).ok_or_else(ApiError::not_found)?;
        let p = match &run {
            Some(run) => run_progress(&state, run),
            None => job.progress(state.config.pace, jobs.now()),
        };
        let validators: Vec<Value> = job.validators.iter().map(ValidatorSpec::to_json).collect();
        let enrichments: Vec<Value> = job
            .enrichments
            .iter()
            .map(EnrichmentSpec::to_json)
            .collect();
        let total_pages = p.available.div_ceil(page_size);
        let head = json!({
            "job_id": job.id,
            "query": job.query,
            "context": job.context,
            "validators": validators,
            "enrichments": enrichments,
            "status": p.stage.name(),
            "error": if p.stage == Stage::Failed { json!(FAILURE_MESSAGE) } else { Value::Null },
            "limit": job.limit.unwrap_or(state.config.max_results),
            "duration": duration_text(p.elapsed),
            "candidate_records": p.candidate_records,
            "valid_records": p.available,
            "progress_validated": p.progress_validated,
            "date_range": {"start_date": ts(job.start_date), "end_date": ts(job.end_date)},
            "page": page,
            "page_size": page_size,
            "total_pages": total_pages,
            "mode": job.mode,
            "sharing_info": sharing_info(job).unwrap_or(Value::Null),
            "connected_datasets": job.spec.scope.datasets.iter()
                .map(|d| json!({"id": d.id, "name": d.name, "is_deleted": false}))
                .collect::<Vec<_>>(),
            "source_groups": if job.spec.scope.source_groups.is_empty() {
                Value::Null
            } else {
                job.spec.scope.source_groups.iter().map(|g| g.to_json()).collect()
            },
            "is_all_news_query": job.spec.scope.all_news,
        });
        (head, job.spec.clone(), p)
    };
    let from = (page - 1).saturating_mul(page_size);
    let to = (from.saturating_add(page_size)).min(p.available);
    let records: Vec<Value> = match &run {
        Some(run) => {
            let o = head.as_object_mut().unwrap();
            o.insert("job_id".into(), json!(run.job_id));
            o.insert("limit".into(), json!(run.limit));
            o.insert(
                "date_range".into(),
                json!({"start_date": run.start_date, "end_date": run.end_date}),
            );
            o.insert("sharing_info".into(), Value::Null);
            run.records
                .get(from as usize..to.max(from) as usize)
                .unwrap_or_default()
                .to_vec()
        }
        None => (from..to.max(from))
            .map(|i| records::record(&spec, i))
            .collect(),
    };
    head.as_object_mut()
        .unwrap()
        .insert("all_records".into(), Value::Array(records));
    Ok(Json(head).into_response())
}

/// `sharing_info` of a job another member shared; `None` for the caller's own.
fn sharing_info(job: &crate::jobs::Job) -> Option<Value> {
    let (at, permission, by) = job.sharing?;
    Some(json!({"shared_at": ts(at), "permission": permission, "shared_by": by}))
}

async fn pull_csv(State(state): St, Path(job_id): Path<String>) -> ApiResult {
    if let Some(run) = monitor_run(&state, &job_id)? {
        let mut out = records::csv_header(&run.spec);
        for rec in &run.records {
            out.push_str(&records::csv_row(&run.spec, rec));
        }
        return Ok(csv_answer(&job_id, Body::from(out)));
    }
    let (spec, available) = {
        let jobs = state.jobs.lock().unwrap();
        let job = jobs.get(&job_id).ok_or_else(ApiError::not_found)?;
        let p = job.progress(state.config.pace, jobs.now());
        (job.spec.clone(), p.available)
    };
    const CHUNK: u64 = 500;
    let header_line = records::csv_header(&spec);
    let chunks = available.div_ceil(CHUNK);
    let body = futures::stream::iter(
        std::iter::once(Ok::<Bytes, Infallible>(Bytes::from(header_line))).chain((0..chunks).map(
            move |c| {
                let mut out = String::new();
                for i in c * CHUNK..((c + 1) * CHUNK).min(available) {
                    out.push_str(&records::csv_row(&spec, &records::record(&spec, i)));
                }
                Ok(Bytes::from(out))
            },
        )),
    );
    Ok(csv_answer(&job_id, Body::from_stream(body)))
}

fn csv_answer(job_id: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"catchall-{job_id}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

// ---- continue ----

async fn continue_job(State(state): St, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let job_id = c.string("job_id", true);
    let new_limit = c.int("new_limit");
    c.finish()?;
    let job_id = job_id.unwrap_or_default();
    let config = &state.config;

    let mut jobs = state.jobs.lock().unwrap();
    let now = jobs.now();
    let running = jobs.running(config.pace);
    let job = jobs.get(&job_id).ok_or_else(ApiError::not_found)?;
    let Some(previous) = job.limit else {
        return Err(ApiError::bad_request(
            "This job was submitted without a limit, so there is nothing to continue",
        ));
    };
    let stage = job.progress(config.pace, now).stage;
    if stage == Stage::Failed {
        return Err(ApiError::bad_request(
            "This job failed and cannot be continued",
        ));
    }
    if stage.running() {
        return Err(ApiError::bad_request(
            "This job is still running; continue it once it has completed",
        ));
    }
    let new_limit = match new_limit {
        Some(n) if n <= previous as i64 => {
            return Err(ApiError::bad_request(format!(
                "new_limit ({n}) must be greater than the previous limit ({previous})"
            )))
        }
        Some(n) => n as u64,
        None if previous >= config.max_results => {
            return Err(ApiError::bad_request(format!(
                "The job already has your plan's maximum of {} records",
                config.max_results
            )))
        }
        None => config.max_results,
    };
    if new_limit > config.max_results {
        return Err(ApiError::bad_request(format!(
            "new_limit {new_limit} exceeds your plan's maximum of {} records per job (Job_Max_Results)",
            config.max_results
        )));
    }
    if running >= config.concurrency as usize {
        return Err(busy(config));
    }
    let job = jobs.by_id.get_mut(&job_id).expect("checked above");
    job.continuation = Some(crate::jobs::Continuation {
        at: now,
        from: job.target,
    });
    job.target = new_limit;
    job.limit = Some(new_limit);
    state.persist(&jobs);
    Ok(Json(json!({
        "job_id": job_id,
        "previous_limit": previous,
        "new_limit": new_limit,
        "status": Stage::Enriching.name(),
    }))
    .into_response())
}

// ---- account ----

async fn list_jobs(State(state): St, Query(params): Params) -> ApiResult {
    let mut errors = Vec::new();
    let page = query_int(&mut errors, &params, "page", 1, 1, None) as usize;
    let page_size = query_int(&mut errors, &params, "page_size", 10, 1, Some(100)) as usize;
    let ownership = query_enum(&mut errors, &params, "ownership", &["all", "own", "shared"]);
    let mode = query_enum(&mut errors, &params, "mode", &["lite", "base"]);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let project = params
        .iter()
        .find(|(k, _)| k == "project_id")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|s| !s.is_empty());
    let search = params
        .iter()
        .find(|(k, _)| k == "search")
        .map(|(_, v)| v.trim().to_lowercase())
        .filter(|s| !s.is_empty());

    let in_project = project
        .as_deref()
        .map(|p| crate::projects::project_jobs(&state, p));
    let jobs = state.jobs.lock().unwrap();
    let now = jobs.now();
    let mut list: Vec<_> = jobs
        .order
        .iter()
        .filter_map(|id| jobs.get(id))
        .filter(|j| match ownership.as_deref() {
            Some("own") => j.owner == Owner::Own,
            Some("shared") => j.owner == Owner::Shared,
            _ => true,
        })
        .filter(|j| mode.as_deref().is_none_or(|m| j.mode == m))
        .filter(|j| in_project.as_ref().is_none_or(|ids| ids.contains(&j.id)))
        .filter(|j| {
            search
                .as_deref()
                .is_none_or(|s| j.query.to_lowercase().contains(s) || j.id.starts_with(s))
        })
        .collect();
    list.sort_by_key(|j| std::cmp::Reverse(j.created_at));
    let total = list.len();
    let items: Vec<Value> = list
        .iter()
        .skip((page - 1).saturating_mul(page_size))
        .take(page_size)
        .map(|j| {
            let mut v = json!({
                "job_id": j.id,
                "query": j.query,
                "created_at": ts(j.created_at),
                "status": j.progress(state.config.pace, now).stage.name(),
                "mode": j.mode,
                "user_key": j.user_key,
            });
            // Only on jobs another member shared: UserJob omits it otherwise.
            if let Some(info) = sharing_info(j) {
                v["sharing_info"] = info;
            }
            v
        })
        .collect();
    Ok(Json(json!({
        "total": total,
        "page": page,
        "page_size": page_size,
        "total_pages": total.div_ceil(page_size),
        "jobs": items,
    }))
    .into_response())
}

async fn delete_job(State(state): St, Path(job_id): Path<String>) -> ApiResult {
    let mut jobs = state.jobs.lock().unwrap();
    let job = jobs
        .by_id
        .get_mut(&job_id)
        .ok_or_else(ApiError::not_found)?;
    let message = if job.deleted {
        "Job already deleted"
    } else {
        "Job deleted"
    };
    job.deleted = true;
    state.persist(&jobs);
    Ok(Json(json!({"success": true, "message": message, "job_id": job_id})).into_response())
}

async fn limits(State(state): St) -> ApiResult {
    let jobs = state.jobs.lock().unwrap();
    let running = jobs.running(state.config.pace);
    let month_start = {
        let now = OffsetDateTime::now_utc();
        now.replace_day(1)
            .unwrap()
            .replace_time(time::Time::MIDNIGHT)
    };
    let used = jobs
        .by_id
        .values()
        .filter(|j| j.owner == Owner::Own && j.created_at >= month_start)
        .count();
    let c = &state.config;
    Ok(Json(json!({
        "features": [
            {"name": "Concurrent jobs", "code": "Jobs_Concurrency", "value_type": "integer", "value": c.concurrency, "current_usage": running},
            {"name": "Maximum results per job", "code": "Job_Max_Results", "value_type": "integer", "value": c.max_results, "current_usage": null},
            {"name": "Monthly free credits", "code": "monthly_free_credits", "value_type": "integer", "value": 1000, "current_usage": used},
            {"name": "Lookback days", "code": "Lookback_Days", "value_type": "integer", "value": c.lookback_days},
        ]
    }))
    .into_response())
}

/// `GET /catchAll/source-groups`: paged, with `total` but no `total_pages`.
async fn source_groups(Query(params): Params) -> ApiResult {
    let mut errors = Vec::new();
    let page = query_int(&mut errors, &params, "page", 1, 1, None) as usize;
    let page_size = query_int(&mut errors, &params, "page_size", 50, 1, Some(100)) as usize;
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let groups: Vec<Value> = catalog::SOURCE_GROUPS
        .iter()
        .skip((page - 1).saturating_mul(page_size))
        .take(page_size)
        .map(catalog::SourceGroup::to_json)
        .collect();
    Ok(Json(json!({
        "source_groups": groups,
        "total": catalog::SOURCE_GROUPS.len(),
        "page": page,
        "page_size": page_size,
    }))
    .into_response())
}

// ---- fault control (no key) ----

async fn push_fault(State(faults): State<FaultSwitch>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultRule>(&body) {
        Ok(rule) => {
            faults.push(rule);
            Json(json!({"rules": faults.rules()})).into_response()
        }
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(
                json!({"detail": [{"loc": ["body"], "msg": e.to_string(), "type": "value_error"}]}),
            ),
        )
            .into_response(),
    }
}

async fn set_paging(State(faults): State<FaultSwitch>, body: Bytes) -> Response {
    match serde_json::from_slice::<Paging>(&body) {
        Ok(p) => {
            faults.set_paging(p);
            Json(json!(faults.paging())).into_response()
        }
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(
                json!({"detail": [{"loc": ["body"], "msg": e.to_string(), "type": "value_error"}]}),
            ),
        )
            .into_response(),
    }
}

async fn get_paging(State(faults): State<FaultSwitch>) -> Json<Value> {
    Json(json!(faults.paging()))
}

async fn reset_paging(State(faults): State<FaultSwitch>) -> Json<Value> {
    faults.set_paging(Paging::default());
    Json(json!(faults.paging()))
}

async fn clear_faults(State(faults): State<FaultSwitch>) -> Json<Value> {
    faults.clear();
    Json(json!({"rules": []}))
}

async fn list_faults(State(faults): State<FaultSwitch>) -> Json<Value> {
    Json(json!({"rules": faults.rules()}))
}
