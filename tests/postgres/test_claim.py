"""The job-claiming function under concurrency, on a real PostgreSQL."""

from __future__ import annotations

import uuid
from collections import Counter

import psycopg
import pytest

from tests.postgres.conftest import as_role, claim_until_empty

pytestmark = pytest.mark.postgres


@pytest.fixture
def jobs(world):
    """200 pending recordings on a fresh meeting; other pending jobs are cleared first."""
    with psycopg.connect(world.url, autocommit=True) as conn:
        conn.execute("UPDATE public.meeting_recordings SET transcription_status = 'completed'")
        meeting = conn.execute(
            "INSERT INTO public.meetings (client_id, operator_id, title, scheduled_at) VALUES (%s, %s, 'jobs', now()) "
            "RETURNING id",
            (world.a, world.op1),
        ).fetchone()[0]
        ids = [uuid.uuid4() for _ in range(200)]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO public.meeting_recordings (id, meeting_id, source_recording_id, recording_url, file_size_bytes) "
                "VALUES (%s, %s, %s, %s, 1)",
                [(i, meeting, str(i), f"recordings/s/{i}.webm") for i in ids],
            )
    return ids


def claim(url: str, worker: str, lease: int = 300):
    with as_role(url, "service_role") as conn:
        (row,) = conn.execute("SELECT public.claim_job('transcription', %s, %s)", (worker, lease)).fetchone()
        conn.commit()
        return uuid.UUID(row["id"]) if row else None


def test_concurrent_workers_claim_each_job_exactly_once(world, jobs):
    counts = Counter(claim_until_empty(lambda name: claim(world.url, name), workers=8))
    assert set(counts) == set(jobs) and max(counts.values()) == 1
    with psycopg.connect(world.url) as conn:
        states = dict(
            conn.execute(
                "SELECT transcription_status, count(*) FROM public.meeting_recordings WHERE id = ANY(%s) GROUP BY 1",
                (jobs,),
            ).fetchall()
        )
        assert states == {"processing": 200}
        owners = {
            r[0] for r in conn.execute("SELECT lease_owner FROM public.meeting_recordings WHERE id = ANY(%s)", (jobs,))
        }
        assert len(owners) > 1  # the work was actually shared


def test_expired_lease_makes_a_job_claimable_again(world, jobs):
    first = claim(world.url, "slow", lease=0)
    with psycopg.connect(world.url, autocommit=True) as conn:  # every other job is done
        conn.execute("UPDATE public.meeting_recordings SET transcription_status = 'completed' WHERE id <> %s", (first,))
    assert claim(world.url, "rescuer") == first
    with psycopg.connect(world.url) as conn:
        owner, attempts = conn.execute(
            "SELECT lease_owner, attempts FROM public.meeting_recordings WHERE id = %s", (first,)
        ).fetchone()
    assert owner == "rescuer" and attempts == 2


def test_only_the_service_role_may_claim(world, jobs):
    with as_role(world.url, "authenticated", world.op1) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT public.claim_job('transcription', 'intruder', 60)")
