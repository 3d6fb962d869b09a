-- 0007: a monitor's records also fill a job of its own (origin 'monitor',
-- never listed with the jobs), so its view is the results table of any job.
-- monitors.table_upto is the last record seq copied there; a job's
-- seen_upto the last of its record row ids the user has looked at (the
-- rows above it are "new"; NULL for jobs, where nothing is new).
ALTER TABLE monitors ADD COLUMN table_job INTEGER; -- jobs(id)
ALTER TABLE monitors ADD COLUMN table_upto INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN seen_upto INTEGER;
