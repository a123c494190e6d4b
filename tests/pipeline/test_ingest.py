"""Ingest: idempotent, streamed, validated, authorised; from a file, a stream or an authenticated URL."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from tests.browser_support import free_port
from visio_core.domain.errors import BackendUnavailable, Forbidden, InvalidInput, NotFound
from visio_core.domain.model import TranscriptionStatus
from visio_core.domain.storage_keys import RECORDINGS

ROOT = Path(__file__).resolve().parents[2]


def stored_files(ctx) -> list[Path]:
    root = ctx.settings.storage_dir / RECORDINGS
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def spool_leftovers(ctx) -> list[Path]:
    folder = ctx.settings.data_dir / "tmp"
    return list(folder.iterdir()) if folder.exists() else []


def test_operator_import_creates_a_pending_recording(ctx, people, meeting, speech_mp4):
    with open(speech_mp4, "rb") as fh:
        recording, created = ctx.recordings.import_recording(people.op1, meeting.id, fh, filename="Réunion.MP4")
    assert created
    assert recording.transcription_status is TranscriptionStatus.PENDING
    assert recording.transcription_language == "fr"
    assert recording.file_size_bytes == speech_mp4.stat().st_size
    assert 2.0 < recording.recording_duration_seconds < 15.0
    assert recording.recording_url == f"recordings/visio-{meeting.id}/{recording.id}.mp4"
    assert ctx.storage.size(RECORDINGS, recording.storage_key) == speech_mp4.stat().st_size
    assert spool_leftovers(ctx) == []


def test_same_file_twice_leaves_one_row(ctx, people, meeting, speech_mp4):
    first, _ = ctx.recordings.import_recording(people.op1, meeting.id, open(speech_mp4, "rb"), filename="a.mp4")
    again, created = ctx.recordings.import_recording(people.op1, meeting.id, open(speech_mp4, "rb"), filename="b.mp4")
    assert not created and again.id == first.id
    assert len(ctx.recordings.list_recordings(people.op1, meeting.id)) == 1
    assert sorted(p.suffix for p in stored_files(ctx)) == [".jpg", ".mp4"]  # the media and its poster


def test_concurrent_ingests_of_one_source_leave_one_row(ctx, meeting, speech_mp4):
    barrier = threading.Barrier(4)
    results = []

    def ingest() -> None:
        barrier.wait()
        results.append(ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="ov-rec-1")[1])

    threads = [threading.Thread(target=ingest) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == [False, False, False, True]
    assert len(ctx.system_recordings.list_for_meeting(meeting.id)) == 1
    assert sorted(p.suffix for p in stored_files(ctx)) == [".jpg", ".mp4"]  # the losers' posters are gone too


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", b"hello", "Type de fichier non accepté"),
        ("meeting.mp4", os.urandom(50_000), "pas un enregistrement lisible"),
        ("meeting.webm", b"\x1aE\xdf\xa3" + os.urandom(4000), "pas un enregistrement lisible"),
        ("noext", b"data", "Type de fichier non accepté"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(ctx, people, meeting, name, content, message):
    with pytest.raises(InvalidInput, match=message):
        ctx.recordings.import_recording(people.op1, meeting.id, io.BytesIO(content), filename=name)
    assert ctx.system_recordings.list_for_meeting(meeting.id) == []
    assert stored_files(ctx) == [] and spool_leftovers(ctx) == []


def test_a_file_without_audio_is_refused(ctx, people, meeting, video_only):
    with pytest.raises(InvalidInput, match="pas de piste audio"):
        ctx.recordings.import_recording(people.op1, meeting.id, open(video_only, "rb"), filename="v.mp4")
    assert stored_files(ctx) == []


def test_oversize_upload_is_refused(ctx, people, meeting, speech_mp4):
    ctx.recordings.max_upload_bytes = 10_000
    with pytest.raises(InvalidInput, match="trop volumineux"):
        ctx.recordings.import_recording(people.op1, meeting.id, open(speech_mp4, "rb"), filename="a.mp4")
    assert stored_files(ctx) == [] and spool_leftovers(ctx) == []


def test_bad_language_is_refused(ctx, people, meeting, speech_mp4):
    with pytest.raises(InvalidInput, match="Langue inconnue"):
        ctx.recordings.import_recording(people.op1, meeting.id, open(speech_mp4, "rb"), filename="a.mp4", language="xx")


def test_authorisation_per_role(ctx, people, meeting, speech_mp4):
    with pytest.raises(Forbidden):
        ctx.recordings.import_recording(people.client_a, meeting.id, open(speech_mp4, "rb"), filename="a.mp4")
    with pytest.raises(NotFound):
        ctx.recordings.import_recording(people.op2, meeting.id, open(speech_mp4, "rb"), filename="a.mp4")
    with pytest.raises(NotFound):
        ctx.recordings.import_recording(people.op1, uuid.uuid4(), open(speech_mp4, "rb"), filename="a.mp4")
    recording, _ = ctx.recordings.import_recording(people.op1, meeting.id, open(speech_mp4, "rb"), filename="a.mp4")
    assert [r.id for r in ctx.recordings.list_recordings(people.client_a, meeting.id)] == [recording.id]
    assert ctx.recordings.list_recordings(people.analyst, meeting.id)
    assert ctx.recordings.video_url(people.client_a, recording.id).startswith("/files/recordings/")
    for stranger in (people.client_b, people.client_c, people.op2):
        with pytest.raises(NotFound) as by_id:
            ctx.recordings.video_url(stranger, recording.id)
        with pytest.raises(NotFound) as unknown:
            ctx.recordings.video_url(stranger, uuid.uuid4())
        assert str(by_id.value) == str(unknown.value)
        with pytest.raises(NotFound):
            ctx.recordings.list_recordings(stranger, meeting.id)
    for not_operator in (people.client_a, people.analyst):
        with pytest.raises(Forbidden):
            ctx.recordings.change_language(not_operator, recording.id, "en")


@pytest.fixture
def recording_server(speech_mp4):
    """An HTTP server on loopback serving a recording behind Basic auth, like OpenVidu does."""

    async def download(request):
        import base64

        expected = "Basic " + base64.b64encode(b"OPENVIDUAPP:s3cret").decode()
        if request.headers.get("authorization") != expected:
            return Response(status_code=401)
        return FileResponse(speech_mp4)

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=[Route("/rec.mp4", download)]), port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        pass
    yield f"http://127.0.0.1:{port}/rec.mp4"
    server.should_exit = True
    thread.join(timeout=5)


def test_ingest_from_a_streamed_download(ctx, meeting, recording_server):
    """A download arrives in chunks; the same source twice is one row, and a cut download keeps nothing."""
    auth = ("OPENVIDUAPP", "s3cret")

    def download(url: str):
        with httpx.stream("GET", url, auth=auth) as response:
            assert response.status_code == 200
            yield from response.iter_bytes(4096)

    def cut(url: str):
        for i, chunk in enumerate(download(url)):
            if i == 2:
                raise BackendUnavailable("connexion perdue")
            yield chunk

    with pytest.raises(BackendUnavailable, match="connexion perdue"):
        ctx.ingest.ingest_chunks(meeting.id, cut(recording_server), filename="r.mp4", source_recording_id="s~1")
    assert stored_files(ctx) == [] and spool_leftovers(ctx) == []
    recording, created = ctx.ingest.ingest_chunks(
        meeting.id, download(recording_server), filename="r.mp4", source_recording_id="s~1"
    )
    assert created and recording.file_size_bytes > 0
    assert ctx.ingest.existing(meeting.id, "s~1") == recording  # a worker checks this before fetching again
    again, created = ctx.ingest.ingest_chunks(
        meeting.id, download(recording_server), filename="r.mp4", source_recording_id="s~1"
    )
    assert not created and again.id == recording.id


MEMORY_PROBE = """
import resource, sys
from pathlib import Path
from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.config import Settings
from tests.conftest import FAST_HASHER
ctx = build_context(Settings.load(env={"VISIO_DATA_DIR": sys.argv[1]}, secrets_file=Path("/nonexistent")), hasher=FAST_HASHER)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from visio_core.domain.model import Role
from datetime import datetime, timezone
op = ctx.accounts.add_user(email="o@x.io", display_name="o", role=Role.OPERATOR, password="password-1")
cl = ctx.accounts.add_user(email="c@x.io", display_name="c", role=Role.CLIENT, password="password-1", operator_id=op.id)
m = ctx.meetings.create_meeting(op, client_id=cl.id, title="big", scheduled_at=datetime.now(timezone.utc))
rec, _ = ctx.recordings.import_recording(op, m.id, open(sys.argv[2], "rb"), filename="big.wav")
print(rec.file_size_bytes, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


@pytest.mark.slow
def test_large_ingest_streams_with_bounded_memory(tmp_path):
    import wave

    big = tmp_path / "big.wav"
    second = b"\x00\x01" * 16000
    with wave.open(str(big), "wb") as fh:  # ~300 MB of 16 kHz mono audio, written in chunks
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(16000)
        for _ in range(60):
            fh.writeframes(second * 160)
    size = big.stat().st_size
    assert size > 300_000_000
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(tmp_path / "data"), str(big)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    stored, grown_kb = map(int, done.stdout.split())
    assert stored == size
    assert grown_kb < 100_000  # the file never sits in memory (the limit is a third of the file)


def test_files_half_written_by_a_dead_process_are_removed_at_the_next_start(ctx, tmp_path):
    """kill -9 mid-download leaves a spool file; the next dashboard or worker start removes it."""
    import os
    import subprocess
    import sys

    from visio_core.services.spool import PREFIX

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    folders = [ctx.settings.data_dir / "tmp", ctx.settings.storage_dir / "recordings" / "visio-x"]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{PREFIX}{dead.stdout.strip()}-abc123").write_bytes(b"half a recording")
    mine = folders[0] / f"{PREFIX}{os.getpid()}-inflight"  # a live process's file is left alone
    mine.write_bytes(b"being written")
    assert ctx.recover_after_crash() == 2
    assert [p.name for f in folders for p in f.iterdir()] == [mine.name]
