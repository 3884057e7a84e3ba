-- An upload under way is its sender's own: each person's pieces of a file are kept apart until
-- they make up the whole file and its SHA-256 checks, and only then become the file (`files`,
-- `file_chunks`). So nobody who merely knows a file's name can spoil another person's upload
-- with a wrong piece, and a file on the server is always whole. `files` keeps complete files
-- only from here on; the unfinished uploads it held are dropped (the devices that sent them
-- still keep the files and send them again from the start).
CREATE TABLE uploads (
    sha256     TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    size       BIGINT NOT NULL,
    received   BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (sha256, user_id)
);
CREATE INDEX uploads_user ON uploads (user_id);
CREATE TABLE upload_pieces (
    sha256  TEXT NOT NULL,
    user_id TEXT NOT NULL,
    start   BIGINT NOT NULL,
    data    BYTEA NOT NULL,
    PRIMARY KEY (sha256, user_id, start),
    FOREIGN KEY (sha256, user_id) REFERENCES uploads (sha256, user_id) ON DELETE CASCADE
);
DELETE FROM files WHERE complete = 0;
DROP INDEX files_created_by;
CREATE INDEX files_created_by ON files (created_by);
