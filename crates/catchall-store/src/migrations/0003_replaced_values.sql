-- Values the store had to change to keep every record readable (see
-- sanitize.rs): strings with characters that could not be read, and
-- values nested too deeply, kept as text.
ALTER TABLE jobs ADD COLUMN unreadable_values INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN flattened_values INTEGER NOT NULL DEFAULT 0;
