-- A recording's summary: the job that writes it (pending, processing under a lease, completed,
-- failed) and the last summary written, kept while a new one is made.
CREATE TABLE recording_summaries (
    recording_id     TEXT PRIMARY KEY REFERENCES meeting_recordings(id) ON DELETE CASCADE,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    lease_owner      TEXT,
    lease_expires_at TEXT,
    last_error       TEXT,
    summary          TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX recording_summaries_due ON recording_summaries(status, next_attempt_at);
