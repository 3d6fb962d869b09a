//! Company watchlists and projects for the app (`docs/api.md`, sections 7
//! and 8): the IPC shapes and the engine calls behind the Watchlists
//! screen and the composer's "About these companies" and project picker.
//! CSV files are read and checked here (`catchall_api::watchlist_csv`)
//! before any request.

use catchall_api::watchlist_csv::{check_watchlist_csv, CsvProblem};
pub use catchall_api::watchlist_csv::{
    encode_windows_1252, CheckedCsv, TextEncoding, MAX_CSV_BYTES,
};
use catchall_api::{
    status_words, Dataset, DatasetUpdate, EntityInput, ListDatasetsQuery, ProjectInput,
    ResourceRef, UploadResponse,
};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::engine::Engine;
use crate::error::EngineError;

type R<T> = Result<T, EngineError>;

/// Rows of a CSV preview sent to the page (the rest are counted).
pub const PREVIEW_ROWS: usize = 200;

/// A job's watchlist options, as the composer holds them.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct WatchlistScope {
    pub watchlist_ids: Vec<String>,
    /// 1-10: keep records where a company reaches this relevance.
    pub min_relevance: Option<i32>,
    /// "subject" (the company acts in the event) or "mention".
    pub association: Option<String>,
    /// All news about the companies: no topic needed.
    pub all_news: bool,
}

impl WatchlistScope {
    /// The chosen watchlists, trimmed, without repeats.
    pub fn ids(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.watchlist_ids
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty() && seen.insert(s.clone()))
            .collect()
    }

    /// The API's `ed_association_type` for the chosen association.
    pub fn association_api(&self) -> Option<String> {
        match self.association.as_deref() {
            Some("subject") | Some("event_associated") => Some("event_associated".into()),
            Some("mention") => Some("mention".into()),
            _ => None,
        }
    }
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Watchlist {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub company_count: u32,
    /// pending | enriching | ready | failed (or a newer word).
    pub status: String,
    /// The status for people ("Looking up the companies").
    pub status_words: String,
    pub ready: bool,
    /// 0-100: how well the companies can be told apart.
    pub health: Option<f64>,
    pub created_at: Option<String>,
}

impl From<Dataset> for Watchlist {
    fn from(d: Dataset) -> Self {
        let status = d.latest_status.clone().unwrap_or_default();
        Watchlist {
            ready: d.is_ready(),
            status_words: status_words(&status),
            status,
            id: d.id,
            name: d.name,
            description: d.description,
            company_count: d.entity_count.unwrap_or(0).min(u64::from(u32::MAX)) as u32,
            health: d.health_score,
            created_at: d.created_at,
        }
    }
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WatchlistCompany {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub domain: Option<String>,
    pub status: String,
    pub status_words: String,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StatusStep {
    pub status: String,
    pub words: String,
    pub at: Option<String>,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WatchlistDetail {
    pub watchlist: Watchlist,
    pub companies: Vec<WatchlistCompany>,
    /// Oldest first.
    pub history: Vec<StatusStep>,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    pub row: u32,
    pub name: String,
    pub description: Option<String>,
    pub domain: Option<String>,
    pub alternative_names: Vec<String>,
    pub key_persons: Vec<String>,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PreviewSkip {
    pub row: u32,
    pub name: Option<String>,
    pub reason: String,
}

/// What a CSV will add and what it will skip, before anything is sent.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CsvPreview {
    /// The file's name (not its path).
    pub file_name: String,
    /// "utf-8" or "windows-1252".
    pub encoding: String,
    pub total_rows: u32,
    /// Companies that will be uploaded.
    pub row_count: u32,
    /// The first of them.
    pub rows: Vec<PreviewRow>,
    pub skipped: Vec<PreviewSkip>,
    pub ignored_columns: Vec<String>,
}

/// What the service did with an upload.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UploadOutcome {
    pub watchlist_id: String,
    pub companies_added: u32,
    /// Rows the service itself skipped (after the app's own check).
    pub skipped: Vec<PreviewSkip>,
}

impl From<UploadResponse> for UploadOutcome {
    fn from(u: UploadResponse) -> Self {
        UploadOutcome {
            watchlist_id: u.dataset_id,
            companies_added: u.entities_created.unwrap_or(0) as u32,
            skipped: u
                .validation_report
                .skipped_rows
                .into_iter()
                .map(|s| PreviewSkip {
                    row: s.row.unwrap_or(0) as u32,
                    name: None,
                    reason: s.reason,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProjectInfo {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub item_count: u32,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StatusCount {
    pub status: String,
    pub count: u32,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProjectCounts {
    pub project_id: String,
    pub jobs: u32,
    pub jobs_by_status: Vec<StatusCount>,
    pub monitors: u32,
    pub watchlists: u32,
    pub webhooks: u32,
}

/// The encoding names the page uses.
pub fn encoding_of(name: &str) -> TextEncoding {
    match name.trim().to_ascii_lowercase().as_str() {
        "windows-1252" | "cp1252" | "latin1" => TextEncoding::Windows1252,
        _ => TextEncoding::Utf8,
    }
}

/// Reads and checks a CSV's bytes; the preview plus what to upload.
pub fn preview_csv(file_name: &str, bytes: &[u8], encoding: &str) -> R<(CsvPreview, CheckedCsv)> {
    let enc = encoding_of(encoding);
    let checked = check_watchlist_csv(bytes, enc).map_err(EngineError::Csv)?;
    let preview = CsvPreview {
        file_name: file_name.to_owned(),
        encoding: match enc {
            TextEncoding::Utf8 => "utf-8".into(),
            TextEncoding::Windows1252 => "windows-1252".into(),
        },
        total_rows: checked.total_rows as u32,
        row_count: checked.rows.len() as u32,
        rows: checked
            .rows
            .iter()
            .take(PREVIEW_ROWS)
            .map(|r| PreviewRow {
                row: r.row as u32,
                name: r.name.clone(),
                description: r.description.clone(),
                domain: r.domain.clone(),
                alternative_names: r.alternative_names.clone(),
                key_persons: r.key_persons.clone(),
            })
            .collect(),
        skipped: checked
            .skipped
            .iter()
            .map(|s| PreviewSkip {
                row: s.row as u32,
                name: s.name.clone(),
                reason: s.reason.clone(),
            })
            .collect(),
        ignored_columns: checked.ignored_columns.clone(),
    };
    Ok((preview, checked))
}

/// The CSV problems as the engine's error (kind `csv_not_utf8` lets the
/// page offer Windows-1252).
pub(crate) fn csv_kind(p: &CsvProblem) -> crate::dto::ErrorKind {
    match p {
        CsvProblem::NotUtf8 { .. } => crate::dto::ErrorKind::CsvNotUtf8,
        _ => crate::dto::ErrorKind::Input,
    }
}

fn name_of(name: &str, what: &str) -> R<String> {
    let n = name.trim();
    if n.is_empty() {
        return Err(EngineError::Input(format!("Give the {what} a name.")));
    }
    Ok(n.to_owned())
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl Engine {
    async fn api(&self) -> R<catchall_api::Client> {
        let c = self.inner.clients(self.inner.current_server()).await?;
        Ok(c.api.clone())
    }

    /// Every watchlist (of one project, when given), newest first.
    pub async fn watchlists(&self, project_id: Option<String>) -> R<Vec<Watchlist>> {
        let api = self.api().await?;
        let mut out: Vec<Watchlist> = Vec::new();
        for page in 1..=1000u32 {
            let p = api
                .list_datasets(&ListDatasetsQuery {
                    page: Some(page),
                    page_size: Some(100),
                    project_id: clean(project_id.clone()),
                    ..Default::default()
                })
                .await?;
            let n = p.datasets.len();
            out.extend(p.datasets.into_iter().map(Watchlist::from));
            if n == 0 || p.total.is_some_and(|t| out.len() as u64 >= t) {
                break;
            }
        }
        Ok(out)
    }

    /// A watchlist with its companies and status history.
    pub async fn watchlist(&self, id: String) -> R<WatchlistDetail> {
        let api = self.api().await?;
        let d = api.get_dataset(&id).await?;
        let history = api.dataset_status(&id).await?;
        let companies = api.all_dataset_entities(&id).await?;
        Ok(WatchlistDetail {
            watchlist: d.into(),
            companies: companies
                .into_iter()
                .map(|e| WatchlistCompany {
                    status_words: status_words(&e.status),
                    domain: e.attributes.and_then(|a| a.domain),
                    id: e.id,
                    name: e.name,
                    description: e.description,
                    status: e.status,
                })
                .collect(),
            history: history
                .history
                .into_iter()
                .map(|h| StatusStep {
                    words: status_words(&h.status),
                    status: h.status,
                    at: h.created_at,
                })
                .collect(),
        })
    }

    /// Uploads a checked CSV as a new watchlist (and puts it in a project).
    pub async fn create_watchlist(
        &self,
        name: String,
        description: Option<String>,
        file_name: String,
        checked: &CheckedCsv,
        project_id: Option<String>,
    ) -> R<UploadOutcome> {
        let name = name_of(&name, "watchlist")?;
        let api = self.api().await?;
        let up = api
            .upload_dataset(
                &name,
                clean(description).as_deref(),
                &file_name,
                &checked.to_upload(),
            )
            .await?;
        if let Some(p) = clean(project_id) {
            api.add_to_project(&p, &[ResourceRef::new("dataset", &up.dataset_id)])
                .await?;
        }
        Ok(up.into())
    }

    /// Appends a checked CSV's companies to a watchlist.
    pub async fn add_csv_to_watchlist(
        &self,
        id: String,
        file_name: String,
        checked: &CheckedCsv,
    ) -> R<UploadOutcome> {
        let api = self.api().await?;
        Ok(api
            .upload_to_dataset(&id, &file_name, &checked.to_upload())
            .await?
            .into())
    }

    /// Adds one company; it needs a domain or a few words about it.
    pub async fn add_company(
        &self,
        id: String,
        name: String,
        domain: Option<String>,
        about: Option<String>,
    ) -> R<()> {
        let name = name_of(&name, "company")?;
        let (domain, about) = (clean(domain), clean(about));
        if domain.is_none() && about.is_none() {
            return Err(EngineError::Input(format!(
                "To tell which \"{name}\" you mean, give its web domain or a few words about it."
            )));
        }
        let api = self.api().await?;
        let made = api
            .create_entity(&EntityInput::company(&name, about, domain))
            .await?;
        api.add_to_dataset(&id, std::slice::from_ref(&made.id))
            .await?;
        Ok(())
    }

    /// Takes companies out of a watchlist (they stay in the account).
    pub async fn remove_companies(&self, id: String, company_ids: Vec<String>) -> R<u32> {
        if company_ids.is_empty() {
            return Err(EngineError::Input("Choose the companies to remove.".into()));
        }
        let api = self.api().await?;
        let r = api.remove_from_dataset(&id, &company_ids).await?;
        Ok(r.affected_count.unwrap_or(0) as u32)
    }

    pub async fn rename_watchlist(&self, id: String, name: String) -> R<Watchlist> {
        let name = name_of(&name, "watchlist")?;
        let api = self.api().await?;
        Ok(api
            .update_dataset(
                &id,
                &DatasetUpdate {
                    name: Some(name),
                    ..Default::default()
                },
            )
            .await?
            .into())
    }

    pub async fn delete_watchlist(&self, id: String) -> R<()> {
        Ok(self.api().await?.delete_dataset(&id).await?)
    }

    pub async fn projects(&self) -> R<Vec<ProjectInfo>> {
        let api = self.api().await?;
        Ok(api
            .all_projects()
            .await?
            .into_iter()
            .map(|p| ProjectInfo {
                id: p.project_id,
                name: p.name,
                description: p.description,
                item_count: p.resources_count.unwrap_or(0) as u32,
            })
            .collect())
    }

    pub async fn create_project(
        &self,
        name: String,
        description: Option<String>,
    ) -> R<ProjectInfo> {
        let name = name_of(&name, "project")?;
        let api = self.api().await?;
        let description = clean(description);
        let made = api
            .create_project(&ProjectInput {
                name: name.clone(),
                description: description.clone(),
            })
            .await?;
        Ok(ProjectInfo {
            id: made.project_id,
            name,
            description,
            item_count: 0,
        })
    }

    pub async fn delete_project(&self, id: String, delete_resources: bool) -> R<()> {
        Ok(self
            .api()
            .await?
            .delete_project(&id, delete_resources)
            .await?)
    }

    /// The service ids of the monitors listed in a project (the Monitors
    /// screen's project filter).
    pub async fn project_monitor_ids(&self, project_id: String) -> R<Vec<String>> {
        let api = self.api().await?;
        let mut out = Vec::new();
        for page in 1..=1000u32 {
            let p = api
                .list_monitors(&catchall_api::ListMonitorsQuery {
                    page: Some(page),
                    page_size: Some(100),
                    project_id: Some(project_id.clone()),
                    ..Default::default()
                })
                .await?;
            let n = p.monitors.len();
            out.extend(p.monitors.into_iter().map(|m| m.monitor_id));
            let more = match p.total_pages {
                Some(t) => u64::from(page) < t,
                None => n > 0,
            };
            if !more {
                break;
            }
        }
        Ok(out)
    }

    /// A project's counts: jobs (by status), monitors, watchlists, webhooks.
    pub async fn project_counts(&self, id: String) -> R<ProjectCounts> {
        let o = self.api().await?.project_overview(&id).await?;
        let ov = o.overview;
        Ok(ProjectCounts {
            project_id: o.project_id,
            jobs: ov.job_count() as u32,
            jobs_by_status: ov
                .jobs
                .iter()
                .map(|(k, v)| StatusCount {
                    status: k.clone(),
                    count: *v as u32,
                })
                .collect(),
            monitors: ov.monitor_count() as u32,
            watchlists: ov.datasets as u32,
            webhooks: ov.webhooks as u32,
        })
    }
}
