//! Event monitors (`docs/api.md`, section 5): made from a finished job,
//! kept in the local store with their runs and records (so past results
//! open offline), and checked in the background while the app runs. A
//! check that brings records the store has not seen emits
//! [`EventSink::monitor_news`](crate::EventSink::monitor_news).
//!
//! The checker is its own part ([`MonitorWatch`]): one task that holds
//! only a weak handle on the engine and its own stop switch.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use catchall_api::{
    CreateMonitorRequest, MonitorListItem, MonitorRecord, UpdateMonitorRequest, WebhookInput,
};
use catchall_store::{IncomingMonitorRecord, MonitorInfo, MonitorRow, MonitorRunIn};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::connection::Server;
use crate::dto::{ExportFormat, ExportResult};
use crate::engine::Inner;
use crate::{Engine, EngineError};

type R<T> = Result<T, EngineError>;

// ---------------------------------------------------------------------------
// shapes the app shows

/// A monitor as the Monitors screen lists it.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MonitorSummary {
    /// Local id.
    pub id: i64,
    pub monitor_id: String,
    pub reference_job_id: String,
    pub query: String,
    /// What the user typed, when made from this app.
    pub schedule_text: Option<String>,
    /// The schedule in words, as the service reads it.
    pub schedule_human: Option<String>,
    pub cron: Option<String>,
    pub timezone: Option<String>,
    pub limit: Option<u32>,
    pub enabled: bool,
    pub created_at: Option<String>,
    pub last_run_at: Option<String>,
    /// Unix ms of the app's last check.
    pub checked_at: Option<i64>,
    pub runs: u32,
    pub records: u32,
    /// Records that arrived since the user last looked.
    pub new_records: u32,
    /// The local job whose results table shows the records, once made
    /// ([`Engine::monitor_table`]).
    pub table_job: Option<i64>,
    /// Records that table holds so far.
    pub table_records: u32,
}

/// One run of a monitor.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MonitorRunInfo {
    pub job_id: String,
    /// 1 = the first run the app saw.
    pub seq: u32,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// Records this run brought that no earlier run had.
    pub new_records: u32,
}

/// What a monitor to create looks like.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct NewMonitor {
    /// The local id of a finished job.
    pub job_local_id: i64,
    pub schedule: String,
    pub timezone: Option<String>,
    /// Records per run.
    pub limit: Option<u32>,
    pub backfill: bool,
    pub webhook_ids: Vec<String>,
    /// The project the monitor is listed in from the start.
    #[serde(default)]
    pub project_id: Option<String>,
}

/// A change to a monitor; what is left out stays.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct MonitorChange {
    pub schedule: Option<String>,
    pub timezone: Option<String>,
    pub limit: Option<u32>,
    pub webhook_ids: Option<Vec<String>>,
}

/// A check's outcome.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MonitorCheck {
    pub monitor: MonitorSummary,
    /// Runs the app had not seen before.
    pub new_runs: u32,
    /// Records no earlier check had stored.
    pub new_records: u32,
}

/// What a check that brought records reports (the shell notifies).
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MonitorNews {
    pub local_id: i64,
    pub monitor_id: String,
    pub query: String,
    pub new_records: u32,
    pub new_runs: u32,
}

impl MonitorNews {
    /// "6 new: Series B rounds in European SaaS".
    pub fn headline(&self) -> String {
        format!("{} new: {}", self.new_records, self.query)
    }
}

/// A webhook as the app lists it (no secrets: the service masks them).
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSummary {
    pub id: String,
    pub name: String,
    pub url: String,
    pub kind: String,
    pub active: bool,
}

/// A webhook to create: a name and an https address (Slack, Teams or any).
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct NewWebhook {
    pub name: String,
    pub url: String,
    /// `slack | teams | generic`; found from the address when left out.
    pub kind: Option<String>,
}

/// What a "Send test" got back.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WebhookTestOutcome {
    pub success: bool,
    pub status_code: Option<u32>,
    pub message: String,
}

fn u32_of(n: u64) -> u32 {
    n.min(u64::from(u32::MAX)) as u32
}

fn summary(row: MonitorRow) -> MonitorSummary {
    MonitorSummary {
        id: row.id,
        monitor_id: row.info.monitor_id,
        reference_job_id: row.info.reference_job_id,
        query: row.info.query,
        schedule_text: row.info.schedule_text,
        schedule_human: row.info.schedule_human,
        cron: row.info.cron,
        timezone: row.info.timezone,
        limit: row.info.limit.map(u32_of),
        enabled: row.info.enabled,
        created_at: row.info.created_at,
        last_run_at: row.last_run_at,
        checked_at: row.checked_at,
        runs: u32_of(row.runs),
        records: u32_of(row.records),
        new_records: u32_of(row.new_records),
        table_job: row.table_job,
        table_records: u32_of(row.table_records),
    }
}

/// Records copied to a monitor's table per store lock (one transaction).
const TABLE_CHUNK: usize = 2000;

/// Brings every stored record of the monitor into its table job, a part
/// at a time, parsing each part without holding the store; returns the job.
fn sync_table(inner: &Inner, local: i64) -> R<i64> {
    loop {
        let pending = inner.store().monitor_table_pending(local, TABLE_CHUNK)?;
        if pending.is_empty() {
            return Ok(inner.store().monitor_table_job(local)?);
        }
        let page = pending.prepare()?;
        inner.store().fill_monitor_table(&pending, &page)?;
    }
}

fn info_of(item: &MonitorListItem, server: Server, schedule_text: Option<String>) -> MonitorInfo {
    MonitorInfo {
        monitor_id: item.monitor_id.clone(),
        server: server.to_store(),
        reference_job_id: item.reference_job_id.clone(),
        query: item.reference_job_query.clone(),
        schedule_text,
        cron: item.schedule.clone(),
        schedule_human: item.schedule_human_readable.clone(),
        timezone: item.timezone.clone(),
        limit: None,
        enabled: item.enabled,
        created_at: item.created_at.clone(),
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn webhook_summary(w: catchall_api::Webhook) -> WebhookSummary {
    WebhookSummary {
        id: w.id,
        name: w.name,
        url: w.url,
        kind: w.kind,
        active: w.is_active,
    }
}

// ---------------------------------------------------------------------------
// the background checker

/// Checks the current server's enabled monitors at an interval, while the
/// engine lives. It owns its task; the task holds only a weak handle.
#[derive(Default)]
pub(crate) struct MonitorWatch {
    task: Mutex<Option<tokio::task::AbortHandle>>,
}

impl MonitorWatch {
    pub fn start(&self, inner: &Arc<Inner>) {
        let mut task = self.task.lock().unwrap();
        if task.is_none() {
            *task = Some(tokio::spawn(watch(Arc::downgrade(inner))).abort_handle());
        }
    }

    pub fn stop(&self) {
        if let Some(t) = self.task.lock().unwrap().take() {
            t.abort();
        }
    }
}

impl Drop for MonitorWatch {
    fn drop(&mut self) {
        self.stop();
    }
}

/// How often monitors are checked: the service runs them at most hourly,
/// so every five minutes is plenty live; the sandbox compresses time.
fn check_interval(inner: &Inner, server: Server) -> Duration {
    if let Some(d) = inner.options.poll_interval {
        return d.max(Duration::from_millis(100));
    }
    match server {
        Server::Sandbox => match crate::connection::pace_of(&inner.config.sandbox_pace) {
            catchall_sandbox::Pace::Test => Duration::from_millis(500),
            catchall_sandbox::Pace::Demo => Duration::from_secs(5),
            catchall_sandbox::Pace::Real => Duration::from_secs(60),
        },
        Server::Live => Duration::from_secs(300),
    }
}

async fn watch(weak: Weak<Inner>) {
    loop {
        let wait = {
            let Some(inner) = weak.upgrade() else { return };
            let server = inner.current_server();
            if let Err(e) = check_all(&inner, server).await {
                tracing::debug!(error = %e, "checking monitors failed; trying again later");
            }
            check_interval(&inner, server)
        };
        tokio::time::sleep(wait).await;
    }
}

async fn check_all(inner: &Arc<Inner>, server: Server) -> R<()> {
    let monitors = inner.store().monitors(server.to_store())?;
    if monitors.iter().all(|m| !m.info.enabled) {
        return Ok(());
    }
    refresh(inner, server).await?;
    let monitors = inner.store().monitors(server.to_store())?;
    for m in monitors {
        if m.info.enabled {
            // One monitor the service no longer knows (deleted elsewhere, a
            // sandbox that restarted) must not stop the others' checks.
            if let Err(e) = check(inner, server, m.id).await {
                tracing::debug!(monitor = %m.info.monitor_id, error = %e, "monitor check failed");
            }
        }
    }
    Ok(())
}

/// Brings the service's list into the store.
async fn refresh(inner: &Arc<Inner>, server: Server) -> R<Vec<MonitorRow>> {
    let clients = inner.clients(server).await?;
    let items = clients.api.all_monitors().await?;
    let store = inner.store();
    for item in &items {
        store.upsert_monitor(&info_of(item, server, None))?;
    }
    Ok(store.monitors(server.to_store())?)
}

/// Pulls one monitor's runs and records into the store.
async fn check(inner: &Arc<Inner>, server: Server, local: i64) -> R<MonitorCheck> {
    let row = inner
        .store()
        .monitor(local)?
        .ok_or_else(|| no_monitor(local))?;
    let id = row.info.monitor_id.clone();
    let clients = inner.clients(server).await?;
    let runs = clients.api.monitor_runs(&id, false).await?;
    let pull = clients.api.pull_monitor(&id).await?;
    let latest = runs.jobs.last().map(|j| j.job_id.clone());
    let runs_in: Vec<MonitorRunIn> = runs
        .jobs
        .iter()
        .map(|j| MonitorRunIn {
            job_id: j.job_id.clone(),
            start_date: j.start_date.clone(),
            end_date: j.end_date.clone(),
        })
        .collect();
    let now = now_rfc3339();
    // Serializing the records is the slow part: off the async threads.
    let prepared = tokio::task::spawn_blocking(move || prepare(pull.all_records, latest, &now))
        .await
        .map_err(|e| EngineError::Internal(format!("the check stopped: {e}")))?;
    let (new_runs, outcome) = {
        let store = inner.store();
        let new_runs = store.merge_monitor_runs(local, &runs_in)?;
        let outcome = store.merge_monitor_records(local, prepared.iter().map(|p| p.incoming()))?;
        if let Some(limit) = pull.limit {
            let mut info = row.info.clone();
            info.limit = Some(limit);
            store.upsert_monitor(&info)?;
        }
        (new_runs, outcome)
    };
    // Parsing the records for the table is CPU work: off the async threads.
    let copier = inner.clone();
    tokio::task::spawn_blocking(move || sync_table(&copier, local))
        .await
        .map_err(|e| EngineError::Internal(format!("the check stopped: {e}")))??;
    let after = inner
        .store()
        .monitor(local)?
        .ok_or_else(|| no_monitor(local))?;
    let check = MonitorCheck {
        monitor: summary(after),
        new_runs: new_runs.len() as u32,
        new_records: u32_of(outcome.new_records),
    };
    if check.new_records > 0 {
        inner.sink.monitor_news(&MonitorNews {
            local_id: local,
            monitor_id: id,
            query: check.monitor.query.clone(),
            new_records: check.new_records,
            new_runs: check.new_runs,
        });
    }
    Ok(check)
}

struct Prepared {
    record_id: String,
    title: String,
    json: String,
    first_run: Option<String>,
    first_seen_at: String,
}

impl Prepared {
    fn incoming(&self) -> IncomingMonitorRecord<'_> {
        IncomingMonitorRecord {
            record_id: &self.record_id,
            title: &self.title,
            json: &self.json,
            first_run: self.first_run.as_deref(),
            first_seen_at: &self.first_seen_at,
        }
    }
}

fn prepare(records: Vec<MonitorRecord>, latest: Option<String>, now: &str) -> Vec<Prepared> {
    records
        .into_iter()
        .filter(|r| !r.record_id.trim().is_empty())
        .map(|r| Prepared {
            json: serde_json::to_string(&r).unwrap_or_else(|_| "{}".into()),
            first_run: r
                .first_job_id()
                .map(str::to_owned)
                .or_else(|| latest.clone()),
            first_seen_at: r.added_on.clone().unwrap_or_else(|| now.to_owned()),
            record_id: r.record_id,
            title: r.record_title,
        })
        .collect()
}

fn no_monitor(local: i64) -> EngineError {
    EngineError::NotFound(format!(
        "This monitor is no longer on this computer (id {local}). Refresh the list of monitors."
    ))
}

// ---------------------------------------------------------------------------
// the engine's monitor calls

impl Engine {
    fn monitor_row(&self, local: i64) -> R<MonitorRow> {
        self.inner
            .store()
            .monitor(local)?
            .ok_or_else(|| no_monitor(local))
    }

    fn monitor_server(row: &MonitorRow) -> Server {
        Server::from_store(row.info.server)
    }

    /// Turns a finished job into a monitor. Bad input gets a plain message
    /// before any request: a job that is not finished, an empty schedule,
    /// a limit under 10, more than 5 webhooks.
    pub async fn create_monitor(&self, new: NewMonitor) -> R<MonitorSummary> {
        let job = self
            .inner
            .store()
            .job(new.job_local_id)?
            .ok_or_else(|| EngineError::no_job(new.job_local_id))?;
        let Some(job_id) = job.job_id.clone() else {
            return Err(EngineError::Input(
                "This job has not reached the service yet, so it cannot be monitored.".into(),
            ));
        };
        if job.stage.as_deref() != Some("completed") {
            return Err(EngineError::Input(
                "Only a finished job can be monitored: wait until it has completed.".into(),
            ));
        }
        let server = Server::from_store(job.server);
        let schedule = new.schedule.trim().to_owned();
        let req = CreateMonitorRequest {
            reference_job_id: job_id,
            schedule: schedule.clone(),
            timezone: new.timezone.clone().filter(|t| !t.trim().is_empty()),
            webhook_ids: (!new.webhook_ids.is_empty()).then(|| new.webhook_ids.clone()),
            limit: new.limit.map(u64::from),
            backfill: Some(new.backfill),
            project_id: new.project_id.clone().filter(|p| !p.trim().is_empty()),
        };
        req.check()?;
        let clients = self.inner.clients(server).await?;
        let monitor_id = clients.api.create_monitor(&req).await?;
        let items = clients.api.all_monitors().await?;
        let item = items
            .iter()
            .find(|m| m.monitor_id == monitor_id)
            .cloned()
            .unwrap_or_else(|| MonitorListItem {
                monitor_id: monitor_id.clone(),
                reference_job_id: req.reference_job_id.clone(),
                reference_job_query: job.query.clone(),
                enabled: true,
                timezone: req.timezone.clone(),
                ..Default::default()
            });
        let mut info = info_of(&item, server, Some(schedule));
        info.limit = req.limit;
        let local = self.inner.store().upsert_monitor(&info)?;
        // A backfilled monitor may have a run already.
        let _ = check(&self.inner, server, local).await;
        Ok(summary(self.monitor_row(local)?))
    }

    /// The monitors kept on this computer for the current server; with
    /// `refresh`, the service's list first (offline, the stored one).
    pub async fn monitors(&self, refresh: bool) -> R<Vec<MonitorSummary>> {
        let server = self.inner.current_server();
        if refresh {
            self::refresh(&self.inner, server).await?;
        }
        Ok(self
            .inner
            .store()
            .monitors(server.to_store())?
            .into_iter()
            .map(summary)
            .collect())
    }

    /// A monitor by the service's id, from the store or else the
    /// service's list (brought into the store).
    pub async fn monitor_by_remote(&self, monitor_id: &str) -> R<MonitorSummary> {
        let server = self.inner.current_server();
        let stored = self
            .inner
            .store()
            .monitor_by_remote(server.to_store(), monitor_id)?;
        let row = match stored {
            Some(row) => row,
            None => self::refresh(&self.inner, server)
                .await?
                .into_iter()
                .find(|m| m.info.monitor_id == monitor_id)
                .ok_or_else(|| {
                    EngineError::NotFound(format!(
                        "There is no monitor {monitor_id} in this account."
                    ))
                })?,
        };
        Ok(summary(row))
    }

    pub fn monitor(&self, local: i64) -> R<MonitorSummary> {
        Ok(summary(self.monitor_row(local)?))
    }

    /// Pulls a monitor's runs and records now.
    pub async fn check_monitor(&self, local: i64) -> R<MonitorCheck> {
        let row = self.monitor_row(local)?;
        check(&self.inner, Self::monitor_server(&row), local).await
    }

    /// The runs, oldest first.
    pub fn monitor_runs(&self, local: i64) -> R<Vec<MonitorRunInfo>> {
        self.monitor_row(local)?;
        Ok(self
            .inner
            .store()
            .monitor_runs(local)?
            .into_iter()
            .map(|r| MonitorRunInfo {
                job_id: r.job_id,
                seq: r.seq.clamp(0, i64::from(u32::MAX)) as u32,
                start_date: r.start_date,
                end_date: r.end_date,
                new_records: u32_of(r.new_records),
            })
            .collect())
    }

    /// The local job whose results table shows the monitor's records
    /// (made on first use), with every stored record copied to it. Blocks:
    /// call it off the async threads.
    pub fn monitor_table(&self, local: i64) -> R<i64> {
        self.monitor_row(local)?;
        sync_table(&self.inner, local)
    }

    /// How many records arrived since the last look.
    pub fn monitor_new_count(&self, local: i64) -> R<u32> {
        Ok(u32_of(self.inner.store().monitor_new_count(local)?))
    }

    /// The user has looked: nothing stored so far is new any more.
    pub fn mark_monitor_seen(&self, local: i64) -> R<MonitorSummary> {
        self.monitor_row(local)?;
        // What the table will show is what has been looked at: copy what
        // checks have merged, then mark and read it back under one lock.
        sync_table(&self.inner, local)?;
        let store = self.inner.store();
        store.mark_monitor_seen(local)?;
        Ok(summary(
            store.monitor(local)?.ok_or_else(|| no_monitor(local))?,
        ))
    }

    pub async fn enable_monitor(&self, local: i64, backfill: bool) -> R<MonitorSummary> {
        let row = self.monitor_row(local)?;
        let server = Self::monitor_server(&row);
        let clients = self.inner.clients(server).await?;
        clients
            .api
            .enable_monitor(&row.info.monitor_id, backfill.then_some(true))
            .await?;
        self.inner.store().set_monitor_enabled(local, true)?;
        let _ = check(&self.inner, server, local).await;
        self.monitor(local)
    }

    pub async fn disable_monitor(&self, local: i64) -> R<MonitorSummary> {
        let row = self.monitor_row(local)?;
        let clients = self.inner.clients(Self::monitor_server(&row)).await?;
        clients.api.disable_monitor(&row.info.monitor_id).await?;
        self.inner.store().set_monitor_enabled(local, false)?;
        self.monitor(local)
    }

    /// Changes the schedule, limit or webhooks (checked before sending).
    pub async fn update_monitor(&self, local: i64, change: MonitorChange) -> R<MonitorSummary> {
        let row = self.monitor_row(local)?;
        let server = Self::monitor_server(&row);
        let schedule = change.schedule.as_deref().map(str::trim).map(str::to_owned);
        let req = UpdateMonitorRequest {
            webhook_ids: change.webhook_ids.clone(),
            limit: change.limit.map(u64::from),
            // A timezone goes with a schedule: the current one when only the zone changes.
            schedule: schedule
                .clone()
                .or_else(|| change.timezone.as_ref().and(row.info.schedule_text.clone())),
            timezone: change.timezone.clone().filter(|t| !t.trim().is_empty()),
        };
        req.check()?;
        let clients = self.inner.clients(server).await?;
        clients
            .api
            .update_monitor(&row.info.monitor_id, &req)
            .await?;
        let items = clients.api.all_monitors().await?;
        let store = self.inner.store();
        if let Some(item) = items.iter().find(|m| m.monitor_id == row.info.monitor_id) {
            let mut info = info_of(item, server, req.schedule.clone());
            info.limit = req.limit.or(row.info.limit);
            store.upsert_monitor(&info)?;
        }
        drop(store);
        self.monitor(local)
    }

    /// Deletes on the service, then here (its runs and records too).
    pub async fn delete_monitor(&self, local: i64) -> R<()> {
        let row = self.monitor_row(local)?;
        let clients = self.inner.clients(Self::monitor_server(&row)).await?;
        match clients.api.delete_monitor(&row.info.monitor_id).await {
            Ok(_) => {}
            // Already gone there: forget it here too.
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(e.into()),
        }
        self.inner.store().delete_monitor(local)?;
        Ok(())
    }

    /// Writes a monitor's records (all, or only the new ones) with their
    /// `first_seen_run` and `first_seen_at` columns.
    pub async fn export_monitor(
        &self,
        local: i64,
        only_new: bool,
        format: ExportFormat,
        path: PathBuf,
    ) -> R<ExportResult> {
        let row = self.monitor_row(local)?;
        let mut run = catchall_export::RunInfo {
            job_id: row.info.monitor_id.clone(),
            query: row.info.query.clone(),
            status: format!(
                "monitor, {}{}",
                row.info
                    .schedule_human
                    .clone()
                    .unwrap_or_else(|| "schedule unknown".into()),
                if only_new { ", new records only" } else { "" }
            ),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            limit: row.info.limit,
            ..Default::default()
        };
        run.enrichments = catchall_export::monitor_fields();
        // The reference job's own fields, when it is on this computer.
        if let Ok(Some(job)) = self.inner.store().job_by_remote(&row.info.reference_job_id) {
            run.enrichments
                .extend(crate::exporting::run_info(&job).enrichments);
        }
        let fmt = catchall_export::Format::from_str(format.extension())?;
        let db = self.inner.db_path.clone();
        let summary = tokio::task::spawn_blocking(move || {
            let store = catchall_store::Store::open(&db)?;
            let source = catchall_export::MonitorSource::new(&store, local, only_new);
            Ok::<_, EngineError>(catchall_export::export(
                fmt,
                &run,
                &source,
                &path,
                catchall_export::ExportOptions::default(),
            )?)
        })
        .await
        .map_err(|e| EngineError::Internal(format!("the export stopped: {e}")))??;
        Ok(ExportResult {
            path: summary.path.display().to_string(),
            records: u32_of(summary.records),
            bytes: summary.bytes,
            partial: None,
        })
    }

    // ------------------------------------------------------------ webhooks

    pub async fn webhooks(&self) -> R<Vec<WebhookSummary>> {
        let clients = self.inner.clients(self.inner.current_server()).await?;
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let p = clients.api.list_webhooks(page, 100, None).await?;
            let n = p.webhooks.len();
            out.extend(p.webhooks.into_iter().map(webhook_summary));
            if n == 0 || p.total_pages.is_none_or(|t| u64::from(page) >= t) || page >= 100 {
                return Ok(out);
            }
            page += 1;
        }
    }

    /// Creates a webhook (https only, checked before sending).
    pub async fn create_webhook(&self, new: NewWebhook) -> R<WebhookSummary> {
        let mut input = WebhookInput::new(new.name.trim(), new.url.trim());
        input.kind = new.kind.filter(|k| !k.trim().is_empty());
        input.check()?;
        let clients = self.inner.clients(self.inner.current_server()).await?;
        let answer = clients.api.create_webhook(&input).await?;
        answer.webhook.map(webhook_summary).ok_or_else(|| {
            EngineError::Input(
                answer
                    .message
                    .unwrap_or_else(|| "The service did not create the webhook.".into()),
            )
        })
    }

    /// The ids of the webhooks a monitor notifies (for its edit form).
    pub async fn monitor_webhook_ids(&self, local: i64) -> R<Vec<String>> {
        let row = self.monitor_row(local)?;
        let clients = self.inner.clients(Self::monitor_server(&row)).await?;
        let page = clients
            .api
            .resource_webhooks("monitor", &row.info.monitor_id, 1, 100)
            .await?;
        Ok(page.webhooks.into_iter().map(|w| w.id).collect())
    }

    /// Renames or readdresses a webhook (https only, checked before sending).
    pub async fn update_webhook(&self, id: &str, change: NewWebhook) -> R<WebhookSummary> {
        let mut input = WebhookInput::new(change.name.trim(), change.url.trim());
        input.kind = change.kind.filter(|k| !k.trim().is_empty());
        input.check()?;
        let update = catchall_api::WebhookUpdate {
            name: Some(input.name),
            url: Some(input.url),
            kind: input.kind,
            ..Default::default()
        };
        let clients = self.inner.clients(self.inner.current_server()).await?;
        let answer = clients.api.update_webhook(id, &update).await?;
        answer.webhook.map(webhook_summary).ok_or_else(|| {
            EngineError::Input(
                answer
                    .message
                    .unwrap_or_else(|| "The service did not change the webhook.".into()),
            )
        })
    }

    /// "Send test": the service sends a sample to the webhook's address.
    pub async fn test_webhook(&self, id: &str) -> R<WebhookTestOutcome> {
        let clients = self.inner.clients(self.inner.current_server()).await?;
        let r = clients.api.test_webhook(id, None).await?;
        Ok(WebhookTestOutcome {
            success: r.success,
            status_code: r.http_status_code.map(u32_of),
            message: r.message.unwrap_or_else(|| {
                if r.success {
                    "The test was delivered.".into()
                } else {
                    "The test was not delivered.".into()
                }
            }),
        })
    }

    pub async fn delete_webhook(&self, id: &str) -> R<()> {
        let clients = self.inner.clients(self.inner.current_server()).await?;
        Ok(clients.api.delete_webhook(id).await?)
    }
}
