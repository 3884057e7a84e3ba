-- Wrong proofs of holding a file (see server/src/routes/files.rs) are counted per person
-- ('file_proof', the account's id) like wrong passwords: each one makes the server read a whole
-- file, so a device that keeps sending them has to wait longer and longer. SQLite cannot change
-- a CHECK: the table is made again (the counts are kept).
CREATE TABLE login_attempts_new (
    kind         TEXT NOT NULL CHECK (kind IN ('login', 'address', 'computer', 'session', 'file_proof')),
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
