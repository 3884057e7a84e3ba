-- Forms. Templates themselves are records (kind `form_template`) so that they sync; the answer
-- key of a test is kept here and never leaves the server.
CREATE TABLE template_keys (
    code    TEXT NOT NULL,
    version INTEGER NOT NULL,
    key     TEXT NOT NULL,
    PRIMARY KEY (code, version)
) WITHOUT ROWID;

-- When a timed test was started online (server time), to enforce its limit.
CREATE TABLE test_starts (
    response_id TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    started_at  INTEGER NOT NULL
) WITHOUT ROWID;
