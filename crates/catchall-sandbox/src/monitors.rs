//! Event monitors and webhooks (`docs/api.md`, sections 5 and 6).
//!
//! Monitors run for real, computed when asked (no task per monitor, like
//! jobs): each monitor keeps a virtual clock that runs [`Pace`]-times
//! faster than the real one (`test`: a day in 3 s; `demo`: a day in a
//! minute; `real`: real time), and every schedule tick the virtual clock
//! has passed becomes a run. Run `n` yields `limit` records of which the
//! first half were already in run `n - 1`, so the aggregate de-duplicates.
//! Webhook tests and deliveries are recorded, never sent anywhere.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::errors::{json_object, query_enum, query_int, ApiError, Checker, FieldError};
use crate::jobs::{Owner, Stage};
use crate::records::{self, RecordSpec};
use crate::rng::hash_str;
use crate::routes::AppState;
use crate::schedule::{self, Schedule};
use crate::Pace;

type St = State<Arc<AppState>>;
type ApiResult = Result<Response, ApiError>;
type Params = Query<Vec<(String, String)>>;

/// The most runs one request catches up on (a long-idle monitor at
/// `test` pace would otherwise make thousands at once).
const MAX_CATCH_UP: usize = 20;
const MAX_WEBHOOKS: usize = 5;
/// Backfill needs the reference job to have ended this recently.
const BACKFILL_DAYS: f64 = 7.0;

impl Pace {
    /// How many virtual seconds pass per real second for monitors.
    fn monitor_speed(self) -> f64 {
        match self {
            Pace::Test => 86_400.0 / 3.0,
            Pace::Demo => 86_400.0 / 60.0,
            Pace::Real => 1.0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Run {
    job_id: String,
    /// Unix seconds (real time) of the window and of the run.
    start: f64,
    end: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StatusEntry {
    status: String,
    at: f64,
    info: Value,
}

#[derive(Debug)]
struct Monitor {
    id: String,
    reference_job_id: String,
    query: String,
    context: Option<String>,
    spec: Arc<RecordSpec>,
    schedule: Schedule,
    limit: u64,
    enabled: bool,
    deleted: bool,
    created_at: f64,
    /// Real and virtual Unix seconds at the last (re)start of the clock.
    anchor_real: f64,
    anchor_virtual: f64,
    /// Virtual time of the last tick run.
    last_tick: Timestamp,
    runs: Vec<Run>,
    /// Newest last.
    history: Vec<StatusEntry>,
    project_id: Option<String>,
}

impl Monitor {
    fn half(&self) -> u64 {
        (self.limit / 2).max(1)
    }
    /// Distinct records across all runs.
    fn total(&self) -> u64 {
        match self.runs.len() as u64 {
            0 => 0,
            n => (n - 1) * self.half() + self.limit,
        }
    }
    /// The run that first yielded record `i`, and the last that did.
    fn runs_of(&self, i: u64) -> (usize, usize) {
        let first = if i < self.limit {
            0
        } else {
            ((i - self.limit) / self.half() + 1) as usize
        };
        let last = ((i / self.half()) as usize).min(self.runs.len().saturating_sub(1));
        (first, last.max(first))
    }
    /// The numbers of the records run `r` yielded: `limit` of them, the
    /// first half already yielded by the run before.
    fn run_range(&self, r: usize) -> std::ops::Range<u64> {
        let from = r as u64 * self.half();
        from..from + self.limit
    }
    fn record(&self, i: u64) -> Value {
        let (first, last) = self.runs_of(i);
        let mut rec = records::record(&self.spec, i);
        let found = &self.runs[first];
        let added = ts(found.end);
        if let Some(cites) = rec.get_mut("citations").and_then(Value::as_array_mut) {
            for (k, c) in cites.iter_mut().enumerate() {
                if let Some(o) = c.as_object_mut() {
                    o.insert(
                        "id".into(),
                        json!(format!("doc-{:x}-{k}", hash_str(&added) ^ i)),
                    );
                    o.insert("job_id".into(), json!(found.job_id));
                    o.insert("added_on".into(), json!(added));
                }
            }
        }
        if let Some(o) = rec.as_object_mut() {
            // Not modelled on a monitor record.
            o.remove("connected_entities");
            o.remove("tags");
            o.insert("added_on".into(), json!(added));
            o.insert("updated_on".into(), json!(ts(self.runs[last].end)));
        }
        rec
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Hook {
    id: String,
    body: Map<String, Value>,
    created_at: f64,
    updated_at: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Mapping {
    id: String,
    webhook_id: String,
    resource_type: String,
    resource_id: String,
    at: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Delivery {
    id: u64,
    webhook_id: String,
    resource_type: String,
    resource_id: String,
    status_code: u16,
    at: f64,
    info: Value,
}

/// Every monitor and webhook of the sandbox account.
#[derive(Debug, Default)]
pub(crate) struct MonitorBook {
    monitors: Vec<Monitor>,
    hooks: BTreeMap<String, Hook>,
    mappings: Vec<Mapping>,
    deliveries: Vec<Delivery>,
    counter: u64,
    /// Where the book is kept across restarts (beside the jobs), if anywhere.
    file: Option<std::path::PathBuf>,
}

/// The file beside the jobs' that keeps monitors and webhooks.
pub(crate) const MONITORS_FILE: &str = "sandbox-monitors.json";

/// A monitor as kept on disk: its records' spec is rebuilt from the
/// reference job (whose jobs file is read first) and the monitor's id.
#[derive(Serialize, Deserialize)]
struct SavedMonitor {
    id: String,
    reference_job_id: String,
    query: String,
    context: Option<String>,
    schedule: Schedule,
    limit: u64,
    enabled: bool,
    deleted: bool,
    created_at: f64,
    anchor_real: f64,
    anchor_virtual: f64,
    last_tick: i64,
    runs: Vec<Run>,
    history: Vec<StatusEntry>,
    project_id: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct SavedBook {
    monitors: Vec<SavedMonitor>,
    hooks: Vec<Hook>,
    mappings: Vec<Mapping>,
    deliveries: Vec<Delivery>,
    counter: u64,
}

impl MonitorBook {
    /// The book kept in `dir` (empty when there is none or it cannot be read).
    pub(crate) fn load(dir: Option<&std::path::Path>, jobs: &crate::jobs::Jobs) -> MonitorBook {
        let Some(dir) = dir else {
            return MonitorBook::default();
        };
        let file = dir.join(MONITORS_FILE);
        let mut book = MonitorBook {
            file: Some(file.clone()),
            ..Default::default()
        };
        let Some(saved) = std::fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<SavedBook>(&b).ok())
        else {
            return book;
        };
        book.counter = saved.counter;
        book.hooks = saved.hooks.into_iter().map(|h| (h.id.clone(), h)).collect();
        book.mappings = saved.mappings;
        book.deliveries = saved.deliveries;
        for m in saved.monitors {
            let Some(job) = jobs.get(&m.reference_job_id) else {
                continue;
            };
            book.monitors.push(Monitor {
                spec: monitor_spec(&job.spec, &m.id),
                id: m.id,
                reference_job_id: m.reference_job_id,
                query: m.query,
                context: m.context,
                schedule: m.schedule,
                limit: m.limit,
                enabled: m.enabled,
                deleted: m.deleted,
                created_at: m.created_at,
                anchor_real: m.anchor_real,
                anchor_virtual: m.anchor_virtual,
                last_tick: Timestamp::from_second(m.last_tick).unwrap_or(Timestamp::UNIX_EPOCH),
                runs: m.runs,
                history: m.history,
                project_id: m.project_id,
            });
        }
        book
    }

    fn save(&self) {
        let Some(file) = &self.file else { return };
        let saved = SavedBook {
            monitors: self
                .monitors
                .iter()
                .map(|m| SavedMonitor {
                    id: m.id.clone(),
                    reference_job_id: m.reference_job_id.clone(),
                    query: m.query.clone(),
                    context: m.context.clone(),
                    schedule: m.schedule.clone(),
                    limit: m.limit,
                    enabled: m.enabled,
                    deleted: m.deleted,
                    created_at: m.created_at,
                    anchor_real: m.anchor_real,
                    anchor_virtual: m.anchor_virtual,
                    last_tick: m.last_tick.as_second(),
                    runs: m.runs.clone(),
                    history: m.history.clone(),
                    project_id: m.project_id.clone(),
                })
                .collect(),
            hooks: self.hooks.values().cloned().collect(),
            mappings: self.mappings.clone(),
            deliveries: self.deliveries.clone(),
            counter: self.counter,
        };
        let Ok(bytes) = serde_json::to_vec(&saved) else {
            return;
        };
        let tmp = file.with_extension("json.tmp");
        if crate::persist::write_private(&tmp, &bytes).is_ok() {
            let _ = std::fs::rename(&tmp, file);
        }
    }
}

/// A monitor's records: the reference job's kind of records, numbered by
/// the monitor (so their ids are the same run after run).
fn monitor_spec(job: &RecordSpec, monitor_id: &str) -> Arc<RecordSpec> {
    Arc::new(RecordSpec {
        seed: hash_str(monitor_id),
        category: job.category,
        enrichments: job.enrichments.clone(),
        window_start: job.window_start,
        window_end: job.window_end,
        lite: job.lite,
        scope: job.scope.clone(),
    })
}

/// The book, locked; kept on disk when the lock is let go (runs may have
/// come, or a handler changed something).
struct BookGuard<'a>(std::sync::MutexGuard<'a, MonitorBook>);

impl std::ops::Deref for BookGuard<'_> {
    type Target = MonitorBook;
    fn deref(&self) -> &MonitorBook {
        &self.0
    }
}

impl std::ops::DerefMut for BookGuard<'_> {
    fn deref_mut(&mut self) -> &mut MonitorBook {
        &mut self.0
    }
}

impl Drop for BookGuard<'_> {
    fn drop(&mut self) {
        self.0.save();
    }
}

fn book(state: &AppState) -> BookGuard<'_> {
    BookGuard(state.monitors.lock().unwrap_or_else(|p| p.into_inner()))
}

fn unix_now() -> f64 {
    Timestamp::now().as_millisecond() as f64 / 1000.0
}

fn ts(unix: f64) -> String {
    Timestamp::from_second(unix.floor() as i64)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn ts_from(t: Timestamp) -> f64 {
    t.as_millisecond() as f64 / 1000.0
}

fn virt(unix: f64) -> Timestamp {
    Timestamp::from_second(unix.floor() as i64).unwrap_or(Timestamp::UNIX_EPOCH)
}

impl MonitorBook {
    fn next_id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let h = hash_str(&format!("{prefix}{}{}", self.counter, unix_now()));
        format!("{prefix}-{:012x}{:04x}", h & 0xffff_ffff_ffff, self.counter)
    }

    fn monitor(&mut self, id: &str) -> Result<usize, ApiError> {
        self.monitors
            .iter()
            .position(|m| m.id == id && !m.deleted)
            .ok_or_else(|| ApiError::Status(StatusCode::NOT_FOUND, "Monitor not found".into()))
    }

    /// Runs every tick the monitors' clocks have passed.
    fn advance(&mut self, pace: Pace) {
        let now = unix_now();
        let speed = pace.monitor_speed();
        for i in 0..self.monitors.len() {
            let m = &self.monitors[i];
            if !m.enabled || m.deleted {
                continue;
            }
            let virtual_now = m.anchor_virtual + (now - m.anchor_real) * speed;
            let mut made = 0;
            while made < MAX_CATCH_UP {
                let m = &self.monitors[i];
                let Some(tick) = m.schedule.next_after(m.last_tick) else {
                    break;
                };
                let tick_virtual = ts_from(tick);
                if tick_virtual > virtual_now {
                    break;
                }
                // The tick's moment on the real clock.
                let real = m.anchor_real + (tick_virtual - m.anchor_virtual) / speed;
                self.monitors[i].last_tick = tick;
                self.run(i, real);
                made += 1;
            }
        }
    }

    /// One run of monitor `i` at `at` (real Unix seconds).
    fn run(&mut self, i: usize, at: f64) {
        let job_id = self.next_id("run");
        let m = &mut self.monitors[i];
        let before = m.total();
        let start = m.runs.last().map(|r| r.end).unwrap_or(m.created_at);
        m.runs.push(Run {
            job_id: job_id.clone(),
            start,
            end: at,
        });
        let after = m.total();
        m.history.push(StatusEntry {
            status: "scheduled".into(),
            at,
            info: json!({"job_id": job_id, "start_date": ts(start), "end_date": ts(at)}),
        });
        let monitor_id = m.id.clone();
        let cron = m.schedule.cron();
        let jobs_processed = m.runs.len();
        let mut info = json!({"nb_existing_records": before, "nb_final_records": after});
        let hooks: Vec<String> = self
            .mappings
            .iter()
            .filter(|x| x.resource_type == "monitor" && x.resource_id == monitor_id)
            .map(|x| x.webhook_id.clone())
            .collect();
        let mut webhook = None;
        for h in hooks {
            let Some(hook) = self.hooks.get(&h) else {
                continue;
            };
            if hook.body.get("is_active") == Some(&json!(false)) {
                continue;
            }
            let code = target_status(hook);
            webhook = Some(json!({
                "success": (200..300).contains(&code),
                "status_code": code,
                "error_message": if (200..300).contains(&code) { Value::Null } else { json!("The target answered with an error") },
            }));
            self.deliver(
                &h,
                "monitor",
                &monitor_id,
                code,
                at,
                json!({
                    "latest_job_id": job_id,
                    "records_count": after - before,
                    "jobs_processed": jobs_processed,
                    "cron_expression": cron,
                }),
            );
        }
        if let Some(w) = webhook {
            info["webhook"] = w;
        }
        self.monitors[i].history.push(StatusEntry {
            status: "dump".into(),
            at,
            info,
        });
    }

    fn deliver(
        &mut self,
        webhook_id: &str,
        rtype: &str,
        rid: &str,
        code: u16,
        at: f64,
        info: Value,
    ) {
        self.counter += 1;
        self.deliveries.push(Delivery {
            id: self.counter,
            webhook_id: webhook_id.to_owned(),
            resource_type: rtype.to_owned(),
            resource_id: rid.to_owned(),
            status_code: code,
            at,
            info,
        });
    }
}

/// What the (imagined) target answers: a URL with `fail` in its path
/// answers 500, so failed deliveries can be seen too.
fn target_status(hook: &Hook) -> u16 {
    let url = hook.body.get("url").and_then(Value::as_str).unwrap_or("");
    let path = url.splitn(4, '/').nth(3).unwrap_or("");
    if path.to_ascii_lowercase().contains("fail") {
        500
    } else {
        200
    }
}

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/catchAll/monitors/create", post(create))
        .route("/catchAll/monitors", get(list))
        .route("/catchAll/monitors/pull/{id}", get(pull))
        .route("/catchAll/monitors/pull/{id}/csv", get(pull_csv))
        .route("/catchAll/monitors/{id}/jobs", get(runs))
        .route("/catchAll/monitors/{id}/status", get(status))
        .route("/catchAll/monitors/{id}/enable", post(enable))
        .route("/catchAll/monitors/{id}/disable", post(disable))
        .route(
            "/catchAll/monitors/{id}",
            axum::routing::patch(update).delete(delete_monitor),
        )
        .route("/catchAll/webhooks", post(create_hook).get(list_hooks))
        .route(
            "/catchAll/webhooks/{id}",
            get(get_hook).patch(update_hook).delete(delete_hook),
        )
        .route("/catchAll/webhooks/{id}/test", post(test_hook))
        .route(
            "/catchAll/webhooks/{id}/resources",
            get(hook_resources).post(assign),
        )
        .route(
            "/catchAll/webhooks/{id}/resources/{rtype}/{rid}",
            axum::routing::delete(unassign),
        )
        .route(
            "/catchAll/resources/{rtype}/{rid}/webhooks",
            get(resource_hooks),
        )
        .route("/catchAll/webhook/trigger/{rtype}/{rid}", post(trigger))
        .route("/catchAll/webhook-history", get(history))
}

fn unprocessable(field: &str, msg: impl Into<String>) -> ApiError {
    ApiError::Invalid(vec![FieldError {
        loc: vec![json!("body"), json!(field)],
        msg: msg.into(),
        kind: "value_error".into(),
    }])
}

fn page_of<T>(items: Vec<T>, params: &[(String, String)]) -> Result<(Vec<T>, Value), ApiError> {
    let mut errors = Vec::new();
    let page = query_int(&mut errors, params, "page", 1, 1, None) as usize;
    let size = query_int(&mut errors, params, "page_size", 10, 1, Some(100)) as usize;
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let total = items.len();
    let out = items
        .into_iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .collect();
    Ok((
        out,
        json!({"total": total, "page": page, "page_size": size, "total_pages": total.div_ceil(size)}),
    ))
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

// ---- monitors ----

async fn create(State(state): St, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let reference = c.string("reference_job_id", true);
    let text = c.string("schedule", true);
    let timezone = c.string("timezone", false);
    let hooks = c.string_list("webhook_ids", Some(MAX_WEBHOOKS));
    let limit = c.int("limit");
    let backfill = c.boolean("backfill");
    let project_id = c.string("project_id", false);
    c.finish()?;
    let (reference, text) = (reference.unwrap_or_default(), text.unwrap_or_default());
    if let Some(l) = limit {
        if l < 10 {
            return Err(unprocessable(
                "limit",
                "Input should be greater than or equal to 10",
            ));
        }
    }
    let sched =
        schedule::parse(&text, timezone.as_deref()).map_err(|e| unprocessable("schedule", e))?;
    let now = unix_now();
    let (query, context, spec, job_limit, job_end) = {
        let jobs = state.jobs.lock().unwrap();
        let job = jobs
            .get(&reference)
            .filter(|j| !j.deleted && j.owner == Owner::Own)
            .ok_or_else(ApiError::not_found)?;
        let p = job.progress(state.config.pace, jobs.now());
        if p.stage != Stage::Completed {
            return Err(ApiError::bad_request(
                "The reference job must be completed before it can be monitored",
            ));
        }
        (
            job.query.clone(),
            job.context.clone(),
            job.spec.clone(),
            job.limit.unwrap_or(job.target),
            job.end_date.unix_timestamp() as f64,
        )
    };
    if backfill == Some(true) && now - job_end > BACKFILL_DAYS * 86_400.0 {
        return Err(ApiError::bad_request(format!(
            "Backfill needs a reference job that ended within the last {BACKFILL_DAYS} days"
        )));
    }
    let mut book = book(&state);
    book.advance(state.config.pace);
    let hooks = hooks.unwrap_or_default();
    for h in &hooks {
        if !book.hooks.contains_key(h) {
            return Err(ApiError::Status(
                StatusCode::NOT_FOUND,
                format!("Webhook {h} not found"),
            ));
        }
    }
    let id = book.next_id("mon");
    let spec = monitor_spec(&spec, &id);
    let limit = limit.map(|l| l as u64).unwrap_or(job_limit).clamp(10, 1000);
    book.monitors.push(Monitor {
        id: id.clone(),
        reference_job_id: reference,
        query,
        context,
        spec,
        schedule: sched,
        limit,
        enabled: true,
        deleted: false,
        created_at: now,
        anchor_real: now,
        anchor_virtual: now,
        last_tick: virt(now),
        runs: Vec::new(),
        history: vec![StatusEntry {
            status: "created".into(),
            at: now,
            info: Value::Null,
        }],
        project_id,
    });
    for h in hooks {
        map_hook(&mut book, &h, "monitor", &id, now);
    }
    if backfill == Some(true) {
        let i = book.monitors.len() - 1;
        book.monitors[i].created_at = job_end;
        book.run(i, now);
    }
    Ok(Json(json!({"monitor_id": id, "status": "Monitor created successfully"})).into_response())
}

fn list_item(m: &Monitor) -> Value {
    json!({
        "monitor_id": m.id,
        "reference_job_id": m.reference_job_id,
        "reference_job_query": m.query,
        "enabled": m.enabled,
        "schedule": m.schedule.cron(),
        "schedule_human_readable": m.schedule.human(),
        "timezone": m.schedule.tz,
        "created_at": ts(m.history.first().map(|h| h.at).unwrap_or(m.created_at)),
        "webhook": Value::Null,
        "user_key": "****own1",
    })
}

async fn list(State(state): St, Query(params): Params) -> ApiResult {
    let mut errors = Vec::new();
    let ownership = query_enum(&mut errors, &params, "ownership", &["all", "own", "shared"]);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let search = param(&params, "search").map(str::to_lowercase);
    let project = param(&params, "project_id");
    let mut book = book(&state);
    book.advance(state.config.pace);
    let items: Vec<Value> = if ownership.as_deref() == Some("shared") {
        Vec::new()
    } else {
        book.monitors
            .iter()
            .rev()
            .filter(|m| !m.deleted)
            .filter(|m| {
                search
                    .as_ref()
                    .is_none_or(|s| m.query.to_lowercase().contains(s))
            })
            .filter(|m| project.is_none_or(|p| m.project_id.as_deref() == Some(p)))
            .map(list_item)
            .collect()
    };
    let (items, mut head) = page_of(items, &params)?;
    head["monitors"] = Value::Array(items);
    Ok(Json(head).into_response())
}

async fn pull(State(state): St, Path(id): Path<String>) -> ApiResult {
    let mut book = book(&state);
    book.advance(state.config.pace);
    let i = book.monitor(&id)?;
    let m = &book.monitors[i];
    let records: Vec<Value> = (0..m.total()).map(|r| m.record(r)).collect();
    Ok(Json(json!({
        "monitor_id": m.id,
        "status": if m.enabled { "enabled" } else { "disabled" },
        "reference_job": {"query": m.query, "context": m.context, "source_groups": Value::Null},
        "cron_expression": m.schedule.cron(),
        "timezone": m.schedule.tz,
        "run_info": {
            "first_run": m.runs.first().map(|r| json!(ts(r.end))).unwrap_or(Value::Null),
            "last_run": m.runs.last().map(|r| json!(ts(r.end))).unwrap_or(Value::Null),
        },
        "records": m.total(),
        "all_records": records,
        "limit": m.limit,
        "connected_datasets": [],
        "is_all_news_query": false,
    }))
    .into_response())
}

/// A monitor's run as the job it is: pullable by its id through the job
/// endpoints (`status`, `pull`, `pull/csv`) like any finished job.
pub(crate) struct RunJob {
    pub job_id: String,
    pub reference_job_id: String,
    pub spec: Arc<RecordSpec>,
    pub limit: u64,
    /// RFC 3339: the run's window, and how long it took in seconds.
    pub start_date: String,
    pub end_date: String,
    pub records: Vec<Value>,
}

/// The run with this job id, of any monitor (a deleted monitor's runs stay
/// jobs of the account).
pub(crate) fn run_job(state: &AppState, job_id: &str) -> Option<RunJob> {
    let mut book = book(state);
    book.advance(state.config.pace);
    book.monitors.iter().find_map(|m| {
        let r = m.runs.iter().position(|r| r.job_id == job_id)?;
        let run = &m.runs[r];
        Some(RunJob {
            job_id: run.job_id.clone(),
            reference_job_id: m.reference_job_id.clone(),
            spec: m.spec.clone(),
            limit: m.limit,
            start_date: ts(run.start),
            end_date: ts(run.end),
            // As a job's records (the monitor's pull adds when each was found).
            records: m
                .run_range(r)
                .map(|i| records::record(&m.spec, i))
                .collect(),
        })
    })
}

async fn pull_csv(State(state): St, Path(id): Path<String>) -> ApiResult {
    let mut book = book(&state);
    book.advance(state.config.pace);
    let i = book.monitor(&id)?;
    let m = &book.monitors[i];
    let mut out = records::csv_header(&m.spec);
    if let Some(last) = m.runs.len().checked_sub(1) {
        for i in m.run_range(last) {
            out.push_str(&records::csv_row(&m.spec, &m.record(i)));
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"monitor-{id}.csv\""),
            ),
        ],
        out,
    )
        .into_response())
}

async fn runs(State(state): St, Path(id): Path<String>, Query(params): Params) -> ApiResult {
    let mut errors = Vec::new();
    let sort = query_enum(&mut errors, &params, "sort", &["asc", "desc"]);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let sort = sort.unwrap_or_else(|| "desc".into());
    let mut book = book(&state);
    book.advance(state.config.pace);
    let i = book.monitor(&id)?;
    let m = &book.monitors[i];
    let mut jobs: Vec<Value> = m
        .runs
        .iter()
        .map(|r| json!({"job_id": r.job_id, "start_date": ts(r.start), "end_date": ts(r.end)}))
        .collect();
    if sort == "desc" {
        jobs.reverse();
    }
    Ok(Json(json!({
        "monitor_id": m.id,
        "sort_order": sort,
        "total_jobs": jobs.len(),
        "jobs": jobs,
    }))
    .into_response())
}

async fn status(State(state): St, Path(id): Path<String>) -> ApiResult {
    let mut book = book(&state);
    book.advance(state.config.pace);
    let i = book.monitor(&id)?;
    let m = &book.monitors[i];
    let statuses: Vec<Value> = m
        .history
        .iter()
        .rev()
        .map(|h| json!({"status": h.status, "created_at": ts(h.at), "additional_information": h.info}))
        .collect();
    Ok(Json(json!({
        "success": true,
        "message": "Status history retrieved",
        "monitor_id": m.id,
        "total_statuses": statuses.len(),
        "statuses": statuses,
    }))
    .into_response())
}

async fn enable(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let obj = if body.iter().all(|b| b.is_ascii_whitespace()) {
        Map::new()
    } else {
        json_object(&body)?
    };
    let mut c = Checker::new("body", &obj);
    let backfill = c.boolean("backfill");
    c.finish()?;
    let mut book = book(&state);
    book.advance(state.config.pace);
    let i = book.monitor(&id)?;
    let now = unix_now();
    if backfill == Some(true) {
        let last = book.monitors[i].runs.last().map(|r| r.end);
        if last.is_some_and(|e| now - e > BACKFILL_DAYS * 86_400.0) {
            return Err(ApiError::bad_request(format!(
                "Backfill needs a last run that ended within the last {BACKFILL_DAYS} days"
            )));
        }
    }
    let was = book.monitors[i].enabled;
    {
        let m = &mut book.monitors[i];
        if !was {
            // Ticks missed while disabled are not run (unless backfilled).
            m.enabled = true;
            m.anchor_real = now;
            m.anchor_virtual = now;
            m.last_tick = virt(now);
        }
        m.history.push(StatusEntry {
            status: "enable".into(),
            at: now,
            info: Value::Null,
        });
    }
    if backfill == Some(true) {
        book.run(i, now);
    }
    Ok(
        Json(json!({"success": true, "message": "Monitor enabled", "monitor_id": id}))
            .into_response(),
    )
}

async fn disable(State(state): St, Path(id): Path<String>) -> ApiResult {
    let mut book = book(&state);
    book.advance(state.config.pace);
    let i = book.monitor(&id)?;
    let m = &mut book.monitors[i];
    m.enabled = false;
    m.history.push(StatusEntry {
        status: "disable".into(),
        at: unix_now(),
        info: Value::Null,
    });
    Ok(
        Json(json!({"success": true, "message": "Monitor disabled", "monitor_id": id}))
            .into_response(),
    )
}

async fn update(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let hooks = c.string_list("webhook_ids", Some(MAX_WEBHOOKS));
    let limit = c.int("limit");
    let text = c.string("schedule", false);
    let timezone = c.string("timezone", false);
    c.finish()?;
    if limit.is_some_and(|l| l < 10) {
        return Err(unprocessable(
            "limit",
            "Input should be greater than or equal to 10",
        ));
    }
    let mut book = book(&state);
    book.advance(state.config.pace);
    let i = book.monitor(&id)?;
    let sched = match &text {
        Some(t) => Some(
            schedule::parse(
                t,
                timezone.as_deref().or(Some(&book.monitors[i].schedule.tz)),
            )
            .map_err(|e| unprocessable("schedule", e))?,
        ),
        None => None,
    };
    if let Some(hooks) = &hooks {
        if let Some(h) = hooks.iter().find(|h| !book.hooks.contains_key(*h)) {
            return Err(ApiError::Status(
                StatusCode::NOT_FOUND,
                format!("Webhook {h} not found"),
            ));
        }
    }
    let now = unix_now();
    if let Some(hooks) = hooks {
        book.mappings
            .retain(|x| !(x.resource_type == "monitor" && x.resource_id == id));
        for h in hooks {
            map_hook(&mut book, &h, "monitor", &id, now);
        }
    }
    let m = &mut book.monitors[i];
    if let Some(l) = limit {
        m.limit = (l as u64).min(1000);
    }
    if let Some(s) = sched {
        m.schedule = s;
    }
    Ok(Json(json!({"monitor_id": id, "status": "Monitor updated successfully"})).into_response())
}

async fn delete_monitor(State(state): St, Path(id): Path<String>) -> ApiResult {
    let mut book = book(&state);
    let Some(m) = book.monitors.iter_mut().find(|m| m.id == id) else {
        return Err(ApiError::Status(
            StatusCode::NOT_FOUND,
            "Monitor not found".into(),
        ));
    };
    m.deleted = true;
    m.enabled = false;
    Ok(
        Json(json!({"success": true, "message": "Monitor deleted", "monitor_id": id}))
            .into_response(),
    )
}

// ---- webhooks ----

const HOOK_TYPES: &[&str] = &["generic", "slack", "teams", "custom"];
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The service's URL rules; `Err` is the 422 message.
fn check_url(url: &str, kind: &str) -> Result<(), String> {
    let Some(rest) = url.strip_prefix("https://") else {
        return Err("Webhook URL must use HTTPS".into());
    };
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .rsplit('@')
        .next()
        .unwrap_or("");
    let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    if host.is_empty() || host.parse::<std::net::Ipv4Addr>().is_ok() || host.starts_with('[') {
        return Err("Webhook URL must use a domain name, not an IP address".into());
    }
    match kind {
        "slack" if !url.starts_with("https://hooks.slack.com/") => {
            Err("Slack webhook URL must start with https://hooks.slack.com/".into())
        }
        "teams"
            if !(host.ends_with(".webhook.office.com")
                || host.ends_with(".webhook.office365.com")) =>
        {
            Err("Teams webhook URL must be on webhook.office.com or webhook.office365.com".into())
        }
        _ => Ok(()),
    }
}

fn detect_type(url: &str) -> &'static str {
    if url.starts_with("https://hooks.slack.com/") {
        "slack"
    } else if url.contains(".webhook.office.com") || url.contains(".webhook.office365.com") {
        "teams"
    } else {
        "generic"
    }
}

/// Checks a webhook body (create: `name` and `url` required).
fn read_hook(obj: &Map<String, Value>, create: bool) -> Result<Map<String, Value>, ApiError> {
    let mut c = Checker::new("body", obj);
    let name = c.string("name", create);
    let url = c.string("url", create);
    let kind = c.string("type", false);
    let mode = c.string("delivery_mode", false);
    let method = c.string("method", false);
    let active = if create { None } else { c.boolean("is_active") };
    c.finish()?;
    if let Some(k) = &kind {
        if !HOOK_TYPES.contains(&k.as_str()) {
            return Err(unprocessable("type", crate::errors::enum_msg(HOOK_TYPES)));
        }
    }
    if let Some(m) = &mode {
        if !["full", "per_record"].contains(&m.as_str()) {
            return Err(unprocessable(
                "delivery_mode",
                "Input should be 'full' or 'per_record'",
            ));
        }
    }
    if let Some(m) = &method {
        if !METHODS.contains(&m.as_str()) {
            return Err(unprocessable("method", crate::errors::enum_msg(METHODS)));
        }
    }
    let mut out = Map::new();
    if let Some(url) = &url {
        let k = kind.clone().unwrap_or_else(|| detect_type(url).into());
        check_url(url, &k).map_err(|e| unprocessable("url", e))?;
        out.insert("url".into(), json!(url));
        out.insert("type".into(), json!(k));
    } else if let Some(k) = &kind {
        out.insert("type".into(), json!(k));
    }
    if kind.as_deref() == Some("custom")
        && obj.get("formatter_config").is_none_or(Value::is_null)
        && create
    {
        return Err(unprocessable(
            "formatter_config",
            "A custom webhook needs formatter_config",
        ));
    }
    if let Some(n) = name {
        if n.trim().is_empty() {
            return Err(unprocessable(
                "name",
                "String should have at least 1 character",
            ));
        }
        out.insert("name".into(), json!(n));
    }
    if let Some(m) = mode {
        out.insert("delivery_mode".into(), json!(m));
    }
    if let Some(m) = method {
        out.insert("method".into(), json!(m));
    }
    if let Some(a) = active {
        out.insert("is_active".into(), json!(a));
    }
    for k in ["headers", "params", "formatter_config", "project_id"] {
        if let Some(v) = obj.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    if let Some(a) = obj.get("auth") {
        out.insert("auth".into(), mask_auth(a));
    }
    Ok(out)
}

fn mask_auth(a: &Value) -> Value {
    let mut a = a.clone();
    if let Some(o) = a.as_object_mut() {
        for k in ["token", "value", "password"] {
            if o.contains_key(k) {
                o.insert(k.into(), json!("********"));
            }
        }
    }
    a
}

fn hook_json(h: &Hook) -> Value {
    let b = &h.body;
    json!({
        "id": h.id,
        "name": b.get("name").cloned().unwrap_or(Value::Null),
        "url": b.get("url").cloned().unwrap_or(Value::Null),
        "type": b.get("type").cloned().unwrap_or(json!("generic")),
        "delivery_mode": b.get("delivery_mode").cloned().unwrap_or(json!("full")),
        "method": b.get("method").cloned().unwrap_or(json!("POST")),
        "is_active": b.get("is_active").cloned().unwrap_or(json!(true)),
        "headers": b.get("headers").cloned().unwrap_or(Value::Null),
        "params": b.get("params").cloned().unwrap_or(Value::Null),
        "auth": b.get("auth").cloned().unwrap_or(Value::Null),
        "formatter_config": b.get("formatter_config").cloned().unwrap_or(Value::Null),
        "organization_id": "org-sandbox",
        "created_by_user_id": "user-sandbox",
        "created_at": ts(h.created_at),
        "updated_at": ts(h.updated_at),
    })
}

fn hook_not_found() -> ApiError {
    ApiError::Status(StatusCode::NOT_FOUND, "Webhook not found".into())
}

async fn create_hook(State(state): St, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let fields = read_hook(&obj, true)?;
    let mut book = book(&state);
    let id = book.next_id("wh");
    let now = unix_now();
    let hook = Hook {
        id: id.clone(),
        body: fields,
        created_at: now,
        updated_at: now,
    };
    let out = hook_json(&hook);
    book.hooks.insert(id, hook);
    Ok((
        StatusCode::OK,
        Json(json!({"success": true, "message": "Webhook created", "webhook": out})),
    )
        .into_response())
}

async fn list_hooks(State(state): St, Query(params): Params) -> ApiResult {
    let search = param(&params, "search").map(str::to_lowercase);
    let project = param(&params, "project_id");
    let book = book(&state);
    let items: Vec<Value> = book
        .hooks
        .values()
        .filter(|h| {
            search.as_ref().is_none_or(|s| {
                h.body
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.to_lowercase().contains(s))
            })
        })
        .filter(|h| {
            project.is_none_or(|p| h.body.get("project_id").and_then(Value::as_str) == Some(p))
        })
        .map(hook_json)
        .collect();
    let (items, mut head) = page_of(items, &params)?;
    head["webhooks"] = Value::Array(items);
    Ok(Json(head).into_response())
}

async fn get_hook(State(state): St, Path(id): Path<String>) -> ApiResult {
    let book = book(&state);
    let h = book.hooks.get(&id).ok_or_else(hook_not_found)?;
    Ok(
        Json(json!({"success": true, "message": "Webhook found", "webhook": hook_json(h)}))
            .into_response(),
    )
}

async fn update_hook(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    if obj.contains_key("project_id") {
        return Err(unprocessable(
            "project_id",
            "Extra inputs are not permitted",
        ));
    }
    let mut fields = read_hook(&obj, false)?;
    let mut book = book(&state);
    let h = book.hooks.get_mut(&id).ok_or_else(hook_not_found)?;
    // A new URL is checked against the kept type when no type came along.
    if let (Some(url), None) = (fields.get("url").and_then(Value::as_str), obj.get("type")) {
        let kept = h
            .body
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("generic");
        check_url(url, kept).map_err(|e| unprocessable("url", e))?;
        fields.insert("type".into(), json!(kept));
    }
    for (k, v) in fields {
        h.body.insert(k, v);
    }
    h.updated_at = unix_now();
    let out = hook_json(h);
    Ok(
        Json(json!({"success": true, "message": "Webhook updated", "webhook": out}))
            .into_response(),
    )
}

async fn delete_hook(State(state): St, Path(id): Path<String>) -> ApiResult {
    let mut book = book(&state);
    book.hooks.remove(&id).ok_or_else(hook_not_found)?;
    book.mappings.retain(|m| m.webhook_id != id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn test_hook(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let obj = if body.iter().all(|b| b.is_ascii_whitespace()) {
        Map::new()
    } else {
        json_object(&body)?
    };
    if obj
        .get("payload")
        .is_some_and(|p| !p.is_object() && !p.is_null())
    {
        return Err(unprocessable(
            "payload",
            "Input should be a valid dictionary",
        ));
    }
    let mut book = book(&state);
    let hook = book.hooks.get(&id).ok_or_else(hook_not_found)?;
    let code = target_status(hook);
    let ok = (200..300).contains(&code);
    let custom = obj.get("payload").is_some_and(Value::is_object);
    book.deliver(
        &id,
        "test",
        &id,
        code,
        unix_now(),
        json!({"payload": if custom { "custom" } else { "sample" }}),
    );
    Ok(Json(json!({
        "success": ok,
        "message": if ok { "Test webhook delivered" } else { "The target answered with an error" },
        "http_status_code": code,
        "response_body": if ok { json!("ok") } else { json!({"error": "Internal Server Error"}) },
    }))
    .into_response())
}

fn mapping_json(m: &Mapping) -> Value {
    json!({"id": m.id, "webhook_id": m.webhook_id, "resource_type": m.resource_type,
           "resource_id": m.resource_id, "assigned_at": ts(m.at)})
}

/// Assigns, unless already there; `(mapping, already_existed)`.
fn map_hook(book: &mut MonitorBook, hook: &str, rtype: &str, rid: &str, at: f64) -> (Value, bool) {
    if let Some(m) = book
        .mappings
        .iter()
        .find(|m| m.webhook_id == hook && m.resource_type == rtype && m.resource_id == rid)
    {
        return (mapping_json(m), true);
    }
    let id = book.next_id("map");
    let m = Mapping {
        id,
        webhook_id: hook.into(),
        resource_type: rtype.into(),
        resource_id: rid.into(),
        at,
    };
    let out = mapping_json(&m);
    book.mappings.push(m);
    (out, false)
}

const RESOURCE_TYPES: &[&str] = &["job", "monitor", "monitor_group"];

async fn hook_resources(
    State(state): St,
    Path(id): Path<String>,
    Query(params): Params,
) -> ApiResult {
    let mut errors = Vec::new();
    let rtype = query_enum(&mut errors, &params, "resource_type", RESOURCE_TYPES);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let book = book(&state);
    if !book.hooks.contains_key(&id) {
        return Err(hook_not_found());
    }
    let items: Vec<Value> = book
        .mappings
        .iter()
        .filter(|m| m.webhook_id == id)
        .filter(|m| rtype.as_ref().is_none_or(|t| &m.resource_type == t))
        .map(mapping_json)
        .collect();
    let (items, mut head) = page_of(items, &params)?;
    head["resources"] = Value::Array(items);
    Ok(Json(head).into_response())
}

async fn assign(State(state): St, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let obj = json_object(&body)?;
    let mut c = Checker::new("body", &obj);
    let rtype = c.string("resource_type", true);
    let rid = c.string("resource_id", true);
    c.finish()?;
    let (rtype, rid) = (rtype.unwrap_or_default(), rid.unwrap_or_default());
    if !RESOURCE_TYPES.contains(&rtype.as_str()) {
        return Err(unprocessable(
            "resource_type",
            crate::errors::enum_msg(RESOURCE_TYPES),
        ));
    }
    let known = match rtype.as_str() {
        "job" => state
            .jobs
            .lock()
            .unwrap()
            .get(&rid)
            .is_some_and(|j| !j.deleted),
        "monitor" => state
            .monitors
            .lock()
            .unwrap()
            .monitors
            .iter()
            .any(|m| m.id == rid && !m.deleted),
        _ => false,
    };
    if !known {
        return Err(ApiError::bad_request(format!("Unknown {rtype} {rid}")));
    }
    let mut book = book(&state);
    if !book.hooks.contains_key(&id) {
        return Err(hook_not_found());
    }
    let count = book
        .mappings
        .iter()
        .filter(|m| m.resource_type == rtype && m.resource_id == rid && m.webhook_id != id)
        .count();
    if count >= MAX_WEBHOOKS {
        return Err(ApiError::bad_request(format!(
            "A {rtype} can have at most {MAX_WEBHOOKS} webhooks"
        )));
    }
    let (mapping, existed) = map_hook(&mut book, &id, &rtype, &rid, unix_now());
    Ok(Json(json!({
        "success": true,
        "message": if existed { "Already assigned" } else { "Webhook assigned" },
        "already_existed": existed,
        "mapping": mapping,
    }))
    .into_response())
}

async fn unassign(
    State(state): St,
    Path((id, rtype, rid)): Path<(String, String, String)>,
) -> ApiResult {
    let mut book = book(&state);
    if !book.hooks.contains_key(&id) {
        return Err(hook_not_found());
    }
    let before = book.mappings.len();
    book.mappings
        .retain(|m| !(m.webhook_id == id && m.resource_type == rtype && m.resource_id == rid));
    if book.mappings.len() == before {
        return Err(ApiError::Status(
            StatusCode::NOT_FOUND,
            "Assignment not found".into(),
        ));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn resource_hooks(
    State(state): St,
    Path((rtype, rid)): Path<(String, String)>,
    Query(params): Params,
) -> ApiResult {
    if !RESOURCE_TYPES.contains(&rtype.as_str()) {
        return Err(ApiError::Invalid(vec![FieldError {
            loc: vec![json!("path"), json!("resource_type")],
            msg: crate::errors::enum_msg(RESOURCE_TYPES),
            kind: "enum".into(),
        }]));
    }
    let active = param(&params, "is_active").map(|v| v == "true");
    let book = book(&state);
    let items: Vec<Value> = book
        .mappings
        .iter()
        .filter(|m| m.resource_type == rtype && m.resource_id == rid)
        .filter_map(|m| book.hooks.get(&m.webhook_id))
        .filter(|h| {
            active.is_none_or(|a| {
                h.body
                    .get("is_active")
                    .and_then(Value::as_bool)
                    .unwrap_or(true)
                    == a
            })
        })
        .map(hook_json)
        .collect();
    let (items, mut head) = page_of(items, &params)?;
    head["webhooks"] = Value::Array(items);
    Ok(Json(head).into_response())
}

async fn trigger(
    State(state): St,
    Path((rtype, rid)): Path<(String, String)>,
    Query(params): Params,
) -> ApiResult {
    let Some(hook) = param(&params, "webhook_id").map(str::to_owned) else {
        return Err(ApiError::Invalid(vec![FieldError {
            loc: vec![json!("query"), json!("webhook_id")],
            msg: "Field required".into(),
            kind: "missing".into(),
        }]));
    };
    let job = param(&params, "job_id").map(str::to_owned);
    let mut book = book(&state);
    book.advance(state.config.pace);
    let Some(h) = book.hooks.get(&hook) else {
        return Err(hook_not_found());
    };
    let code = target_status(h);
    if !book
        .mappings
        .iter()
        .any(|m| m.webhook_id == hook && m.resource_type == rtype && m.resource_id == rid)
    {
        return Err(ApiError::bad_request(
            "The webhook is not assigned to this resource",
        ));
    }
    book.deliver(
        &hook,
        &rtype,
        &rid,
        code,
        unix_now(),
        json!({"triggered": true, "job_id": job}),
    );
    Ok(Json(json!({"success": true, "message": "Webhook triggered"})).into_response())
}

async fn history(State(state): St, Query(params): Params) -> ApiResult {
    let mut errors = Vec::new();
    for name in ["resource_type", "resource_id"] {
        if param(&params, name).is_none() {
            errors.push(FieldError {
                loc: vec![json!("query"), json!(name)],
                msg: "Field required".into(),
                kind: "missing".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let rtype = param(&params, "resource_type").unwrap_or("").to_owned();
    let rid = param(&params, "resource_id").unwrap_or("").to_owned();
    let mut book = book(&state);
    book.advance(state.config.pace);
    let items: Vec<Value> = book
        .deliveries
        .iter()
        .rev()
        .filter(|d| d.resource_type == rtype && d.resource_id == rid)
        .map(|d| {
            let ok = (200..300).contains(&d.status_code);
            json!({
                "id": d.id,
                "webhook_id": d.webhook_id,
                "resource_type": d.resource_type,
                "resource_id": d.resource_id,
                "status_code": d.status_code,
                "attempt_number": 1,
                "timestamp": ts(d.at),
                "delivery_status": if ok { "SUCCESS" } else { "FAILED" },
                "additional_info": d.info,
                "error_message": if ok { Value::Null } else { json!("The target answered with an error") },
                "warning_message": Value::Null,
            })
        })
        .collect();
    let (items, mut head) = page_of(items, &params)?;
    head["resource_type"] = json!(rtype);
    head["resource_id"] = json!(rid);
    head["items"] = Value::Array(items);
    Ok(Json(head).into_response())
}
