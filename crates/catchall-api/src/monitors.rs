//! Event monitors: a finished job re-run on a plain-language schedule
//! (`docs/api.md`, section 5). Shapes are read leniently, as in
//! [`crate::models`].

use crate::client::Client;
use crate::error::ApiError;
use crate::models::{
    lenient_bool, lenient_bool_opt, lenient_date, lenient_list, lenient_sharing, lenient_string,
    lenient_text, lenient_u64, null_default, paged_answer, ConnectedDataset, Ownership,
    SharingInfo,
};
use crate::request::{all_pages, check_id, input, query_pairs, Req};
use crate::retry::RequestKind;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The fewest records a run may ask for (the service's own minimum limit).
pub const MIN_MONITOR_LIMIT: u64 = 10;
/// The most webhooks one monitor (or job) takes.
pub const MAX_WEBHOOKS_PER_RESOURCE: usize = 5;

/// An empty schedule is refused before any request; what the text means is
/// the service's call (it answers 422 when it cannot read it).
pub fn check_schedule(schedule: &str) -> Result<(), ApiError> {
    if schedule.trim().is_empty() {
        return Err(input(
            "Say when the monitor should run, for example \"every weekday at 9am\".",
        ));
    }
    if schedule.chars().count() > 200 {
        return Err(input(
            "The schedule is too long: say it in a few words, for example \"every Monday at 6 PM EST\".",
        ));
    }
    Ok(())
}

/// A run's limit must be at least [`MIN_MONITOR_LIMIT`] records.
pub fn check_limit(limit: Option<u64>) -> Result<(), ApiError> {
    match limit {
        Some(l) if l < MIN_MONITOR_LIMIT => Err(input(format!(
            "A run must ask for at least {MIN_MONITOR_LIMIT} records (the limit was {l})."
        ))),
        _ => Ok(()),
    }
}

/// At most [`MAX_WEBHOOKS_PER_RESOURCE`] webhooks, none of them blank.
pub fn check_webhook_ids(ids: &[String]) -> Result<(), ApiError> {
    if ids.len() > MAX_WEBHOOKS_PER_RESOURCE {
        return Err(input(format!(
            "A monitor can notify at most {MAX_WEBHOOKS_PER_RESOURCE} webhooks ({} were chosen).",
            ids.len()
        )));
    }
    if ids.iter().any(|i| i.trim().is_empty()) {
        return Err(input("One of the chosen webhooks has no id."));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// requests

/// `POST /catchAll/monitors/create` body.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct CreateMonitorRequest {
    pub reference_job_id: String,
    /// Plain text, e.g. "every day at 9am EST" (not cron).
    pub schedule: String,
    /// IANA name, used when the schedule names no zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_ids: Option<Vec<String>>,
    /// Records per run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Fill the gap from the reference job's end to the first run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
}

impl CreateMonitorRequest {
    pub fn new(reference_job_id: impl Into<String>, schedule: impl Into<String>) -> Self {
        CreateMonitorRequest {
            reference_job_id: reference_job_id.into(),
            schedule: schedule.into(),
            ..Default::default()
        }
    }

    /// The plain-language checks done before sending.
    pub fn check(&self) -> Result<(), ApiError> {
        check_id("reference job", &self.reference_job_id)?;
        check_schedule(&self.schedule)?;
        check_limit(self.limit)?;
        if let Some(ids) = &self.webhook_ids {
            check_webhook_ids(ids)?;
        }
        Ok(())
    }
}

/// `PATCH /catchAll/monitors/{id}` body: what is left out stays as it is.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct UpdateMonitorRequest {
    /// Replaces every assignment; `Some(vec![])` clears them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// Ignored by the service without `schedule`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

impl UpdateMonitorRequest {
    pub fn check(&self) -> Result<(), ApiError> {
        if let Some(s) = &self.schedule {
            check_schedule(s)?;
        }
        check_limit(self.limit)?;
        if let Some(ids) = &self.webhook_ids {
            check_webhook_ids(ids)?;
        }
        if self.timezone.is_some() && self.schedule.is_none() {
            return Err(input(
                "A new timezone only applies with a schedule: give the schedule too.",
            ));
        }
        Ok(())
    }
}

/// `GET /catchAll/monitors` filters.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ListMonitorsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<Ownership>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
}

// ---------------------------------------------------------------------------
// responses

/// Create's answer: `monitor_id` is missing or null on error, with the
/// error in `status`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct CreateMonitorResponse {
    #[serde(default, deserialize_with = "lenient_string")]
    pub monitor_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub status: String,
}

/// The monitor's own webhook configuration (`WebhookDto`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorWebhook {
    #[serde(default, deserialize_with = "lenient_text")]
    pub url: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub method: Option<String>,
    #[serde(default)]
    pub headers: Option<Value>,
    #[serde(default)]
    pub params: Option<Value>,
}

fn lenient_monitor_webhook<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<MonitorWebhook>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(v @ Value::Object(_)) => serde_json::from_value(v).ok(),
        _ => None,
    })
}

/// One monitor in the list (there is no single-monitor GET).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorListItem {
    #[serde(default, deserialize_with = "lenient_text")]
    pub monitor_id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub reference_job_id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub reference_job_query: String,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub enabled: bool,
    /// 5-field cron.
    #[serde(default, deserialize_with = "lenient_string")]
    pub schedule: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub schedule_human_readable: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub timezone: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_monitor_webhook")]
    pub webhook: Option<MonitorWebhook>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub user_key: Option<String>,
    #[serde(default, deserialize_with = "lenient_sharing")]
    pub sharing_info: Option<SharingInfo>,
}

paged_answer! {
    /// `GET /catchAll/monitors` answer.
    MonitorsPage { monitors: MonitorListItem }
}

/// What the monitor re-runs.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorReferenceJob {
    #[serde(default, deserialize_with = "lenient_string")]
    pub query: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub context: Option<String>,
    #[serde(default)]
    pub source_groups: Option<Value>,
}

/// When the monitor first and last ran.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct RunInfo {
    #[serde(default, deserialize_with = "lenient_date")]
    pub first_run: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub last_run: Option<String>,
}

/// A citation of a monitor record: which run found it, and when.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorCitation {
    #[serde(default, deserialize_with = "lenient_text")]
    pub title: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub link: String,
    #[serde(default, deserialize_with = "lenient_date")]
    pub published_date: Option<String>,
    /// The document's id in the index.
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: String,
    /// The run (a job) that found it.
    #[serde(default, deserialize_with = "lenient_text")]
    pub job_id: String,
    #[serde(default, deserialize_with = "lenient_date")]
    pub added_on: Option<String>,
}

/// A record aggregated over a monitor's runs. Fields the app does not
/// know are kept in `extra`, so a record can be stored whole.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorRecord {
    #[serde(default, deserialize_with = "lenient_text")]
    pub record_id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub record_title: String,
    #[serde(default, deserialize_with = "null_default")]
    pub enrichment: Map<String, Value>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub citations: Vec<MonitorCitation>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub added_on: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub updated_on: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MonitorRecord {
    /// The run that first brought this record: the earliest-added
    /// citation's job (the service says no more than that).
    pub fn first_job_id(&self) -> Option<&str> {
        self.citations
            .iter()
            .filter(|c| !c.job_id.is_empty())
            .min_by(|a, b| a.added_on.cmp(&b.added_on))
            .map(|c| c.job_id.as_str())
    }
}

/// `GET /catchAll/monitors/pull/{id}` answer: every run's records,
/// de-duplicated by the service.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorPull {
    #[serde(default, deserialize_with = "lenient_text")]
    pub monitor_id: String,
    /// The monitor's state, or the error if creating it failed.
    #[serde(default, deserialize_with = "lenient_text")]
    pub status: String,
    #[serde(default, deserialize_with = "null_default")]
    pub reference_job: MonitorReferenceJob,
    #[serde(default, deserialize_with = "lenient_string")]
    pub cron_expression: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub timezone: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub run_info: RunInfo,
    /// Records across all runs.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub records: Option<u64>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub all_records: Vec<MonitorRecord>,
    /// Records per run.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub limit: Option<u64>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub connected_datasets: Vec<ConnectedDataset>,
    #[serde(default, deserialize_with = "lenient_bool_opt")]
    pub is_all_news_query: Option<bool>,
}

/// One run of a monitor (a job with its window).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorRun {
    #[serde(default, deserialize_with = "lenient_text")]
    pub job_id: String,
    #[serde(default, deserialize_with = "lenient_date")]
    pub start_date: Option<String>,
    #[serde(default, deserialize_with = "lenient_date")]
    pub end_date: Option<String>,
}

/// `GET /catchAll/monitors/{id}/jobs` answer.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorRuns {
    #[serde(default, deserialize_with = "lenient_text")]
    pub monitor_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub sort_order: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_jobs: Option<u64>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub jobs: Vec<MonitorRun>,
}

/// One entry of a monitor's status history.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorStatusEntry {
    /// `created | enable | disable | scheduled | dump` (others may come).
    #[serde(default, deserialize_with = "lenient_text")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient_date")]
    pub created_at: Option<String>,
    /// `scheduled`: `{job_id, start_date, end_date}`; `dump`:
    /// `{nb_existing_records, nb_final_records, webhook?}`.
    #[serde(default)]
    pub additional_information: Option<Value>,
}

/// `GET /catchAll/monitors/{id}/status` answer, newest first.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorStatusHistory {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub success: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub monitor_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_statuses: Option<u64>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub statuses: Vec<MonitorStatusEntry>,
}

/// Enable, disable and delete answers.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorAction {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub success: bool,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub monitor_id: Option<String>,
}

/// `PATCH` answer: a confirmation.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct UpdateMonitorResponse {
    #[serde(default, deserialize_with = "lenient_string")]
    pub monitor_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub status: String,
}

#[derive(Serialize)]
struct EnableBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    backfill: Option<bool>,
}

// ---------------------------------------------------------------------------
// calls

/// `/catchAll/monitors/{rest}` about one monitor (`rest` names it).
fn monitor<'a>(method: Method, rest: &[&'a str], id: &'a str) -> Req<'a> {
    Req::new(method, &["catchAll", "monitors"])
        .then(rest)
        .job(id)
}

impl Client {
    /// `POST /catchAll/monitors/create`. Like submit, never repeated after a
    /// lost answer (a repeat could make a second monitor). An answer
    /// without a `monitor_id` is the service's refusal, returned as
    /// [`ApiError::Rejected`] with its `status` text.
    pub async fn create_monitor(&self, req: &CreateMonitorRequest) -> Result<String, ApiError> {
        req.check()?;
        let r = Req::post(&["catchAll", "monitors", "create"])
            .json(req)
            .kind(RequestKind::CreatesJob);
        let r: CreateMonitorResponse = self.call(r).await?;
        match r.monitor_id.filter(|id| !id.trim().is_empty()) {
            Some(id) => Ok(id),
            None => Err(ApiError::Rejected {
                detail: if r.status.trim().is_empty() {
                    "the monitor was not created".into()
                } else {
                    r.status
                },
            }),
        }
    }

    /// `GET /catchAll/monitors`: one page of the account's monitors.
    pub async fn list_monitors(&self, q: &ListMonitorsQuery) -> Result<MonitorsPage, ApiError> {
        self.call(Req::get(&["catchAll", "monitors"]).query(query_pairs(q)))
            .await
    }

    /// Every monitor, page after page (there is no single-monitor GET).
    pub async fn all_monitors(&self) -> Result<Vec<MonitorListItem>, ApiError> {
        all_pages(100, 1000, |page| async move {
            let q = ListMonitorsQuery {
                page: Some(page),
                page_size: Some(100),
                ..Default::default()
            };
            let p = self.list_monitors(&q).await?;
            Ok((p.monitors, p.total, p.total_pages))
        })
        .await
    }

    /// `GET /catchAll/monitors/pull/{id}`: the aggregated records.
    pub async fn pull_monitor(&self, monitor_id: &str) -> Result<MonitorPull, ApiError> {
        check_id("monitor", monitor_id)?;
        self.call(monitor(Method::GET, &["pull", monitor_id], monitor_id))
            .await
    }

    /// `GET /catchAll/monitors/pull/{id}/csv`: the latest run only.
    pub async fn pull_monitor_csv(&self, monitor_id: &str) -> Result<String, ApiError> {
        check_id("monitor", monitor_id)?;
        self.call_text(monitor(
            Method::GET,
            &["pull", monitor_id, "csv"],
            monitor_id,
        ))
        .await
    }

    /// `GET /catchAll/monitors/{id}/jobs`: its runs, oldest first when
    /// `newest_first` is false.
    pub async fn monitor_runs(
        &self,
        monitor_id: &str,
        newest_first: bool,
    ) -> Result<MonitorRuns, ApiError> {
        check_id("monitor", monitor_id)?;
        let sort = if newest_first { "desc" } else { "asc" };
        let r = monitor(Method::GET, &[monitor_id, "jobs"], monitor_id);
        self.call(r.query([("sort", sort.to_owned())])).await
    }

    /// `GET /catchAll/monitors/{id}/status`: its history, newest first.
    pub async fn monitor_status(&self, monitor_id: &str) -> Result<MonitorStatusHistory, ApiError> {
        check_id("monitor", monitor_id)?;
        self.call(monitor(Method::GET, &[monitor_id, "status"], monitor_id))
            .await
    }

    /// `POST /catchAll/monitors/{id}/enable`, optionally filling the gap
    /// since the last run.
    pub async fn enable_monitor(
        &self,
        monitor_id: &str,
        backfill: Option<bool>,
    ) -> Result<MonitorAction, ApiError> {
        check_id("monitor", monitor_id)?;
        let r = monitor(Method::POST, &[monitor_id, "enable"], monitor_id);
        self.call(r.json(&EnableBody { backfill })).await
    }

    /// `POST /catchAll/monitors/{id}/disable`: no more scheduled runs.
    pub async fn disable_monitor(&self, monitor_id: &str) -> Result<MonitorAction, ApiError> {
        check_id("monitor", monitor_id)?;
        self.call(monitor(Method::POST, &[monitor_id, "disable"], monitor_id))
            .await
    }

    /// `PATCH /catchAll/monitors/{id}`: schedule, limit or webhooks.
    pub async fn update_monitor(
        &self,
        monitor_id: &str,
        req: &UpdateMonitorRequest,
    ) -> Result<UpdateMonitorResponse, ApiError> {
        check_id("monitor", monitor_id)?;
        req.check()?;
        let r = monitor(Method::PATCH, &[monitor_id], monitor_id);
        self.call(r.json(req)).await
    }

    /// `DELETE /catchAll/monitors/{id}`: soft; deleting again is fine.
    pub async fn delete_monitor(&self, monitor_id: &str) -> Result<MonitorAction, ApiError> {
        check_id("monitor", monitor_id)?;
        self.call(monitor(Method::DELETE, &[monitor_id], monitor_id))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_reading_of_a_list_item_and_a_record() {
        let item: MonitorListItem = serde_json::from_value(serde_json::json!({
            "monitor_id": "m1", "reference_job_id": "j1", "reference_job_query": "q",
            "enabled": "true", "schedule": "0 9 * * 1-5", "webhook": "not an object",
            "sharing_info": null, "unknown": 5
        }))
        .unwrap();
        assert!(item.enabled);
        assert_eq!(item.webhook, None);
        let rec: MonitorRecord = serde_json::from_value(serde_json::json!({
            "record_id": "r1", "record_title": "t", "enrichment": null,
            "citations": [
                {"title": "a", "link": "l", "published_date": null, "id": "d", "job_id": "run2", "added_on": "2026-01-02T00:00:00Z"},
                {"title": "b", "link": "l", "published_date": null, "id": "e", "job_id": "run1", "added_on": "2026-01-01T00:00:00Z"},
                7
            ],
            "tags": {"sector": "x"}
        }))
        .unwrap();
        assert_eq!(rec.first_job_id(), Some("run1"));
        assert_eq!(rec.citations.len(), 2);
        assert!(rec.extra.contains_key("tags"));
    }

    #[test]
    fn plain_checks_before_sending() {
        let mut req = CreateMonitorRequest::new("j1", "  ");
        assert!(req
            .check()
            .unwrap_err()
            .to_string()
            .contains("every weekday"));
        req.schedule = "every day".into();
        req.limit = Some(5);
        assert!(req.check().unwrap_err().to_string().contains("at least 10"));
        req.limit = Some(10);
        req.webhook_ids = Some((0..6).map(|i| format!("w{i}")).collect());
        assert!(req.check().unwrap_err().to_string().contains("at most 5"));
        req.webhook_ids = Some(vec!["w1".into()]);
        req.check().unwrap();
    }
}
