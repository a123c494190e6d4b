"""Recordings reach the queue with or without the webhook, and the worker fetches them once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.openvidu.conftest import fetch_due
from visio_core.adapters.openvidu.webhook import WEBHOOK_PATH
from visio_core.domain.errors import BackendUnavailable


class Collect:
    """An ingest that streams the file like the pipeline would, and remembers what it got."""

    def __init__(self, fail: int = 0) -> None:
        self.files: dict[str, bytes] = {}
        self.meetings: dict[str, object] = {}
        self.fail = fail

    def __call__(self, meeting, recording, client) -> None:
        if self.fail:
            self.fail -= 1
            raise BackendUnavailable("disque plein")
        chunks: list[bytes] = []
        client.stream_recording(recording, chunks.append)
        self.files[recording.id] = b"".join(chunks)
        self.meetings[recording.id] = meeting.id


class Clock:
    def __init__(self, downloads) -> None:
        self.now = downloads.clock()
        downloads.clock = self

    def __call__(self):
        return self.now


def joined_meeting(ov_ctx, crew, fake_ov):
    meeting = crew.meeting()
    fake_ov.join(ov_ctx.engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id)))
    return meeting


def test_dropped_webhook_is_caught_when_the_meeting_ends(ov_ctx, crew, fake_ov):
    fake_ov.webhook_url = "http://127.0.0.1:9/never"  # configured, but every delivery is lost
    fake_ov.drop_webhooks = True
    meeting = joined_meeting(ov_ctx, crew, fake_ov)
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)  # close_session reconciles this session
    downloads = ov_ctx.downloads
    (row,) = downloads.queue.rows()
    assert (row.recording_id, row.source, row.state) == (meeting.session_id, "reconciliation", "pending")
    ingest = Collect()
    assert fetch_due(downloads, ingest) == 1
    assert ingest.files[meeting.session_id] == fake_ov._file_bytes(fake_ov.recordings[meeting.session_id])
    assert downloads.queue.get(meeting.session_id).state == "ingested"
    assert fetch_due(downloads, ingest) == 0  # nothing twice
    assert downloads.reconcile() == 0


def test_recording_still_processing_at_the_end_is_caught_by_the_periodic_pass(ov_ctx, crew, fake_ov):
    fake_ov.auto_ready = False  # a COMPOSED recording takes a while to be ready
    meeting = joined_meeting(ov_ctx, crew, fake_ov)
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    downloads = ov_ctx.downloads
    assert downloads.queue.rows() == []  # "stopped", not ready: nothing to fetch yet
    fake_ov.finish_processing()
    assert downloads.maybe_reconcile() == 1
    assert downloads.maybe_reconcile() == 0  # throttled; and nothing new anyway
    assert fetch_due(downloads, Collect()) == 1


def test_webhook_and_reconciliation_together_make_one_row_per_recording(ov_ctx, crew, fake_ov, web, webhook_secret):
    fake_ov.webhook_url = web + WEBHOOK_PATH
    fake_ov.webhook_headers = {"Authorization": f"Bearer {webhook_secret}"}  # OPENVIDU_WEBHOOK_HEADERS
    meeting = joined_meeting(ov_ctx, crew, fake_ov)
    first = ov_ctx.engine.join_token(crew.op, ov_ctx.meetings.enter_room(crew.op, meeting.id))
    fake_ov.join(first)
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    fake_ov.flush_webhooks()
    delivered = [(b["event"], b.get("status"), code) for b, code in fake_ov.webhook_log]
    assert ("recordingStatusChanged", "ready", 200) in delivered
    assert all(code == 200 for *_, code in delivered)  # OpenVidu wants 200 to every event
    downloads = ov_ctx.downloads
    assert downloads.reconcile() == 0
    (row,) = downloads.queue.rows()
    assert row.recording_id == meeting.session_id
    ingest = Collect()
    assert fetch_due(downloads, ingest) == 1
    assert list(ingest.files) == [meeting.session_id]


def test_every_segment_of_a_meeting_is_fetched(ov_ctx, crew, fake_ov):
    meeting = joined_meeting(ov_ctx, crew, fake_ov)
    token = ov_ctx.engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id))
    fake_ov.join(token)
    for conn in list(fake_ov.sessions[meeting.session_id].connections.values()):
        if conn.status == "active":
            fake_ov.leave(conn.token)  # everyone left: segment 1 ends, session dropped
    fake_ov.join(
        ov_ctx.engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id))
    )  # segment 2
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    downloads = ov_ctx.downloads
    downloads.reconcile()
    ingest = Collect()
    assert fetch_due(downloads, ingest) == 2
    assert sorted(ingest.files) == [meeting.session_id, f"{meeting.session_id}~1"]
    assert set(ingest.meetings.values()) == {meeting.id}


def test_other_applications_recordings_are_left_alone(ov_ctx, crew, fake_ov, ov_client):
    ov_client.create_session("ses_OtherApp01")
    fake_ov.join(ov_client.create_token("ses_OtherApp01", "someone"))
    ov_client.close_session("ses_OtherApp01")
    assert ov_ctx.downloads.reconcile() == 0
    assert ov_ctx.downloads.queue.rows() == []


def test_failed_recording_found_by_reconciliation_is_noted(ov_ctx, crew, fake_ov):
    fake_ov.auto_ready = False
    meeting = joined_meeting(ov_ctx, crew, fake_ov)
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    fake_ov.finish_processing(status="failed")
    downloads = ov_ctx.downloads
    assert downloads.reconcile() == 1
    assert downloads.queue.get(meeting.session_id).state == "failed"
    assert fetch_due(downloads, Collect()) == 0
    assert len(downloads.problems_for(meeting.id)) == 1


def test_download_failures_are_retried_later_then_given_up_and_shown(ov_ctx, crew, fake_ov):
    meeting = joined_meeting(ov_ctx, crew, fake_ov)
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    downloads = ov_ctx.downloads
    clock = Clock(downloads)
    ingest = Collect(fail=1)
    assert fetch_due(downloads, ingest) == 0
    row = downloads.queue.get(meeting.session_id)
    assert row.state == "pending" and row.attempts == 1 and row.last_error == "disque plein"
    assert fetch_due(downloads, ingest) == 0  # not due yet (backoff)
    clock.now += timedelta(seconds=31)
    assert fetch_due(downloads, ingest) == 1
    assert downloads.queue.get(meeting.session_id).state == "ingested"

    # a recording that can never be fetched ends as "abandoned", visible to the operator
    other = joined_meeting(ov_ctx, crew, fake_ov)
    ov_ctx.meetings.end_meeting(crew.op, other.id)
    broken = Collect(fail=100)
    for _ in range(downloads.policy.max_attempts):
        clock.now += timedelta(hours=2)
        fetch_due(downloads, broken)
    row = downloads.queue.get(other.session_id)
    assert row.state == "abandoned" and row.attempts == downloads.policy.max_attempts
    (message,) = downloads.problems_for(other.id)
    assert "n'a pas pu être récupéré" in message and "disque plein" in message


def test_openvidu_errors_during_download_are_retried(ov_ctx, crew, fake_ov):
    meeting = joined_meeting(ov_ctx, crew, fake_ov)
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    downloads = ov_ctx.downloads
    clock = Clock(downloads)
    downloads.maybe_reconcile()  # the worker's periodic look at the server happened already
    fake_ov.fail_next = [401]  # e.g. the secret rotated on the server for a moment
    assert fetch_due(downloads, Collect()) == 0
    assert "OPENVIDU_SECRET" in downloads.queue.get(meeting.session_id).last_error
    clock.now += timedelta(minutes=1)
    assert fetch_due(downloads, Collect()) == 1


def test_a_worker_that_died_mid_download_gives_the_row_back(ov_ctx, crew, fake_ov):
    meeting = joined_meeting(ov_ctx, crew, fake_ov)
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    downloads = ov_ctx.downloads
    clock = Clock(downloads)
    claimed = downloads.queue.claim(
        "dead-worker", downloads.clock(), downloads.lease
    )  # ... and the worker process is killed here
    assert claimed.state == "downloading"
    assert (
        downloads.queue.claim("dead-worker", downloads.clock(), downloads.lease) is None
    )  # leased to the dead worker for now
    clock.now += timedelta(hours=1)
    assert fetch_due(downloads, Collect()) == 1


def test_reconciliation_errors_do_not_break_ending_a_meeting(ov_ctx, crew, fake_ov):
    meeting = joined_meeting(ov_ctx, crew, fake_ov)
    fake_ov.recording_enabled = False  # the listing answers 501 after the session closed
    ended = ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    assert ended.session_id == meeting.session_id
    with pytest.raises(BackendUnavailable):
        ov_ctx.downloads.reconcile()
    assert ov_ctx.downloads.maybe_reconcile() == 0  # the worker logs it and carries on


def test_downloads_resume_by_themselves_after_openvidu_is_down_for_ten_minutes(ov_ctx, crew, fake_ov):
    meeting = joined_meeting(ov_ctx, crew, fake_ov)
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)  # queued by the reconciliation at the meeting's end
    downloads = ov_ctx.downloads
    clock = Clock(downloads)
    fake_ov.unavailable = True
    outage_ends = clock.now + timedelta(minutes=10)
    tries = 0
    while clock.now < outage_ends:
        assert fetch_due(downloads, Collect()) == 0
        row = downloads.queue.get(meeting.session_id)
        tries = row.attempts
        assert row.state == "pending" and "503" in row.last_error  # waiting for its next try, not given up
        clock.now = row.next_attempt_at
    fake_ov.unavailable = False  # back; nobody does anything
    ingest = Collect()
    assert fetch_due(downloads, ingest) == 1
    assert downloads.queue.get(meeting.session_id).state == "ingested" and tries == 3
    assert downloads.problems_for(meeting.id) == []
