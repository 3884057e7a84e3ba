-- Schools, accounts, sessions and the audit history. Times are Unix milliseconds (UTC).

CREATE TABLE schools (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    municipality    TEXT NOT NULL,
    locality        TEXT NOT NULL CHECK (locality IN ('rural', 'urban')),
    low_results     INTEGER NOT NULL DEFAULT 0,
    hard_conditions INTEGER NOT NULL DEFAULT 0,
    mentor_school   INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX schools_municipality_name ON schools (municipality, name);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('school_team', 'teacher', 'mentor', 'curator', 'head', 'moderator')),
    school_id     TEXT REFERENCES schools (id),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Schools assigned to a mentor or a curator.
CREATE TABLE assignments (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    school_id TEXT NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, school_id)
);
CREATE INDEX assignments_school ON assignments (school_id);

-- Only the SHA-256 of a session token is stored; the token itself lives on the device.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins per login name, to slow down password guessing.
CREATE TABLE login_failures (
    login        TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);

-- Every change made through the API: who, when, what.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    user_id TEXT,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL
);
