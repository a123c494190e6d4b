-- A recording's summary (written by a chat model) and the job that writes it: pending, processing
-- under a lease, completed or failed. The last summary stays while a new one is made.
-- Readable like the transcript: by whoever may read the recording (the recordings policy applies
-- inside the subquery: the meeting's operator, his analysts, its client); written only by the
-- service role (workers, and the dashboard's system context after the service checked the user).
CREATE TABLE public.recording_summaries (
    recording_id     uuid PRIMARY KEY REFERENCES public.meeting_recordings(id) ON DELETE CASCADE,
    status           text NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_owner      text,
    lease_expires_at timestamptz,
    last_error       text,
    summary          text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recording_summaries_due ON public.recording_summaries (status, next_attempt_at);
ALTER TABLE public.recording_summaries ENABLE ROW LEVEL SECURITY;
CREATE POLICY recording_summaries_select ON public.recording_summaries FOR SELECT TO authenticated USING (
    EXISTS (SELECT 1 FROM public.meeting_recordings r WHERE r.id = recording_id)
);
REVOKE ALL ON public.recording_summaries FROM anon, authenticated;
GRANT SELECT ON public.recording_summaries TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.recording_summaries TO service_role;

-- One due summary for one worker: pending and due, or processing with an expired lease.
CREATE FUNCTION public.claim_summary_job(worker text, lease_seconds integer DEFAULT 30)
RETURNS SETOF public.recording_summaries LANGUAGE sql VOLATILE SET search_path = public AS $$
    UPDATE public.recording_summaries s
    SET status = 'processing',
        lease_owner = worker,
        lease_expires_at = now() + make_interval(secs => lease_seconds),
        attempts = s.attempts + 1,
        updated_at = now()
    WHERE s.recording_id = (
        SELECT recording_id FROM public.recording_summaries
        WHERE (status = 'pending' AND next_attempt_at <= now())
           OR (status = 'processing' AND lease_expires_at < now())
        ORDER BY next_attempt_at
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    RETURNING s.*
$$;
REVOKE ALL ON FUNCTION public.claim_summary_job(text, integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.claim_summary_job(text, integer) TO service_role;
