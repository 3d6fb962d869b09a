-- 0005: event monitors kept locally, so past runs and records open offline.
-- A monitor's records are de-duplicated by the service's record_id; `seq`
-- numbers them in the order they first arrived, and `seen_mark` is the last
-- seq the user has looked at: records above it are "new".
CREATE TABLE monitors (
    id               INTEGER PRIMARY KEY,
    monitor_id       TEXT NOT NULL,
    server           TEXT NOT NULL DEFAULT 'sandbox', -- sandbox | live
    reference_job_id TEXT NOT NULL,
    query            TEXT NOT NULL,
    schedule_text    TEXT,              -- what the user typed, when made here
    cron             TEXT,
    schedule_human   TEXT,
    timezone         TEXT,
    "limit"          INTEGER,
    enabled          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT,              -- the service's, as sent
    last_run_at      TEXT,
    seen_mark        INTEGER NOT NULL DEFAULT 0,
    checked_at       INTEGER,           -- unix ms of the last check
    UNIQUE (server, monitor_id)
);

CREATE TABLE monitor_runs (
    monitor     INTEGER NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
    job_id      TEXT NOT NULL,
    seq         INTEGER NOT NULL,       -- 1 = the first run the app saw
    start_date  TEXT,
    end_date    TEXT,
    new_records INTEGER NOT NULL DEFAULT 0,
    seen_at     INTEGER NOT NULL,       -- unix ms the app first saw the run
    PRIMARY KEY (monitor, job_id)
) WITHOUT ROWID;

CREATE TABLE monitor_records (
    id             INTEGER PRIMARY KEY,
    monitor        INTEGER NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
    record_id      TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    first_seen_run TEXT,                -- the run (job_id) that brought it
    first_seen_at  TEXT NOT NULL,       -- RFC 3339
    title          TEXT NOT NULL,
    json           TEXT NOT NULL,
    UNIQUE (monitor, record_id)
);
CREATE INDEX monitor_records_seq ON monitor_records (monitor, seq);
