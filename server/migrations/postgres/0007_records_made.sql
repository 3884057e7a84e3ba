-- How many records of each kind that nothing else bounds (a fresh id and no parent:
-- consultations, recommendations, visits …) each person made on a day (UTC days since 1970):
-- a person makes at most `serve --records-per-day` of a kind a day, so that nobody fills the
-- disk by sending new records in a loop. Only the current day's counts are kept.
CREATE TABLE records_made (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    day     BIGINT NOT NULL,
    made    BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, day)
);
