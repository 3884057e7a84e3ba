-- How many bytes each person's changes added to the change log on their latest day of work
-- (UTC days since 1970; `model::sync::server::logged_bytes`): a person's changes add at most
-- `serve --megabytes-per-day` a day, so that nobody fills the disk by editing a field in a
-- loop. One row per person: a new day's first change starts the count again.
CREATE TABLE bytes_written (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    day     BIGINT NOT NULL,
    bytes   BIGINT NOT NULL
);
