"""Recordings and transcription jobs on Supabase: ingest, claim through the database function,
a real offline Whisper worker, files in Storage — against strict fakes of PostgREST and Storage."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.supabase.database_functions import claim_job
from tests.supabase.fake_postgrest import FakePostgrest
from tests.supabase.fake_storage import FakeStorage
from tests.transcription.helpers import FRENCH, FRENCH_WORDS, found, say, write_media
from visio_core.adapters.supabase.jobs import SupabaseRecordingJobs, service_client
from visio_core.adapters.supabase.meetings import SupabaseMeetingRepository
from visio_core.adapters.supabase.search import SupabaseTranscriptIndex
from visio_core.adapters.supabase.storage import SupabaseStorage
from visio_core.adapters.transcription.audio import probe_recording
from visio_core.domain.errors import BackendUnavailable
from visio_core.domain.model import TranscriptionStatus
from visio_core.entrypoints.config import Settings
from visio_core.entrypoints.transcription import build_transcriber
from visio_core.services.ingest import RecordingIngest
from visio_core.services.jobs import JobRunner, TranscriptionJobs

URL = "https://project.supabase.test"
ANON = "anon-key-for-tests"
USER_JWT = "user-access-token-for-tests"
SERVICE_KEY = "service-role-key-for-tests"
MEETING_COLUMNS = {
    "id",
    "client_id",
    "operator_id",
    "title",
    "description",
    "scheduled_at",
    "started_at",
    "language",
    "ended_at",
    "duration_seconds",
    "session_id",
    "status",
    "created_at",
    "updated_at",
}
RECORDING_COLUMNS = {
    "id",
    "meeting_id",
    "source_recording_id",
    "recording_url",
    "recording_duration_seconds",
    "file_size_bytes",
    "transcript_url",
    "transcription_status",
    "transcription_language",
    "attempts",
    "last_error",
    "lease_owner",
    "lease_expires_at",
    "next_attempt_at",
    "progress",
    "created_at",
    "updated_at",
}
CUE_COLUMNS = {"recording_id", "position", "start_seconds", "end_seconds", "text", "words", "speaker"}


@pytest.fixture
def postgrest() -> FakePostgrest:
    fake = FakePostgrest(
        anon_key=ANON,
        tokens={USER_JWT, SERVICE_KEY},
        columns={"meetings": MEETING_COLUMNS, "meeting_recordings": RECORDING_COLUMNS, "transcript_cues": CUE_COLUMNS},
        unique={
            "meeting_recordings": [("meeting_id", "source_recording_id")],
            "transcript_cues": [("recording_id", "position")],
        },
        functions={"claim_job": claim_job},
    )
    now = datetime.now(UTC).isoformat()
    fake.rows["meetings"] = [
        {
            "id": str(uuid.uuid4()),
            "client_id": str(uuid.uuid4()),
            "operator_id": str(uuid.uuid4()),
            "title": "Revue",
            "description": "",
            "scheduled_at": now,
            "started_at": now,
            "ended_at": now,
            "duration_seconds": 60,
            "session_id": "visio-abc",
            "status": "completed",
            "created_at": now,
            "updated_at": now,
        }
    ]
    return fake


@pytest.fixture
def files() -> FakeStorage:
    return FakeStorage(keys={SERVICE_KEY})


@pytest.fixture
def jobs(postgrest) -> SupabaseRecordingJobs:
    return SupabaseRecordingJobs(
        service_client(URL, SERVICE_KEY, http_client=httpx.Client(transport=postgrest.transport()))
    )


@pytest.fixture
def storage(files, tmp_path) -> SupabaseStorage:
    return SupabaseStorage(
        URL, SERVICE_KEY, http=httpx.Client(transport=files.transport()), spool_dir=tmp_path / "spool"
    )


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.load(env={"VISIO_DATA_DIR": str(tmp_path / "data")}, secrets_file=tmp_path / "none.toml")


@pytest.fixture
def ingest(settings, postgrest, jobs, storage) -> RecordingIngest:
    meetings = SupabaseMeetingRepository(
        service_client(URL, SERVICE_KEY, http_client=httpx.Client(transport=postgrest.transport()))
    )
    return RecordingIngest(
        meetings, jobs, storage, probe_recording, settings.data_dir / "tmp", settings.default_language
    )


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("supabase-speech")
    return write_media(
        folder / "meeting.mp4", say("espeak-ng", folder, "fr", FRENCH, "fr", 110, 0.7), video="libx264", audio="aac"
    )


def meeting_id(postgrest) -> uuid.UUID:
    return uuid.UUID(postgrest.rows["meetings"][0]["id"])


@pytest.mark.slow
def test_a_recording_is_ingested_once_then_transcribed_by_a_worker(
    postgrest, files, ingest, jobs, storage, settings, speech
):
    meeting = meeting_id(postgrest)
    recording, created = ingest.ingest_file(meeting, speech, source_recording_id="ov-rec-1")
    again, created_again = ingest.ingest_file(meeting, speech, source_recording_id="ov-rec-1")
    assert created and not created_again and again.id == recording.id
    assert len(postgrest.rows["meeting_recordings"]) == 1
    assert ("recordings", recording.storage_key) in files.objects and len(files.objects) == 1

    index = SupabaseTranscriptIndex(
        service_client(URL, SERVICE_KEY, http_client=httpx.Client(transport=postgrest.transport()))
    )
    postgrest.rows["transcript_cues"] = [  # left over from an earlier transcription: replaced, not kept
        {"recording_id": str(recording.id), "position": p, "start_seconds": 0, "end_seconds": 1, "text": "vieux"}
        for p in range(40)
    ]
    worker = JobRunner([TranscriptionJobs(jobs, storage, lambda: build_transcriber(settings), index)])
    assert worker.run_until_idle() == 1
    row = postgrest.rows["meeting_recordings"][0]
    assert row["transcription_status"] == "completed" and row["lease_owner"] is None
    assert row["transcript_url"] == f"transcripts/{recording.id}.srt"
    srt_text = files.objects[("transcripts", f"{recording.id}.srt")].decode()
    assert len(found(srt_text, FRENCH_WORDS)) >= 3, srt_text
    cues = sorted(postgrest.rows["transcript_cues"], key=lambda c: c["position"])
    assert cues and [c["position"] for c in cues] == list(range(len(cues)))  # searchable, old tail gone
    assert len(found(" ".join(c["text"] for c in cues), FRENCH_WORDS)) >= 3
    writes = [r for r in postgrest.requests if r.url.path == "/rest/v1/transcript_cues"]
    assert writes and all(r.headers["authorization"] == f"Bearer {SERVICE_KEY}" for r in writes)
    assert jobs.claim("other-worker", datetime.now(UTC), timedelta(minutes=5)) is None


def test_every_job_request_carries_the_service_key_and_the_lease_condition(postgrest, ingest, jobs, speech):
    recording, _ = ingest.ingest_file(meeting_id(postgrest), speech, source_recording_id="ov-rec-2")
    postgrest.requests.clear()
    job = jobs.claim("w1", datetime.now(UTC), timedelta(seconds=120))
    assert job.id == recording.id and job.transcription_status is TranscriptionStatus.PROCESSING and job.attempts == 1
    claim = postgrest.requests[-1]
    assert claim.method == "POST" and claim.url.path == "/rest/v1/rpc/claim_job"
    assert claim.headers["apikey"] == SERVICE_KEY and claim.headers["authorization"] == f"Bearer {SERVICE_KEY}"
    assert json.loads(claim.content) == {"queue": "transcription", "worker": "w1", "lease_seconds": 120}

    assert jobs.renew(job.id, "w1", datetime.now(UTC) + timedelta(minutes=5), 0.5)
    patch = postgrest.requests[-1]
    assert patch.method == "PATCH"
    assert dict(httpx.QueryParams(patch.url.query)) == {
        "id": f"eq.{job.id}",
        "lease_owner": "eq.w1",
        "transcription_status": "eq.processing",
    }

    # another worker reclaimed the job: every write of the first one changes nothing
    postgrest.rows["meeting_recordings"][0]["lease_owner"] = "w2"
    assert not jobs.renew(job.id, "w1", datetime.now(UTC), 0.9)
    assert not jobs.complete(job.id, "w1", "transcripts/x.srt", datetime.now(UTC))
    assert postgrest.rows["meeting_recordings"][0]["transcription_status"] == "processing"

    retry_at = datetime.now(UTC) + timedelta(seconds=30)
    assert jobs.retry(job.id, "w2", "boom", datetime.now(UTC), retry_at)
    assert jobs.get(job.id).transcription_status is TranscriptionStatus.PENDING
    assert jobs.get(job.id).last_error == "boom"
    assert jobs.claim("w3", datetime.now(UTC), timedelta(minutes=5)) is None  # not due yet
    assert jobs.requeue(job.id, datetime.now(UTC), language="en", only_if=(TranscriptionStatus.PENDING,))
    again = jobs.claim("w3", datetime.now(UTC), timedelta(minutes=5))
    assert again.transcription_language == "en" and again.attempts == 1


def test_a_user_token_cannot_claim_jobs(postgrest):
    as_user = SupabaseRecordingJobs(
        service_client(URL, USER_JWT, http_client=httpx.Client(transport=postgrest.transport()))
    )
    with pytest.raises(BackendUnavailable):
        as_user.claim("w", datetime.now(UTC), timedelta(minutes=5))
