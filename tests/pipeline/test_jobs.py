"""Transcription jobs: claim, lease and reclaim, backoff, retry, language change, several workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import Clock
from tests.pipeline.stubs import StubTranscriber
from visio_core.domain.errors import IllegalTransition, InvalidInput
from visio_core.domain.model import TranscriptionStatus
from visio_core.domain.storage_keys import TRANSCRIPTS, transcript_key
from visio_core.services.jobs import JobRunner, TranscriptionJobs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ctx_clock(clock: Clock) -> Clock:
    return clock  # the whole context runs on the hand-driven clock


@pytest.fixture
def recording(ctx, meeting, speech_mp4, clock):
    return ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="src-1")[0]


MAX_ATTEMPTS = TranscriptionJobs.policy.max_attempts


def worker(ctx, clock, transcriber, name="w1", **kwargs) -> JobRunner:
    from visio_core.adapters.exports.docx_export import transcript_docx

    jobs = TranscriptionJobs(
        ctx.system_recordings,
        ctx.storage,
        lambda: transcriber,
        ctx.index,
        clock=clock,
        document=transcript_docx,
        **kwargs,
    )
    return JobRunner([jobs], clock=clock, worker_id=name)


def status(ctx, recording):
    return ctx.system_recordings.get(recording.id)


def test_claim_is_exclusive_and_completion_stores_the_srt(ctx, people, recording, clock):
    job = ctx.system_recordings.claim("a", clock(), timedelta(minutes=5))
    assert job.id == recording.id and job.transcription_status is TranscriptionStatus.PROCESSING
    assert job.attempts == 1 and job.lease_owner == "a"
    assert ctx.system_recordings.claim("b", clock(), timedelta(minutes=5)) is None

    clock.now += timedelta(minutes=6)  # lease ran out: another worker may take it
    stub = StubTranscriber(tag="w2")
    assert worker(ctx, clock, stub, "w2").run_once()
    done = status(ctx, recording)
    assert done.transcription_status is TranscriptionStatus.COMPLETED and done.attempts == 2
    assert done.transcript_url == f"transcripts/{recording.id}.srt"
    assert ctx.recordings.transcript(people.client_a, recording.id).cues[0].text == "transcrit par w2 en fr"
    # the first worker, back from the dead, cannot overwrite anything
    assert not ctx.system_recordings.complete(recording.id, "a", "transcripts/x.srt", clock())
    assert not ctx.system_recordings.renew(recording.id, "a", clock(), 0.5)


def test_failures_back_off_then_fail_with_the_reason(ctx, recording, clock):
    stub = StubTranscriber(fail_with=RuntimeError("le modèle a planté"))
    w = worker(ctx, clock, stub)
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert w.run_once()
        row = status(ctx, recording)
        assert row.attempts == attempt and row.last_error == "le modèle a planté"
        if attempt < MAX_ATTEMPTS:
            assert row.transcription_status is TranscriptionStatus.PENDING
            delays.append(row.next_attempt_at - clock())
            assert not w.run_once()  # not due yet
            clock.now = row.next_attempt_at
    assert delays == [timedelta(seconds=30), timedelta(seconds=60)]
    assert status(ctx, recording).transcription_status is TranscriptionStatus.FAILED
    assert not w.run_once()


def test_unreadable_media_fails_at_once(ctx, recording, clock):
    w = worker(ctx, clock, StubTranscriber(fail_with=InvalidInput("fichier illisible")))
    w.run_once()
    row = status(ctx, recording)
    assert row.transcription_status is TranscriptionStatus.FAILED and row.attempts == 1


def test_manual_retry_and_language_change(ctx, people, recording, clock):
    with pytest.raises(IllegalTransition):
        ctx.recordings.retry(people.op1, recording.id)  # pending is not failed
    worker(ctx, clock, StubTranscriber(fail_with=InvalidInput("x"))).run_once()
    ctx.recordings.retry(people.op1, recording.id)
    row = status(ctx, recording)
    assert row.transcription_status is TranscriptionStatus.PENDING and row.attempts == 0 and row.last_error is None

    stub = StubTranscriber()
    worker(ctx, clock, stub).run_once()
    assert status(ctx, recording).transcription_status is TranscriptionStatus.COMPLETED
    ctx.recordings.change_language(people.op1, recording.id, "EN")
    assert status(ctx, recording).transcription_language == "en"
    worker(ctx, clock, stub).run_once()
    assert stub.calls[-1][1] == "en"
    assert "en en" in ctx.recordings.transcript(people.op1, recording.id).cues[0].text

    ctx.system_recordings.requeue(recording.id, clock(), only_if=(TranscriptionStatus.COMPLETED,))
    ctx.system_recordings.claim("busy", clock(), timedelta(minutes=5))
    with pytest.raises(IllegalTransition):
        ctx.recordings.change_language(people.op1, recording.id, "fr")


@pytest.mark.slow
def test_progress_is_recorded_while_working(ctx, recording, clock):
    seen = []

    class Watching(StubTranscriber):
        def transcribe(self, media_path, *, language, on_progress=None, vocabulary=()):
            for share in (0.25, 0.5):
                on_progress(share)
                seen.append(ctx.system_recordings.get(recording.id).progress)
                time.sleep(1.05)  # heartbeats are throttled to one a second
            return super().transcribe(media_path, language=language)

    worker(ctx, clock, Watching()).run_once()
    assert seen[-1] == 0.5


WORKER_PROCESS = """
import sys
from datetime import timedelta
from pathlib import Path
from tests.conftest import FAST_HASHER
from tests.pipeline.stubs import StubTranscriber
from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.config import Settings
from visio_core.services.jobs import JobRunner, TranscriptionJobs
ctx = build_context(Settings.load(env={"VISIO_DATA_DIR": sys.argv[1]}, secrets_file=Path("/nonexistent")), hasher=FAST_HASHER)
stub = StubTranscriber(sleep=float(sys.argv[3]), log=Path(sys.argv[2]), tag=sys.argv[4])
jobs = TranscriptionJobs(ctx.system_recordings, ctx.storage, lambda: stub, lease=timedelta(seconds=float(sys.argv[5])))
w = JobRunner([jobs], worker_id=sys.argv[4])
print(w.run_until_idle())
"""


def spawn(ctx, log: Path, sleep: float, tag: str, lease: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER_PROCESS, str(ctx.settings.data_dir), str(log), str(sleep), tag, str(lease)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_concurrent_worker_processes_never_share_a_job(ctx, meeting, speech_mp4, tmp_path):
    ids = [ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id=f"src-{i}")[0].id for i in range(12)]
    log = tmp_path / "work.log"
    procs = [spawn(ctx, log, 0.2, f"p{i}", 300) for i in range(3)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert sum(int(out) for out, _ in outputs) == 12
    lines = log.read_text().split()
    processed = lines[0::3]
    assert sorted(processed) == sorted(str(i) for i in ids)  # each exactly once
    assert all(ctx.system_recordings.get(i).transcription_status is TranscriptionStatus.COMPLETED for i in ids)


@pytest.mark.slow
def test_a_worker_killed_mid_job_leaves_it_to_another(ctx, meeting, speech_mp4, tmp_path):
    recording = ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="src-kill")[0]
    log = tmp_path / "work.log"
    doomed = spawn(ctx, log, 60, "doomed", 2)
    deadline = time.monotonic() + 30
    while ctx.system_recordings.get(recording.id).transcription_status is not TranscriptionStatus.PROCESSING:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait()
    time.sleep(2.1)  # the lease runs out
    survivor = spawn(ctx, log, 0.1, "survivor", 300)
    out, err = survivor.communicate(timeout=60)
    assert survivor.returncode == 0, err
    row = ctx.system_recordings.get(recording.id)
    assert row.transcription_status is TranscriptionStatus.COMPLETED and row.attempts == 2
    transcripts = sorted(p.name for p in (ctx.settings.storage_dir / TRANSCRIPTS).iterdir())
    assert transcripts == [f"{recording.id}.{ext}" for ext in ("json", "srt", "txt", "vtt")]  # one of each
    assert "survivor" in (ctx.settings.storage_dir / TRANSCRIPTS / transcript_key(recording.id)).read_text()


def test_a_room_recording_is_transcribed_with_each_line_named(ctx, people, meeting, speech_mp4, clock, tmp_path):
    """The room's speaking timeline travels with its recording; every line of the transcript names its speaker."""
    from visio_core.domain import speakers
    from visio_core.domain.srt import Cue

    class TwoVoices:
        name = "stub"

        def transcribe(self, media_path, *, language, on_progress=None, vocabulary=()):
            return [
                Cue(1, 0.1, 1.4, "Bonjour Claire."),
                Cue(2, 1.6, 2.9, "Bonjour, merci pour l'invitation."),
                Cue(3, 3.0, 3.9, "Commençons."),
            ]

    timeline = tmp_path / "meeting.mp4.speakers.json"
    timeline.write_text(
        speakers.to_json(
            speakers.SpeakingTimeline(
                {
                    "MiKL": [-22.0] * 15 + [-85.0] * 15 + [-24.0] * 10,
                    "Claire Martin": [-80.0] * 15 + [-21.0] * 15 + [-90.0] * 10,
                }
            )
        )
    )
    recording, _ = ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="embedded:x", speaking=timeline)
    assert worker(ctx, clock, TwoVoices()).run_once()

    cues = ctx.recordings.transcript(people.client_a, recording.id).cues
    assert [(c.speaker, c.text) for c in cues] == [
        ("MiKL", "Bonjour Claire."),
        ("Claire Martin", "Bonjour, merci pour l'invitation."),
        ("MiKL", "Commençons."),
    ]
    srt_text = (ctx.settings.storage_dir / TRANSCRIPTS / transcript_key(recording.id)).read_text()
    assert "MiKL: Bonjour Claire.\n" in srt_text and "Claire Martin: Bonjour, merci" in srt_text  # still plain SRT


def test_a_transcript_without_its_json_is_read_from_the_srt(ctx, people, recording, clock):
    """Recordings transcribed before speakers were kept still play: their SRT is the transcript."""
    assert worker(ctx, clock, StubTranscriber()).run_once()
    (ctx.settings.storage_dir / TRANSCRIPTS / f"{recording.id}.json").write_text("{not json")
    (cue,) = ctx.recordings.transcript(people.client_a, recording.id).cues
    assert cue.text == "transcrit par stub en fr" and cue.speaker is None


def test_transcript_search_narrows_to_one_speaker(ctx, people, meeting, speech_mp4, clock, tmp_path):
    from visio_core.domain import speakers
    from visio_core.domain.srt import Cue

    class Dialogue:
        name = "stub"

        def transcribe(self, media_path, *, language, on_progress=None, vocabulary=()):
            return [Cue(1, 0.1, 1.4, "Le budget de MiKL."), Cue(2, 1.6, 2.9, "Le budget de Claire.")]

    timeline = tmp_path / "t.speakers.json"
    timeline.write_text(
        speakers.to_json(
            speakers.SpeakingTimeline(
                {"MiKL": [-20.0] * 15 + [-90.0] * 15, "Claire Martin": [-90.0] * 15 + [-20.0] * 15}
            )
        )
    )
    ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="embedded:y", speaking=timeline)
    assert worker(ctx, clock, Dialogue()).run_once()
    assert {h.speaker for h in ctx.recordings.search_transcripts(people.op1, "budget")} == {"MiKL", "Claire Martin"}
    (hit,) = ctx.recordings.search_transcripts(people.client_a, "budget", speaker=" Claire Martin ")
    assert hit.text == "Le budget de Claire." and hit.speaker == "Claire Martin"
    assert ctx.recordings.search_transcripts(people.op1, "budget", speaker="Personne") == []
    with pytest.raises(InvalidInput, match="trop long"):
        ctx.recordings.search_transcripts(people.op1, "budget", speaker="x" * 500)


@pytest.fixture
def named(ctx, people, meeting, speech_mp4, clock, tmp_path):
    """A transcribed room recording whose lines are given to "Intervenant 1" and "Intervenant 2"."""
    from visio_core.domain import speakers
    from visio_core.domain.srt import Cue

    class Dialogue:
        name = "stub"

        def transcribe(self, media_path, *, language, on_progress=None, vocabulary=()):
            return [Cue(1, 0.1, 1.4, "Le budget est prêt."), Cue(2, 1.6, 2.9, "Merci, le budget me va.")]

    timeline = tmp_path / "t.speakers.json"
    timeline.write_text(
        speakers.to_json(
            speakers.SpeakingTimeline(
                {"Intervenant 1": [-20.0] * 15 + [-90.0] * 15, "Intervenant 2": [-90.0] * 15 + [-20.0] * 15}
            )
        )
    )
    recording, _ = ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="embedded:z", speaking=timeline)
    assert worker(ctx, clock, Dialogue()).run_once()
    return recording


def test_a_speaker_is_renamed_once_for_the_whole_recording(ctx, people, named):
    renamed = ctx.recordings.rename_speaker(people.analyst, named.id, "Intervenant 2", "  Claire   Martin ")
    assert renamed.speakers == ["Intervenant 1", "Claire Martin"]
    cues = ctx.recordings.transcript(people.client_a, named.id).cues  # the client reads the new name
    assert [c.speaker for c in cues] == ["Intervenant 1", "Claire Martin"]
    folder = ctx.settings.storage_dir / TRANSCRIPTS
    assert "Claire Martin: Merci, le budget me va." in (folder / transcript_key(named.id)).read_text()
    assert "<v Claire Martin>Merci" in (folder / f"{named.id}.vtt").read_text()
    (hit,) = ctx.recordings.search_transcripts(people.op1, "budget", speaker="Claire Martin")
    assert hit.text == "Merci, le budget me va."
    # Two names can become one: the operator says both voices were his.
    merged = ctx.recordings.rename_speaker(people.op1, named.id, "Intervenant 1", "Claire Martin")
    assert merged.speakers == ["Claire Martin"]


@pytest.mark.parametrize("who, error", [("client_a", "Forbidden"), ("client_b", "NotFound"), ("op2", "NotFound")])
def test_only_the_operator_and_his_analysts_rename(ctx, people, named, who, error):
    from visio_core.domain import errors

    with pytest.raises(getattr(errors, error)):
        ctx.recordings.rename_speaker(getattr(people, who), named.id, "Intervenant 2", "Claire")
    assert [c.speaker for c in ctx.recordings.transcript(people.op1, named.id).cues] == [
        "Intervenant 1",
        "Intervenant 2",
    ]


@pytest.mark.parametrize(
    "current, new, message",
    [
        ("Intervenant 2", "", "ne peut pas être vide"),
        ("Intervenant 2", "   \n ", "ne peut pas être vide"),
        ("Intervenant 2", "x" * 500, "trop long"),
        ("Personne", "Claire", "Aucune ligne"),
    ],
)
def test_bad_renames_are_refused_and_change_nothing(ctx, people, named, current, new, message):
    before = (ctx.settings.storage_dir / TRANSCRIPTS / transcript_key(named.id)).read_text()
    with pytest.raises(InvalidInput, match=message):
        ctx.recordings.rename_speaker(people.op1, named.id, current, new)
    assert (ctx.settings.storage_dir / TRANSCRIPTS / transcript_key(named.id)).read_text() == before


def test_the_recordings_page_names_the_speakers(ctx, people, named):
    from tests.test_pages import signed_in
    from visio_core.entrypoints.bootstrap import set_context

    set_context(ctx)
    test = signed_in(people.op1, meeting=str(named.meeting_id), recording=str(named.id))
    test.switch_page("pages/recordings.py")
    test.run()
    assert not test.exception, test.exception
    field = next(f for f in test.text_input if f.value == "Intervenant 2")
    field.input("Claire Martin")
    next(b for b in test.button if b.label == "Renommer").click()
    test.run()
    assert not test.exception, test.exception
    assert any("s'appelle désormais" in str(s.value) for s in test.success)
    (player,) = test.get("bidi_component")
    assert "Claire Martin" in str(player.proto) and "Intervenant 2" not in str(player.proto)
    client = signed_in(people.client_a, meeting=str(named.meeting_id), recording=str(named.id))
    client.switch_page("pages/recordings.py")
    client.run()
    assert not any(b.label == "Renommer" for b in client.button)  # clients read only
    set_context(None)


def test_every_export_carries_the_names_and_opens_in_its_own_reader(ctx, people, named):
    """SRT, WebVTT, text and DOCX, each through a signed link, each read back by its own parser."""
    import io

    import docx
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from visio_core.domain import srt
    from visio_core.entrypoints.web import make_routes

    ctx.recordings.rename_speaker(people.op1, named.id, "Intervenant 2", "Claire Martin")
    http = TestClient(Starlette(routes=make_routes(lambda: ctx)))

    def fetch(kind: str):
        response = http.get(ctx.recordings.transcript_url(people.client_a, named.id, kind))
        assert response.status_code == 200, kind
        assert f"{named.created_at:%Y%m%d}" in response.headers["content-disposition"]  # a named download
        return response

    cues = ctx.recordings.transcript(people.client_a, named.id).cues
    assert srt.parse(fetch("srt").text, speakers=["Intervenant 1", "Claire Martin"]).cues == cues
    vtt = fetch("vtt")
    assert vtt.headers["content-type"].startswith("text/vtt")
    assert vtt.text.startswith("WEBVTT\n") and "<v Claire Martin>Merci, le budget me va." in vtt.text
    assert "[00:01] Claire Martin: Merci, le budget me va." in fetch("txt").text
    document = docx.Document(io.BytesIO(fetch("docx").content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0].startswith("Transcription de l'enregistrement du")
    assert "[00:01] Claire Martin : Merci, le budget me va." in paragraphs
    with pytest.raises(InvalidInput, match="srt, vtt, txt ou docx"):
        ctx.recordings.transcript_url(people.client_a, named.id, "exe")


def test_corrections_are_kept_with_who_and_when_and_can_be_undone(ctx, people, named, clock):
    before = ctx.recordings.transcript(people.op1, named.id)
    fixed = ctx.recordings.correct_cue(people.analyst, named.id, 0, "  Le budget est prêt à 100 %. ", before.revision)
    assert fixed.cues[0].text == "Le budget est prêt à 100 %." and fixed.cues[0].speaker == "Intervenant 1"
    (edit,) = fixed.edits
    assert (edit.position, edit.before, edit.after, edit.by, edit.at) == (
        0,
        "Le budget est prêt.",
        "Le budget est prêt à 100 %.",
        "Analyste",
        clock(),
    )
    assert (
        "Le budget est prêt à 100 %." in (ctx.settings.storage_dir / TRANSCRIPTS / transcript_key(named.id)).read_text()
    )
    assert [h.text for h in ctx.recordings.search_transcripts(people.op1, "100")] == ["Le budget est prêt à 100 %."]
    # Two people corrected the same version: the second is told, nothing of his is written.
    with pytest.raises(IllegalTransition, match="entre-temps"):
        ctx.recordings.correct_cue(people.op1, named.id, 0, "Autre chose.", before.revision)
    undone = ctx.recordings.undo_correction(people.op1, named.id, fixed.revision)
    assert undone.cues[0].text == "Le budget est prêt." and undone.edits == []
    assert ctx.recordings.search_transcripts(people.op1, "100") == []


@pytest.mark.parametrize(
    "who, position, text, error",
    [
        ("client_a", 0, "Nouveau texte", "Forbidden"),
        ("op2", 0, "Nouveau texte", "NotFound"),
        ("op1", 7, "Nouveau texte", "InvalidInput"),
        ("op1", -1, "Nouveau texte", "InvalidInput"),
        ("op1", 0, "   ", "InvalidInput"),
        ("op1", 0, "x" * 3000, "InvalidInput"),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(ctx, people, named, who, position, text, error):
    from visio_core.domain import errors

    with pytest.raises(getattr(errors, error)):
        ctx.recordings.correct_cue(getattr(people, who), named.id, position, text, 0)
    assert ctx.recordings.transcript(people.op1, named.id).edits == []
    with pytest.raises(InvalidInput, match="Aucune correction"):
        ctx.recordings.undo_correction(people.op1, named.id, 0)


def test_transcribing_a_corrected_transcript_again_asks_first_and_keeps_the_corrected_one(ctx, people, named, clock):
    from visio_core.domain.errors import NeedsConfirmation

    ctx.recordings.correct_cue(people.op1, named.id, 1, "Merci, ce budget me convient.", 0)
    with pytest.raises(NeedsConfirmation, match="1 correction"):
        ctx.recordings.change_language(people.op1, named.id, "en")
    assert ctx.system_recordings.get(named.id).transcription_status is TranscriptionStatus.COMPLETED  # untouched
    ctx.recordings.change_language(people.op1, named.id, "en", replace_corrections=True)
    assert ctx.system_recordings.get(named.id).transcription_status is TranscriptionStatus.PENDING
    kept = ctx.recordings.edited_url(people.op1, named.id)
    assert kept and "corrige.srt" in kept
    assert "ce budget me convient" in (ctx.settings.storage_dir / TRANSCRIPTS / f"{named.id}.edited.srt").read_text()
    # meanwhile the corrected transcript is still what the page shows
    assert ctx.recordings.transcript(people.client_a, named.id).cues[1].text == "Merci, ce budget me convient."


def test_the_recordings_page_corrects_a_line(ctx, people, named):
    from tests.test_pages import signed_in
    from visio_core.entrypoints.bootstrap import set_context

    set_context(ctx)
    test = signed_in(people.analyst, meeting=str(named.meeting_id), recording=str(named.id))
    test.switch_page("pages/recordings.py")
    test.run()
    area = next(a for a in test.text_area if a.value == "Le budget est prêt.")
    area.input("Le budget est prêt, validé.")
    test.button(key=f"edit-save-{named.id}").click()
    test.run()
    assert not test.exception, test.exception
    assert any("Correction enregistrée" in str(s.value) for s in test.success)
    assert ctx.recordings.transcript(people.client_a, named.id).cues[0].text == "Le budget est prêt, validé."
    assert "t, valid" in str(test.get("bidi_component")[0].proto)  # the player shows it (JSON escapes the accents)
    assert any("Analyste" in str(c.value) and "validé" in str(c.value) for c in test.caption)  # the history
    client = signed_in(people.client_a, meeting=str(named.meeting_id), recording=str(named.id))
    client.switch_page("pages/recordings.py")
    client.run()
    assert not client.text_area  # clients read only
    set_context(None)


def test_the_operators_vocabulary_reaches_the_decoder(ctx, people, recording, clock):
    ctx.vocabulary.set_terms(people.op1, "Foxeo\nClaire Martin")
    stub = StubTranscriber()
    JobRunner(
        [
            TranscriptionJobs(
                ctx.system_recordings, ctx.storage, lambda: stub, ctx.index, clock=clock, vocabulary=ctx.vocabulary_for
            )
        ],
        clock=clock,
    ).run_until_idle()
    assert stub.vocabulary == ["Foxeo", "Claire Martin"]


def test_an_imported_recording_gets_names_line_by_line(ctx, people, recording, clock):
    """Imported files carry no names; the operator assigns them where he knows who spoke."""
    assert worker(ctx, clock, StubTranscriber()).run_once()
    (cue,) = ctx.recordings.transcript(people.op1, recording.id).cues
    assert cue.speaker is None
    named = ctx.recordings.correct_cue(people.op1, recording.id, 0, cue.text, 0, speaker=" Claire  Martin ")
    assert named.cues[0].speaker == "Claire Martin" and named.speakers == ["Claire Martin"]
    assert named.edits[-1].speaker_before is None and named.edits[-1].speaker_after == "Claire Martin"
    with pytest.raises(InvalidInput, match="trop long"):
        ctx.recordings.correct_cue(people.op1, recording.id, 0, cue.text, named.revision, speaker="x" * 500)
    back = ctx.recordings.undo_correction(people.op1, recording.id, named.revision)
    assert back.cues[0].speaker is None and back.speakers == []
