"""Recordings arriving from OpenVidu: the job that fetches them, reconciliation, problems to show.

Flow: the webhook (webhook.py) or reconciliation queues a ready recording in the
DownloadQueue; a worker's JobRunner claims it, asks OpenVidu for the recording (its url is
not in the event), streams the file into the recording pipeline, and marks it ingested. The
pipeline is idempotent on the source recording id, so a recording fetched twice is stored once.

Webhooks can be lost (OpenVidu posts once, retrying only when the connection fails), so
`reconcile` lists the recordings on the server, after a meeting ends and periodically from
the workers, and queues any ready one the queue has not seen. A `failed` recording is kept
as a row too: it is what the operator is shown (`problems_for`).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from visio_core.adapters.openvidu.client import OpenViduClient, OvRecording
from visio_core.adapters.openvidu.events import recording_event
from visio_core.domain import speakers
from visio_core.domain.errors import BackendUnavailable, VisioError
from visio_core.domain.i18n import t
from visio_core.domain.model import Meeting, utcnow
from visio_core.services.ingest import RecordingIngest
from visio_core.services.jobs import PermanentFailure, Renew, RetryPolicy
from visio_core.services.ports import DownloadQueue, DownloadRow, MeetingRepository, SpeakingLog

log = logging.getLogger(__name__)

# A ready recording handed to the pipeline: (meeting, OpenVidu's description, client to stream it with).
Ingest = Callable[[Meeting, OvRecording, OpenViduClient], None]


# A start reported just before the recording began still counts (a page's clock is not the server's).
SPEAKING_SLACK = timedelta(seconds=5)


class NotReadyYet(BackendUnavailable):
    """Announced ready by someone, not ready on the server yet: try again later."""


def pipeline_ingest(ingest: RecordingIngest, speaking: SpeakingLog | None = None) -> Ingest:
    """Stream a ready OpenVidu recording into the recording pipeline (idempotent on OpenVidu's recording id),
    with the speaking timeline its participants' pages reported, to name each transcript line."""

    def run(meeting: Meeting, recording: OvRecording, client: OpenViduClient) -> None:
        if ingest.existing(meeting.id, recording.id) is not None:
            return  # fetched before (by this worker or another): not downloaded again
        with tempfile.TemporaryDirectory() as folder:
            timeline = _speaking_file(speaking, meeting, recording, Path(folder))
            with client.download(recording) as chunks:
                ingest.ingest_chunks(
                    meeting.id,
                    chunks,
                    filename=f"{recording.name}.{recording.extension}",
                    source_recording_id=recording.id,
                    speaking=timeline,
                )

    return run


def _speaking_file(speaking: SpeakingLog | None, meeting: Meeting, recording: OvRecording, folder: Path) -> Path | None:
    """The recording's speaking timeline as a file, from the events reported during it; None when none were."""
    if speaking is None or recording.created_at <= 0:
        return None
    start = datetime.fromtimestamp(recording.created_at / 1000, UTC)
    events = speaking.between(
        meeting.id, start - SPEAKING_SLACK, start + timedelta(seconds=recording.duration) + SPEAKING_SLACK
    )
    if not events:
        return None
    path = folder / "speakers.json"
    path.write_text(speakers.to_json(speakers.timeline_from_events(events, start, recording.duration)), "utf-8")
    return path


@dataclass
class RecordingDownloads:
    """The OpenVidu download queue as a JobKind (services.jobs), plus what feeds and reads it."""

    queue: DownloadQueue
    client: OpenViduClient
    meetings: MeetingRepository  # system access: events name sessions of any of our operators
    ingest: Ingest
    clock: Callable[[], datetime] = utcnow
    policy: RetryPolicy = RetryPolicy(max_attempts=6, first_delay=timedelta(seconds=30), factor=4)
    lease: timedelta = timedelta(seconds=30)  # renewed while the download runs; a dead worker's row is back in 30 s
    reconcile_every: timedelta = timedelta(minutes=2)
    name: str = "openvidu-download"
    _last_reconcile: float | None = field(default=None, init=False, repr=False)
    _reconcile_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # -- feeding the queue ---------------------------------------------------------------
    def handle_event(self, payload: Mapping[str, Any]) -> str:
        """Act on one authenticated webhook event; returns what was done (also the route's answer)."""
        event = recording_event(payload)
        if event is None:
            return "ignored"
        meeting = self.meetings.get_by_session(event.session_id)
        if meeting is None:
            log.warning(
                "OpenVidu event for unknown session %r ignored (recording %r)", event.session_id, event.recording_id
            )
            return "unknown_session"
        if event.status == "ready":
            queued = self.queue.enqueue(event.recording_id, event.session_id, meeting.id, "webhook", self.clock())
            return "queued" if queued else "duplicate"
        detail = f"OpenVidu: {event.reason}" if event.reason else "OpenVidu"
        noted = self.queue.note_failed(
            event.recording_id, event.session_id, meeting.id, "webhook", detail, self.clock()
        )
        log.warning("OpenVidu reports recording %s of meeting %s failed", event.recording_id, meeting.id)
        return "noted" if noted else "duplicate"

    def reconcile(self, recordings: Iterable[OvRecording] | None = None, *, session_id: str | None = None) -> int:
        """Queue every ready (or note every failed) recording of our meetings not seen yet."""
        if recordings is None:
            recordings = self.client.list_recordings()
        candidates = [
            r
            for r in recordings
            if r.status in ("ready", "failed") and (session_id is None or r.session_id == session_id)
        ]
        if not candidates:
            return 0
        known = self.queue.known_ids([r.id for r in candidates])
        added = 0
        for rec in candidates:
            if rec.id in known:
                continue
            meeting = self.meetings.get_by_session(rec.session_id)
            if meeting is None:
                continue  # another application's session on a shared OpenVidu
            if rec.ready:
                added += self.queue.enqueue(rec.id, rec.session_id, meeting.id, "reconciliation", self.clock())
            else:
                added += self.queue.note_failed(
                    rec.id, rec.session_id, meeting.id, "reconciliation", "OpenVidu", self.clock()
                )
        if added:
            log.info("reconciliation queued %d recording(s) missed by the webhook", added)
        return added

    def maybe_reconcile(self) -> int:
        """Reconcile when the last run is older than `reconcile_every`; an unreachable server waits."""
        with self._reconcile_lock:
            now = time.monotonic()
            if self._last_reconcile is not None and now - self._last_reconcile < self.reconcile_every.total_seconds():
                return 0
            self._last_reconcile = now
        try:
            return self.reconcile()
        except VisioError as error:
            log.warning("reconciliation with OpenVidu failed: %s", error)
            return 0

    # -- reading -------------------------------------------------------------------------
    def problems_for(self, meeting_id: uuid.UUID) -> list[str]:
        """Messages for the operator about recordings of this meeting that will not arrive."""
        messages = []
        for row in self.queue.rows(meeting_id):
            if row.state == "failed":
                messages.append(
                    t(
                        "ov.recording_failed",
                        recording=row.recording_id,
                        when=row.updated_at.strftime("%d/%m/%Y %H:%M UTC"),
                    )
                )
            elif row.state == "abandoned":
                messages.append(
                    t(
                        "ov.recording_lost",
                        recording=row.recording_id,
                        attempts=row.attempts,
                        detail=row.last_error or "",
                    )
                )
        return messages

    # -- JobKind ---------------------------------------------------------------------------
    def tick(self, now: datetime) -> None:
        self.maybe_reconcile()

    def key(self, job: DownloadRow) -> str:
        return job.recording_id

    def describe(self, job: DownloadRow) -> str:
        return f"OpenVidu recording {job.recording_id}"

    def run(self, job: DownloadRow, worker: str, renew: Renew) -> None:
        recording = self.client.get_recording(job.recording_id)
        if recording is None:
            raise PermanentFailure(t("error.recording_not_found"))
        if recording.status == "failed":
            self.queue.failed_at_source(job.recording_id, worker, "OpenVidu", self.clock())
            return
        if not recording.ready:
            raise NotReadyYet(f"status {recording.status}")
        meeting = self.meetings.get(job.meeting_id)
        if meeting is None:
            raise PermanentFailure(t("error.not_found"))
        renew(0.0)
        self.ingest(meeting, recording, self.client)  # InvalidInput (not media, too large…): the runner gives up
        self.queue.complete(job.recording_id, worker, self.clock())
