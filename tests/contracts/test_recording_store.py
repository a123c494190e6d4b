"""services.ports.SystemRecordings: filing recordings once, and the transcription queue's leases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from visio_core.domain.model import Recording, TranscriptionStatus
from visio_core.services.queues import MAX_ERROR_CHARS

LEASE = timedelta(minutes=5)


def now() -> datetime:
    # The Supabase claim uses the database's clock: both stores are driven by the wall clock here.
    return datetime.now(UTC)


def recording(meeting_id: uuid.UUID, source: str = "ov-1") -> Recording:
    rid, at = uuid.uuid4(), now() - timedelta(seconds=1)
    return Recording(
        id=rid,
        meeting_id=meeting_id,
        source_recording_id=source,
        recording_url=f"recordings/visio-x/{rid}.mp4",
        recording_duration_seconds=12.5,
        file_size_bytes=2048,
        transcript_url=None,
        transcription_status=TranscriptionStatus.PENDING,
        transcription_language="fr",
        attempts=0,
        last_error=None,
        lease_owner=None,
        lease_expires_at=None,
        next_attempt_at=at,
        progress=0.0,
        created_at=at,
        updated_at=at,
    )


def test_a_source_is_filed_once(store):
    meeting_id = store.meeting()
    first, created = store.recordings.add_if_absent(recording(meeting_id))
    assert created
    again, created_again = store.recordings.add_if_absent(recording(meeting_id))  # same source, new id
    assert not created_again and again.id == first.id
    assert store.recordings.find_by_source(meeting_id, "ov-1").id == first.id
    assert store.recordings.find_by_source(meeting_id, "ov-2") is None
    assert [r.id for r in store.recordings.list_for_meeting(meeting_id)] == [first.id]
    assert store.recordings.get(first.id).recording_duration_seconds == 12.5
    assert store.recordings.get(uuid.uuid4()) is None


def test_a_job_is_held_by_one_worker_and_only_he_writes(store):
    filed, _ = store.recordings.add_if_absent(recording(store.meeting()))
    job = store.recordings.claim("w1", now(), LEASE)
    assert job.id == filed.id and job.transcription_status is TranscriptionStatus.PROCESSING
    assert job.attempts == 1 and job.lease_owner == "w1"
    assert store.recordings.claim("w2", now(), LEASE) is None
    assert [r.id for r in store.recordings.list_active()] == [filed.id]

    assert store.recordings.renew(job.id, "w1", now() + LEASE, 0.5)
    assert not store.recordings.renew(job.id, "w2", now() + LEASE, 0.5)
    assert not store.recordings.complete(job.id, "w2", f"transcripts/{job.id}.srt", now())
    assert store.recordings.complete(job.id, "w1", f"transcripts/{job.id}.srt", now(), language="en")
    done = store.recordings.get(job.id)
    assert done.transcription_language == "en"  # the language a recording set to "auto" was detected in
    assert done.transcription_status is TranscriptionStatus.COMPLETED and done.lease_owner is None
    assert done.transcript_url == f"transcripts/{job.id}.srt"
    assert store.recordings.list_active() == []


def test_an_expired_lease_is_taken_back(store):
    filed, _ = store.recordings.add_if_absent(recording(store.meeting()))
    store.recordings.claim("dead", now(), timedelta(0))  # the worker died at once
    taken = store.recordings.claim("w2", now() + timedelta(seconds=1), LEASE)
    assert taken.id == filed.id and taken.attempts == 2 and taken.lease_owner == "w2"
    assert not store.recordings.complete(filed.id, "dead", "transcripts/x.srt", now())


def test_failures_wait_for_their_retry_then_requeue_resets(store):
    filed, _ = store.recordings.add_if_absent(recording(store.meeting()))
    store.recordings.claim("w1", now(), LEASE)
    assert store.recordings.retry(filed.id, "w1", "modèle absent", now(), now() + timedelta(hours=1))
    row = store.recordings.get(filed.id)
    assert row.transcription_status is TranscriptionStatus.PENDING and row.last_error == "modèle absent"
    assert store.recordings.claim("w1", now(), LEASE) is None  # not due yet

    other, _ = store.recordings.add_if_absent(recording(store.meeting(), "ov-2"))
    store.recordings.claim("w1", now(), LEASE)
    assert store.recordings.fail(other.id, "w1", "pas un média", now())  # no retry
    assert store.recordings.get(other.id).transcription_status is TranscriptionStatus.FAILED

    failed = other

    assert not store.recordings.requeue(failed.id, now(), only_if=(TranscriptionStatus.COMPLETED,))
    assert store.recordings.requeue(failed.id, now(), language="en", only_if=(TranscriptionStatus.FAILED,))
    row = store.recordings.get(failed.id)
    assert row.transcription_status is TranscriptionStatus.PENDING and row.attempts == 0
    assert row.transcription_language == "en" and row.last_error is None


def test_renewals_record_progress_and_a_retry_resets_it(store):
    filed, _ = store.recordings.add_if_absent(recording(store.meeting()))
    store.recordings.claim("w1", now(), LEASE)
    assert store.recordings.renew(filed.id, "w1", now() + LEASE, 1.7)  # kept within 0..1
    assert store.recordings.get(filed.id).progress == 1.0
    assert store.recordings.renew(filed.id, "w1", now() + LEASE)  # no share given: progress stays
    assert store.recordings.get(filed.id).progress == 1.0
    assert store.recordings.retry(filed.id, "w1", "z" * (MAX_ERROR_CHARS + 5), now(), now() + timedelta(hours=1))
    row = store.recordings.get(filed.id)
    assert row.progress == 0 and row.last_error == "z" * MAX_ERROR_CHARS and row.lease_owner is None
