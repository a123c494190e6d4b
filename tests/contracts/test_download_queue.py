"""services.ports.DownloadQueue: OpenVidu's recordings to fetch, on both stores."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from visio_core.services.queues import MAX_ERROR_CHARS

LEASE = timedelta(minutes=30)


def now() -> datetime:
    return datetime.now(UTC)


def test_a_recording_is_queued_once_and_failures_are_kept(store):
    meeting_id = store.meeting()
    assert store.downloads.enqueue("visio-a", "visio-a", meeting_id, "webhook", now())
    assert not store.downloads.enqueue("visio-a", "visio-a", meeting_id, "reconciliation", now())  # duplicate
    row = store.downloads.get("visio-a")
    assert (row.state, row.source, row.attempts, row.meeting_id) == ("pending", "webhook", 0, meeting_id)
    assert store.downloads.note_failed("visio-a~1", "visio-a", meeting_id, "webhook", "OpenVidu: disk", now())
    assert store.downloads.get("visio-a~1").state == "failed"
    assert store.downloads.note_failed(
        "visio-a", "visio-a", meeting_id, "webhook", "OpenVidu", now()
    )  # pending → failed
    assert store.downloads.get("visio-a").last_error == "OpenVidu"
    assert store.downloads.known_ids(["visio-a", "visio-a~1", "visio-b"]) == {"visio-a", "visio-a~1"}
    assert [r.recording_id for r in store.downloads.rows(meeting_id)] == ["visio-a", "visio-a~1"]
    assert store.downloads.rows(uuid.uuid4()) == []
    assert store.downloads.get("visio-b") is None


def test_a_download_is_held_by_one_worker_and_only_he_writes(store):
    store.downloads.enqueue("visio-a", "visio-a", store.meeting(), "webhook", now() - timedelta(seconds=1))
    row = store.downloads.claim("w1", now(), LEASE)
    assert row.recording_id == "visio-a" and row.state == "downloading" and row.attempts == 1
    assert store.downloads.claim("w2", now(), LEASE) is None
    assert store.downloads.renew("visio-a", "w1", now() + LEASE)
    assert not store.downloads.renew("visio-a", "w2", now() + LEASE)
    assert not store.downloads.complete("visio-a", "w2", now())
    assert store.downloads.complete("visio-a", "w1", now())
    assert store.downloads.get("visio-a").state == "ingested"
    assert store.downloads.claim("w1", now(), LEASE) is None


def test_retries_wait_and_a_dead_workers_lease_is_taken_back(store):
    store.downloads.enqueue("visio-a", "visio-a", store.meeting(), "webhook", now() - timedelta(seconds=1))
    store.downloads.claim("w1", now(), LEASE)
    assert store.downloads.retry("visio-a", "w1", "HTTP 503", now(), now() + timedelta(hours=1))
    row = store.downloads.get("visio-a")
    assert row.state == "pending" and row.last_error == "HTTP 503" and row.attempts == 1
    assert store.downloads.claim("w1", now(), LEASE) is None  # not due yet

    store.downloads.enqueue("visio-b", "visio-b", store.meeting(), "webhook", now() - timedelta(seconds=1))
    store.downloads.claim("dead", now(), timedelta(0))  # its worker died at once
    taken = store.downloads.claim("w2", now() + timedelta(seconds=1), LEASE)
    assert taken.recording_id == "visio-b" and taken.attempts == 2
    assert not store.downloads.complete("visio-b", "dead", now())


def test_a_long_error_is_kept_cut_to_the_one_limit_of_every_queue(store):
    store.downloads.enqueue("visio-a", "visio-a", store.meeting(), "webhook", now() - timedelta(seconds=1))
    store.downloads.claim("w1", now(), LEASE)
    assert store.downloads.retry("visio-a", "w1", "x" * (MAX_ERROR_CHARS + 10), now(), now())
    assert store.downloads.get("visio-a").last_error == "x" * MAX_ERROR_CHARS
    store.downloads.claim("w1", now() + timedelta(seconds=1), LEASE)
    assert store.downloads.fail("visio-a", "w1", "y" * (MAX_ERROR_CHARS + 10), now())
    row = store.downloads.get("visio-a")
    assert row.state == "abandoned" and row.last_error == "y" * MAX_ERROR_CHARS


def test_a_recording_openvidu_failed_is_kept_as_failed_by_its_holder_only(store):
    store.downloads.enqueue("visio-a", "visio-a", store.meeting(), "webhook", now() - timedelta(seconds=1))
    store.downloads.claim("w1", now(), LEASE)
    assert not store.downloads.failed_at_source("visio-a", "w2", "OpenVidu", now())
    assert store.downloads.failed_at_source("visio-a", "w1", "OpenVidu", now())
    row = store.downloads.get("visio-a")
    assert (row.state, row.last_error) == ("failed", "OpenVidu")
    assert store.downloads.claim("w1", now() + timedelta(hours=1), LEASE) is None
