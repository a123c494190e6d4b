-- Recordings of meetings; a row that is pending is also the transcription job.
CREATE TABLE meeting_recordings (
    id                         TEXT PRIMARY KEY,
    meeting_id                 TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    source_recording_id        TEXT NOT NULL,
    recording_url              TEXT NOT NULL,
    recording_duration_seconds REAL,
    file_size_bytes            INTEGER NOT NULL,
    transcript_url             TEXT,
    transcription_status       TEXT NOT NULL DEFAULT 'pending'
                               CHECK (transcription_status IN ('pending', 'processing', 'completed', 'failed')),
    transcription_language     TEXT NOT NULL,
    attempts                   INTEGER NOT NULL DEFAULT 0,
    last_error                 TEXT,
    lease_owner                TEXT,
    lease_expires_at           TEXT,
    next_attempt_at            TEXT NOT NULL,
    progress                   REAL NOT NULL DEFAULT 0,
    created_at                 TEXT NOT NULL,
    updated_at                 TEXT NOT NULL,
    -- ingesting the same source twice leaves one row
    UNIQUE (meeting_id, source_recording_id)
);
CREATE INDEX meeting_recordings_meeting ON meeting_recordings(meeting_id, created_at);
CREATE INDEX meeting_recordings_jobs ON meeting_recordings(transcription_status, next_attempt_at);
