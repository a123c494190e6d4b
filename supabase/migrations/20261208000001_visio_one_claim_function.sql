-- One claim function for every queue, in place of one per queue (claim_transcription_job,
-- claim_summary_job, claim_openvidu_download), and one name for a lease's end in every queue table.
-- visio_core/services/queues.py describes the same queues for the Python side; tests/postgres
-- checks that both agree.

ALTER TABLE public.openvidu_downloads RENAME COLUMN lease_until TO lease_expires_at;

DROP FUNCTION public.claim_transcription_job(text, integer);
DROP FUNCTION public.claim_summary_job(text, integer);
DROP FUNCTION public.claim_openvidu_download(text, integer);

-- The whitelist of queues claim_job may touch: a schema PostgREST does not expose, written by
-- migrations only, read by the service role (claim_job runs with its caller's rights).
-- Adding a queue: its table, then one row here.
CREATE SCHEMA visio_private;
REVOKE ALL ON SCHEMA visio_private FROM PUBLIC, anon, authenticated;
GRANT USAGE ON SCHEMA visio_private TO service_role;
CREATE TABLE visio_private.lease_queues (
    name            text PRIMARY KEY,   -- what claim_job's `queue` names
    table_name      text NOT NULL,      -- in schema public
    key_column      text NOT NULL,
    status_column   text NOT NULL,
    due             text NOT NULL,      -- the status of a row waiting for its next attempt
    leased          text NOT NULL,      -- the status of a row a worker holds
    order_by        text[] NOT NULL,    -- which due row goes first
    progress_column text                -- reset to 0 by a claim, when the queue keeps progress
);
REVOKE ALL ON visio_private.lease_queues FROM PUBLIC, anon, authenticated;
GRANT SELECT ON visio_private.lease_queues TO service_role;
INSERT INTO visio_private.lease_queues VALUES
    ('transcription', 'meeting_recordings', 'id', 'transcription_status', 'pending', 'processing',
     ARRAY['next_attempt_at', 'created_at'], 'progress'),
    ('summary', 'recording_summaries', 'recording_id', 'status', 'pending', 'processing',
     ARRAY['next_attempt_at'], NULL),
    ('openvidu_download', 'openvidu_downloads', 'recording_id', 'state', 'pending', 'downloading',
     ARRAY['next_attempt_at'], NULL);

-- One due row of `queue` for one worker (waiting and due, or leased with its lease run out), as
-- JSON; null when none is due. SKIP LOCKED: workers on any number of machines never take the same
-- row. The statement is built only from the whitelist's names, each quoted as an identifier
-- (%I) or a literal (%L); the caller's values go in as parameters ($1, $2).
CREATE FUNCTION public.claim_job(queue text, worker text, lease_seconds integer)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SET search_path = public AS $$
DECLARE
    q visio_private.lease_queues;
    claimed jsonb;
BEGIN
    SELECT * INTO q FROM visio_private.lease_queues WHERE name = queue;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown queue: %', queue USING ERRCODE = '22023';
    END IF;
    EXECUTE format(
        'UPDATE public.%1$I t SET %3$I = %5$L, lease_owner = $1, '
        'lease_expires_at = now() + make_interval(secs => $2), attempts = t.attempts + 1, updated_at = now()%6$s '
        'WHERE t.%2$I = (SELECT %2$I FROM public.%1$I '
        'WHERE (%3$I = %4$L AND next_attempt_at <= now()) OR (%3$I = %5$L AND lease_expires_at <= now()) '
        'ORDER BY %7$s LIMIT 1 FOR UPDATE SKIP LOCKED) '
        'RETURNING to_jsonb(t)',
        q.table_name, q.key_column, q.status_column, q.due, q.leased,
        CASE WHEN q.progress_column IS NULL THEN '' ELSE format(', %I = 0', q.progress_column) END,
        (SELECT string_agg(format('%I', c), ', ' ORDER BY n) FROM unnest(q.order_by) WITH ORDINALITY AS o(c, n))
    ) INTO claimed USING worker, lease_seconds;
    RETURN claimed;
END $$;
REVOKE ALL ON FUNCTION public.claim_job(text, text, integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.claim_job(text, text, integer) TO service_role;
