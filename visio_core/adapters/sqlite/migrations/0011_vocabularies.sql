-- An operator's vocabulary (names, products, jargon) given to Whisper with his meetings' recordings.
CREATE TABLE vocabularies (
    operator_id TEXT PRIMARY KEY,
    terms       TEXT NOT NULL,  -- JSON list of strings
    updated_at  TEXT NOT NULL
);
