-- Accounts hardening. Times are Unix milliseconds (UTC).

-- A disabled account cannot sign in and has no sessions; NULL while the account is active.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;

-- Password attempts counted per login name and per client address (see server/src/auth.rs).
-- An attempt is counted before its password is checked and the count is cleared by a right
-- password, so attempts racing each other can never slip past the limit. `locked_until` is when
-- the next attempt may be made; `last_at` the last counted attempt (counts older than the quiet
-- period start again from one).
CREATE TABLE login_attempts (
    kind         TEXT NOT NULL CHECK (kind IN ('login', 'address')),
    subject      TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    last_at      INTEGER NOT NULL,
    PRIMARY KEY (kind, subject)
) WITHOUT ROWID;
CREATE INDEX login_attempts_last_at ON login_attempts (last_at);

-- Replaced by login_attempts (failures counted after the check, per login only).
DROP TABLE login_failures;
