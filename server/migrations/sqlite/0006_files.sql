-- Files attached to records (model/src/files.rs), kept once per content: the same file attached
-- twice, by anyone, is stored once. Its bytes arrive in pieces, in order; `received` counts the
-- bytes stored, and the file is complete once all arrived and their SHA-256 is its name. Who
-- may read a file is decided by the attachment records that name it, never here.
CREATE TABLE files (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    received   INTEGER NOT NULL DEFAULT 0,
    complete   INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX files_created_by ON files (created_by) WHERE complete = 0;

CREATE TABLE file_chunks (
    sha256 TEXT NOT NULL REFERENCES files (sha256) ON DELETE CASCADE,
    start  INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (sha256, start)
) WITHOUT ROWID;
