-- Records and their sync. `changes` is both the feed devices pull (by seq) and the audit history
-- of every change: who, from which device, when, what.

-- The merged state of every record (fields with their winning writes and histories).
CREATE TABLE records (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    parent     TEXT,
    state      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX records_scope_kind ON records (scope, kind);
CREATE INDEX records_parent ON records (parent) WHERE parent IS NOT NULL;

CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id  TEXT NOT NULL,
    scope      TEXT NOT NULL,
    -- The change as JSON, exactly as devices receive it.
    body       TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    device_seq INTEGER NOT NULL,
    user_id    TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX changes_scope_seq ON changes (scope, seq);
CREATE INDEX changes_record ON changes (record_id, seq);

-- A device is one browser profile of one user; it numbers its mutations.
CREATE TABLE devices (
    device_id  TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_seq   INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
);

-- What was decided for each mutation, so that a retried batch gets the same answer.
CREATE TABLE device_mutations (
    device_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    fingerprint INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;
