-- An unfinished upload is dropped a week after it last moved on, not a week after it began: a
-- large file sent a little at a time over a bad link may take longer than that.
ALTER TABLE uploads RENAME COLUMN created_at TO moved_at;
