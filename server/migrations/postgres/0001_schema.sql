-- The whole schema on PostgreSQL: the same tables and columns as the SQLite migrations up to
-- 0006 (read their comments there), with the same types as the server reads them: ids, JSON
-- and keys as TEXT, numbers and flags (0/1) as BIGINT, times as Unix milliseconds (UTC).

CREATE TABLE schools (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    municipality    TEXT NOT NULL,
    locality        TEXT NOT NULL CHECK (locality IN ('rural', 'urban')),
    low_results     BIGINT NOT NULL DEFAULT 0,
    hard_conditions BIGINT NOT NULL DEFAULT 0,
    mentor_school   BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX schools_municipality_name ON schools (municipality, name);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('school_team', 'teacher', 'mentor', 'curator', 'head', 'moderator')),
    school_id     TEXT REFERENCES schools (id),
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    disabled_at   BIGINT
);

CREATE TABLE assignments (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    school_id TEXT NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, school_id)
);
CREATE INDEX assignments_school ON assignments (school_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_attempts (
    kind         TEXT NOT NULL CHECK (kind IN ('login', 'address')),
    subject      TEXT NOT NULL,
    failures     BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    PRIMARY KEY (kind, subject)
);
CREATE INDEX login_attempts_last_at ON login_attempts (last_at);

CREATE TABLE audit (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      BIGINT NOT NULL,
    user_id TEXT,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL
);

CREATE TABLE records (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    parent     TEXT,
    state      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    owner      TEXT,
    audience   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX records_scope_kind ON records (scope, kind);
CREATE INDEX records_parent ON records (parent) WHERE parent IS NOT NULL;
CREATE INDEX records_kind ON records (kind);

-- The log's numbers are given by this sequence inside the writing transaction, which holds an
-- advisory lock to its end (see server/src/storage/dialect.rs), so they become visible in order;
-- emptying the tables leaves the sequence where it was.
CREATE SEQUENCE changes_seq;
CREATE TABLE changes (
    seq        BIGINT PRIMARY KEY,
    record_id  TEXT NOT NULL,
    scope      TEXT NOT NULL,
    body       TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    device_seq BIGINT NOT NULL,
    user_id    TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX changes_scope_seq ON changes (scope, seq);
CREATE INDEX changes_record ON changes (record_id, seq);

CREATE TABLE devices (
    device_id  TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_seq   BIGINT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL
);

CREATE TABLE device_mutations (
    device_id   TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    fingerprint BIGINT NOT NULL,
    outcome     TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
);

CREATE TABLE template_keys (
    code    TEXT NOT NULL,
    version BIGINT NOT NULL,
    key     TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE test_starts (
    response_id TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    started_at  BIGINT NOT NULL
);

CREATE TABLE change_keys (
    key TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (key, seq)
);

CREATE TABLE anonymous_records (
    id    TEXT PRIMARY KEY,
    kind  TEXT NOT NULL,
    scope TEXT NOT NULL,
    state TEXT NOT NULL
);

CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE files (
    sha256     TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    received   BIGINT NOT NULL DEFAULT 0,
    complete   BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX files_created_by ON files (created_by) WHERE complete = 0;

CREATE TABLE file_chunks (
    sha256 TEXT NOT NULL REFERENCES files (sha256) ON DELETE CASCADE,
    start  BIGINT NOT NULL,
    data   BYTEA NOT NULL,
    PRIMARY KEY (sha256, start)
);
