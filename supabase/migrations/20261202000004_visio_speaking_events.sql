-- What the participants' pages report about their own speaking while OpenVidu hosts the room.
-- The dashboard checks who may report (the room's own gate) and writes with the service role;
-- workers read them when the recording arrives. No user reads or writes them directly.
CREATE TABLE public.speaking_events (
    meeting_id uuid NOT NULL REFERENCES public.meetings(id) ON DELETE CASCADE,
    speaker    text NOT NULL CHECK (length(speaker) <= 200),
    kind       text NOT NULL CHECK (kind IN ('start', 'stop')),
    at         timestamptz NOT NULL
);
CREATE INDEX speaking_events_meeting_at ON public.speaking_events (meeting_id, at);
ALTER TABLE public.speaking_events ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.speaking_events FROM anon, authenticated;
GRANT SELECT, INSERT, DELETE ON public.speaking_events TO service_role;
