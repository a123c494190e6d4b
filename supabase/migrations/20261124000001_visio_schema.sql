-- Visio on Supabase: profiles, meetings, recordings (with their transcription jobs),
-- row-level security, private storage buckets, and the job-claiming function.
--
-- Assumption: Foxeo's platform identifies people through auth.users. If it already has its own
-- operators/clients tables, replace public.profiles by a view over them with the same columns
-- (id = auth.users.id, role, operator_id, tier); the policies below only read those columns.

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
CREATE TABLE public.profiles (
    id           uuid PRIMARY KEY REFERENCES auth.users(id) ON DELETE CASCADE,
    email        text NOT NULL UNIQUE,
    display_name text NOT NULL,
    role         text NOT NULL CHECK (role IN ('operator', 'client', 'analyst')),
    operator_id  uuid REFERENCES public.profiles(id) ON DELETE RESTRICT,
    tier         text CHECK (tier IN ('lab', 'one')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'operator') = (operator_id IS NULL))
);
CREATE INDEX profiles_operator_id ON public.profiles(operator_id);

CREATE TABLE public.meetings (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id        uuid NOT NULL REFERENCES public.profiles(id) ON DELETE RESTRICT,
    operator_id      uuid NOT NULL REFERENCES public.profiles(id) ON DELETE RESTRICT,
    title            text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    scheduled_at     timestamptz NOT NULL,
    started_at       timestamptz,
    ended_at         timestamptz,
    duration_seconds integer,
    session_id       text UNIQUE,
    status           text NOT NULL DEFAULT 'scheduled'
                     CHECK (status IN ('scheduled', 'in_progress', 'completed', 'cancelled')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meetings_client_id ON public.meetings(client_id);
CREATE INDEX meetings_operator_id ON public.meetings(operator_id);
CREATE INDEX meetings_status ON public.meetings(status);
CREATE INDEX meetings_scheduled_at ON public.meetings(scheduled_at);
CREATE INDEX meetings_operator_status_scheduled ON public.meetings(operator_id, status, scheduled_at);
CREATE INDEX meetings_client_status_scheduled ON public.meetings(client_id, status, scheduled_at);

CREATE TABLE public.meeting_recordings (
    id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    meeting_id                 uuid NOT NULL REFERENCES public.meetings(id) ON DELETE CASCADE,
    source_recording_id        text NOT NULL,
    recording_url              text NOT NULL,
    recording_duration_seconds double precision,
    file_size_bytes            bigint NOT NULL,
    transcript_url             text,
    transcription_status       text NOT NULL DEFAULT 'pending'
                               CHECK (transcription_status IN ('pending', 'processing', 'completed', 'failed')),
    transcription_language     text NOT NULL DEFAULT 'fr',
    attempts                   integer NOT NULL DEFAULT 0,
    last_error                 text,
    lease_owner                text,
    lease_expires_at           timestamptz,
    next_attempt_at            timestamptz NOT NULL DEFAULT now(),
    progress                   real NOT NULL DEFAULT 0,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    UNIQUE (meeting_id, source_recording_id)
);
CREATE INDEX meeting_recordings_meeting ON public.meeting_recordings(meeting_id, created_at);
CREATE INDEX meeting_recordings_jobs ON public.meeting_recordings(transcription_status, next_attempt_at);

CREATE FUNCTION public.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER meetings_updated_at BEFORE UPDATE ON public.meetings
    FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();
CREATE TRIGGER meeting_recordings_updated_at BEFORE UPDATE ON public.meeting_recordings
    FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Who is asking. SECURITY DEFINER so policies can read profiles without recursing into
-- the profiles policies; search_path pinned as Supabase recommends for definer functions.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION public.my_role() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $$
    SELECT role FROM public.profiles WHERE id = auth.uid()
$$;

-- The operator whose meetings the caller works with: himself, or the analyst's operator.
CREATE FUNCTION public.my_operator_scope() RETURNS uuid LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $$
    SELECT CASE role WHEN 'operator' THEN id WHEN 'analyst' THEN operator_id END
    FROM public.profiles WHERE id = auth.uid()
$$;

CREATE FUNCTION public.my_owner() RETURNS uuid LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $$
    SELECT operator_id FROM public.profiles WHERE id = auth.uid()
$$;

CREATE FUNCTION public.is_my_client(client uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $$
    SELECT EXISTS (
        SELECT 1 FROM public.profiles
        WHERE id = client AND role = 'client' AND operator_id = auth.uid()
    ) AND public.my_role() = 'operator'
$$;

REVOKE ALL ON FUNCTION public.my_role(), public.my_operator_scope(), public.my_owner(), public.is_my_client(uuid)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.my_role(), public.my_operator_scope(), public.my_owner(), public.is_my_client(uuid)
    TO authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Row-level security: enabled and forced everywhere; anon gets no grant and no policy.
-- service_role has BYPASSRLS on Supabase (workers, webhook).
-- ---------------------------------------------------------------------------------------------
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.profiles FORCE ROW LEVEL SECURITY;
ALTER TABLE public.meetings ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.meetings FORCE ROW LEVEL SECURITY;
ALTER TABLE public.meeting_recordings ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.meeting_recordings FORCE ROW LEVEL SECURITY;

REVOKE ALL ON public.profiles, public.meetings, public.meeting_recordings FROM anon, authenticated;
GRANT SELECT ON public.profiles TO authenticated;
GRANT SELECT, INSERT, UPDATE ON public.meetings TO authenticated;
GRANT SELECT ON public.meeting_recordings TO authenticated;
GRANT ALL ON public.profiles, public.meetings, public.meeting_recordings TO service_role;

-- Profiles: yourself, your operator, and (operator) your clients and analysts.
CREATE POLICY profiles_select ON public.profiles FOR SELECT TO authenticated USING (
    id = auth.uid()
    OR operator_id = auth.uid()
    OR id = public.my_owner()
);

-- Meetings: a client reads his own; an operator (and his analysts) read the operator's.
CREATE POLICY meetings_select ON public.meetings FOR SELECT TO authenticated USING (
    client_id = auth.uid() OR operator_id = public.my_operator_scope()
);
-- Only an operator creates, and only for one of his own clients, as scheduled.
CREATE POLICY meetings_insert ON public.meetings FOR INSERT TO authenticated WITH CHECK (
    operator_id = auth.uid() AND public.is_my_client(client_id) AND status = 'scheduled'
);
-- Only the meeting's operator changes it, and it stays his and his client's.
CREATE POLICY meetings_update ON public.meetings FOR UPDATE TO authenticated
    USING (operator_id = auth.uid() AND public.my_role() = 'operator')
    WITH CHECK (operator_id = auth.uid() AND public.is_my_client(client_id));

-- Recordings: readable by whoever may read the meeting (the meetings policy applies inside
-- the subquery); written only by the service role.
CREATE POLICY meeting_recordings_select ON public.meeting_recordings FOR SELECT TO authenticated USING (
    EXISTS (SELECT 1 FROM public.meetings m WHERE m.id = meeting_id)
);

-- ---------------------------------------------------------------------------------------------
-- Storage: two private buckets; an object is readable by whoever may read its recording.
-- Object names: recordings/{session_id}/{recording_id}.{ext}, transcripts/{recording_id}.srt
-- ---------------------------------------------------------------------------------------------
INSERT INTO storage.buckets (id, name, public) VALUES
    ('recordings', 'recordings', false),
    ('transcripts', 'transcripts', false)
ON CONFLICT (id) DO UPDATE SET public = false;

CREATE POLICY visio_objects_select ON storage.objects FOR SELECT TO authenticated USING (
    (bucket_id = 'recordings' AND EXISTS (
        SELECT 1 FROM public.meeting_recordings r WHERE r.recording_url = 'recordings/' || name))
    OR (bucket_id = 'transcripts' AND EXISTS (
        SELECT 1 FROM public.meeting_recordings r WHERE r.transcript_url = 'transcripts/' || name))
);

-- ---------------------------------------------------------------------------------------------
-- Transcription jobs: N workers on N machines, never the same job twice.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION public.claim_transcription_job(worker text, lease_seconds integer DEFAULT 300)
RETURNS SETOF public.meeting_recordings LANGUAGE sql VOLATILE SET search_path = public AS $$
    UPDATE public.meeting_recordings r
    SET transcription_status = 'processing',
        lease_owner = worker,
        lease_expires_at = now() + make_interval(secs => lease_seconds),
        attempts = r.attempts + 1,
        progress = 0
    WHERE r.id = (
        SELECT id FROM public.meeting_recordings
        WHERE (transcription_status = 'pending' AND next_attempt_at <= now())
           OR (transcription_status = 'processing' AND lease_expires_at < now())
        ORDER BY next_attempt_at, created_at
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    RETURNING r.*
$$;
REVOKE ALL ON FUNCTION public.claim_transcription_job(text, integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.claim_transcription_job(text, integer) TO service_role;
