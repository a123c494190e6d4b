-- Who said each indexed cue, and search narrowed to one speaker (`who`). The function gains a
-- parameter and a result column, so it is dropped and made again (same grants, same RLS scoping).
ALTER TABLE public.transcript_cues ADD COLUMN speaker text;

DROP FUNCTION public.search_transcripts(text[], uuid, uuid, uuid, timestamptz, timestamptz, text, integer);
CREATE FUNCTION public.search_transcripts(
    words text[],
    operator_scope uuid DEFAULT NULL,
    client_scope uuid DEFAULT NULL,
    client uuid DEFAULT NULL,
    scheduled_from timestamptz DEFAULT NULL,
    scheduled_to timestamptz DEFAULT NULL,
    lang text DEFAULT NULL,
    max_rows integer DEFAULT 200,
    who text DEFAULT NULL
) RETURNS TABLE (
    recording_id uuid, meeting_id uuid, meeting_title text, client_id uuid, scheduled_at timestamptz,
    language text, start_seconds double precision, end_seconds double precision, text text, rank real,
    speaker text
) LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public AS $$
    WITH q AS (SELECT public.visio_words_query(words) AS query)
    SELECT c.recording_id, m.id, m.title, m.client_id, m.scheduled_at, r.transcription_language,
           c.start_seconds, c.end_seconds, c.text, ts_rank(c.words, q.query), c.speaker
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
      AND (who IS NULL OR c.speaker = who)
    ORDER BY 10 DESC, m.scheduled_at DESC, c.start_seconds
    LIMIT least(greatest(coalesce(max_rows, 200), 1), 500)
$$;
REVOKE ALL ON FUNCTION public.search_transcripts(text[], uuid, uuid, uuid, timestamptz, timestamptz, text, integer, text)
    FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.search_transcripts(text[], uuid, uuid, uuid, timestamptz, timestamptz, text, integer, text)
    TO authenticated, service_role;
