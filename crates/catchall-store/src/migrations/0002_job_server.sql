-- 0002: which server a job lives on (the sandbox or the live service) is a
-- column of the job, written with it; it was a `job_server.<id>` setting.
ALTER TABLE jobs ADD COLUMN server TEXT NOT NULL DEFAULT 'sandbox'
    CHECK (server IN ('sandbox', 'live'));
UPDATE jobs SET server = 'live'
    WHERE EXISTS (SELECT 1 FROM settings WHERE key = 'job_server.' || jobs.id AND value = 'live');
DELETE FROM settings WHERE key LIKE 'job\_server.%' ESCAPE '\';
