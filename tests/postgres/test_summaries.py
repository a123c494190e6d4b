"""recording_summaries on a real PostgreSQL: readable like the transcript (RLS), written by the
service role only, and claimed by one worker at a time."""

from __future__ import annotations

import uuid
from collections import Counter

import psycopg
import pytest

from tests.postgres.conftest import as_role, claim_until_empty

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def summarised(world):
    """A completed summary for the recording of each client's meeting (a, b of op1; c of op2)."""
    with psycopg.connect(world.url, autocommit=True) as conn:
        for name, recording in world.recordings.items():
            conn.execute(
                "INSERT INTO public.recording_summaries (recording_id, status, summary) "
                "VALUES (%s, 'completed', %s) ON CONFLICT DO NOTHING",
                (recording, f'{{"of": "{name}"}}'),
            )
    return world


def readable(conn) -> set[uuid.UUID]:
    return {r[0] for r in conn.execute("SELECT recording_id FROM public.recording_summaries")}


def test_whoever_reads_the_recording_reads_its_summary_and_nobody_else(summarised):
    w = summarised
    mine = {name: w.recordings[name] for name in ("a", "b", "c")}
    for who, expected in (
        (w.a, {"a"}),
        (w.b, {"b"}),
        (w.c, {"c"}),
        (w.op1, {"a", "b"}),
        (w.analyst, {"a", "b"}),
        (w.op2, {"c"}),
        (uuid.uuid4(), set()),
    ):
        with as_role(w.url, "authenticated", who) as conn:
            assert readable(conn) & set(mine.values()) == {mine[n] for n in expected}
    with as_role(w.url, "anon") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT recording_id FROM public.recording_summaries")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE public.recording_summaries SET status = 'pending'",
        "INSERT INTO public.recording_summaries (recording_id, status) VALUES (gen_random_uuid(), 'pending')",
        "DELETE FROM public.recording_summaries",
    ],
)
def test_no_signed_in_user_writes_a_summary(summarised, statement):
    for who in (summarised.op1, summarised.analyst, summarised.a):
        with as_role(summarised.url, "authenticated", who) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def claim(url: str, worker: str, lease: int = 300):
    with as_role(url, "service_role") as conn:
        (row,) = conn.execute("SELECT public.claim_job('summary', %s, %s)", (worker, lease)).fetchone()
        conn.commit()
        return uuid.UUID(row["recording_id"]) if row else None


def test_concurrent_workers_claim_each_summary_once_and_only_the_service_role_may(summarised):
    w = summarised
    with psycopg.connect(w.url, autocommit=True) as conn:
        meeting = conn.execute(
            "INSERT INTO public.meetings (client_id, operator_id, title, scheduled_at) VALUES (%s, %s, 'résumés', now()) "
            "RETURNING id",
            (w.a, w.op1),
        ).fetchone()[0]
        ids = [uuid.uuid4() for _ in range(60)]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO public.meeting_recordings (id, meeting_id, source_recording_id, recording_url, "
                "file_size_bytes, transcription_status) VALUES (%s, %s, %s, %s, 1, 'completed')",
                [(i, meeting, str(i), f"recordings/s/{i}.webm") for i in ids],
            )
            cur.executemany(
                "INSERT INTO public.recording_summaries (recording_id, status) VALUES (%s, 'pending')",
                [(i,) for i in ids],
            )
    with as_role(w.url, "authenticated", w.op1) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT public.claim_job('summary', 'intruder', 60)")
    counts = Counter(claim_until_empty(lambda name: claim(w.url, name), workers=6))
    assert set(counts) == set(ids) and max(counts.values()) == 1
    with psycopg.connect(w.url) as conn:
        rows = conn.execute(
            "SELECT status, attempts, lease_owner FROM public.recording_summaries WHERE recording_id = ANY(%s)", (ids,)
        ).fetchall()
    assert {(s, a) for s, a, _ in rows} == {("processing", 1)} and len({o for *_, o in rows}) > 1


def test_an_expired_lease_is_taken_back(summarised):
    w = summarised
    with psycopg.connect(w.url, autocommit=True) as conn:
        conn.execute("UPDATE public.recording_summaries SET status = 'completed'")
        conn.execute(
            "UPDATE public.recording_summaries SET status = 'pending' WHERE recording_id = %s", (w.recordings["a"],)
        )
    assert claim(w.url, "dead", lease=0) == w.recordings["a"]
    assert claim(w.url, "rescuer") == w.recordings["a"]
    with psycopg.connect(w.url) as conn:
        owner, attempts = conn.execute(
            "SELECT lease_owner, attempts FROM public.recording_summaries WHERE recording_id = %s", (w.recordings["a"],)
        ).fetchone()
    assert owner == "rescuer" and attempts == 2
