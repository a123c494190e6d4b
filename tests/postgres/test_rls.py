"""Row-level security of the Supabase migrations, on a real PostgreSQL, role by role."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest

from tests.postgres.conftest import apply_schema, as_role

pytestmark = pytest.mark.postgres


def visible(conn, table: str) -> set:
    return {row[0] for row in conn.execute(f"SELECT id FROM {table}")}


def owners(conn, column: str) -> set:
    """Who the visible meetings belong to (other tests add meetings of their own)."""
    return {row[0] for row in conn.execute(f"SELECT DISTINCT {column} FROM public.meetings")}


def test_migrations_apply_from_empty(pg_server):
    with psycopg.connect(pg_server + "/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE fresh")
    with psycopg.connect(pg_server + "/fresh", autocommit=True) as conn:
        apply_schema(conn)
        tables = {
            r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND rowsecurity")
        }
        assert {"profiles", "meetings", "meeting_recordings"} <= tables
        forced = {r[0] for r in conn.execute("SELECT relname FROM pg_class WHERE relforcerowsecurity")}
        assert {"profiles", "meetings", "meeting_recordings"} <= forced
        assert conn.execute("SELECT count(*) FROM storage.buckets WHERE NOT public").fetchone()[0] == 2


def test_client_sees_only_his_meetings_recordings_and_files(world):
    with as_role(world.url, "authenticated", world.a) as conn:
        assert world.meetings["a"] in visible(conn, "public.meetings") and owners(conn, "client_id") == {world.a}
        recordings = visible(conn, "public.meeting_recordings")
        assert world.recordings["a"] in recordings
        assert not recordings & {world.recordings["b"], world.recordings["c"]}
        names = {r[0] for r in conn.execute("SELECT name FROM storage.objects")}
        assert names and all(str(world.recordings["a"]) in n for n in names)
        assert len(names) == 6  # his video and his transcript's five files, nobody else's


def test_client_changes_nothing(world):
    with as_role(world.url, "authenticated", world.a) as conn:
        updated = conn.execute("UPDATE public.meetings SET status = 'cancelled' RETURNING id").fetchall()
        assert updated == []
    with as_role(world.url, "authenticated", world.a) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO public.meetings (client_id, operator_id, title, scheduled_at) VALUES (%s, %s, 'x', now())",
                (world.a, world.op1),
            )
    with as_role(world.url, "authenticated", world.a) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE public.meeting_recordings SET transcription_status = 'failed'")


def test_operator_sees_and_changes_only_his_clients_meetings(world):
    with as_role(world.url, "authenticated", world.op1) as conn:
        meetings = visible(conn, "public.meetings")
        assert {world.meetings["a"], world.meetings["b"]} <= meetings and world.meetings["c"] not in meetings
        assert owners(conn, "operator_id") == {world.op1}
        recordings = visible(conn, "public.meeting_recordings")
        assert {world.recordings["a"], world.recordings["b"]} <= recordings and world.recordings["c"] not in recordings
        assert (
            conn.execute(
                "UPDATE public.meetings SET title = 'x' WHERE id = %s RETURNING id", (world.meetings["c"],)
            ).fetchall()
            == []
        )
        assert (
            len(
                conn.execute(
                    "UPDATE public.meetings SET title = 'Renamed' WHERE id = %s RETURNING id", (world.meetings["a"],)
                ).fetchall()
            )
            == 1
        )


@pytest.mark.parametrize("client_attr", ["c", "op2", "analyst"])
def test_operator_cannot_create_or_move_meetings_outside_his_clients(world, client_attr):
    foreign = getattr(world, client_attr)
    with as_role(world.url, "authenticated", world.op1) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO public.meetings (client_id, operator_id, title, scheduled_at) VALUES (%s, %s, 'x', now())",
                (foreign, world.op1),
            )
    with as_role(world.url, "authenticated", world.op1) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE public.meetings SET client_id = %s WHERE id = %s", (foreign, world.meetings["a"]))
    with as_role(world.url, "authenticated", world.op1) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # nor give it to another operator
            conn.execute("UPDATE public.meetings SET operator_id = %s WHERE id = %s", (world.op2, world.meetings["a"]))


def test_operator_creates_for_his_client(world):
    with as_role(world.url, "authenticated", world.op1) as conn:
        new = conn.execute(
            "INSERT INTO public.meetings (client_id, operator_id, title, scheduled_at) VALUES (%s, %s, 'Nouveau', now()) "
            "RETURNING id",
            (world.b, world.op1),
        ).fetchone()[0]
        assert new in visible(conn, "public.meetings")


def test_analyst_reads_his_operators_meetings_and_changes_none(world):
    with as_role(world.url, "authenticated", world.analyst) as conn:
        meetings = visible(conn, "public.meetings")
        assert {world.meetings["a"], world.meetings["b"]} <= meetings and world.meetings["c"] not in meetings
        assert owners(conn, "operator_id") == {world.op1}
        recordings = visible(conn, "public.meeting_recordings")
        assert {world.recordings["a"], world.recordings["b"]} <= recordings and world.recordings["c"] not in recordings
        assert conn.execute("UPDATE public.meetings SET title = 'x' RETURNING id").fetchall() == []


def test_anon_sees_nothing(world):
    for table in ("public.meetings", "public.meeting_recordings", "public.profiles"):
        with as_role(world.url, "anon") as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT id FROM {table}")
    with as_role(world.url, "anon") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT name FROM storage.objects")


def test_an_unknown_signed_in_user_sees_nothing(world):
    with as_role(world.url, "authenticated", uuid.uuid4()) as conn:
        assert visible(conn, "public.meetings") == set()
        assert visible(conn, "public.meeting_recordings") == set()
        assert conn.execute("SELECT count(*) FROM storage.objects").fetchone()[0] == 0


def test_service_role_sees_and_writes_everything(world):
    with as_role(world.url, "service_role") as conn:
        assert set(world.meetings.values()) <= visible(conn, "public.meetings")
        assert len(conn.execute("UPDATE public.meeting_recordings SET progress = 0.5 RETURNING id").fetchall()) >= 3


def test_profiles_visibility(world):
    with as_role(world.url, "authenticated", world.a) as conn:
        assert visible(conn, "public.profiles") == {world.a, world.op1}
    with as_role(world.url, "authenticated", world.op1) as conn:
        assert visible(conn, "public.profiles") == {world.op1, world.a, world.b, world.analyst}


def test_concurrent_starts_exactly_one_wins(world):
    """The service's compare-and-set transition works under RLS: one of two racing updates wins."""
    with psycopg.connect(world.url, autocommit=True) as conn:
        meeting = conn.execute(
            "INSERT INTO public.meetings (client_id, operator_id, title, scheduled_at) VALUES (%s, %s, 'race', now()) "
            "RETURNING id",
            (world.a, world.op1),
        ).fetchone()[0]
    barrier, results = threading.Barrier(4), []

    def start() -> None:
        with as_role(world.url, "authenticated", world.op1) as conn:
            barrier.wait()
            rows = conn.execute(
                "UPDATE public.meetings SET status = 'in_progress', started_at = now() "
                "WHERE id = %s AND status = 'scheduled' RETURNING id",
                (meeting,),
            ).fetchall()
            conn.commit()
            results.append(len(rows))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == [0, 0, 0, 1]


def test_storage_objects_follow_the_recordings(world):
    def names(conn) -> set[str]:
        return {r[0] for r in conn.execute("SELECT bucket_id || '/' || name FROM storage.objects")}

    with as_role(world.url, "authenticated", world.op1) as conn:
        seen = names(conn)
    with as_role(world.url, "authenticated", world.analyst) as conn:
        assert names(conn) == seen
    for mine in ("a", "b"):
        for kind in ("srt", "json", "vtt", "docx", "edited.srt"):  # every file of the transcript, not only the SRT
            assert f"transcripts/{world.recordings[mine]}.{kind}" in seen
    assert f"transcripts/{world.recordings['c']}.srt" not in seen
    assert not any(str(world.recordings["c"]) in n for n in seen)
    with as_role(world.url, "authenticated", world.c) as conn:
        assert all(str(world.recordings["c"]) in n for n in names(conn)) and len(names(conn)) == 6
