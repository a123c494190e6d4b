"""From an OpenVidu recording to a pending transcription job, through the real recording pipeline."""

from __future__ import annotations

import pytest

from tests.media_fixtures import make_video
from tests.openvidu.conftest import fetch_due
from visio_core.adapters.openvidu.webhook import WEBHOOK_PATH
from visio_core.adapters.sqlite.recordings import SqliteRecordingRepository
from visio_core.domain.model import TranscriptionStatus
from visio_core.domain.storage_keys import RECORDINGS


@pytest.fixture
def real_media(fake_ov, tmp_path):
    fake_ov.recording_file = make_video(tmp_path / "openvidu.mp4", 2, video_codec="libx264", audio_codec="aac")
    return fake_ov.recording_file


def meeting_rows(ctx, meeting):
    rows = (
        ctx.db.connection()
        .execute(
            "SELECT id, source_recording_id, recording_url, file_size_bytes, transcription_status "
            "FROM meeting_recordings WHERE meeting_id = ? ORDER BY source_recording_id",
            (str(meeting.id),),
        )
        .fetchall()
    )
    return [dict(r) for r in rows]


def test_webhook_then_worker_brings_the_recording_into_the_pipeline(
    ov_ctx, crew, fake_ov, web, webhook_secret, real_media
):
    fake_ov.webhook_url = web + WEBHOOK_PATH
    fake_ov.webhook_headers = {"Authorization": f"Bearer {webhook_secret}"}
    meeting = crew.meeting()
    fake_ov.join(ov_ctx.engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id)))
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    fake_ov.flush_webhooks()
    assert fetch_due(ov_ctx.downloads) == 1
    (row,) = meeting_rows(ov_ctx, meeting)
    assert row["source_recording_id"] == meeting.session_id
    assert row["transcription_status"] == TranscriptionStatus.PENDING.value  # the transcription job
    assert row["file_size_bytes"] == real_media.stat().st_size
    assert row["recording_url"].startswith(f"{RECORDINGS}/{meeting.session_id}/") and row["recording_url"].endswith(
        ".mp4"
    )
    stored = SqliteRecordingRepository(ov_ctx.db).get(__import__("uuid").UUID(row["id"]))
    with ov_ctx.storage.local_copy(RECORDINGS, stored.storage_key) as path:
        assert path.read_bytes() == real_media.read_bytes()
    # nothing more to do, and nothing fetched twice
    assert fetch_due(ov_ctx.downloads) == 0
    assert ov_ctx.downloads.reconcile() == 0


def test_the_same_recording_announced_twice_is_one_pipeline_row(ov_ctx, crew, fake_ov, real_media):
    meeting = crew.meeting()
    fake_ov.join(ov_ctx.engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id)))
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)  # reconciliation queues it
    downloads = ov_ctx.downloads
    fetch_due(downloads, lambda m, r, c: None)  # … a first worker "ingested" it elsewhere
    # a lost update: the queue forgets, the pipeline does not
    ov_ctx.db.connection().execute("DELETE FROM openvidu_downloads")
    assert downloads.reconcile() == 1
    assert fetch_due(ov_ctx.downloads) == 1
    assert fetch_due(ov_ctx.downloads) == 0
    ov_ctx.db.connection().execute("UPDATE openvidu_downloads SET state = 'pending', next_attempt_at = created_at")
    assert fetch_due(ov_ctx.downloads) == 1  # ingest_url sees the source already stored: no second row
    assert len(meeting_rows(ov_ctx, meeting)) == 1


def test_a_file_that_is_not_media_is_given_up_at_once_and_shown(ov_ctx, crew, fake_ov):
    meeting = crew.meeting()  # the fake's default file is a few bytes of nothing
    fake_ov.join(ov_ctx.engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id)))
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    assert fetch_due(ov_ctx.downloads) == 0
    row = ov_ctx.downloads.queue.get(meeting.session_id)
    assert row.state == "abandoned" and row.attempts == 1
    assert meeting_rows(ov_ctx, meeting) == []
    assert ov_ctx.downloads.problems_for(meeting.id)


def test_the_worker_loop_fetches_then_transcribes(ov_ctx, crew, fake_ov, real_media):
    """One worker serves both queues: the download, then the transcription."""
    from visio_core.domain.srt import Cue
    from visio_core.services.jobs import JobRunner, TranscriptionJobs

    class Stub:
        def transcribe(self, path, *, language=None, on_progress=None, vocabulary=()):
            assert path.read_bytes() == real_media.read_bytes()
            return [Cue(1, 0.0, 1.5, "Bonjour à tous")]

    meeting = crew.meeting()
    fake_ov.join(ov_ctx.engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id)))
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    transcription = TranscriptionJobs(ov_ctx.system_recordings, ov_ctx.storage, lambda: Stub(), ov_ctx.index)
    worker = JobRunner([transcription, ov_ctx.downloads])  # the queues ov_ctx.job_runner() serves
    assert worker.run_until_idle() >= 2  # one download, one transcription
    (row,) = meeting_rows(ov_ctx, meeting)
    assert row["transcription_status"] == TranscriptionStatus.COMPLETED.value
    assert worker.run_until_idle() == 0
