-- What the participants' pages report about their own speaking while OpenVidu hosts the room;
-- read when the meeting's recording arrives, to name the speaker of each transcript line.
CREATE TABLE speaking_events (
    meeting_id TEXT NOT NULL,
    speaker    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('start', 'stop')),
    at         TEXT NOT NULL
);
CREATE INDEX speaking_events_meeting_at ON speaking_events(meeting_id, at);
