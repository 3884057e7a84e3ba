-- Computers a person has signed in on (see server/src/auth.rs). A right password gives the
-- browser a random key, kept here as its SHA-256; a later attempt that brings the key back is
-- counted for that key alone, so wrong passwords sent for the login from elsewhere cannot keep
-- the person out on their own computer. Times are Unix milliseconds (UTC).
CREATE TABLE sign_in_keys (
    key_hash     TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX sign_in_keys_user ON sign_in_keys (user_id);

-- Attempts are also counted per sign-in key ('computer') and per session ('session', the
-- current password of a password change).
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_kind_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_kind_check
    CHECK (kind IN ('login', 'address', 'computer', 'session'));
