-- Devices pull changes through `change_keys` (by the readers' keys), so nothing reads the log
-- by scope any more; the index only cost every logged change a second insert.
DROP INDEX IF EXISTS changes_scope_seq;
