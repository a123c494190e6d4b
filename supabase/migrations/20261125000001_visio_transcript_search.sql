-- Transcript search on Postgres, and the operator's one narrow write on recordings.
--
-- transcript_cues: one row per SRT cue, written by the transcription worker (service role),
-- readable by whoever may read the recording (the recordings policy applies inside).
-- search_transcripts(): SECURITY INVOKER, so row-level security scopes every hit.
-- requeue_transcription(): the only way a signed-in user changes a recording row — the
-- meeting's operator asks for a retry or another language; it checks that itself.

CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA extensions;

-- Accent- and case-insensitive words, like the embedded store's FTS5 (unicode61 remove_diacritics).
-- The dictionary is named explicitly so the function is truly immutable (usable in a generated column).
CREATE FUNCTION public.visio_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = '' AS $$
    SELECT lower(extensions.unaccent('extensions.unaccent'::regdictionary, coalesce(value, '')))
$$;

CREATE TABLE public.transcript_cues (
    recording_id  uuid NOT NULL REFERENCES public.meeting_recordings(id) ON DELETE CASCADE,
    position      integer NOT NULL CHECK (position >= 0),
    start_seconds double precision NOT NULL CHECK (start_seconds >= 0),
    end_seconds   double precision NOT NULL CHECK (end_seconds >= start_seconds),
    text          text NOT NULL,
    words         tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, public.visio_fold(text))) STORED,
    PRIMARY KEY (recording_id, position)
);
CREATE INDEX transcript_cues_words ON public.transcript_cues USING gin (words);

ALTER TABLE public.transcript_cues ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.transcript_cues FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.transcript_cues FROM anon, authenticated;
GRANT SELECT ON public.transcript_cues TO authenticated;
GRANT ALL ON public.transcript_cues TO service_role;

CREATE POLICY transcript_cues_select ON public.transcript_cues FOR SELECT TO authenticated USING (
    EXISTS (SELECT 1 FROM public.meeting_recordings r WHERE r.id = recording_id)
);

-- The user's words as a query: every word must appear, the last one as a prefix (typing "réu"
-- finds "réunion"). Quotes and backslashes are doubled, so input cannot inject tsquery operators.
CREATE FUNCTION public.visio_words_query(words text[]) RETURNS tsquery LANGUAGE sql IMMUTABLE
SET search_path = '' AS $$
    SELECT CASE WHEN count(*) = 0 THEN NULL ELSE to_tsquery('simple'::regconfig, string_agg(
        '''' || replace(replace(public.visio_fold(w), '\', '\\'), '''', '''''') || ''''
            || CASE WHEN n = last THEN ':*' ELSE '' END,
        ' & ' ORDER BY n)) END
    FROM (
        SELECT w, n, max(n) OVER () AS last
        FROM unnest(words[1:12]) WITH ORDINALITY AS given(w, n)
        WHERE btrim(coalesce(w, '')) <> ''
    ) kept
$$;

CREATE FUNCTION public.search_transcripts(
    words text[],
    operator_scope uuid DEFAULT NULL,
    client_scope uuid DEFAULT NULL,
    client uuid DEFAULT NULL,
    scheduled_from timestamptz DEFAULT NULL,
    scheduled_to timestamptz DEFAULT NULL,
    lang text DEFAULT NULL,
    max_rows integer DEFAULT 200
) RETURNS TABLE (
    recording_id uuid, meeting_id uuid, meeting_title text, client_id uuid, scheduled_at timestamptz,
    language text, start_seconds double precision, end_seconds double precision, text text, rank real
) LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public AS $$
    WITH q AS (SELECT public.visio_words_query(words) AS query)
    SELECT c.recording_id, m.id, m.title, m.client_id, m.scheduled_at, r.transcription_language,
           c.start_seconds, c.end_seconds, c.text, ts_rank(c.words, q.query)
    FROM q
    JOIN public.transcript_cues c ON c.words @@ q.query
    JOIN public.meeting_recordings r ON r.id = c.recording_id
    JOIN public.meetings m ON m.id = r.meeting_id
    WHERE (operator_scope IS NULL OR m.operator_id = operator_scope)
      AND (client_scope IS NULL OR m.client_id = client_scope)
      AND (client IS NULL OR m.client_id = client)
      AND (scheduled_from IS NULL OR m.scheduled_at >= scheduled_from)
      AND (scheduled_to IS NULL OR m.scheduled_at < scheduled_to)
      AND (lang IS NULL OR r.transcription_language = lang)
    ORDER BY 10 DESC, m.scheduled_at DESC, c.start_seconds
    LIMIT least(greatest(coalesce(max_rows, 200), 1), 500)
$$;
REVOKE ALL ON FUNCTION public.search_transcripts(text[], uuid, uuid, uuid, timestamptz, timestamptz, text, integer)
    FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.search_transcripts(text[], uuid, uuid, uuid, timestamptz, timestamptz, text, integer)
    TO authenticated, service_role;

-- Retry a failed transcription, or transcribe again in another language: the meeting's
-- operator only, never a job a worker holds. True when the row changed.
CREATE FUNCTION public.requeue_transcription(recording uuid, lang text DEFAULT NULL,
                                             only_if text[] DEFAULT ARRAY['failed'])
RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
    changed integer;
BEGIN
    IF lang IS NOT NULL AND lang !~ '^[a-z]{2,3}$' THEN
        RAISE EXCEPTION 'invalid language code' USING ERRCODE = '22023';
    END IF;
    IF NOT only_if <@ ARRAY['pending', 'completed', 'failed'] THEN
        RAISE EXCEPTION 'a job being transcribed cannot be requeued' USING ERRCODE = '22023';
    END IF;
    UPDATE public.meeting_recordings r
    SET transcription_status = 'pending', attempts = 0, last_error = NULL, progress = 0,
        next_attempt_at = now(), lease_owner = NULL, lease_expires_at = NULL,
        transcription_language = coalesce(lang, r.transcription_language)
    FROM public.meetings m
    WHERE r.id = recording AND m.id = r.meeting_id
      AND m.operator_id = auth.uid() AND public.my_role() = 'operator'
      AND r.transcription_status = ANY (only_if);
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed = 1;
END $$;
REVOKE ALL ON FUNCTION public.requeue_transcription(uuid, text, text[]) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.requeue_transcription(uuid, text, text[]) TO authenticated;
