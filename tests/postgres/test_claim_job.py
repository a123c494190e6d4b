"""`claim_job`, the one claim function every queue shares, on a real PostgreSQL: its whitelist,
who may call it, SKIP LOCKED between open transactions, and the upgrade of a project that had
one function per queue. Each queue's claims under concurrency are in test_claim.py,
test_summaries.py and test_openvidu_downloads.py."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.postgres.conftest import EMULATION, MIGRATIONS, as_role
from visio_core.services.queues import QUEUES

pytestmark = pytest.mark.postgres


@pytest.fixture
def two_downloads(world):
    """Two pending downloads of a fresh meeting; the queue is emptied first."""
    with psycopg.connect(world.url, autocommit=True) as conn:
        conn.execute("DELETE FROM public.openvidu_downloads")
        meeting = conn.execute(
            "INSERT INTO public.meetings (client_id, operator_id, title, scheduled_at) VALUES (%s, %s, 'q', now()) "
            "RETURNING id",
            (world.a, world.op1),
        ).fetchone()[0]
        for n in (1, 2):
            conn.execute(
                "INSERT INTO public.openvidu_downloads (recording_id, session_id, meeting_id, state, source, "
                "next_attempt_at) VALUES (%s, 's', %s, 'pending', 'webhook', now() - make_interval(secs => %s))",
                (f"rec-{n}", meeting, 10 - n),  # rec-1 is due first
            )
    return ["rec-1", "rec-2"]


def test_the_whitelist_is_the_queues_the_python_side_describes(pg_url):
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            "SELECT name, table_name, key_column, status_column, due, leased, order_by, progress_column "
            "FROM visio_private.lease_queues ORDER BY name"
        ).fetchall()
    described = sorted((q.name, q.table, q.key, q.status, q.due, q.leased, list(q.order), q.progress) for q in QUEUES)
    assert [tuple(r) for r in rows] == described


@pytest.mark.parametrize("queue", ["nope", "meeting_recordings", "transcription; DROP TABLE public.meetings", ""])
def test_a_queue_off_the_whitelist_is_refused_and_changes_nothing(world, queue):
    with as_role(world.url, "service_role") as conn:
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="unknown queue"):
            conn.execute("SELECT public.claim_job(%s, 'w', 60)", (queue,))
    with psycopg.connect(world.url) as conn:
        assert conn.execute("SELECT count(*) FROM public.meetings").fetchone()[0] >= 3


@pytest.mark.parametrize("role", ["authenticated", "anon"])
@pytest.mark.parametrize("queue", [q.name for q in QUEUES] + ["nope"])
def test_only_the_service_role_may_call_it_for_any_queue(world, role, queue):
    with as_role(world.url, role, world.op1 if role == "authenticated" else None) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT public.claim_job(%s, 'intruder', 60)", (queue,))


@pytest.mark.parametrize("role", ["authenticated", "anon"])
def test_the_whitelist_is_hidden_from_users(world, role):
    with as_role(world.url, role, world.op1 if role == "authenticated" else None) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM visio_private.lease_queues").fetchall()


@pytest.mark.parametrize("function", ["claim_transcription_job", "claim_summary_job", "claim_openvidu_download"])
def test_the_functions_of_one_queue_each_are_gone(world, function):
    with as_role(world.url, "service_role") as conn:
        with pytest.raises(psycopg.errors.UndefinedFunction):
            conn.execute(f"SELECT * FROM public.{function}('w', 60)")


def test_a_row_locked_by_an_open_claim_is_skipped_and_nothing_due_is_null(world, two_downloads):
    with as_role(world.url, "service_role") as first, as_role(world.url, "service_role") as second:
        (held,) = first.execute("SELECT public.claim_job('openvidu_download', 'w1', 60)").fetchone()
        (other,) = second.execute("SELECT public.claim_job('openvidu_download', 'w2', 60)").fetchone()
        assert (held["recording_id"], other["recording_id"]) == ("rec-1", "rec-2")  # not waiting: skipped
        assert held["state"] == "downloading" and held["lease_owner"] == "w1" and held["attempts"] == 1
        (nothing,) = second.execute("SELECT public.claim_job('openvidu_download', 'w2', 60)").fetchone()
        assert nothing is None


def test_a_claim_resets_progress_and_stamps_the_row_where_the_queue_keeps_them(world):
    with psycopg.connect(world.url, autocommit=True) as conn:
        conn.execute("UPDATE public.meeting_recordings SET transcription_status = 'completed'")
        rid = uuid.uuid4()
        conn.execute(
            "INSERT INTO public.meeting_recordings (id, meeting_id, source_recording_id, recording_url, "
            "file_size_bytes, progress, updated_at) VALUES (%s, %s, %s, 'recordings/s/x.webm', 1, 0.7, "
            "now() - interval '1 day')",
            (rid, world.meetings["a"], str(rid)),
        )
    with as_role(world.url, "service_role") as conn:
        (row,) = conn.execute("SELECT public.claim_job('transcription', 'w', 60)").fetchone()
        stamped = conn.execute(
            "SELECT updated_at > now() - interval '1 minute', lease_expires_at > now() "
            "FROM public.meeting_recordings WHERE id = %s",
            (rid,),
        ).fetchone()
    assert row["id"] == str(rid) and row["progress"] == 0 and row["transcription_status"] == "processing"
    assert stamped == (True, True)


def test_a_project_with_a_leased_download_upgrades_keeping_its_lease(pg_server):
    """The migration renames openvidu_downloads.lease_until: a lease held during the upgrade stays held."""
    with psycopg.connect(pg_server + "/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE upgrade")
    last = MIGRATIONS[-1]
    assert last.name.endswith("_visio_one_claim_function.sql")
    with psycopg.connect(pg_server + "/upgrade", autocommit=True) as conn:
        conn.execute(EMULATION.read_text())
        for migration in MIGRATIONS[:-1]:
            conn.execute(migration.read_text())
        operator, client = uuid.uuid4(), uuid.uuid4()
        for person, role, owner in ((operator, "operator", None), (client, "client", operator)):
            conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)", (person, f"{person}@x.io"))
            conn.execute(
                "INSERT INTO public.profiles (id, email, display_name, role, operator_id) VALUES (%s, %s, 'P', %s, %s)",
                (person, f"{person}@x.io", role, owner),
            )
        meeting = conn.execute(
            "INSERT INTO public.meetings (client_id, operator_id, title, scheduled_at) VALUES (%s, %s, 'm', now()) "
            "RETURNING id",
            (client, operator),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO public.openvidu_downloads (recording_id, session_id, meeting_id, state, source, "
            "lease_owner, lease_until) VALUES ('held', 's', %s, 'downloading', 'webhook', 'w1', now() + interval '1 hour')",
            (meeting,),
        )
        conn.execute(last.read_text())
        columns = {
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'openvidu_downloads'"
            )
        }
        assert "lease_expires_at" in columns and "lease_until" not in columns
        conn.execute("SET ROLE service_role")
        assert conn.execute("SELECT public.claim_job('openvidu_download', 'w2', 60)").fetchone()[0] is None
        owner = conn.execute("SELECT lease_owner FROM public.openvidu_downloads WHERE recording_id = 'held'")
        assert owner.fetchone()[0] == "w1"
