-- Recordings OpenVidu announced (webhook or reconciliation), waiting to be fetched by the worker.
-- The webhook only inserts a row here and answers; the download happens in the worker.
-- recording_id is OpenVidu's id ("<session id>" or "<session id>~N"): the primary key makes
-- a duplicate delivery a no-op. meeting_id has no foreign key on purpose: with the Supabase
-- store the meetings live elsewhere, this queue stays local.
CREATE TABLE openvidu_downloads (
    recording_id    TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL,
    meeting_id      TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'downloading', 'ingested', 'failed', 'abandoned')),
    source          TEXT NOT NULL CHECK (source IN ('webhook', 'reconciliation')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX openvidu_downloads_due ON openvidu_downloads(state, next_attempt_at);
CREATE INDEX openvidu_downloads_meeting ON openvidu_downloads(meeting_id);
