-- Need-to-know reads. Every record keeps its read keys (its audience, see model::access), and
-- every logged change is filed under the keys of the people who receive it, so a pull is a
-- lookup by the reader's grants. The keys of changes logged before this migration are filled in
-- by the server at start (`Db::file_missing_read_keys`).
ALTER TABLE records ADD COLUMN owner TEXT;
ALTER TABLE records ADD COLUMN audience TEXT NOT NULL DEFAULT '';

CREATE TABLE change_keys (
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (key, seq)
) WITHOUT ROWID;

-- Records of anonymous kinds: no owner, no time, no row order (keyed by their random-looking
-- id), never in the change log.
CREATE TABLE anonymous_records (
    id    TEXT PRIMARY KEY,
    kind  TEXT NOT NULL,
    scope TEXT NOT NULL,
    state TEXT NOT NULL
) WITHOUT ROWID;

-- Secrets the server makes for itself on first start (the key of anonymous response ids).
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
