-- 0001: jobs, stage history, records (compact cells + raw JSON), lazy FTS, settings, drafts.
CREATE TABLE jobs (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id             TEXT UNIQUE,
    query              TEXT NOT NULL,
    context            TEXT,
    params_json        TEXT NOT NULL,
    enrichments_json   TEXT,
    mode               TEXT,
    "limit"            INTEGER,
    start_date         TEXT,
    end_date           TEXT,
    origin             TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    finished_at        INTEGER,
    stage              TEXT,
    steps_json         TEXT,
    local_state        TEXT NOT NULL,
    local_reason       TEXT,
    error              TEXT,
    candidate_records  INTEGER,
    progress_validated INTEGER,
    valid_records      INTEGER,
    duration           TEXT,
    records_stored     INTEGER NOT NULL DEFAULT 0,
    records_version    INTEGER NOT NULL DEFAULT 0,
    fts_upto           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_created ON jobs(created_at);

CREATE TABLE stage_history (
    job        INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    stage      TEXT NOT NULL,
    steps_json TEXT,
    at         INTEGER NOT NULL,
    PRIMARY KEY (job, seq)
) WITHOUT ROWID;

-- Enrichment keys in the order they were first seen in the job's records.
CREATE TABLE job_columns (
    job  INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    key  TEXT NOT NULL,
    ord  INTEGER NOT NULL,
    kind TEXT,
    PRIMARY KEY (job, key)
) WITHOUT ROWID;

-- Compact display/sort cells per record; the raw JSON lives apart so that
-- scans for sorting and filtering never wade through 3 KB rows.
CREATE TABLE records (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    job       INTEGER NOT NULL, -- jobs(id); no FK check per insert, delete_job removes rows itself
    record_id TEXT NOT NULL,
    cells     BLOB NOT NULL,
    UNIQUE (job, record_id)
);

CREATE TABLE record_json (
    id   INTEGER PRIMARY KEY, -- records(id)
    json TEXT NOT NULL
);

-- Full-text index over title and enrichment text, filled lazily per job
-- (jobs.fts_upto = highest records.id indexed).
CREATE VIRTUAL TABLE record_fts USING fts5(
    body,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE drafts (
    name       TEXT PRIMARY KEY,
    json       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
