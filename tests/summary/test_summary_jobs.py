"""Summaries end to end below the page: transcription asks for one, the job runner writes it with the
chat model configured by environment variables (a strict fake on loopback), corrections make it stale,
and who may read or ask for a new one."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from tests.conftest import FAST_HASHER
from tests.summary.conftest import KEY, LINES, Scripted, summary_settings
from visio_core.domain.errors import Forbidden, IllegalTransition, InvalidInput, NotFound
from visio_core.domain.srt import Cue
from visio_core.domain.summary import line
from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.config import Settings
from visio_core.services.jobs import JobRunner


def run_jobs(ctx) -> int:
    return JobRunner(ctx.job_kinds(), clock=ctx.clock).run_until_idle()


def test_a_transcript_gets_its_summary_with_items_at_their_lines(ctx, people, chat, transcribed):
    _, recording = transcribed
    assert ctx.summaries.state(people.op1, recording.id).status == "pending"  # asked for by the transcription
    assert run_jobs(ctx) == 1
    state = ctx.summaries.state(people.client_a, recording.id)
    assert state.status == "completed" and state.last_error is None
    summary = state.summary
    assert summary.overview == "Lignes 1 à 5 (5 répliques)." and summary.model == "resume-test"
    assert [(d.position, d.start) for d in summary.decisions] == [(1, 3.0)]
    assert [(a.owner, a.text, a.start) for a in summary.actions] == [
        ("Bruno", "Bruno doit envoyer le devis avant vendredi.", 7.5),
        ("Claire", "Claire doit relire le contrat signé.", 14.0),
    ]
    (request,) = chat.received
    assert request.authorization == f"Bearer {KEY}"
    assert [m["role"] for m in request.messages] == ["system", "user"]
    assert "[#3 00:07] Claire: Bruno doit envoyer le devis avant vendredi." in request.user
    assert all(line(n, cue) in request.user for n, cue in enumerate(LINES))


LONG = [
    Cue(
        n + 1,
        n * 4.0,
        n * 4.0 + 3.5,
        f"Nous avons décidé du point {n}."
        if n % 10 == 3
        else f"Sophie doit préparer la note {n}."
        if n % 10 == 7
        else f"Discussion sur le sujet numéro {n}.",
        "Claire" if n % 2 else "MiKL",
    )
    for n in range(60)
]


@pytest.mark.parametrize(("cues", "summary_env"), [(LONG, {"VISIO_SUMMARY_CHUNK_CHARS": "700"})])
def test_a_long_meeting_is_summarised_in_chunks_then_merged(ctx, people, chat, transcribed):
    _, recording = transcribed
    run_jobs(ctx)
    summary = ctx.summaries.state(people.op1, recording.id).summary
    *parts, merge = chat.received
    assert len(parts) == summary.chunks >= 3
    seen = []
    for part in parts:  # each part carries whole lines, in order, within the chunk size
        numbers = [int(raw[2:].split()[0]) for raw in part.user.splitlines() if raw.startswith("[#")]
        assert len("\n".join(r for r in part.user.splitlines() if r.startswith("[#"))) < 700
        seen += numbers
    assert seen == list(range(1, 61))
    assert merge.is_merge and '"cue": 4' in merge.user and "[#" not in merge.user
    assert summary.overview.startswith("Synthèse : Lignes 1 à")
    assert [d.start for d in summary.decisions] == [n * 4.0 for n in range(60) if n % 10 == 3]
    assert [(a.owner, a.start) for a in summary.actions] == [("Sophie", n * 4.0) for n in range(60) if n % 10 == 7]


def test_items_the_model_invents_are_dropped(ctx, people, chat, transcribed):
    _, recording = transcribed
    chat.invent = True
    run_jobs(ctx)
    summary = ctx.summaries.state(people.op1, recording.id).summary
    assert summary.dropped == 1 and "Action inventée" not in [a.text for a in summary.actions]


def test_a_server_still_failing_is_tried_again_later(ctx, people, chat, clock, transcribed):
    _, recording = transcribed
    chat.fail_next += [(503, {"retry-after-ms": "1"})] * 3  # the SDK's own tries: 1 + 2 retries
    run_jobs(ctx)
    state = ctx.summaries.state(people.op1, recording.id)
    assert state.status == "pending" and "ne répond pas" in state.last_error and "HTTP 503" in state.last_error
    assert run_jobs(ctx) == 0  # not before the retry policy's delay
    clock.now += timedelta(seconds=31)
    assert run_jobs(ctx) == 1
    assert ctx.summaries.state(people.op1, recording.id).status == "completed"


def test_a_refused_key_fails_at_once_with_a_clear_message(ctx, people, chat, transcribed):
    _, recording = transcribed
    chat.api_key = f"other-{secrets.token_hex(8)}"
    run_jobs(ctx)
    state = ctx.summaries.state(people.op1, recording.id)
    assert state.status == "failed" and state.attempts == 1 and state.summary is None
    assert state.last_error == "Le serveur du modèle refuse la clé d'API (OPENAI_API_KEY) : vérifiez-la."
    assert not chat.received


def test_corrections_make_it_stale_and_a_new_one_reads_them(ctx, people, chat, transcribed):
    _, recording = transcribed
    run_jobs(ctx)
    corrected = ctx.recordings.correct_cue(people.analyst, recording.id, 3, "Il faut revoir le budget 2027.", 0)
    state = ctx.summaries.state(people.analyst, recording.id)
    assert state.summary.stale(corrected.cues)
    ctx.summaries.regenerate(people.analyst, recording.id)
    pending = ctx.summaries.state(people.analyst, recording.id)
    assert pending.busy and pending.summary == state.summary  # the last one stays while the new one is made
    with pytest.raises(IllegalTransition, match="déjà en cours"):
        ctx.summaries.regenerate(people.op1, recording.id)
    run_jobs(ctx)
    fresh = ctx.summaries.state(people.analyst, recording.id).summary
    assert not fresh.stale(corrected.cues) and "budget 2027" in chat.received[-1].user


def test_who_may_read_and_who_may_ask_again(ctx, people, transcribed):
    _, recording = transcribed
    run_jobs(ctx)
    for reader in (people.op1, people.analyst, people.client_a):
        assert ctx.summaries.state(reader, recording.id).summary is not None
    for stranger in (people.client_b, people.client_c, people.op2):
        with pytest.raises(NotFound):
            ctx.summaries.state(stranger, recording.id)
        with pytest.raises(NotFound):
            ctx.summaries.regenerate(stranger, recording.id)
    with pytest.raises(Forbidden):
        ctx.summaries.regenerate(people.client_a, recording.id)
    assert ctx.summaries.state(people.op1, recording.id).status == "completed"  # nothing asked
    ctx.summaries.regenerate(people.op1, recording.id)
    assert ctx.summaries.state(people.op1, recording.id).status == "pending"


def test_bad_ids_are_refused_and_change_nothing(ctx, people, transcribed):
    with pytest.raises(InvalidInput):
        ctx.summaries.regenerate(people.op1, "pas-un-id")


def test_without_a_chat_model_nothing_is_asked_or_sent(tmp_path, chat, engine, people, meeting_media):
    only_whisper = Settings.load(
        env={"VISIO_DATA_DIR": str(tmp_path / "plain"), "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": chat.base_url},
        secrets_file=tmp_path / "none.toml",
    )
    plain = build_context(only_whisper, engine=engine, hasher=FAST_HASHER, transcriber=lambda: Scripted(LINES))
    try:
        assert plain.settings.summary_backend is None and not plain.summaries.configured
        assert [k.name for k in plain.job_kinds()] == ["transcription"]
        op = plain.accounts.add_user(
            email="o@example.com", display_name="Op", role=people.op1.role, password="correct-horse-battery"
        )
        client = plain.accounts.add_user(
            email="c@example.com",
            display_name="C",
            role=people.client_a.role,
            password="correct-horse-battery",
            operator_id=op.id,
        )
        meeting = plain.meetings.create_meeting(
            op, client_id=client.id, title="Sans résumé", scheduled_at=plain.clock() + timedelta(days=1)
        )
        plain.meetings.start_meeting(op, meeting.id)
        plain.meetings.end_meeting(op, meeting.id)
        recording = plain.ingest.ingest_file(meeting.id, meeting_media, source_recording_id="s")[0]
        assert run_jobs(plain) == 1
        assert plain.summaries.state(op, recording.id) is None and not chat.received
        with pytest.raises(InvalidInput, match="VISIO_SUMMARY_MODEL"):
            plain.summaries.regenerate(op, recording.id)
        assert plain.backends()["summary"] == "off"
    finally:
        plain.db.close()


def test_settings_name_the_chat_model_and_keep_the_key_out_of_repr(tmp_path, chat):
    settings = summary_settings(tmp_path, chat, VISIO_SUMMARY_CHUNK_CHARS="10")
    assert settings.summary_backend == "openai" and settings.summary_model == "resume-test"
    assert settings.summary_chunk_chars == 500  # a floor: a chunk holds at least a few lines
    assert KEY not in repr(settings)
