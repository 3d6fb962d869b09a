-- 0003: the analyst's review of each record, apart from the records so that
-- storing a page again (continue, re-pull, a monitor's next run) never
-- touches it. Keyed by the service's record_id: a record stored again keeps
-- its review. A row exists only once something was set.
CREATE TABLE record_review (
    job         INTEGER NOT NULL, -- jobs(id); delete_job removes rows itself
    record_id   TEXT NOT NULL,
    verdict     INTEGER NOT NULL DEFAULT 0, -- 0 unreviewed, 1 accepted, 2 rejected
    starred     INTEGER NOT NULL DEFAULT 0,
    note        TEXT,
    reviewed_at INTEGER, -- unix ms of the last change
    PRIMARY KEY (job, record_id)
) WITHOUT ROWID;

-- Bumped by every review change: cached views filtered by review state
-- are keyed by it (views without such a filter are not).
ALTER TABLE jobs ADD COLUMN review_version INTEGER NOT NULL DEFAULT 0;
