-- OpenVidu recordings waiting to be fetched, shared by every dashboard and worker on the project.
-- Before this table the queue lived in each dashboard's local SQLite file, so a worker on another
-- machine never saw what the webhook queued. Only the service role reads or writes it (RLS on,
-- no policy for anon/authenticated); the operator sees problems through the dashboard process.
CREATE TABLE public.openvidu_downloads (
    recording_id    text PRIMARY KEY,  -- OpenVidu's id: a duplicate delivery is a no-op
    session_id      text NOT NULL,
    meeting_id      uuid NOT NULL REFERENCES public.meetings(id) ON DELETE CASCADE,
    state           text NOT NULL CHECK (state IN ('pending', 'downloading', 'ingested', 'failed', 'abandoned')),
    source          text NOT NULL CHECK (source IN ('webhook', 'reconciliation')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_owner     text,
    lease_until     timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX openvidu_downloads_due ON public.openvidu_downloads (state, next_attempt_at);
CREATE INDEX openvidu_downloads_meeting ON public.openvidu_downloads (meeting_id);
ALTER TABLE public.openvidu_downloads ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.openvidu_downloads FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.openvidu_downloads TO service_role;

-- One due download for one worker: pending and due, or downloading with an expired lease.
-- SKIP LOCKED: workers on any number of machines never take the same row.
CREATE FUNCTION public.claim_openvidu_download(worker text, lease_seconds integer DEFAULT 1800)
RETURNS SETOF public.openvidu_downloads LANGUAGE sql VOLATILE SET search_path = public AS $$
    UPDATE public.openvidu_downloads d
    SET state = 'downloading',
        lease_owner = worker,
        lease_until = now() + make_interval(secs => lease_seconds),
        attempts = d.attempts + 1,
        updated_at = now()
    WHERE d.recording_id = (
        SELECT recording_id FROM public.openvidu_downloads
        WHERE (state = 'pending' AND next_attempt_at <= now())
           OR (state = 'downloading' AND lease_until <= now())
        ORDER BY next_attempt_at
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    RETURNING d.*
$$;
REVOKE ALL ON FUNCTION public.claim_openvidu_download(text, integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.claim_openvidu_download(text, integer) TO service_role;
