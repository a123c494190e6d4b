-- Full-text index of transcript cues, filled when a transcription completes.
-- Accents are folded so "reunion" finds "réunion".
CREATE VIRTUAL TABLE transcript_cues USING fts5(
    text,
    recording_id UNINDEXED,
    meeting_id UNINDEXED,
    start_seconds UNINDEXED,
    end_seconds UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
