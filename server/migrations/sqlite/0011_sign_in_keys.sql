-- Computers a person has signed in on (see server/src/auth.rs). A right password gives the
-- browser a random key, kept here as its SHA-256; a later attempt that brings the key back is
-- counted for that key alone, so wrong passwords sent for the login from elsewhere cannot keep
-- the person out on their own computer. Times are Unix milliseconds (UTC).
CREATE TABLE sign_in_keys (
    key_hash     TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
);
CREATE INDEX sign_in_keys_user ON sign_in_keys (user_id);

-- Attempts are also counted per sign-in key ('computer') and per session ('session', the
-- current password of a password change). SQLite cannot change a CHECK: the table is made
-- again (the counts are kept).
CREATE TABLE login_attempts_new (
    kind         TEXT NOT NULL CHECK (kind IN ('login', 'address', 'computer', 'session')),
    subject      TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    last_at      INTEGER NOT NULL,
    PRIMARY KEY (kind, subject)
) WITHOUT ROWID;
INSERT INTO login_attempts_new SELECT kind, subject, failures, locked_until, last_at FROM login_attempts;
DROP TABLE login_attempts;
ALTER TABLE login_attempts_new RENAME TO login_attempts;
CREATE INDEX login_attempts_last_at ON login_attempts (last_at);
