"""The shared OpenVidu download queue on a real PostgreSQL: claims under concurrency, leases, and who may touch it."""

from __future__ import annotations

from collections import Counter

import psycopg
import pytest

from tests.postgres.conftest import as_role, claim_until_empty

pytestmark = pytest.mark.postgres


@pytest.fixture
def queued(world):
    """100 pending downloads of one meeting; the queue is emptied first."""
    with psycopg.connect(world.url, autocommit=True) as conn:
        conn.execute("DELETE FROM public.openvidu_downloads")
        meeting = conn.execute(
            "INSERT INTO public.meetings (client_id, operator_id, title, scheduled_at) VALUES (%s, %s, 'ov', now()) "
            "RETURNING id",
            (world.a, world.op1),
        ).fetchone()[0]
        ids = [f"visio-{meeting}~{i}" for i in range(100)]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO public.openvidu_downloads (recording_id, session_id, meeting_id, state, source) "
                "VALUES (%s, %s, %s, 'pending', 'webhook')",
                [(i, f"visio-{meeting}", meeting) for i in ids],
            )
    return ids


def claim(url: str, worker: str, lease: int = 1800) -> str | None:
    with as_role(url, "service_role") as conn:
        (row,) = conn.execute("SELECT public.claim_job('openvidu_download', %s, %s)", (worker, lease)).fetchone()
        conn.commit()
        return row["recording_id"] if row else None


def test_workers_on_many_machines_claim_each_download_once(world, queued):
    counts = Counter(claim_until_empty(lambda name: claim(world.url, name), workers=6))
    assert set(counts) == set(queued) and max(counts.values()) == 1
    with psycopg.connect(world.url) as conn:
        states = dict(conn.execute("SELECT state, count(*) FROM public.openvidu_downloads GROUP BY 1").fetchall())
    assert states == {"downloading": 100}


def test_a_dead_workers_download_is_taken_back_when_its_lease_ends(world, queued):
    first = claim(world.url, "dead", lease=0)
    with psycopg.connect(world.url, autocommit=True) as conn:
        conn.execute("UPDATE public.openvidu_downloads SET state = 'ingested' WHERE recording_id <> %s", (first,))
    assert claim(world.url, "rescuer") == first
    with psycopg.connect(world.url) as conn:
        owner, attempts = conn.execute(
            "SELECT lease_owner, attempts FROM public.openvidu_downloads WHERE recording_id = %s", (first,)
        ).fetchone()
    assert owner == "rescuer" and attempts == 2
    assert claim(world.url, "another") is None


@pytest.mark.parametrize("role", ["authenticated", "anon"])
def test_signed_in_users_and_strangers_see_and_claim_nothing(world, queued, role):
    with as_role(world.url, role, world.op1 if role == "authenticated" else None) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT recording_id FROM public.openvidu_downloads").fetchall()
    with as_role(world.url, role, world.op1 if role == "authenticated" else None) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT public.claim_job('openvidu_download', 'intruder', 60)")
