//! The shapes the app shows: what crosses into the UI (through the Tauri
//! shell) and what the command line prints. Plain data, camelCase on the
//! wire, no secrets: the key itself never appears in any of these.

use serde::{Deserialize, Serialize};
use specta::Type;

/// Which server the app talks to.
#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Connection {
    /// The built-in sandbox on loopback: sample data, no account needed.
    Sandbox,
    /// The real CatchAll service (or another base URL set in Settings).
    Live,
}

#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    Dark,
    System,
}

/// What the UI may know about the API key: whether one is there, and its
/// last four characters. Never the key.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct KeyStatus {
    pub stored: bool,
    /// Last four characters, for "key ending …abcd".
    pub last4: Option<String>,
    /// The key lives in memory for this run only (no keyring, or the user
    /// chose not to remember it).
    pub session_only: bool,
    pub keyring_available: bool,
    /// Plain words on why the keyring cannot be used and what to install.
    pub keyring_message: Option<String>,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub connection: Connection,
    /// The base URL in use (the sandbox's loopback URL in sandbox mode).
    pub base_url: String,
    pub key: KeyStatus,
    pub data_dir: String,
    pub dev_build: bool,
    /// True until the user has chosen "use my key" or "try the sandbox".
    pub first_run: bool,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Base URL of the live service.
    pub base_url: String,
    /// Seconds between status polls against the live service (30-60 is the
    /// documented cadence; the sandbox is polled faster).
    pub poll_interval_secs: u32,
    pub theme: Theme,
    /// The composer asks before starting a job whose maximum is above this
    /// many records (or has none, which means the plan's maximum).
    #[serde(default = "default_confirm_above")]
    pub confirm_above_records: u32,
}

fn default_confirm_above() -> u32 {
    crate::engine::DEFAULT_CONFIRM_ABOVE
}

// ---------------------------------------------------------------- compose

#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    Date,
    Option,
    Url,
    Company,
}

#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Full records with enrichments.
    #[default]
    Base,
    /// Titles and citations only, faster.
    Lite,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ValidatorSpec {
    pub name: String,
    pub description: String,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EnrichmentSpec {
    pub name: String,
    pub description: String,
    pub kind: FieldKind,
}

/// What the composer holds, and exactly what a submit sends.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct JobDraft {
    pub query: String,
    pub context: Option<String>,
    /// ISO 8601 date or date-time (UTC). None: the service's default window.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// Maximum records. None: the plan's maximum.
    pub limit: Option<u32>,
    pub mode: Mode,
    /// None: let the service choose. Some: send exactly these.
    pub validators: Option<Vec<ValidatorSpec>>,
    pub enrichments: Option<Vec<EnrichmentSpec>>,
    /// Only these outlets: source group slugs (None or empty: all news).
    #[serde(default)]
    #[specta(optional)]
    pub source_groups: Option<Vec<String>>,
    /// Only events about these watchlists' companies (docs/api.md section 7).
    #[serde(default)]
    #[specta(optional)]
    pub watchlist: Option<crate::watchlists::WatchlistScope>,
    /// List the job in this project at once.
    #[serde(default)]
    #[specta(optional)]
    pub project_id: Option<String>,
}

/// A problem with the draft found before any request, next to its field.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FieldProblem {
    /// "query", "limit", "startDate", "endDate", "validators.2.name", ...
    pub field: String,
    pub message: String,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QuerySuggestion {
    pub issue: String,
    pub message: String,
    pub example: Option<String>,
}

/// The service's verdict on a query (validate).
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QueryCheck {
    /// "good" | "needs_work" | "critical" (or a newer word from the service).
    pub status: String,
    pub title: String,
    pub description: Option<String>,
    pub issues: Vec<String>,
    pub suggestions: Vec<QuerySuggestion>,
    pub confidence: Option<f64>,
}

/// The service's suggestions for a query (initialize).
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Suggestions {
    pub validators: Vec<ValidatorSpec>,
    pub enrichments: Vec<EnrichmentSpec>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// Why the service changed the dates, in its words.
    pub date_messages: Vec<String>,
}

// ------------------------------------------------------------------- jobs

#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JobOrigin {
    /// Submitted from this app.
    Local,
    /// Found in the account's job list (started elsewhere).
    Account,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    pub local_id: i64,
    /// The service's id; None while the job waits in the local queue.
    pub job_id: Option<String>,
    pub query: String,
    /// "queued" (local), then the service's stage names: submitted,
    /// analyzing, fetching, clustering, enriching, completed, failed, or a
    /// newer name kept as the service sent it.
    pub stage: String,
    pub origin: JobOrigin,
    pub mode: Mode,
    /// RFC 3339.
    pub created_at: String,
    pub updated_at: String,
    pub limit: Option<u32>,
    pub valid_records: Option<u32>,
    /// Records already stored on this machine.
    pub stored_records: u32,
    pub error: Option<String>,
    /// Why the job waits locally (e.g. all job slots busy).
    pub queued_reason: Option<String>,
    /// Still being tracked (polled) by the app.
    pub tracking: bool,
    /// The service says the job is completed (its records may still be
    /// downloading).
    pub service_completed: bool,
    /// Completed and every record is on this computer: only then is the
    /// job "Completed" in the app.
    pub all_local: bool,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StepInfo {
    pub stage: String,
    pub order: u32,
    pub completed: bool,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StageEntry {
    pub stage: String,
    /// RFC 3339, when the app first saw this stage.
    pub at: String,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub candidate_records: Option<u32>,
    pub progress_validated: Option<u32>,
    pub valid_records: Option<u32>,
}

/// Everything a view needs to show one job, for views that open late:
/// fetch this, then follow `JobEvent`s.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JobSnapshot {
    pub summary: JobSummary,
    /// What was submitted (validators/enrichments as sent, or as the
    /// service reported them).
    pub request: JobDraft,
    pub steps: Vec<StepInfo>,
    pub history: Vec<StageEntry>,
    pub progress: Progress,
    /// e.g. "15m", as the service reports it.
    pub duration: Option<String>,
    /// Continue is possible: the job completed and was submitted with a limit.
    pub can_continue: bool,
    /// Current tracking trouble in plain words (offline, retrying in N s).
    pub trouble: Option<String>,
    /// What had to change in the stored records to keep them readable, in
    /// plain words ("3 values had characters that could not be read.").
    pub read_notes: Option<String>,
}

/// What happened to one job; emitted as it happens.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum JobEventKind {
    Queued {
        reason: String,
    },
    Submitted {
        job_id: String,
    },
    StageChanged {
        stage: String,
        steps: Vec<StepInfo>,
    },
    Progress {
        progress: Progress,
    },
    RecordsStored {
        new_records: u32,
        stored_records: u32,
    },
    Completed {
        valid_records: u32,
    },
    Failed {
        error: String,
    },
    Trouble {
        message: String,
        retry_in_secs: u32,
    },
    Deleted,
    /// The job's search index holds every record: searches answered before
    /// (from the table's cells only) can be asked again.
    SearchIndexReady,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JobEvent {
    pub local_id: i64,
    pub event: JobEventKind,
}

// ---------------------------------------------------------------- results

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    /// "record_title", an enrichment name, "enrichment_confidence",
    /// "citations".
    pub key: String,
    /// Human label ("Funding amount" for funding_amount).
    pub label: String,
    /// "title" | "text" | "number" | "date" | "option" | "url" | "company"
    /// | "entities" (matched companies) | "confidence" | "citations".
    pub kind: String,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SortSpec {
    pub key: String,
    pub descending: bool,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ColumnFilter {
    pub key: String,
    /// Case-insensitive part of the cell's text ("" = none).
    #[serde(default)]
    pub contains: String,
    /// A typed test; with it, `contains` is not used.
    #[serde(default)]
    #[specta(optional)]
    pub test: Option<FilterTest>,
}

/// A typed column filter, run by the store (table.rs).
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FilterTest {
    /// Numbers from `min` to `max`, both included.
    Range {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Dates (`YYYY-MM-DD`) from `from` to `to`, both included.
    Dates {
        from: Option<String>,
        to: Option<String>,
    },
    /// Cells showing one of these values.
    OneOf {
        values: Vec<String>,
    },
    Empty,
    NotEmpty,
}

/// A column's value list for its filter: values with counts over the view
/// (without the column's own filter), most frequent first.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ColumnValues {
    pub values: Vec<ValueCount>,
    /// Values not listed.
    pub more: u32,
    pub empty: u32,
    /// Smallest and largest value (numbers and dates).
    pub min: Option<String>,
    pub max: Option<String>,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ValueCount {
    pub value: String,
    pub count: u32,
}

/// One column of the table as the analyst arranged it.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TableColumn {
    pub key: String,
    /// Pixels; None = from the content.
    pub width: Option<u32>,
    pub hidden: bool,
    pub pinned: bool,
}

/// The table's view of a job, kept so that it comes back when the job is
/// reopened.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct KeptView {
    pub sort: Option<SortSpec>,
    pub search: Option<String>,
    pub filters: Vec<ColumnFilter>,
    /// In table order; columns not listed come after, shown.
    pub columns: Vec<TableColumn>,
}

/// Sort, filter and search of a results table; done by the engine.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ViewSpec {
    pub sort: Option<SortSpec>,
    pub search: Option<String>,
    pub filters: Vec<ColumnFilter>,
    /// Only records in this review state.
    #[serde(default)]
    #[specta(optional)]
    pub review: Option<ReviewFilter>,
    /// Only records new since the user last looked (a monitor's table).
    #[serde(default)]
    #[specta(optional)]
    pub only_new: Option<bool>,
}

/// One table row as display strings only, in `Column` order. Texts and
/// links travel as two plain arrays rather than a `{text, link}` object per
/// cell: the keys were over half of a window's bytes.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub record_id: String,
    /// Display text of each cell; empty for a URL cell whose text is its
    /// link (the table shows the link).
    pub texts: Vec<String>,
    /// Company domain or URL value of each cell, where it has one.
    pub links: Vec<Option<String>>,
    /// The analyst's review; left out when nothing is set (most rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[specta(optional)]
    pub review: Option<RowReview>,
    /// Stored since the user last looked (a monitor's table); left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[specta(optional)]
    pub is_new: Option<bool>,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RecordsWindow {
    /// Rows matching the view.
    pub total: u32,
    pub start: u32,
    pub rows: Vec<Row>,
    /// A search answered while the job's search index was being built:
    /// records not indexed yet matched on what the table shows of them
    /// only. A `search_index_ready` event follows.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[specta(optional)]
    pub search_partial: bool,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FieldView {
    pub name: String,
    pub label: String,
    pub kind: String,
    /// Display text (multi-line for nested values); in a record's detail
    /// only its start when the whole is long (see `full_length`).
    pub text: String,
    pub link: Option<String>,
    /// For company fields: the match confidence.
    pub confidence: Option<String>,
    /// For company fields: the words of the article the company was found
    /// in (the service's `source_text`), when they say more than the name.
    #[serde(default)]
    #[specta(optional)]
    pub evidence: Option<String>,
    /// Characters in the whole text; more than `text` holds when it was
    /// cut (the whole comes from `record_field`).
    pub full_length: u32,
}

/// Part of a field's whole text (`Engine::record_field`).
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FieldPart {
    pub text: String,
    /// The character the next part starts at; none after the last part.
    pub next: Option<u32>,
    /// Characters in the whole text.
    pub total: u32,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CitationView {
    pub title: String,
    pub link: String,
    pub published_date: Option<String>,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RecordDetail {
    pub record_id: String,
    pub title: String,
    pub confidence: Option<String>,
    /// The first fields (all but for a record with hundreds of them; the
    /// rest come from `record_fields`).
    pub fields: Vec<FieldView>,
    /// Fields the record has in all.
    pub fields_total: u32,
    pub citations: Vec<CitationView>,
    /// Companies of the job's watchlists the record is about (its
    /// `connected_entities`), in the record's order.
    pub companies: Vec<MatchedCompany>,
    /// Tags of an "all news about these companies" record.
    pub event_type: Option<String>,
    pub sector: Option<String>,
}

/// A company of a watchlist named by a record.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MatchedCompany {
    pub name: String,
    /// 1-10: 10 a critical event for the company, 1-3 an indirect mention.
    pub relevance: Option<i32>,
    /// "event_associated" (the company is the event's subject) or "mention".
    pub association: Option<String>,
    /// Why the service linked the company to the event.
    pub relation: Option<String>,
    pub domain: Option<String>,
}

// ---------------------------------------------------------------- account

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AccountJob {
    pub job_id: String,
    pub query: String,
    pub created_at: String,
    pub status: String,
    pub mode: Option<String>,
    /// Set when this job is also in the local history.
    pub local_id: Option<i64>,
    /// Set on a job a colleague shared: who ("First Last", an email or an id).
    pub shared_by: Option<String>,
    /// RFC 3339, when it was shared.
    pub shared_at: Option<String>,
    /// view, edit or manage.
    pub permission: Option<String>,
}

/// A curated list of outlets a job can be limited to (the composer's
/// "only these outlets").
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SourceGroup {
    /// What submit's `source_groups` takes.
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

/// Which of the account's jobs to list.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct AccountJobsFilter {
    pub search: Option<String>,
    /// "own", "shared" or "all" (None: the service's default).
    pub ownership: Option<String>,
    pub mode: Option<Mode>,
    /// Only the jobs of this project.
    #[serde(default)]
    #[specta(optional)]
    pub project_id: Option<String>,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AccountJobsPage {
    pub total: u32,
    pub page: u32,
    pub total_pages: u32,
    pub jobs: Vec<AccountJob>,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PlanLimit {
    pub code: String,
    pub name: String,
    /// Display string of the limit ("20", "100,000", "yes").
    pub value: Option<String>,
    pub current_usage: Option<String>,
}

// ----------------------------------------------------------------- export

#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
    Jsonl,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub path: String,
    pub records: u32,
    pub bytes: u64,
    /// Set when the job's records were not all on this computer: the
    /// export has only part of them (in words, for the message).
    pub partial: Option<String>,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExportProgress {
    pub local_id: i64,
    pub written: u32,
    pub total: u32,
}

// ----------------------------------------------------------------- errors

/// Every failure the UI can meet, as a stable tag it maps to plain words.
#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Missing, wrong or revoked API key.
    BadKey,
    /// The plan does not allow this.
    Forbidden,
    NotFound,
    /// The service refused the request (its message is shown as is).
    Rejected,
    /// The request failed validation (field-level details in the message).
    Invalid,
    /// All job slots are busy.
    Busy,
    Server,
    Offline,
    Timeout,
    /// The service answered something that is not what the contract says.
    Malformed,
    /// No usable OS keyring.
    Keyring,
    /// The local database.
    Storage,
    Export,
    /// Input rejected before any request.
    Input,
    Internal,
    /// A watchlist CSV that is not UTF-8: the page offers to read it as
    /// Windows-1252.
    CsvNotUtf8,
}

/// The error every command returns: `{kind, message}`.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
}

// ----------------------------------------------------------------- review

/// The analyst's verdict on a record.
#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    #[default]
    Unreviewed,
    Accepted,
    Rejected,
}

/// Which records a view keeps by their review.
#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReviewFilter {
    Unreviewed,
    Accepted,
    Rejected,
    Starred,
    WithNote,
}

/// One record's review.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct RowReview {
    pub state: ReviewState,
    pub starred: bool,
    pub note: Option<String>,
    /// Unix milliseconds of the last change.
    pub reviewed_at: Option<i64>,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RecordReview {
    pub record_id: String,
    pub review: RowReview,
}

/// One review action; None parts stay as they are.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReviewChange {
    pub state: Option<ReviewState>,
    pub starred: Option<bool>,
    /// The new note; an empty text removes it.
    pub note: Option<String>,
}

/// "42 of 60 reviewed · 38 accepted".
#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReviewProgress {
    pub total: u32,
    pub reviewed: u32,
    pub accepted: u32,
    pub rejected: u32,
    pub starred: u32,
    pub with_note: u32,
}

/// What a review action (or its undo) did.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReviewOutcome {
    /// Records changed.
    pub count: u32,
    /// Their reviews now, when few enough to update rows in place; empty
    /// with `refresh` set otherwise.
    pub changed: Vec<RecordReview>,
    /// The table should read its rows again (many records changed).
    pub refresh: bool,
    pub progress: ReviewProgress,
    /// An undo is waiting for this job.
    pub can_undo: bool,
}

/// The next record without a verdict in a view.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NextUnreviewed {
    /// Its row in the view.
    pub position: u32,
    pub record_id: String,
}
