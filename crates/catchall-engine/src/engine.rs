//! The engine facade: one method per thing the app does. The Tauri shell
//! and the command line call these; everything below is Tauri-free.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use catchall_api::{ApiError, ApiKey, InitializeRequest, ListJobsQuery, SubmitRequest};
use catchall_store::{JobFilter, JobOrigin as StoreOrigin, LocalState, NewJob, Store};

use crate::background::{IdleTrim, SearchIndexer};
use crate::connection::{pace_of, Clients, Connector, KeySource, LiveTarget, SandboxSetup, Server};
use crate::dto::*;
use crate::jobs::{Cadence, Jobs};
use crate::secret::KeyringStore;
use crate::{convert, draft, exporting, pull, queue, review, tracker, EngineError};

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
    /// A key given to this run by whoever started it (`CATCHALL_API_KEY`),
    /// used instead of the stored one.
    pub env_key: Option<ApiKey>,
}

/// Knobs for tests, benchmarks and the command line; the app uses the
/// defaults.
#[derive(Clone, Default)]
pub struct EngineOptions {
    /// Use a sandbox that is already running at this address instead of
    /// starting one in-process (it then outlives the engine: restart tests).
    pub sandbox_url: Option<String>,
    /// Poll every job at this interval, whatever the server.
    pub poll_interval: Option<Duration>,
    /// Per-request timeout (default 60 s live, 30 s sandbox).
    pub request_timeout: Option<Duration>,
    /// How often the submit queue retries on its own (default: 0.5 s at
    /// sandbox test pace, 5 s other sandbox paces, 30 s live).
    pub queue_retry: Option<Duration>,
    /// A keyring entry to use instead of the OS one (tests use keyring's
    /// mock). Only used when `EngineConfig::use_keyring` is true.
    pub keyring: Option<Arc<KeyringStore>>,
    /// How long the results table must be left alone before the memory
    /// its reads filled is given back (default 3 s).
    pub idle_trim: Option<Duration>,
    /// The live service's base URL for this run instead of the saved
    /// setting (the command line's `--base-url`).
    pub live_base_url: Option<String>,
    /// Neither resume tracking nor run the submit queue: the command line's
    /// one-shot commands leave both to the app.
    pub passive: bool,
}

impl std::fmt::Debug for EngineOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineOptions")
            .field("sandbox_url", &self.sandbox_url)
            .field("poll_interval", &self.poll_interval)
            .field("request_timeout", &self.request_timeout)
            .field("queue_retry", &self.queue_retry)
            .field("idle_trim", &self.idle_trim)
            .field("live_base_url", &self.live_base_url)
            .field("passive", &self.passive)
            .finish_non_exhaustive()
    }
}

/// Receives what the engine reports; the Tauri shell turns these into
/// typed events and OS notifications.
pub trait EventSink: Send + Sync + 'static {
    fn job_event(&self, event: JobEvent);
    fn export_progress(&self, progress: ExportProgress);
    /// A job completed or failed; the shell decides whether to notify.
    fn job_finished(&self, summary: &JobSummary);
    /// A monitor check brought records not seen before; the shell may
    /// notify ("6 new: <query>").
    fn monitor_news(&self, _news: &crate::monitors::MonitorNews) {}
}

/// The engine. Cheap to clone; tracking stops when the last clone is dropped.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let conn = &self.inner.connector;
        f.debug_struct("Engine")
            .field("data_dir", &self.inner.config.data_dir)
            .field("connection", &conn.mode())
            .field("key", &conn.key_redacted())
            .field("tracking", &self.inner.jobs.tracking.tracked().len())
            .finish()
    }
}

/// The store's window as the table's rows, or the error the UI shows.
fn table_window(
    store: &Store,
    local_id: i64,
    view: &ViewSpec,
    w: Result<catchall_store::Window, catchall_store::StoreError>,
) -> R<RecordsWindow> {
    match w {
        Ok(w) => {
            let mut w = convert::window(w);
            // Asked after the search: records still outside the index then
            // were matched on their cells only.
            w.search_partial = view.search.as_deref().is_some_and(|s| !s.trim().is_empty())
                && store.search_index_behind(local_id).unwrap_or(false);
            Ok(w)
        }
        Err(catchall_store::StoreError::JobNotFound(_)) => Err(EngineError::no_job(local_id)),
        Err(e) => Err(e.into()),
    }
}

/// The engine's parts, each owning its state (connection, tracking, the
/// submit queue, background work), plus the store they share.
pub(crate) struct Inner {
    pub config: EngineConfig,
    pub options: EngineOptions,
    pub sink: Arc<dyn EventSink>,
    store: Arc<Mutex<Store>>,
    pub db_path: PathBuf,
    /// The mode, the key, the sandbox and the clients to either server.
    pub connector: Arc<Connector>,
    /// Tracking, the submit queue and what they share (the part their
    /// tasks are handed).
    pub jobs: Arc<Jobs>,
    /// Gives memory back once the results table is left alone.
    idle_trim: IdleTrim,
    /// Held for the engine's life: one writer per data folder.
    _data_lock: crate::lock::DataLock,
    /// Undo of the last review action per job.
    pub(crate) reviews: review::ReviewDesk,
    /// Checks monitors in the background while the app runs.
    pub(crate) monitor_watch: crate::monitors::MonitorWatch,
    /// Exports under way, to cancel them.
    pub(crate) exports: exporting::Running,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.jobs.tracking.stop_all();
        self.jobs.queue.stop();
        self.monitor_watch.stop();
    }
}

type R<T> = Result<T, EngineError>;

const SETTING_CONNECTION: &str = "connection";
pub(crate) const SETTING_BASE_URL: &str = "base_url";
pub(crate) const SETTING_POLL: &str = "poll_interval_secs";
pub(crate) const SETTING_THEME: &str = "theme";
pub(crate) const SETTING_CONFIRM_ABOVE: &str = "confirm_above_records";
/// The service asks for a status poll every 30 to 60 seconds.
pub const POLL_RANGE_SECS: std::ops::RangeInclusive<u32> = 30..=60;
pub(crate) const DEFAULT_CONFIRM_ABOVE: u32 = 1000;
const DRAFT_NAME: &str = "composer";
pub(crate) const DEFAULT_POLL_SECS: u32 = 30;
/// The most rows one table window returns, whatever the caller asks.
const MAX_WINDOW_ROWS: u32 = 1000;
/// Default of `EngineOptions::idle_trim`.
const IDLE_TRIM: Duration = Duration::from_secs(3);

impl Inner {
    /// The store; held only for short synchronous work, never across an await.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn index_in_background(&self, local: i64) {
        self.jobs.index_in_background(local);
    }

    pub(crate) fn emit(&self, event: JobEvent) {
        self.sink.job_event(event);
    }

    pub(crate) fn job_server(&self, local: i64) -> Server {
        self.jobs.job_server(local)
    }

    /// Forgets the engine's bookkeeping of a deleted job.
    pub(crate) fn forget_job(&self, local: i64) {
        self.jobs.forget_job(local);
    }

    pub(crate) fn settings(&self) -> R<Settings> {
        let store = self.store();
        let base_url = store
            .get_setting(SETTING_BASE_URL)?
            .unwrap_or_else(|| catchall_api::DEFAULT_BASE_URL.to_owned());
        let poll = store
            .get_setting(SETTING_POLL)?
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(DEFAULT_POLL_SECS);
        let theme = match store.get_setting(SETTING_THEME)?.as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        };
        let confirm_above_records = store
            .get_setting(SETTING_CONFIRM_ABOVE)?
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(DEFAULT_CONFIRM_ABOVE);
        Ok(Settings {
            base_url,
            poll_interval_secs: poll,
            theme,
            confirm_above_records,
        })
    }

    /// Clients for a server (see [`Connector::clients`]).
    pub(crate) async fn clients(&self, server: Server) -> R<Clients> {
        self.connector.clients(server).await
    }

    pub(crate) fn current_server(&self) -> Server {
        self.connector.current_server()
    }

    fn is_tracking(&self, local: i64) -> bool {
        self.jobs.tracking.is_tracking(local)
    }

    pub(crate) fn snapshot(&self, local: i64) -> R<JobSnapshot> {
        let (row, history, replaced) = {
            let store = self.store();
            let row = store
                .job(local)?
                .ok_or_else(|| EngineError::no_job(local))?;
            let history = store.stage_history(local)?;
            (row, history, store.replaced_values(local)?)
        };
        let trouble = self.jobs.tracking.trouble(local);
        let mut snap = convert::snapshot(&row, history, self.is_tracking(local), trouble);
        snap.read_notes = replaced.describe();
        Ok(snap)
    }

    fn summary(&self, local: i64) -> R<JobSummary> {
        let row = self
            .store()
            .job(local)?
            .ok_or_else(|| EngineError::no_job(local))?;
        Ok(convert::summary(&row, self.is_tracking(local)))
    }
}

impl Engine {
    pub async fn start(config: EngineConfig, sink: Arc<dyn EventSink>) -> R<Engine> {
        Self::start_with(config, sink, EngineOptions::default()).await
    }

    /// `start` with test, benchmark or command-line options.
    pub async fn start_with(
        config: EngineConfig,
        sink: Arc<dyn EventSink>,
        options: EngineOptions,
    ) -> R<Engine> {
        let data_lock = crate::lock::DataLock::acquire_waiting(&config.data_dir).await?;
        let db_path = crate::paths::db_path(&config.data_dir);
        let store = Arc::new(Mutex::new(Store::open(&db_path)?));
        let keyring = if config.use_keyring {
            Some(
                options
                    .keyring
                    .clone()
                    .unwrap_or_else(|| Arc::new(KeyringStore::os(config.dev))),
            )
        } else {
            None
        };
        let (chosen, saved_base, key_origin) = {
            let st = store.lock().unwrap();
            (
                st.get_setting(SETTING_CONNECTION)?,
                st.get_setting(SETTING_BASE_URL)?,
                st.get_setting(crate::binding::SETTING_KEY_ORIGIN)?,
            )
        };
        let connector = Arc::new(Connector::new(
            SandboxSetup {
                url: options.sandbox_url.clone(),
                pace: pace_of(&config.sandbox_pace),
                state_dir: config.data_dir.clone(),
            },
            options.request_timeout,
            keyring,
            config.env_key.clone(),
            LiveTarget {
                base_url: options
                    .live_base_url
                    .clone()
                    .or(saved_base)
                    .unwrap_or_else(|| catchall_api::DEFAULT_BASE_URL.to_owned()),
                key_origin,
            },
        ));
        connector.start_keyring_read().await;
        let idle_trim = IdleTrim::new(&store, options.idle_trim.unwrap_or(IDLE_TRIM));
        let jobs = Arc::new(Jobs::new(
            store.clone(),
            sink.clone(),
            connector.clone(),
            SearchIndexer::new(db_path.clone(), sink.clone()),
            Cadence {
                poll: options.poll_interval,
                queue_retry: options.queue_retry,
                sandbox_pace: pace_of(&config.sandbox_pace),
            },
        ));
        let inner = Arc::new(Inner {
            options,
            sink,
            store,
            db_path,
            connector,
            jobs,
            idle_trim,
            reviews: Default::default(),
            monitor_watch: Default::default(),
            exports: Default::default(),
            config,
            _data_lock: data_lock,
        });

        let conn = &inner.connector;
        let mode = if inner.config.force_sandbox || chosen.as_deref() == Some("sandbox") {
            Connection::Sandbox
        } else if conn.has_key() || (conn.key_pending() && chosen.as_deref() == Some("live")) {
            // A slow keyring still counts: its key arrives in the background.
            Connection::Live
        } else {
            Connection::Sandbox
        };
        conn.set_mode(mode);

        if inner.options.passive {
            return Ok(Engine { inner });
        }
        // Resume every unfinished job.
        let unfinished = inner.store().unfinished_jobs()?;
        for row in &unfinished {
            if row.local_state == LocalState::Tracking {
                tracker::spawn(&inner.jobs, row.id);
            }
        }
        queue::start(&inner.jobs, inner.jobs.queue_retry());
        inner.monitor_watch.start(&inner);

        // Start the in-process sandbox ahead of need, without waiting for it.
        if mode == Connection::Sandbox {
            let weak = Arc::downgrade(&inner);
            tokio::spawn(async move {
                if let Some(inner) = weak.upgrade() {
                    let _ = inner.connector.sandbox().await;
                }
            });
        }
        Ok(Engine { inner })
    }

    /// Stops tracking and the queue now (dropping the last clone does too).
    pub fn shutdown(&self) {
        self.inner.jobs.tracking.stop_all();
        self.inner.jobs.queue.stop();
    }

    pub fn app_info(&self) -> AppInfo {
        let first_run = self
            .inner
            .store()
            .get_setting(SETTING_CONNECTION)
            .ok()
            .flatten()
            .is_none();
        let conn = &self.inner.connector;
        let (mode, key) = (conn.mode(), conn.key_status());
        let base_url = match mode {
            Connection::Sandbox => conn.sandbox_base_url().unwrap_or_default(),
            Connection::Live => conn.live_base_url(),
        };
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            connection: mode,
            base_url,
            key,
            data_dir: self.inner.config.data_dir.display().to_string(),
            dev_build: self.inner.config.dev,
            first_run,
        }
    }

    /// Checks the key with one cheap call against the live service, then
    /// keeps it in the keyring (or for this session only) and switches to
    /// live. A refused key is not kept.
    pub async fn save_api_key(&self, key: String, remember: bool) -> R<KeyStatus> {
        let key = ApiKey::new(key);
        if key.is_empty() {
            return Err(EngineError::Input(
                "Paste your CatchAll API key first.".into(),
            ));
        }
        let inner = &self.inner;
        let conn = &inner.connector;
        conn.wait_for_key().await;
        let base = conn.live_base_url();
        let clients = Clients::new(&base, key.clone(), conn.request_timeout(Server::Live))?;
        // One cheap call; a refused key stops here and is kept nowhere.
        let limits = clients.api.limits().await?;

        let mut source = KeySource::Session;
        let mut keyring_problem = None;
        let keyring = conn.keyring();
        if let Some(kr) = keyring.clone() {
            let k = key.clone();
            let result = tokio::task::spawn_blocking(move || {
                if remember {
                    kr.save(&k)
                } else {
                    // "Not remembered" must not bring back an older stored key.
                    kr.remove()
                }
            })
            .await
            .map_err(|e| EngineError::Internal(format!("the keyring call stopped: {e}")))?;
            match result {
                Ok(()) if remember => source = KeySource::Keyring,
                Ok(()) => {}
                Err(e) => keyring_problem = Some(e.0),
            }
        }
        conn.use_key(
            key,
            source,
            clients,
            limits,
            keyring.is_some().then_some(keyring_problem),
        );
        inner.store().set_setting(SETTING_CONNECTION, "live")?;
        inner.bind_key(&base)?;
        let status = conn.key_status();
        inner.jobs.queue.wake();
        Ok(status)
    }

    /// Removes the key (keyring and memory) and goes back to the sandbox.
    pub async fn remove_api_key(&self) -> R<KeyStatus> {
        let inner = &self.inner;
        let conn = &inner.connector;
        conn.wait_for_key().await;
        let mut problem = None;
        if let Some(kr) = conn.keyring() {
            let r = tokio::task::spawn_blocking(move || kr.remove())
                .await
                .map_err(|e| EngineError::Internal(format!("the keyring call stopped: {e}")))?;
            if let Err(e) = r {
                problem = Some(e.0);
            }
        }
        conn.forget_key(problem.clone());
        inner.store().set_setting(SETTING_CONNECTION, "sandbox")?;
        inner.unbind_key()?;
        if let Some(p) = problem {
            return Err(EngineError::Keyring(p));
        }
        Ok(conn.key_status())
    }

    pub async fn set_connection(&self, connection: Connection) -> R<AppInfo> {
        let inner = &self.inner;
        let conn = &inner.connector;
        if connection == Connection::Live {
            conn.wait_for_key().await;
            if !conn.has_key() {
                return Err(EngineError::Input(
                    "Add your CatchAll API key first: the live service needs it. Or keep trying the sandbox.".into(),
                ));
            }
        }
        conn.set_mode(connection);
        inner.store().set_setting(
            SETTING_CONNECTION,
            match connection {
                Connection::Sandbox => "sandbox",
                Connection::Live => "live",
            },
        )?;
        if connection == Connection::Sandbox {
            conn.sandbox().await?;
        }
        inner.jobs.queue.wake();
        Ok(self.app_info())
    }

    pub fn settings(&self) -> R<Settings> {
        self.inner.settings()
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// Problems of a draft, found locally before any request.
    pub fn check_draft(&self, draft: &JobDraft) -> Vec<FieldProblem> {
        let conn = &self.inner.connector;
        let max = conn
            .cached_limits(conn.current_server())
            .and_then(|l| l.max_results());
        draft::check_draft(draft, max, time::OffsetDateTime::now_utc())
    }

    pub async fn validate_query(&self, query: String) -> R<QueryCheck> {
        if query.trim().is_empty() {
            return Err(EngineError::Input("Type a query to check first.".into()));
        }
        let c = self.inner.clients(self.inner.current_server()).await?;
        Ok(convert::query_check(c.api.validate(query.trim()).await?))
    }

    pub async fn initialize(&self, query: String, context: Option<String>) -> R<Suggestions> {
        if query.trim().is_empty() {
            return Err(EngineError::Input(
                "Type a query to get suggestions for.".into(),
            ));
        }
        let c = self.inner.clients(self.inner.current_server()).await?;
        let req = InitializeRequest {
            query: query.trim().to_owned(),
            context: context
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
            ..Default::default()
        };
        Ok(convert::suggestions(c.api.initialize(&req).await?))
    }

    /// Submits exactly the draft, through the local queue.
    pub async fn submit(&self, draft: JobDraft) -> R<JobSnapshot> {
        let problems = self.check_draft(&draft);
        if !problems.is_empty() {
            let list = problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect::<Vec<_>>()
                .join("\n");
            return Err(EngineError::Input(format!(
                "The job was not sent. Please fix these first:\n{list}"
            )));
        }
        let inner = &self.inner;
        let server = inner.current_server();
        if server == Server::Live {
            // Fails early (with a plain message) when there is no key.
            inner.clients(server).await?;
        }
        let req: SubmitRequest = draft::to_submit_request(&draft);
        let local = {
            let store = inner.store();
            let local = store.create_job(&NewJob {
                query: req.query.clone(),
                context: req.context.clone(),
                params_json: serde_json::to_string(&req).map_err(|e| {
                    EngineError::Internal(format!("could not record the request: {e}"))
                })?,
                mode: req.mode.as_ref().map(|m| m.as_str().to_owned()),
                limit: req.limit,
                start_date: req.start_date.clone(),
                end_date: req.end_date.clone(),
                origin: StoreOrigin::Local,
                remote_id: None,
                server: server.to_store(),
            })?;
            local
        };
        queue::submit_new(&inner.jobs, local).await?;
        inner.snapshot(local)
    }

    pub fn jobs(&self, search: Option<String>) -> R<Vec<JobSummary>> {
        let rows = self.inner.store().list_jobs(&JobFilter {
            search,
            ..Default::default()
        })?;
        let tracked = self.inner.jobs.tracking.tracked();
        Ok(rows
            .iter()
            .map(|r| convert::summary(r, tracked.contains(&r.id)))
            .collect())
    }

    pub async fn account_jobs(&self, page: u32, search: Option<String>) -> R<AccountJobsPage> {
        self.account_jobs_filtered(
            page,
            crate::dto::AccountJobsFilter {
                search,
                ..Default::default()
            },
        )
        .await
    }

    /// Every source group the account may use, matching `search` (name,
    /// slug or description, any case) when given. The service pages them
    /// without `total_pages`: pages are read until one comes back short.
    pub async fn source_groups(&self, search: Option<String>) -> R<Vec<SourceGroup>> {
        const PAGE: u32 = 100;
        let c = self.inner.clients(self.inner.current_server()).await?;
        let needle = search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for page in 1..=100 {
            let p = c.api.source_groups(page, PAGE).await?;
            let n = p.source_groups.len();
            for g in p.source_groups {
                if !seen.insert(g.slug.clone()) {
                    continue;
                }
                let hit = needle.as_deref().is_none_or(|q| {
                    g.name.to_lowercase().contains(q)
                        || g.slug.to_lowercase().contains(q)
                        || g.description
                            .as_deref()
                            .is_some_and(|d| d.to_lowercase().contains(q))
                });
                if hit {
                    out.push(SourceGroup {
                        slug: g.slug,
                        name: g.name,
                        description: g.description,
                    });
                }
            }
            let total = p.total.map(|t| t as usize);
            if n == 0
                || total.is_some_and(|t| seen.len() >= t)
                || (total.is_none() && n < PAGE as usize)
            {
                break;
            }
        }
        Ok(out)
    }

    /// The account's jobs: own, shared by colleagues, or all; by mode.
    pub async fn account_jobs_filtered(
        &self,
        page: u32,
        filter: crate::dto::AccountJobsFilter,
    ) -> R<AccountJobsPage> {
        let ownership = match filter.ownership.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("all") => Some(catchall_api::Ownership::All),
            Some("own") => Some(catchall_api::Ownership::Own),
            Some("shared") => Some(catchall_api::Ownership::Shared),
            Some(other) => {
                return Err(EngineError::Input(format!(
                    "Show \"own\", \"shared\" or \"all\" jobs, not \"{other}\"."
                )))
            }
        };
        let c = self.inner.clients(self.inner.current_server()).await?;
        let page = page.max(1);
        let resp = c
            .api
            .list_jobs(&ListJobsQuery {
                page: Some(page),
                page_size: Some(50),
                search: filter
                    .search
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty()),
                ownership,
                mode: filter.mode.map(|m| match m {
                    Mode::Base => catchall_api::JobMode::Base,
                    Mode::Lite => catchall_api::JobMode::Lite,
                }),
                project_id: filter
                    .project_id
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty()),
            })
            .await?;
        let store = self.inner.store();
        let jobs = resp
            .jobs
            .into_iter()
            .map(|j| {
                let local = store.job_by_remote(&j.job_id).ok().flatten().map(|r| r.id);
                convert::account_job(j, local)
            })
            .collect();
        Ok(AccountJobsPage {
            total: resp.total.unwrap_or(0).min(u64::from(u32::MAX)) as u32,
            page: resp.page.unwrap_or(page),
            total_pages: resp.total_pages.unwrap_or(1),
            jobs,
        })
    }

    /// Adds a job started elsewhere to the local history, tracks and pulls it.
    pub async fn open_account_job(&self, job_id: String) -> R<JobSnapshot> {
        let local = self.adopt_remote(job_id.trim()).await?;
        tracker::spawn(&self.inner.jobs, local);
        self.inner.snapshot(local)
    }

    /// A remote job as a local one (origin Account), or the local one that
    /// already has this id. Unfinished jobs are tracked.
    async fn adopt_remote(&self, job_id: &str) -> R<i64> {
        let inner = &self.inner;
        if job_id.is_empty() {
            return Err(EngineError::Input("Give the id of the job to open.".into()));
        }
        if let Some(row) = inner.store().job_by_remote(job_id)? {
            return Ok(row.id);
        }
        let server = inner.current_server();
        let c = inner.clients(server).await?;
        let meta = c.api.pull_page_raw(job_id, 1, 1).await?.meta;
        // The list knows when it was created; the pull does not.
        let listed = c
            .api
            .list_jobs(&ListJobsQuery {
                page: Some(1),
                page_size: Some(100),
                search: Some(job_id.to_owned()),
                ..Default::default()
            })
            .await
            .ok()
            .and_then(|p| p.jobs.into_iter().find(|j| j.job_id == job_id));
        let query = meta
            .query
            .clone()
            .filter(|q| !q.trim().is_empty())
            .or_else(|| listed.as_ref().map(|j| j.query.clone()))
            .unwrap_or_else(|| format!("Job {job_id}"));
        let req = SubmitRequest {
            context: meta.context.clone(),
            limit: meta.limit,
            start_date: meta.date_range.as_ref().and_then(|d| d.start_date.clone()),
            end_date: meta.date_range.as_ref().and_then(|d| d.end_date.clone()),
            validators: (!meta.validators.is_empty()).then(|| meta.validators.clone()),
            enrichments: (!meta.enrichments.is_empty()).then(|| meta.enrichments.clone()),
            mode: meta.mode.clone(),
            ..SubmitRequest::new(query.clone())
        };
        let store = inner.store();
        let local = store.create_job(&NewJob {
            query,
            context: req.context.clone(),
            params_json: serde_json::to_string(&req)
                .map_err(|e| EngineError::Internal(format!("could not record the request: {e}")))?,
            mode: req.mode.as_ref().map(|m| m.as_str().to_owned()),
            limit: req.limit,
            start_date: req.start_date.clone(),
            end_date: req.end_date.clone(),
            origin: StoreOrigin::Account,
            remote_id: Some(job_id.to_owned()),
            server: server.to_store(),
        })?;
        if let Some(created) = listed
            .and_then(|j| j.created_at)
            .as_deref()
            .and_then(draft::parse_date)
        {
            store.set_created_at(local, (created.unix_timestamp_nanos() / 1_000_000) as i64)?;
        }
        Ok(local)
    }

    /// Pulls a job completely into the store (the command line's export of
    /// a job not yet local). Returns its local id. A job still running is
    /// left to the tracker of the next app start.
    pub async fn pull_into_store(&self, job_id: &str) -> R<i64> {
        let inner = &self.inner;
        let local = self.adopt_remote(job_id.trim()).await?;
        let row = inner
            .store()
            .job(local)?
            .ok_or_else(|| EngineError::no_job(local))?;
        if row.local_state == LocalState::Done {
            return Ok(local);
        }
        let remote = row.job_id.clone().unwrap_or_else(|| job_id.to_owned());
        let c = inner.clients(inner.job_server(local)).await?;
        let status = c.api.status(&remote).await?;
        if let Some(stage) = status.stage().filter(|s| !s.allows_pull()) {
            return Err(EngineError::Input(format!(
                "Job {remote} is still {}: its records can be downloaded from the enriching \
                 stage on.",
                stage.as_str()
            )));
        }
        let mut sink = pull::AppSink {
            jobs: inner.jobs.clone(),
            local,
        };
        let complete = pull::pull_complete(&c.api, &remote, &mut sink).await?;
        let out = complete.outcome;
        let store = inner.store();
        store.update_progress(
            local,
            &catchall_store::Progress {
                candidate_records: out.meta.candidate_records,
                progress_validated: out.meta.progress_validated,
                valid_records: out.meta.valid_records,
                limit: out.meta.limit,
                duration: out.meta.duration.clone(),
            },
        )?;
        if let Some(stage) = status.stage() {
            let steps = convert::steps_from_api(&status);
            store.record_stage(local, stage.as_str(), Some(&convert::steps_json(&steps)))?;
            match stage {
                catchall_api::Stage::Completed => {
                    if let Some(short) = complete.shortfall {
                        return Err(EngineError::Incomplete(format!(
                            "Job {remote} is completed on the service, but only {short}."
                        )));
                    }
                    store.set_local_state(local, LocalState::Done)?;
                    inner.index_in_background(local);
                }
                catchall_api::Stage::Failed => store.set_failed(
                    local,
                    out.meta
                        .error
                        .as_deref()
                        .unwrap_or("The service reported that the job failed."),
                )?,
                _ => {}
            }
        }
        Ok(local)
    }

    pub fn snapshot(&self, local_id: i64) -> R<JobSnapshot> {
        self.inner.snapshot(local_id)
    }

    /// Raises the limit of a completed job; tracking resumes on it.
    pub async fn continue_job(&self, local_id: i64, new_limit: u32) -> R<JobSnapshot> {
        let inner = &self.inner;
        let row = inner
            .store()
            .job(local_id)?
            .ok_or_else(|| EngineError::no_job(local_id))?;
        let Some(job_id) = row.job_id.clone() else {
            return Err(EngineError::Input(
                "This job has not reached the service yet, so it cannot be continued.".into(),
            ));
        };
        let req = convert::request_of(&row);
        let Some(current) = row.limit.or(req.limit) else {
            return Err(EngineError::Input(
                "This job was submitted without a limit, so there is nothing left to continue."
                    .into(),
            ));
        };
        if u64::from(new_limit) <= current {
            return Err(EngineError::Input(format!(
                "The new limit must be above the current limit of {} records.",
                draft::group_digits(current)
            )));
        }
        if row.stage.as_deref() != Some("completed") {
            return Err(EngineError::Input(
                "A job can be continued once it has completed.".into(),
            ));
        }
        let c = inner.clients(inner.job_server(local_id)).await?;
        let resp = c
            .api
            .continue_job(&job_id, Some(u64::from(new_limit)))
            .await?;
        {
            let store = inner.store();
            store.update_progress(
                local_id,
                &catchall_store::Progress {
                    limit: Some(resp.new_limit.unwrap_or(u64::from(new_limit))),
                    ..Default::default()
                },
            )?;
            store.set_local_state(local_id, LocalState::Tracking)?;
        }
        tracker::spawn(&inner.jobs, local_id);
        inner.snapshot(local_id)
    }

    /// Deletes the job on the service (soft delete) and here.
    pub async fn delete_job(&self, local_id: i64) -> R<()> {
        let inner = &self.inner;
        let row = inner
            .store()
            .job(local_id)?
            .ok_or_else(|| EngineError::no_job(local_id))?;
        if let Some(job_id) = &row.job_id {
            let c = inner.clients(inner.job_server(local_id)).await?;
            match c.api.delete_job(job_id).await {
                Ok(_) | Err(ApiError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        inner.jobs.tracking.stop(local_id);
        inner.store().delete_job(local_id)?;
        review::forget(inner, local_id);
        inner.forget_job(local_id);
        inner.emit(JobEvent {
            local_id,
            event: JobEventKind::Deleted,
        });
        inner.jobs.queue.wake();
        Ok(())
    }

    /// The job's table columns. Called when a job's results open, so it
    /// also gets a finished job's search index ready in the background.
    pub fn columns(&self, local_id: i64) -> R<Vec<Column>> {
        let store = self.inner.store();
        let Some(row) = store.job(local_id)? else {
            return Err(EngineError::no_job(local_id));
        };
        let columns = convert::columns(&store.columns(local_id)?);
        // Opening an already indexed job starts no thread and no connection.
        let behind = row.local_state == LocalState::Done && store.search_index_behind(local_id)?;
        drop(store);
        if behind {
            self.inner.index_in_background(local_id);
        }
        Ok(columns)
    }

    pub fn window(
        &self,
        local_id: i64,
        view: ViewSpec,
        start: u32,
        limit: u32,
    ) -> R<RecordsWindow> {
        self.inner.idle_trim.note_read();
        let store = self.inner.store();
        let w = store.window(
            local_id,
            &convert::view_to_store(&view),
            u64::from(start),
            limit.min(MAX_WINDOW_ROWS),
        );
        table_window(&store, local_id, &view, w)
    }

    /// `window` when it can be served at once: the store is free and the
    /// view's order is cached. None when it might have to wait, sort,
    /// filter or search first (callers then run `window` off their thread).
    pub fn window_if_ready(
        &self,
        local_id: i64,
        view: &ViewSpec,
        start: u32,
        limit: u32,
    ) -> Option<R<RecordsWindow>> {
        self.inner.idle_trim.note_read();
        let store = self.inner.store.try_lock().ok()?;
        let w = store
            .window_if_cached(
                local_id,
                &convert::view_to_store(view),
                u64::from(start),
                limit.min(MAX_WINDOW_ROWS),
            )
            .transpose()?;
        Some(table_window(&store, local_id, view, w))
    }

    /// How many times the table's memory was given back after it idled.
    pub fn memory_trims(&self) -> u64 {
        self.inner.idle_trim.trims()
    }

    pub fn record(&self, local_id: i64, record_id: String) -> R<RecordDetail> {
        self.inner.idle_trim.note_read();
        let detail = self.full_record(local_id, &record_id)?;
        Ok(crate::record_view::preview(detail))
    }

    pub async fn plan_limits(&self) -> R<Vec<PlanLimit>> {
        let conn = &self.inner.connector;
        let l = conn.limits(conn.current_server(), true).await?;
        Ok(convert::plan_limits(&l))
    }

    pub fn save_draft(&self, draft: JobDraft) -> R<()> {
        let json = serde_json::to_string(&draft)
            .map_err(|e| EngineError::Internal(format!("could not save the draft: {e}")))?;
        self.inner.store().save_draft(DRAFT_NAME, &json)?;
        Ok(())
    }

    pub fn load_draft(&self) -> R<Option<JobDraft>> {
        Ok(self
            .inner
            .store()
            .load_draft(DRAFT_NAME)?
            .and_then(|j| serde_json::from_str(&j).ok()))
    }

    pub async fn export(
        &self,
        local_id: i64,
        format: ExportFormat,
        view: Option<ViewSpec>,
        path: PathBuf,
    ) -> R<ExportResult> {
        exporting::export(&self.inner, local_id, format, view, None, path).await
    }

    // ------------------------------------------------------ review (review.rs)

    /// Sets the review of some records of a job (accept, reject, star, note).
    pub fn review_records(
        &self,
        local_id: i64,
        record_ids: Vec<String>,
        change: ReviewChange,
    ) -> R<ReviewOutcome> {
        review::set_records(&self.inner, local_id, record_ids, change)
    }

    /// Sets the review of every record of a view (all in the current filter).
    pub fn review_view(
        &self,
        local_id: i64,
        view: ViewSpec,
        change: ReviewChange,
    ) -> R<ReviewOutcome> {
        review::set_view(&self.inner, local_id, &view, change)
    }

    /// Undoes the job's last review action.
    pub fn undo_review(&self, local_id: i64) -> R<ReviewOutcome> {
        review::undo(&self.inner, local_id)
    }

    pub fn review_progress(&self, local_id: i64) -> R<ReviewProgress> {
        review::progress(&self.inner, local_id)
    }

    pub fn can_undo_review(&self, local_id: i64) -> bool {
        review::can_undo(&self.inner, local_id)
    }

    pub fn next_unreviewed(
        &self,
        local_id: i64,
        view: ViewSpec,
        after: Option<u32>,
    ) -> R<Option<NextUnreviewed>> {
        review::next_unreviewed(&self.inner, local_id, &view, after)
    }

    /// Compares two stored jobs; reviews of the first carry over to the
    /// second's matched records.
    pub fn compare_jobs(&self, job_a: i64, job_b: i64) -> R<crate::compare::Comparison> {
        review::compare(&self.inner, job_a, job_b)
    }

    /// Writes the comparison of two jobs to a CSV or JSON file.
    pub fn export_comparison(
        &self,
        job_a: i64,
        job_b: i64,
        json: bool,
        path: PathBuf,
    ) -> R<ExportResult> {
        review::export_comparison(&self.inner, job_a, job_b, json, &path)
    }

    /// The file name an export of this job is offered under.
    pub fn export_file_name(&self, local_id: i64, format: ExportFormat) -> R<String> {
        let summary = self.inner.summary(local_id)?;
        let today = time::OffsetDateTime::now_utc().date();
        Ok(exporting::default_file_name(
            &summary.query,
            today,
            summary.stored_records,
            format,
        ))
    }

    /// Current summary of one job (the command line prints it).
    pub fn summary(&self, local_id: i64) -> R<JobSummary> {
        self.inner.summary(local_id)
    }
}
