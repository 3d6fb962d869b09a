-- 0008: what comparing two runs reads of each record, kept when it is
-- stored so that a comparison reads these short rows, not the records'
-- JSON: the hash of its compared fields (title, enrichments, citations;
-- key order ignored), its normalised match key, its title. Records stored
-- before this migration get theirs at their job's first comparison.
CREATE TABLE record_match (
    id        INTEGER PRIMARY KEY, -- records(id); delete_job removes rows itself
    content   INTEGER NOT NULL,
    match_key TEXT,                -- NULL: the record has no usable key
    title     TEXT NOT NULL
);
