-- 0009: the kept view's order (record row ids as delta varints) with the
-- versions it was computed for (view.rs `Version`), so a job reopened with
-- a kept sort or filter shows its first rows without sorting every record
-- again. NULL: not computed yet, or the view changed since.
ALTER TABLE job_view ADD COLUMN order_ids BLOB;
ALTER TABLE job_view ADD COLUMN order_records INTEGER;
ALTER TABLE job_view ADD COLUMN order_reviews INTEGER;
ALTER TABLE job_view ADD COLUMN order_fts INTEGER;
ALTER TABLE job_view ADD COLUMN order_seen INTEGER;
