-- Who is known to hold a file's bytes: whoever sent every piece of it, proved to have it whole
-- (`POST /api/files/{sha256}/proof`), or received it from the server. A file is given out only
-- through an attachment whose author holds it, so knowing a file's SHA-256 is not enough to read
-- it. (Sending one piece is not enough either: a first byte is easy to guess.) Who sent a file
-- before this table existed is its first holder, and whoever attached a file before then holds
-- it too (their devices sent nothing when the server had it already): a step the server takes
-- once, below.
CREATE TABLE file_holders (
    sha256  TEXT NOT NULL REFERENCES files (sha256) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    PRIMARY KEY (sha256, user_id)
);
INSERT INTO file_holders (sha256, user_id) SELECT sha256, created_by FROM files WHERE complete = 1;

-- Who sent each piece (empty for pieces sent before).
ALTER TABLE file_chunks ADD COLUMN sent_by TEXT;

-- Steps the server takes once, in Rust, after a migration asked for them (`server::upgrade`).
CREATE TABLE upgrade_steps (
    name TEXT PRIMARY KEY
);
INSERT INTO upgrade_steps (name) VALUES ('attachment_authors_hold_their_files');
