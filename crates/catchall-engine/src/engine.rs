//! The engine facade: one method per thing the app does.
//! SKELETON: signatures are the contract with the app shell and the UI;
//! bodies are being filled in.

use std::path::PathBuf;
use std::sync::Arc;

use crate::dto::*;
use crate::EngineError;

/// Where the engine keeps its data and which keyring entry it uses.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Folder of the SQLite database (the OS data dir, or a test folder).
    pub data_dir: PathBuf,
    /// Dev builds use another keyring entry and data folder than releases.
    pub dev: bool,
    /// Start in the sandbox regardless of a stored key (tests, `--sandbox`).
    pub force_sandbox: bool,
    /// Pace of the built-in sandbox ("test" | "demo" | "real").
    pub sandbox_pace: String,
    /// Never touch the OS keyring (tests that must not see a real key).
    pub use_keyring: bool,
}

/// Receives what the engine reports; the Tauri shell turns these into
/// typed events and OS notifications.
pub trait EventSink: Send + Sync + 'static {
    fn job_event(&self, event: JobEvent);
    fn export_progress(&self, progress: ExportProgress);
    /// A job completed or failed; the shell decides whether to notify.
    fn job_finished(&self, summary: &JobSummary);
}

#[derive(Clone)]
pub struct Engine {
    _sink: Arc<dyn EventSink>,
    _config: EngineConfig,
}

type R<T> = Result<T, EngineError>;

impl Engine {
    pub async fn start(config: EngineConfig, sink: Arc<dyn EventSink>) -> R<Engine> {
        Ok(Engine {
            _sink: sink,
            _config: config,
        })
    }
    pub fn app_info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            connection: Connection::Sandbox,
            base_url: String::new(),
            key: KeyStatus {
                stored: false,
                last4: None,
                session_only: false,
                keyring_available: false,
                keyring_message: None,
            },
            data_dir: String::new(),
            dev_build: true,
            first_run: true,
        }
    }
    pub async fn save_api_key(&self, _key: String, _remember: bool) -> R<KeyStatus> {
        Err(EngineError::NotReady("save_api_key"))
    }
    pub async fn remove_api_key(&self) -> R<KeyStatus> {
        Err(EngineError::NotReady("remove_api_key"))
    }
    pub async fn set_connection(&self, _connection: Connection) -> R<AppInfo> {
        Err(EngineError::NotReady("set_connection"))
    }
    pub fn settings(&self) -> R<Settings> {
        Err(EngineError::NotReady("settings"))
    }
    pub async fn save_settings(&self, _settings: Settings) -> R<Settings> {
        Err(EngineError::NotReady("save_settings"))
    }
    pub fn check_draft(&self, _draft: &JobDraft) -> Vec<FieldProblem> {
        Vec::new()
    }
    pub async fn validate_query(&self, _query: String) -> R<QueryCheck> {
        Err(EngineError::NotReady("validate_query"))
    }
    pub async fn initialize(&self, _query: String, _context: Option<String>) -> R<Suggestions> {
        Err(EngineError::NotReady("initialize"))
    }
    pub async fn submit(&self, _draft: JobDraft) -> R<JobSnapshot> {
        Err(EngineError::NotReady("submit"))
    }
    pub fn jobs(&self, _search: Option<String>) -> R<Vec<JobSummary>> {
        Err(EngineError::NotReady("jobs"))
    }
    pub async fn account_jobs(&self, _page: u32, _search: Option<String>) -> R<AccountJobsPage> {
        Err(EngineError::NotReady("account_jobs"))
    }
    pub async fn open_account_job(&self, _job_id: String) -> R<JobSnapshot> {
        Err(EngineError::NotReady("open_account_job"))
    }
    pub fn snapshot(&self, _local_id: i64) -> R<JobSnapshot> {
        Err(EngineError::NotReady("snapshot"))
    }
    pub async fn continue_job(&self, _local_id: i64, _new_limit: u32) -> R<JobSnapshot> {
        Err(EngineError::NotReady("continue_job"))
    }
    pub async fn delete_job(&self, _local_id: i64) -> R<()> {
        Err(EngineError::NotReady("delete_job"))
    }
    pub fn columns(&self, _local_id: i64) -> R<Vec<Column>> {
        Err(EngineError::NotReady("columns"))
    }
    pub fn window(&self, _local_id: i64, _view: ViewSpec, _start: u32, _limit: u32) -> R<RecordsWindow> {
        Err(EngineError::NotReady("window"))
    }
    pub fn record(&self, _local_id: i64, _record_id: String) -> R<RecordDetail> {
        Err(EngineError::NotReady("record"))
    }
    pub async fn plan_limits(&self) -> R<Vec<PlanLimit>> {
        Err(EngineError::NotReady("plan_limits"))
    }
    pub fn save_draft(&self, _draft: JobDraft) -> R<()> {
        Err(EngineError::NotReady("save_draft"))
    }
    pub fn load_draft(&self) -> R<Option<JobDraft>> {
        Err(EngineError::NotReady("load_draft"))
    }
    pub async fn export(
        &self,
        _local_id: i64,
        _format: ExportFormat,
        _view: Option<ViewSpec>,
        _path: PathBuf,
    ) -> R<ExportResult> {
        Err(EngineError::NotReady("export"))
    }
}
