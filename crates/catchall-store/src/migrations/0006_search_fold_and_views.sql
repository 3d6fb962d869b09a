-- 0007: the search index now spells letters without a base letter in plain
-- Latin (fold.rs: "lodz" finds "Łódź"): drop it, every job is indexed again
-- on its next search or opening.
DROP TABLE record_fts;
CREATE VIRTUAL TABLE record_fts USING fts5(
    body,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'unicode61 remove_diacritics 2'
);
UPDATE jobs SET fts_upto = 0;

-- The results table's view of each job as the analyst left it: sort,
-- search and filters, then the columns shown, in their order, with widths.
CREATE TABLE job_view (
    job        INTEGER PRIMARY KEY, -- jobs(id); delete_job removes the rows itself
    sort_key   TEXT,
    sort_desc  INTEGER NOT NULL DEFAULT 0,
    search     TEXT,
    filters    TEXT NOT NULL DEFAULT '[]', -- JSON list of the view's column filters
    updated_at INTEGER NOT NULL
);
CREATE TABLE job_view_columns (
    job    INTEGER NOT NULL,
    key    TEXT NOT NULL,
    ord    INTEGER NOT NULL,
    width  INTEGER, -- pixels; NULL = from the content
    hidden INTEGER NOT NULL DEFAULT 0,
    pinned INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job, key)
) WITHOUT ROWID;
