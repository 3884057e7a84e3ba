-- Wrong proofs of holding a file (see server/src/routes/files.rs) are counted per person
-- ('file_proof', the account's id) like wrong passwords: each one makes the server read a whole
-- file, so a device that keeps sending them has to wait longer and longer.
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_kind_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_kind_check
    CHECK (kind IN ('login', 'address', 'computer', 'session', 'file_proof'));
