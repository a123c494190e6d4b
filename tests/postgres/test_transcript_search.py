"""Transcript search and the operator's requeue, as each role, on a real PostgreSQL."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.postgres.conftest import as_role

pytestmark = pytest.mark.postgres

_SEARCH = "SELECT recording_id, text FROM public.search_transcripts(%s::text[])"


@pytest.fixture(scope="module")
def cues(world):
    """Each client's recording says something of its own, plus one word they all share."""
    lines = {
        "a": "Bonjour, la réunion budget commence",
        "b": "Point sur le budget annuel",
        "c": "Réunion secrète de l'autre opérateur",
    }
    with psycopg.connect(world.url, autocommit=True) as conn:
        for name, text in lines.items():
            conn.execute(
                "INSERT INTO public.transcript_cues (recording_id, position, start_seconds, end_seconds, text) "
                "VALUES (%s, 0, 1.5, 3.0, %s), (%s, 1, 3.0, 4.0, 'commun partagé')",
                (world.recordings[name], text, world.recordings[name]),
            )
    return lines


def hits(conn, *words: str) -> set[uuid.UUID]:
    return {row[0] for row in conn.execute(_SEARCH, (list(words),))}


def test_each_role_finds_only_what_it_may_read(world, cues):
    everyone = set(world.recordings.values())
    with as_role(world.url, "authenticated", world.a) as conn:
        assert hits(conn, "commun") & everyone == {world.recordings["a"]}
    with as_role(world.url, "authenticated", world.op1) as conn:
        assert hits(conn, "commun") & everyone == {world.recordings["a"], world.recordings["b"]}
    with as_role(world.url, "authenticated", world.analyst) as conn:
        assert hits(conn, "commun") & everyone == {world.recordings["a"], world.recordings["b"]}
    with as_role(world.url, "authenticated", world.op2) as conn:
        assert hits(conn, "commun") & everyone == {world.recordings["c"]}
    with as_role(world.url, "authenticated", uuid.uuid4()) as conn:
        assert hits(conn, "commun") == set()
    with as_role(world.url, "service_role") as conn:
        assert hits(conn, "commun") >= everyone


def test_anon_can_neither_search_nor_read_cues(world, cues):
    with as_role(world.url, "anon") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            hits(conn, "commun")
    with as_role(world.url, "anon") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT text FROM public.transcript_cues")


def test_only_the_service_role_writes_cues(world, cues):
    with as_role(world.url, "authenticated", world.op1) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO public.transcript_cues (recording_id, position, start_seconds, end_seconds, text) "
                "VALUES (%s, 9, 0, 1, 'faux')",
                (world.recordings["a"],),
            )
    with as_role(world.url, "authenticated", world.op1) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM public.transcript_cues")
    with as_role(world.url, "service_role") as conn:
        conn.execute(
            "INSERT INTO public.transcript_cues (recording_id, position, start_seconds, end_seconds, text) "
            "VALUES (%s, 9, 0, 1, 'écrit par le worker')",
            (world.recordings["a"],),
        )


def test_words_all_required_last_one_a_prefix_accents_and_case_ignored(world, cues):
    with as_role(world.url, "authenticated", world.op1) as conn:
        assert hits(conn, "REUNION") == {world.recordings["a"]}
        assert hits(conn, "budget", "reu") == {world.recordings["a"]}  # b says budget but not réunion
        assert hits(conn, "budg") == {world.recordings["a"], world.recordings["b"]}
        assert hits(conn, "reu", "budget") == set()  # only the last word is a prefix
        rows = conn.execute(
            "SELECT start_seconds, end_seconds, meeting_title, language FROM public.search_transcripts(%s::text[])",
            (["annuel"],),
        ).fetchall()
        assert rows == [(1.5, 3.0, "Meeting b", "fr")]


@pytest.mark.parametrize("words", [["'"], ["\\"], ["a & b"], ["!:*"], [")", "("], [""], [], ["x'; DROP TABLE y; --"]])
def test_hostile_or_empty_words_are_inert(world, cues, words):
    with as_role(world.url, "authenticated", world.op1) as conn:
        assert hits(conn, *words) == set()


def test_filters_narrow_the_hits(world, cues):
    with as_role(world.url, "authenticated", world.op1) as conn:
        one_client = conn.execute(
            "SELECT recording_id FROM public.search_transcripts(%s::text[], client => %s)", (["commun"], world.b)
        ).fetchall()
        assert {r[0] for r in one_client} == {world.recordings["b"]}
        assert (
            conn.execute(
                "SELECT count(*) FROM public.search_transcripts(%s::text[], lang => 'en')", (["commun"],)
            ).fetchone()[0]
            == 0
        )
        assert (
            conn.execute(
                "SELECT count(*) FROM public.search_transcripts(%s::text[], "
                "scheduled_from => now() + interval '1 day')",
                (["commun"],),
            ).fetchone()[0]
            == 0
        )
        # A scope given by the caller narrows further; it can never widen what RLS allows.
        assert (
            conn.execute(
                "SELECT count(*) FROM public.search_transcripts(%s::text[], operator_scope => %s)",
                (["commun"], world.op2),
            ).fetchone()[0]
            == 0
        )


def test_deleting_a_recording_deletes_its_cues(world):
    with psycopg.connect(world.url, autocommit=True) as conn:
        recording = uuid.uuid4()
        conn.execute(
            "INSERT INTO public.meeting_recordings (id, meeting_id, source_recording_id, recording_url, "
            "file_size_bytes) VALUES (%s, %s, 'gone', 'recordings/x/y.mp4', 1)",
            (recording, world.meetings["a"]),
        )
        conn.execute(
            "INSERT INTO public.transcript_cues (recording_id, position, start_seconds, end_seconds, text) "
            "VALUES (%s, 0, 0, 1, 'éphémère')",
            (recording,),
        )
        conn.execute("DELETE FROM public.meeting_recordings WHERE id = %s", (recording,))
        assert (
            conn.execute(
                "SELECT count(*) FROM public.transcript_cues WHERE recording_id = %s", (recording,)
            ).fetchone()[0]
            == 0
        )


# -- requeue_transcription -----------------------------------------------------------------------
@pytest.fixture
def failed_recording(world):
    recording = uuid.uuid4()
    with psycopg.connect(world.url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO public.meeting_recordings (id, meeting_id, source_recording_id, recording_url, "
            "file_size_bytes, transcription_status, attempts, last_error) "
            "VALUES (%s, %s, %s, 'recordings/x/r.mp4', 1, 'failed', 3, 'boom')",
            (recording, world.meetings["a"], str(recording)),
        )
    return recording


def requeue(conn, recording, lang=None, only_if=("failed",)) -> bool:
    return conn.execute(
        "SELECT public.requeue_transcription(%s, %s, %s::text[])", (recording, lang, list(only_if))
    ).fetchone()[0]


def status(world, recording) -> tuple:
    with psycopg.connect(world.url) as conn:
        return conn.execute(
            "SELECT transcription_status, attempts, last_error, transcription_language "
            "FROM public.meeting_recordings WHERE id = %s",
            (recording,),
        ).fetchone()


@pytest.mark.parametrize("who", ["a", "b", "op2", "analyst"])
def test_only_the_meetings_operator_requeues(world, failed_recording, who):
    with as_role(world.url, "authenticated", getattr(world, who)) as conn:
        assert requeue(conn, failed_recording) is False
        conn.commit()
    assert status(world, failed_recording) == ("failed", 3, "boom", "fr")


def test_operator_retries_and_changes_language(world, failed_recording):
    with as_role(world.url, "authenticated", world.op1) as conn:
        assert requeue(conn, failed_recording, lang="en") is True
        conn.commit()
    assert status(world, failed_recording) == ("pending", 0, None, "en")
    with as_role(world.url, "authenticated", world.op1) as conn:  # not failed any more
        assert requeue(conn, failed_recording) is False


@pytest.mark.parametrize("lang, only_if", [("english", ("failed",)), ("e'n", ("failed",)), (None, ("processing",))])
def test_requeue_refuses_bad_arguments(world, failed_recording, lang, only_if):
    with as_role(world.url, "authenticated", world.op1) as conn:
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            requeue(conn, failed_recording, lang=lang, only_if=only_if)
    assert status(world, failed_recording)[0] == "failed"


def test_anon_cannot_requeue(world, failed_recording):
    with as_role(world.url, "anon") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            requeue(conn, failed_recording)


def test_search_narrows_to_one_speaker(world, cues):
    with psycopg.connect(world.url, autocommit=True) as conn:
        conn.execute(
            "UPDATE public.transcript_cues SET speaker = 'Claire Martin' WHERE recording_id = %s AND position = 0",
            (world.recordings["a"],),
        )
    with as_role(world.url, "authenticated", world.op1) as conn:
        said = conn.execute(
            "SELECT recording_id, speaker, text FROM public.search_transcripts(%s::text[], who => 'Claire Martin')",
            (["budget"],),
        ).fetchall()
        assert said == [(world.recordings["a"], "Claire Martin", cues["a"])]
        assert (
            conn.execute(
                "SELECT count(*) FROM public.search_transcripts(%s::text[], who => 'Personne')", (["budget"],)
            ).fetchone()[0]
            == 0
        )
    with as_role(world.url, "authenticated", world.c) as conn:  # RLS still decides what a name can reveal
        assert (
            conn.execute(
                "SELECT count(*) FROM public.search_transcripts(%s::text[], who => 'Claire Martin')", (["budget"],)
            ).fetchone()[0]
            == 0
        )
