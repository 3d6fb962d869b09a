//! catchall-store: the local SQLite store of CatchAll Desk (issue 4, "Local store").
//!
//! Jobs (every submit parameter, timestamps, stage history with times, counts,
//! errors), their records (raw JSON plus a compact binary "cells" blob with
//! what display, sorting and filtering need), a lazily built FTS5 index,
//! settings and drafts. Tauri-free and HTTP-free: records come in as raw JSON.
//!
//! Paging: a view (sort + filters + search) is materialized once into an
//! ordered list of record row ids, cached in memory keyed by (job, view,
//! records_version); windows are answered by position range from that list and
//! point lookups of 200 cells blobs — never `OFFSET`.

mod blocks;
mod checkpoint;
pub mod digest;
mod filter;
mod fold;
mod kept_view;
mod monitors;
mod parse;
mod prepare;
mod private;
mod review;
pub mod sanitize;
mod search;
mod view;

use std::cell::RefCell;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub use blocks::JsonBlock;
pub use filter::{ColumnValues, FilterTest, ValueCount};
pub use kept_view::{KeptColumn, KeptView};
pub use monitors::{
    with_first_seen, IncomingMonitorRecord, MergeOutcome, MonitorInfo, MonitorRecordRow,
    MonitorRow, MonitorRunIn, MonitorRunRow, TablePending,
};
pub use prepare::PreparedPage;
pub use review::{RecordReview, Review, ReviewChange, ReviewCounts, ReviewFilter, Verdict};
pub use sanitize::{clean_record, Cleaned, MAX_DEPTH};
pub use view::{Cell, ColumnFilter, RowCells, SortSpec, ViewSpec, Window};

/// The schema version this build writes (the number of migrations).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Embedded migrations, applied in order; `PRAGMA user_version` = number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_job_server.sql"),
    include_str!("migrations/0003_replaced_values.sql"),
    include_str!("migrations/0004_review.sql"),
    include_str!("migrations/0005_monitors.sql"),
    include_str!("migrations/0006_search_fold_and_views.sql"),
    include_str!("migrations/0007_monitor_table.sql"),
    include_str!("migrations/0008_record_match.sql"),
    include_str!("migrations/0009_kept_view_order.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("local database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("could not create the data folder {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("job {0} is not in the local store")]
    JobNotFound(i64),
    #[error("a job with remote id {0} is already in the local store")]
    DuplicateRemoteId(String),
    #[error("record {record_id} is not valid JSON: {message}")]
    BadRecord { record_id: String, message: String },
    #[error("the local database was written by a newer version of the app (schema {found}, this app knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error("{0}")]
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum JobOrigin {
    /// Submitted from this app.
    #[default]
    Local,
    /// Found in the account's job list (started elsewhere).
    Account,
}

impl JobOrigin {
    fn as_str(self) -> &'static str {
        match self {
            JobOrigin::Local => "local",
            JobOrigin::Account => "account",
        }
    }
    fn parse(s: &str) -> Self {
        if s == "account" {
            JobOrigin::Account
        } else {
            JobOrigin::Local
        }
    }
}

/// What the app itself is doing with a job (independent of the service's stage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum LocalState {
    /// Waiting locally (e.g. all job slots busy: 429); not yet given a job_id.
    Queued { reason: String },
    /// A submit request is in flight.
    Submitting,
    /// Submitted; the supervisor polls it.
    Tracking,
    /// Completed and fully pulled.
    Done,
    /// Failed (see `JobRow::error`).
    Failed,
    /// Tracking stopped on purpose (e.g. deleted on the service); not resumed.
    Stopped,
}

impl LocalState {
    fn name(&self) -> &'static str {
        match self {
            LocalState::Queued { .. } => "queued",
            LocalState::Submitting => "submitting",
            LocalState::Tracking => "tracking",
            LocalState::Done => "done",
            LocalState::Failed => "failed",
            LocalState::Stopped => "stopped",
        }
    }
    fn from_parts(name: &str, reason: Option<String>) -> Self {
        match name {
            "queued" => LocalState::Queued {
                reason: reason.unwrap_or_default(),
            },
            "submitting" => LocalState::Submitting,
            "tracking" => LocalState::Tracking,
            "done" => LocalState::Done,
            "failed" => LocalState::Failed,
            _ => LocalState::Stopped,
        }
    }
    /// Queued, submitting or tracking: resumed at app start.
    pub fn is_unfinished(&self) -> bool {
        matches!(
            self,
            LocalState::Queued { .. } | LocalState::Submitting | LocalState::Tracking
        )
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewJob {
    pub query: String,
    pub context: Option<String>,
    /// The full submit request as sent, including edited validators/enrichments.
    pub params_json: String,
    pub mode: Option<String>,
    pub limit: Option<u64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub origin: JobOrigin,
    pub remote_id: Option<String>,
    /// Where the job lives; never changes afterwards.
    pub server: JobServer,
}

/// The server a job was submitted to (or adopted from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum JobServer {
    /// The built-in sandbox.
    #[default]
    Sandbox,
    /// The CatchAll service (or whatever base URL the user set).
    Live,
}

impl JobServer {
    pub fn as_str(self) -> &'static str {
        match self {
            JobServer::Sandbox => "sandbox",
            JobServer::Live => "live",
        }
    }
    fn parse(s: &str) -> JobServer {
        if s == "live" {
            JobServer::Live
        } else {
            JobServer::Sandbox
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRow {
    /// Local id (exists before the service gives a job_id).
    pub id: i64,
    /// The service's job_id, once known.
    pub job_id: Option<String>,
    pub query: String,
    pub context: Option<String>,
    pub params_json: String,
    /// Enrichments as reported by the service (pull response), when set.
    pub enrichments_json: Option<String>,
    pub mode: Option<String>,
    pub limit: Option<u64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub origin: JobOrigin,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    /// The service's current stage (`submitted` … `completed`/`failed`, or unknown names as is).
    pub stage: Option<String>,
    pub steps_json: Option<String>,
    pub local_state: LocalState,
    pub error: Option<String>,
    pub candidate_records: Option<u64>,
    pub progress_validated: Option<u64>,
    pub valid_records: Option<u64>,
    pub duration: Option<String>,
    /// Records stored locally.
    pub records_stored: u64,
    pub server: JobServer,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Progress {
    pub candidate_records: Option<u64>,
    pub progress_validated: Option<u64>,
    pub valid_records: Option<u64>,
    pub limit: Option<u64>,
    pub duration: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JobFilter {
    /// Substring of the query, context or job_id (case-insensitive for ASCII).
    pub search: Option<String>,
    /// A stage name (`completed`, `failed`, `enriching`, …) or a local state
    /// name (`queued`, `submitting`, `tracking`, `done`, `stopped`).
    pub status: Option<String>,
    pub origin: Option<JobOrigin>,
    pub mode: Option<String>,
    pub limit: Option<u32>,
    pub offset: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageEntry {
    pub stage: String,
    pub steps_json: Option<String>,
    /// Unix milliseconds when the stage was first seen.
    pub at: i64,
}

/// Counts of values the store changed so that every record stays readable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacedValues {
    /// Strings with characters that could not be read (now U+FFFD).
    pub unreadable: u64,
    /// Arrays or objects nested too deeply, kept as their JSON text.
    pub flattened: u64,
}

impl ReplacedValues {
    pub(crate) fn add(&mut self, (unreadable, flattened): (u32, u32)) {
        self.unreadable += u64::from(unreadable);
        self.flattened += u64::from(flattened);
    }

    /// Plain words, one sentence per kind; None when nothing was changed.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        match self.unreadable {
            0 => {}
            1 => parts.push("1 value had characters that could not be read.".to_owned()),
            n => parts.push(format!("{n} values had characters that could not be read.")),
        }
        match self.flattened {
            0 => {}
            1 => parts.push("1 value was nested too deeply and is kept as text.".to_owned()),
            n => parts.push(format!(
                "{n} values were nested too deeply and are kept as text."
            )),
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RecordIn<'a> {
    pub record_id: &'a str,
    pub json: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Text,
    Number,
    Date,
    Option,
    Url,
    Company,
    /// A record's matched companies (`connected_entities`), several per cell.
    Entities,
}

impl ColumnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Text => "text",
            ColumnKind::Number => "number",
            ColumnKind::Date => "date",
            ColumnKind::Option => "option",
            ColumnKind::Url => "url",
            ColumnKind::Company => "company",
            ColumnKind::Entities => "entities",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "text" => ColumnKind::Text,
            "number" => ColumnKind::Number,
            "date" => ColumnKind::Date,
            "option" => ColumnKind::Option,
            "url" => ColumnKind::Url,
            "company" => ColumnKind::Company,
            "entities" => ColumnKind::Entities,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// Sort/filter key: `record_title` or the enrichment name.
    pub key: String,
    pub kind: ColumnKind,
    /// The enrichment's description when the job declared it.
    pub description: Option<String>,
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub struct Store {
    conn: Connection,
    cache: RefCell<view::ViewCache>,
    columns_cache: RefCell<filter::ColumnCache>,
}

const JOB_COLS: &str = "id, job_id, query, context, params_json, enrichments_json, mode, \"limit\", start_date, end_date, origin, \
     created_at, updated_at, finished_at, stage, steps_json, local_state, local_reason, error, candidate_records, \
     progress_validated, valid_records, duration, records_stored, server";

fn opt_u64(v: Option<i64>) -> Option<u64> {
    v.map(|v| v.max(0) as u64)
}

fn job_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        job_id: r.get(1)?,
        query: r.get(2)?,
        context: r.get(3)?,
        params_json: r.get(4)?,
        enrichments_json: r.get(5)?,
        mode: r.get(6)?,
        limit: opt_u64(r.get(7)?),
        start_date: r.get(8)?,
        end_date: r.get(9)?,
        origin: JobOrigin::parse(&r.get::<_, String>(10)?),
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
        finished_at: r.get(13)?,
        stage: r.get(14)?,
        steps_json: r.get(15)?,
        local_state: LocalState::from_parts(&r.get::<_, String>(16)?, r.get(17)?),
        error: r.get(18)?,
        candidate_records: opt_u64(r.get(19)?),
        progress_validated: opt_u64(r.get(20)?),
        valid_records: opt_u64(r.get(21)?),
        duration: r.get(22)?,
        records_stored: r.get::<_, i64>(23)?.max(0) as u64,
        server: JobServer::parse(&r.get::<_, String>(24)?),
    })
}

fn is_final_stage(stage: &str) -> bool {
    matches!(stage, "completed" | "failed")
}

impl Store {
    /// Open (creating folders and file as needed), enable WAL and foreign
    /// keys, and run pending migrations.
    /// Opens (or creates) the database. Its folder is made private to the
    /// user (0700 on Unix) and so are the database and its WAL and shared
    /// memory files (0600: SQLite gives those the database's own mode).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                private::dir(dir).map_err(|e| StoreError::Io {
                    path: dir.display().to_string(),
                    source: e,
                })?;
            }
        }
        private::db_files(path).map_err(|e| StoreError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        let mut conn = Connection::open(path)?;
        checkpoint::install(&mut conn, path.to_path_buf())?;
        Self::init(conn, true)
    }

    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::init(Connection::open_in_memory()?, false)
    }

    fn init(conn: Connection, file: bool) -> Result<Store, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        if file {
            // 16 KiB pages hold ~6 raw records each instead of one per 4 KiB page
            // (applies to a new, empty file only; must precede the switch to WAL).
            conn.execute_batch("PRAGMA page_size=16384")?;
            let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Other(format!(
                    "could not switch the database to WAL (got {mode})"
                )));
            }
        }
        // NORMAL in WAL mode: every commit is atomic and survives an app crash
        // or kill -9; only a power loss can drop the last commits (never corrupt).
        conn.execute_batch(
            "PRAGMA synchronous=NORMAL;
             PRAGMA foreign_keys=ON;
             PRAGMA temp_store=MEMORY;
             PRAGMA cache_size=-16384;
             PRAGMA mmap_size=0;
             PRAGMA journal_size_limit=67108864;",
        )?;
        conn.set_prepared_statement_cache_capacity(64);
        let store = Store {
            conn,
            cache: RefCell::new(view::ViewCache::default()),
            columns_cache: RefCell::new(filter::ColumnCache::default()),
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let known = MIGRATIONS.len() as i64;
        // Up to date (every open after the first): no write, so a second
        // connection opening while the first one writes (the background
        // search indexer, an export) never meets a locked database.
        let current: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current == known {
            return Ok(());
        }
        // IMMEDIATE takes the write lock (waiting for it) before reading the
        // version, so two processes opening at once do not both migrate.
        let tx = self.write_tx()?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > known {
            return Err(StoreError::TooNew {
                found: current,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.execute_batch(sql)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A transaction that takes the write lock at its start (waiting for it
    /// up to the busy timeout). A deferred one that reads first and writes
    /// later fails at once with "database is locked" if another connection
    /// (the background search indexer, another process) wrote in between.
    fn write_tx(&self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        Ok(rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )?)
    }

    /// Schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Direct access for diagnostics and tests.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    // ------------------------------------------------------------------ jobs

    pub fn create_job(&self, new: &NewJob) -> Result<i64, StoreError> {
        let now = now_ms();
        let state = if new.remote_id.is_some() {
            LocalState::Tracking
        } else {
            LocalState::Queued {
                reason: String::new(),
            }
        };
        let reason: Option<&str> = match &state {
            LocalState::Queued { reason } => Some(reason),
            _ => None,
        };
        let r = self.conn.prepare_cached(
            "INSERT INTO jobs (job_id, query, context, params_json, mode, \"limit\", start_date, end_date, origin,
                               created_at, updated_at, local_state, local_reason, server)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13)",
        )?
        .execute(params![
            new.remote_id,
            new.query,
            new.context,
            new.params_json,
            new.mode,
            new.limit.map(|l| l as i64),
            new.start_date,
            new.end_date,
            new.origin.as_str(),
            now,
            state.name(),
            reason,
            new.server.as_str(),
        ]);
        match r {
            Ok(_) => Ok(self.conn.last_insert_rowid()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StoreError::DuplicateRemoteId(
                    new.remote_id.clone().unwrap_or_default(),
                ))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn touch(&self, sql: &str, p: impl rusqlite::Params, local: i64) -> Result<(), StoreError> {
        let n = self.conn.prepare_cached(sql)?.execute(p)?;
        if n == 0 {
            return Err(StoreError::JobNotFound(local));
        }
        Ok(())
    }

    /// Record the service's job_id (after submit). Moves a queued/submitting job to tracking.
    pub fn set_remote_id(&self, local: i64, job_id: &str) -> Result<(), StoreError> {
        let r = self.touch(
            "UPDATE jobs SET job_id = ?2, updated_at = ?3,
                 local_state = CASE WHEN local_state IN ('queued','submitting') THEN 'tracking' ELSE local_state END,
                 local_reason = CASE WHEN local_state IN ('queued','submitting') THEN NULL ELSE local_reason END
             WHERE id = ?1",
            params![local, job_id, now_ms()],
            local,
        );
        match r {
            Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StoreError::DuplicateRemoteId(job_id.to_owned()))
            }
            r => r,
        }
    }

    /// Enrichments as the service reports them (pull response), used for
    /// `columns()` when the submit request carried none.
    pub fn set_enrichments(&self, local: i64, enrichments_json: &str) -> Result<(), StoreError> {
        self.touch(
            "UPDATE jobs SET enrichments_json = ?2, updated_at = ?3 WHERE id = ?1",
            params![local, enrichments_json, now_ms()],
            local,
        )
    }

    /// Set the creation time (e.g. an account job's `created_at`), unix ms.
    pub fn set_created_at(&self, local: i64, created_at_ms: i64) -> Result<(), StoreError> {
        self.touch(
            "UPDATE jobs SET created_at = ?2 WHERE id = ?1",
            params![local, created_at_ms],
            local,
        )
    }

    pub fn job(&self, local: i64) -> Result<Option<JobRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1"))?
            .query_row([local], job_from_row)
            .optional()?)
    }

    pub fn job_by_remote(&self, job_id: &str) -> Result<Option<JobRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {JOB_COLS} FROM jobs WHERE job_id = ?1"))?
            .query_row([job_id], job_from_row)
            .optional()?)
    }

    /// Jobs matching the filter, newest first.
    pub fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<JobRow>, StoreError> {
        let search = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                let esc = s
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{esc}%")
            });
        let sql = format!(
            "SELECT {JOB_COLS} FROM jobs
             WHERE (?1 IS NULL OR query LIKE ?1 ESCAPE '\\' OR context LIKE ?1 ESCAPE '\\' OR job_id LIKE ?1 ESCAPE '\\')
               AND (?2 IS NULL OR stage = ?2 OR local_state = ?2)
               AND (?3 IS NULL OR origin = ?3)
               AND (?4 IS NULL OR mode = ?4)
               AND origin != 'monitor'
             ORDER BY created_at DESC, id DESC
             LIMIT ?5 OFFSET ?6"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(
            params![
                search,
                filter.status,
                filter.origin.map(|o| o.as_str()),
                filter.mode,
                filter.limit.map(|l| l as i64).unwrap_or(-1),
                filter.offset as i64
            ],
            job_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Queued, submitting or tracking jobs, oldest first: resume them at start.
    pub fn unfinished_jobs(&self) -> Result<Vec<JobRow>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {JOB_COLS} FROM jobs WHERE local_state IN ('queued','submitting','tracking') ORDER BY created_at, id"
        ))?;
        let rows = st.query_map([], job_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Record the service's stage. Returns true when the stage changed (then a
    /// history entry with the current time is appended); steps are updated either way.
    pub fn record_stage(
        &self,
        local: i64,
        stage: &str,
        steps_json: Option<&str>,
    ) -> Result<bool, StoreError> {
        let tx = self.write_tx()?;
        let current: Option<Option<String>> = tx
            .prepare_cached("SELECT stage FROM jobs WHERE id = ?1")?
            .query_row([local], |r| r.get(0))
            .optional()?;
        let Some(current) = current else {
            return Err(StoreError::JobNotFound(local));
        };
        let now = now_ms();
        let changed = current.as_deref() != Some(stage);
        if changed {
            tx.prepare_cached(
                "INSERT INTO stage_history (job, seq, stage, steps_json, at)
                 VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM stage_history WHERE job = ?1), ?2, ?3, ?4)",
            )?
            .execute(params![local, stage, steps_json, now])?;
        }
        tx.prepare_cached(
            "UPDATE jobs SET stage = ?2, steps_json = COALESCE(?3, steps_json), updated_at = ?4,
                 finished_at = CASE WHEN ?5 THEN COALESCE(finished_at, ?4) ELSE finished_at END
             WHERE id = ?1",
        )?
        .execute(params![
            local,
            stage,
            steps_json,
            now,
            changed && is_final_stage(stage)
        ])?;
        tx.commit()?;
        Ok(changed)
    }

    pub fn stage_history(&self, local: i64) -> Result<Vec<StageEntry>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT stage, steps_json, at FROM stage_history WHERE job = ?1 ORDER BY seq",
        )?;
        let rows = st.query_map([local], |r| {
            Ok(StageEntry {
                stage: r.get(0)?,
                steps_json: r.get(1)?,
                at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Update counters; `None` fields are left as they are.
    pub fn update_progress(&self, local: i64, p: &Progress) -> Result<(), StoreError> {
        self.touch(
            "UPDATE jobs SET candidate_records = COALESCE(?2, candidate_records),
                 progress_validated = COALESCE(?3, progress_validated),
                 valid_records = COALESCE(?4, valid_records),
                 \"limit\" = COALESCE(?5, \"limit\"),
                 duration = COALESCE(?6, duration),
                 updated_at = ?7
             WHERE id = ?1",
            params![
                local,
                p.candidate_records.map(|v| v as i64),
                p.progress_validated.map(|v| v as i64),
                p.valid_records.map(|v| v as i64),
                p.limit.map(|v| v as i64),
                p.duration,
                now_ms()
            ],
            local,
        )
    }

    /// Mark the job failed with the service's (or the app's) error; the stage
    /// becomes `failed` (recorded in the history if it was not already).
    pub fn set_failed(&self, local: i64, error: &str) -> Result<(), StoreError> {
        self.record_stage(local, "failed", None)?;
        self.touch(
            "UPDATE jobs SET error = ?2, local_state = 'failed', local_reason = NULL, updated_at = ?3,
                 finished_at = COALESCE(finished_at, ?3) WHERE id = ?1",
            params![local, error, now_ms()],
            local,
        )
    }

    pub fn set_local_state(&self, local: i64, state: LocalState) -> Result<(), StoreError> {
        let reason = match &state {
            LocalState::Queued { reason } => Some(reason.as_str()),
            _ => None,
        };
        let finished = matches!(state, LocalState::Done | LocalState::Failed);
        self.touch(
            "UPDATE jobs SET local_state = ?2, local_reason = ?3, updated_at = ?4,
                 finished_at = CASE WHEN ?5 THEN COALESCE(finished_at, ?4) ELSE finished_at END
             WHERE id = ?1",
            params![local, state.name(), reason, now_ms(), finished],
            local,
        )
    }

    /// Delete a job with its records, history, columns and search rows (one transaction).
    pub fn delete_job(&self, local: i64) -> Result<(), StoreError> {
        let tx = self.write_tx()?;
        let fts_upto: Option<i64> = tx
            .query_row("SELECT fts_upto FROM jobs WHERE id = ?1", [local], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(fts_upto) = fts_upto else {
            return Err(StoreError::JobNotFound(local));
        };
        if fts_upto > 0 {
            tx.execute(
                "DELETE FROM record_fts WHERE rowid IN (SELECT id FROM records WHERE job = ?1 AND id <= ?2)",
                params![local, fts_upto],
            )?;
        }
        tx.execute(
            "DELETE FROM record_json WHERE id IN (SELECT id FROM records WHERE job = ?1)",
            [local],
        )?;
        tx.execute(
            "DELETE FROM record_match WHERE id IN (SELECT id FROM records WHERE job = ?1)",
            [local],
        )?;
        tx.execute("DELETE FROM records WHERE job = ?1", [local])?;
        tx.execute("DELETE FROM record_review WHERE job = ?1", [local])?;
        kept_view::delete(&tx, local)?;
        tx.execute("DELETE FROM jobs WHERE id = ?1", [local])?;
        tx.commit()?;
        self.cache.borrow_mut().forget_job(local);
        self.columns_cache.borrow_mut().forget_job(local);
        Ok(())
    }

    // --------------------------------------------------------------- records

    /// Store one page of records in ONE transaction, idempotent by
    /// (job, record_id): a record seen again is updated in place if its JSON
    /// changed. Returns how many records were newly inserted. Any invalid
    /// record rolls the whole page back.
    pub fn upsert_records<'a>(
        &self,
        local: i64,
        records: impl IntoIterator<Item = RecordIn<'a>>,
    ) -> Result<usize, StoreError> {
        let records: Vec<RecordIn<'a>> = records.into_iter().collect();
        let page = PreparedPage::new(&records)?;
        self.upsert_prepared(local, &records, &page)
    }

    /// Stores a page whose cells were prepared ahead of time (see
    /// [`PreparedPage`]; `page` must be made from these `records`) in one
    /// transaction; returns how many records were new.
    pub fn upsert_prepared(
        &self,
        local: i64,
        records: &[RecordIn<'_>],
        page: &PreparedPage,
    ) -> Result<usize, StoreError> {
        if records.len() != page.len() {
            return Err(StoreError::Other(format!(
                "{} records but {} prepared",
                records.len(),
                page.len()
            )));
        }
        let tx = self.write_tx()?;
        let fts_upto: Option<i64> = tx
            .prepare_cached("SELECT fts_upto FROM jobs WHERE id = ?1")?
            .query_row([local], |r| r.get(0))
            .optional()?;
        let Some(fts_upto) = fts_upto else {
            return Err(StoreError::JobNotFound(local));
        };
        let mut cols = view::ColumnTracker::load(&tx, local)?;
        for (key, kind) in &page.columns {
            cols.see_key(key, *kind);
        }
        let mut ins_rec = tx.prepare_cached(
            "INSERT INTO records (job, record_id, cells) VALUES (?1, ?2, ?3) ON CONFLICT (job, record_id) DO NOTHING",
        )?;
        let mut ins_json =
            tx.prepare_cached("INSERT INTO record_json (id, json) VALUES (?1, ?2)")?;
        let mut ins_match = tx.prepare_cached(
            "INSERT OR REPLACE INTO record_match (id, content, match_key, title) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut inserted = 0usize;
        let mut updated = 0usize;
        let mut replaced = ReplacedValues::default();
        for (i, rec) in records.iter().enumerate() {
            let cells = page.cells(i);
            // The cleaned text where the page had to change it.
            let rec = RecordIn {
                record_id: rec.record_id,
                json: page.json(i, rec.json),
            };
            let (content, key, title) = page.digest(i);
            let id = if ins_rec.execute(params![local, rec.record_id, cells])? == 1 {
                let id = tx.last_insert_rowid();
                ins_json.execute(params![id, rec.json])?;
                inserted += 1;
                replaced.add(page.replaced(i));
                id
            } else {
                match self.update_existing(&tx, local, rec, cells, fts_upto)? {
                    Some(id) => {
                        updated += 1;
                        id
                    }
                    None => continue,
                }
            };
            ins_match.execute(params![id, content, key, title])?;
        }
        if replaced != ReplacedValues::default() {
            tx.prepare_cached(
                "UPDATE jobs SET unreadable_values = unreadable_values + ?2,
                     flattened_values = flattened_values + ?3 WHERE id = ?1",
            )?
            .execute(params![
                local,
                replaced.unreadable as i64,
                replaced.flattened as i64
            ])?;
        }
        drop(ins_rec);
        drop(ins_json);
        drop(ins_match);
        cols.save(&tx, local)?;
        if inserted + updated > 0 {
            tx.prepare_cached(
                "UPDATE jobs SET records_stored = records_stored + ?2, records_version = records_version + 1,
                     updated_at = ?3 WHERE id = ?1",
            )?
            .execute(params![local, inserted as i64, now_ms()])?;
        }
        tx.commit()?;
        Ok(inserted)
    }

    fn update_existing(
        &self,
        tx: &Connection,
        local: i64,
        rec: RecordIn<'_>,
        cells: &[u8],
        fts_upto: i64,
    ) -> Result<Option<i64>, StoreError> {
        let (id, old): (i64, String) = tx
            .prepare_cached(
                "SELECT r.id, j.json FROM records r JOIN record_json j ON j.id = r.id WHERE r.job = ?1 AND r.record_id = ?2",
            )?
            .query_row(params![local, rec.record_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if old == rec.json {
            return Ok(None);
        }
        tx.prepare_cached("UPDATE records SET cells = ?2 WHERE id = ?1")?
            .execute(params![id, cells])?;
        tx.prepare_cached("UPDATE record_json SET json = ?2 WHERE id = ?1")?
            .execute(params![id, rec.json])?;
        if id <= fts_upto {
            // Rare (a record changed after it was indexed): parse it again
            // rather than keep every record's search text around.
            let parsed = parse::parse_record(rec.json).unwrap_or_else(|_| parse::Parsed::empty());
            tx.prepare_cached("DELETE FROM record_fts WHERE rowid = ?1")?
                .execute([id])?;
            tx.prepare_cached("INSERT INTO record_fts (rowid, body) VALUES (?1, ?2)")?
                .execute(params![id, parsed.search_body()])?;
        }
        Ok(Some(id))
    }

    /// What the store had to change in a job's records to keep them
    /// readable (see [`sanitize`]).
    pub fn replaced_values(&self, local: i64) -> Result<ReplacedValues, StoreError> {
        let (unreadable, flattened): (i64, i64) = self
            .conn
            .prepare_cached("SELECT unreadable_values, flattened_values FROM jobs WHERE id = ?1")?
            .query_row([local], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or(StoreError::JobNotFound(local))?;
        Ok(ReplacedValues {
            unreadable: unreadable.max(0) as u64,
            flattened: flattened.max(0) as u64,
        })
    }

    pub fn record_count(&self, local: i64) -> Result<u64, StoreError> {
        let n: Option<i64> = self
            .conn
            .prepare_cached("SELECT records_stored FROM jobs WHERE id = ?1")?
            .query_row([local], |r| r.get(0))
            .optional()?;
        n.map(|n| n as u64).ok_or(StoreError::JobNotFound(local))
    }

    pub fn record_json(&self, local: i64, record_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT j.json FROM records r JOIN record_json j ON j.id = r.id WHERE r.job = ?1 AND r.record_id = ?2",
            )?
            .query_row(params![local, record_id], |r| r.get(0))
            .optional()?)
    }

    /// Stream every record's raw JSON matching the view, in view order (for export).
    pub fn for_each_record_json(
        &self,
        local: i64,
        view: &ViewSpec,
        f: &mut dyn FnMut(&str) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if view.is_plain() {
            // Everything in stored order: one sequential scan of the JSON
            // table over the job's id range, instead of a lookup per record.
            let ids = self.job_ids_sorted(local)?;
            return blocks::scan_ids(&self.conn, &ids, f);
        }
        let ids = self.view_ids(local, view)?;
        if view.is_unsorted() && blocks::dense(&ids) {
            // Filtered only, keeping much of the range: ascending ids, the
            // same range scan.
            return blocks::scan_ids(&self.conn, &ids, f);
        }
        let mut st = self
            .conn
            .prepare_cached("SELECT json FROM record_json WHERE id = ?1")?;
        for id in ids.iter() {
            let mut rows = st.query([id])?;
            if let Some(row) = rows.next()? {
                let s = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
                f(s)?;
            }
        }
        Ok(())
    }

    /// Frees what this connection's page cache holds (best effort: the
    /// next reads fill it again from the OS's file cache).
    pub fn release_memory(&self) {
        let _ = self.conn.execute_batch("PRAGMA shrink_memory");
    }

    /// Build (or catch up) the full-text index of a job's records. Called
    /// automatically by the first search; the engine may call it ahead of time
    /// (e.g. after a job completes). Returns how many records were indexed.
    pub fn build_search_index(&self, local: i64) -> Result<u64, StoreError> {
        view::ensure_fts(self, local)
    }

    /// Whether some of the job's records are not in the search index yet
    /// (a read, no lock taken): lets callers skip starting a build.
    pub fn search_index_behind(&self, local: i64) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                // A rowid range from the indexed mark: an up-to-date job
                // only looks at records stored after it (other jobs').
                "SELECT EXISTS (SELECT 1 FROM records
                   WHERE id > (SELECT fts_upto FROM jobs WHERE id = ?1) AND +job = ?1)",
            )?
            .query_row([local], |r| r.get(0))?)
    }

    // ------------------------------------------------------ settings, drafts

    pub fn get_setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )?
            .execute(params![key, value, now_ms()])?;
        Ok(())
    }

    pub fn delete_setting(&self, key: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM settings WHERE key = ?1")?
            .execute([key])?;
        Ok(())
    }

    pub fn save_draft(&self, name: &str, json: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO drafts (name, json, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at",
            )?
            .execute(params![name, json, now_ms()])?;
        Ok(())
    }

    pub fn load_draft(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT json FROM drafts WHERE name = ?1")?
            .query_row([name], |r| r.get(0))
            .optional()?)
    }

    pub fn delete_draft(&self, name: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM drafts WHERE name = ?1")?
            .execute([name])?;
        Ok(())
    }

    /// Draft names, most recently saved first.
    pub fn list_drafts(&self) -> Result<Vec<String>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT name FROM drafts ORDER BY updated_at DESC, name")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod migration_tests {
    use super::*;

    #[test]
    fn job_server_settings_become_the_jobs_column() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("catchall.db");
        {
            // A database as version 1 left it: the server in a setting.
            let conn = Connection::open(&db).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(
                "PRAGMA user_version = 1;
                 INSERT INTO jobs (id, query, params_json, origin, created_at, updated_at, local_state)
                   VALUES (1, 'a', '{}', 'local', 0, 0, 'done'), (2, 'b', '{}', 'local', 0, 0, 'done'),
                          (3, 'c', '{}', 'local', 0, 0, 'done');
                 INSERT INTO settings (key, value, updated_at) VALUES
                   ('job_server.1', 'live', 0), ('job_server.2', 'sandbox', 0), ('theme', 'dark', 0);",
            )
            .unwrap();
        }
        let store = Store::open(&db).unwrap();
        let server = |id| store.job(id).unwrap().unwrap().server;
        assert_eq!(server(1), JobServer::Live);
        assert_eq!(server(2), JobServer::Sandbox);
        assert_eq!(server(3), JobServer::Sandbox);
        assert_eq!(store.get_setting("job_server.1").unwrap(), None);
        assert_eq!(store.get_setting("theme").unwrap().as_deref(), Some("dark"));
    }
}
