-- Who said each indexed cue, so search can be narrowed to one speaker. FTS5 tables take no new
-- column: the index is rebuilt with one (existing cues keep no speaker).
CREATE VIRTUAL TABLE transcript_cues_new USING fts5(
    text,
    recording_id UNINDEXED,
    meeting_id UNINDEXED,
    start_seconds UNINDEXED,
    end_seconds UNINDEXED,
    speaker UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO transcript_cues_new (text, recording_id, meeting_id, start_seconds, end_seconds, speaker)
    SELECT text, recording_id, meeting_id, start_seconds, end_seconds, NULL FROM transcript_cues;
DROP TABLE transcript_cues;
ALTER TABLE transcript_cues_new RENAME TO transcript_cues;
