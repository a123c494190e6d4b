"""Recordings arriving from OpenVidu: the webhook, the durable download queue, reconciliation.

Flow: OpenVidu POSTs `recordingStatusChanged` (status `ready`) to
`/api/openvidu/webhook`; the route checks the secret, inserts one row in
`openvidu_downloads` and answers 200 at once. The worker later claims the row, asks
OpenVidu for the recording (its url is not in the event), streams the file into the
recording pipeline, and marks the row ingested. Duplicated deliveries hit the row's
primary key (OpenVidu's recording id) and change nothing.

Webhooks can be lost (OpenVidu posts once, retrying only when the connection fails), so
`reconcile` lists the recordings on the server, after a meeting ends and periodically from
the worker, and queues any ready one the queue has not seen. A `failed` recording is kept
as a row too: it is what the operator is shown (`problems_for`).

Answers of the route (contract in shared/DESIGN.md §3): 401 unless `Authorization: Bearer
<OPENVIDU_WEBHOOK_SECRET>` or `X-OpenVidu-Signature: <hex HMAC-SHA256(secret, body)>`
matches (constant-time); 413 over 1 MB (announced or counted); 400 when not a JSON
object or a recording event without its ids; 200 otherwise. An event for a session we
do not know is answered 200 and logged: OpenVidu treats anything else as a delivery
error it will not retry, a shared OpenVidu server legitimately sends other applications'
sessions, and §3 asks 200 for authenticated events we do not act on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from visio_core.errors import InvalidInput, VisioError
from visio_core.i18n import t
from visio_core.media.openvidu import OpenViduClient, OpenViduEngine, OvRecording
from visio_core.models import Meeting, utcnow
from visio_core.store.sqlite import Database, from_db_time, to_db_time
from visio_core.store.sqlite_meetings import SqliteMeetingRepository

if TYPE_CHECKING:  # pragma: no cover
    from visio_core.app_context import AppContext

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/api/openvidu/webhook"
MAX_BODY_BYTES = 1024 * 1024
MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=30)  # a worker that died mid-download gives the row back after this
RECONCILE_EVERY = timedelta(minutes=2)

# A recording the worker may ingest: (meeting, OpenVidu's description, client to stream it with).
Ingest = Callable[[Meeting, OvRecording, OpenViduClient], None]


class MalformedEvent(ValueError):
    """A body that is JSON but not an event we can read."""


# -- verification and parsing ----------------------------------------------------------------


def verify(headers: Mapping[str, str], body: bytes, secret: str | None) -> bool:
    """True when the Bearer header or the HMAC signature matches; both compared in constant time."""
    if not secret:
        return False
    key = secret.encode("utf-8")
    ok = False
    bearer = headers.get("authorization")
    if bearer is not None:
        # Starlette decodes header bytes as latin-1; encoding back gives the bytes sent.
        ok |= hmac.compare_digest(bearer.encode("latin-1", "replace"), b"Bearer " + key)
    signature = headers.get("x-openvidu-signature")
    if signature is not None:
        expected = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
        ok |= hmac.compare_digest(signature.strip().lower().encode("latin-1", "replace"), expected)
    return ok


def parse_body(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedEvent("not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedEvent("not a JSON object")
    return payload


@dataclass(frozen=True)
class RecordingEvent:
    recording_id: str
    session_id: str
    status: str
    reason: str | None = None


def recording_event(payload: Mapping[str, Any]) -> RecordingEvent | None:
    """The recording event we act on (`ready` / `failed`), None for everything else."""
    if payload.get("event") != "recordingStatusChanged":
        return None
    status, rec_id, session_id = payload.get("status"), payload.get("id"), payload.get("sessionId")
    if not all(isinstance(v, str) and v for v in (status, rec_id, session_id)):
        raise MalformedEvent("recordingStatusChanged without id, sessionId or status")
    if status not in ("ready", "failed"):
        return None
    reason = payload.get("reason")
    return RecordingEvent(rec_id, session_id, status, reason if isinstance(reason, str) else None)


# -- the durable queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadRow:
    recording_id: str
    session_id: str
    meeting_id: uuid.UUID
    state: str
    source: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    updated_at: datetime


_ROW = ("recording_id, session_id, meeting_id, state, source, attempts, next_attempt_at, last_error, "
        "created_at, updated_at")


def _row(r: Any) -> DownloadRow:
    return DownloadRow(r["recording_id"], r["session_id"], uuid.UUID(r["meeting_id"]), r["state"], r["source"],
                       r["attempts"], from_db_time(r["next_attempt_at"]), r["last_error"],
                       from_db_time(r["created_at"]), from_db_time(r["updated_at"]))


class RecordingDownloads:
    """Recordings to fetch from OpenVidu, kept in SQLite so a restart loses nothing."""

    def __init__(
        self,
        db: Database,
        client: OpenViduClient,
        *,
        meetings: SqliteMeetingRepository | None = None,
        clock: Callable[[], datetime] = utcnow,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.db = db
        self.client = client
        self.meetings = meetings or SqliteMeetingRepository(db)
        self.clock = clock
        self.max_attempts = max_attempts
        self._last_reconcile: float | None = None
        self._reconcile_lock = threading.Lock()

    # -- writing (webhook, reconciliation) ----------------------------------------------
    def enqueue(self, recording_id: str, session_id: str, meeting: Meeting, source: str) -> bool:
        """Queue a ready recording; False when it was already known (duplicate)."""
        now = to_db_time(self.clock())
        cur = self.db.connection().execute(
            f"INSERT INTO openvidu_downloads ({_ROW}) VALUES (?, ?, ?, 'pending', ?, 0, ?, NULL, ?, ?) "
            "ON CONFLICT(recording_id) DO NOTHING",
            (recording_id, session_id, str(meeting.id), source, now, now, now),
        )
        return cur.rowcount == 1

    def note_failed(self, recording_id: str, session_id: str, meeting: Meeting, source: str,
                    reason: str | None) -> bool:
        """Remember that OpenVidu could not produce this recording, for the operator."""
        now = to_db_time(self.clock())
        detail = f"OpenVidu: {reason}" if reason else "OpenVidu"
        cur = self.db.connection().execute(
            f"INSERT INTO openvidu_downloads ({_ROW}) VALUES (?, ?, ?, 'failed', ?, 0, ?, ?, ?, ?) "
            "ON CONFLICT(recording_id) DO UPDATE SET state = 'failed', last_error = excluded.last_error, "
            "updated_at = excluded.updated_at WHERE openvidu_downloads.state = 'pending'",
            (recording_id, session_id, str(meeting.id), source, now, detail, now, now),
        )
        return cur.rowcount == 1

    # -- reading ------------------------------------------------------------------------
    def get(self, recording_id: str) -> DownloadRow | None:
        r = self.db.connection().execute(
            f"SELECT {_ROW} FROM openvidu_downloads WHERE recording_id = ?", (recording_id,)
        ).fetchone()
        return _row(r) if r else None

    def rows(self, meeting_id: uuid.UUID | None = None) -> list[DownloadRow]:
        sql = f"SELECT {_ROW} FROM openvidu_downloads"
        params: tuple = ()
        if meeting_id is not None:
            sql += " WHERE meeting_id = ?"
            params = (str(meeting_id),)
        return [_row(r) for r in self.db.connection().execute(sql + " ORDER BY recording_id", params)]

    def problems_for(self, meeting_id: uuid.UUID) -> list[str]:
        """Messages for the operator about recordings of this meeting that will not arrive."""
        messages = []
        for row in self.rows(meeting_id):
            if row.state == "failed":
                messages.append(t("ov.recording_failed", recording=row.recording_id,
                                  when=row.updated_at.strftime("%d/%m/%Y %H:%M UTC")))
            elif row.state == "abandoned":
                messages.append(t("ov.recording_lost", recording=row.recording_id, attempts=row.attempts,
                                  detail=row.last_error or ""))
        return messages

    # -- reconciliation -----------------------------------------------------------------
    def reconcile(self, recordings: Iterable[OvRecording] | None = None, *, session_id: str | None = None) -> int:
        """Queue every ready (or note every failed) recording of our meetings not seen yet."""
        if recordings is None:
            recordings = self.client.list_recordings()
        candidates = [r for r in recordings
                      if r.status in ("ready", "failed") and (session_id is None or r.session_id == session_id)]
        if not candidates:
            return 0
        known = self._known_ids([r.id for r in candidates])
        added = 0
        for rec in candidates:
            if rec.id in known:
                continue
            meeting = self.meetings.get_by_session(rec.session_id)
            if meeting is None:
                continue  # another application's session on a shared OpenVidu
            if rec.ready:
                added += self.enqueue(rec.id, rec.session_id, meeting, "reconciliation")
            else:
                added += self.note_failed(rec.id, rec.session_id, meeting, "reconciliation", None)
        if added:
            log.info("reconciliation queued %d recording(s) missed by the webhook", added)
        return added

    def reconcile_session(self, session_id: str) -> int:
        return self.reconcile(session_id=session_id)

    def maybe_reconcile(self, every: timedelta = RECONCILE_EVERY) -> int:
        """Reconcile when the last run is older than `every` (the worker calls this each loop)."""
        with self._reconcile_lock:
            now = time.monotonic()
            if self._last_reconcile is not None and now - self._last_reconcile < every.total_seconds():
                return 0
            self._last_reconcile = now
        try:
            return self.reconcile()
        except VisioError as error:
            log.warning("reconciliation with OpenVidu failed: %s", error)
            return 0

    def _known_ids(self, ids: list[str]) -> set[str]:
        known: set[str] = set()
        conn = self.db.connection()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = conn.execute(
                f"SELECT recording_id FROM openvidu_downloads WHERE recording_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            known.update(r[0] for r in rows)
        return known

    # -- the worker's part --------------------------------------------------------------
    def claim(self) -> DownloadRow | None:
        """Take one due row (pending, or downloading with an expired lease) for this worker."""
        now = self.clock()
        with self.db.transaction() as conn:
            r = conn.execute(
                f"SELECT {_ROW} FROM openvidu_downloads WHERE (state = 'pending' AND next_attempt_at <= ?) "
                "OR (state = 'downloading' AND lease_until <= ?) ORDER BY next_attempt_at LIMIT 1",
                (to_db_time(now), to_db_time(now)),
            ).fetchone()
            if r is None:
                return None
            conn.execute(
                "UPDATE openvidu_downloads SET state = 'downloading', lease_until = ?, attempts = attempts + 1, "
                "updated_at = ? WHERE recording_id = ?",
                (to_db_time(now + LEASE), to_db_time(now), r["recording_id"]),
            )
        row = _row(r)
        return DownloadRow(**{**row.__dict__, "state": "downloading", "attempts": row.attempts + 1})

    def process_due(self, ingest: Ingest, *, limit: int = 10) -> int:
        """Fetch up to `limit` due recordings into the pipeline; returns how many were ingested."""
        done = 0
        for _ in range(limit):
            row = self.claim()
            if row is None:
                break
            done += self._process(row, ingest)
        return done

    def _process(self, row: DownloadRow, ingest: Ingest) -> bool:
        try:
            recording = self.client.get_recording(row.recording_id)
            if recording is None:
                self._finish(row, "abandoned", t("error.recording_not_found"))
                return False
            if recording.status == "failed":
                self._finish(row, "failed", "OpenVidu")
                return False
            if not recording.ready:  # announced ready by someone, not ready on the server yet
                self._retry(row, f"status {recording.status}")
                return False
            meeting = self.meetings.get(row.meeting_id)
            if meeting is None:
                self._finish(row, "abandoned", t("error.not_found"))
                return False
            ingest(meeting, recording, self.client)
        except InvalidInput as error:  # not media, too large…: fetching again would not help
            log.warning("recording %s refused by the pipeline: %s", row.recording_id, error)
            self._finish(row, "abandoned", str(error))
            return False
        except Exception as error:  # any failure: try again later, give up after max_attempts
            detail = str(error) if isinstance(error, VisioError) else type(error).__name__
            log.warning("download of recording %s failed (attempt %d): %s", row.recording_id, row.attempts, detail)
            self._retry(row, detail)
            return False
        self._finish(row, "ingested", None)
        return True

    def _retry(self, row: DownloadRow, detail: str) -> None:
        now = self.clock()
        if row.attempts >= self.max_attempts:
            self._finish(row, "abandoned", detail)
            return
        delay = timedelta(seconds=min(3600, 30 * 4 ** (row.attempts - 1)))
        self.db.connection().execute(
            "UPDATE openvidu_downloads SET state = 'pending', lease_until = NULL, next_attempt_at = ?, "
            "last_error = ?, updated_at = ? WHERE recording_id = ? AND state = 'downloading'",
            (to_db_time(now + delay), detail[:500], to_db_time(now), row.recording_id),
        )

    def _finish(self, row: DownloadRow, state: str, detail: str | None) -> None:
        self.db.connection().execute(
            "UPDATE openvidu_downloads SET state = ?, lease_until = NULL, last_error = ?, updated_at = ? "
            "WHERE recording_id = ? AND state = 'downloading'",
            (state, detail[:500] if detail else None, to_db_time(self.clock()), row.recording_id),
        )


# -- handling an event --------------------------------------------------------------------------------


def handle_event(payload: Mapping[str, Any], downloads: RecordingDownloads) -> str:
    """Act on one authenticated event; returns what was done (also the route's answer)."""
    event = recording_event(payload)
    if event is None:
        return "ignored"
    meeting = downloads.meetings.get_by_session(event.session_id)
    if meeting is None:
        log.warning("OpenVidu event for unknown session %r ignored (recording %r)", event.session_id,
                    event.recording_id)
        return "unknown_session"
    if event.status == "ready":
        queued = downloads.enqueue(event.recording_id, event.session_id, meeting, "webhook")
        return "queued" if queued else "duplicate"
    noted = downloads.note_failed(event.recording_id, event.session_id, meeting, "webhook", event.reason)
    log.warning("OpenVidu reports recording %s of meeting %s failed", event.recording_id, meeting.id)
    return "noted" if noted else "duplicate"


# -- the worker's hook --------------------------------------------------------------------------------


def pipeline_ingest(ctx: "AppContext") -> Ingest:
    """Hand a ready OpenVidu recording to the recording pipeline (visio_core.ingest).

    The pipeline streams the file from OpenVidu with Basic auth and is idempotent on the
    source recording id, so a recording fetched twice is stored once."""
    from visio_core.ingest import RecordingIngest
    from visio_core.store.sqlite_recordings import SqliteRecordingRepository

    ingest = getattr(ctx, "ingest", None)
    if not isinstance(ingest, RecordingIngest):
        ingest = RecordingIngest(ctx.settings, SqliteMeetingRepository(ctx.db), SqliteRecordingRepository(ctx.db),
                                 ctx.storage)

    def run(meeting: Meeting, recording: OvRecording, client: OpenViduClient) -> None:
        ingest.ingest_url(
            meeting.id,
            client.download_url(recording),
            filename=f"{recording.name}.{recording.extension}",
            source_recording_id=recording.id,
            auth=client.auth,
        )

    return run


def worker_step(ctx: "AppContext", ingest: Ingest | None = None) -> int:
    """One pass for the worker loop: reconcile now and then, fetch the due recordings.

    Returns how many recordings were ingested; 0 when the OpenVidu engine is not in use."""
    downloads = downloads_of(ctx)
    if downloads is None:
        return 0
    downloads.maybe_reconcile()
    return downloads.process_due(ingest or pipeline_ingest(ctx))


# -- the route ---------------------------------------------------------------------------------------


def downloads_of(ctx: "AppContext") -> RecordingDownloads | None:
    engine = ctx.engine
    if isinstance(engine, OpenViduEngine) and isinstance(engine.recordings, RecordingDownloads):
        return engine.recordings
    return None


def make_webhook_endpoint(get_context: Callable[[], "AppContext"]) -> Callable[[Request], Any]:
    async def openvidu_webhook(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                return JSONResponse({"error": "bad Content-Length"}, status_code=400)
            if int(declared) > MAX_BODY_BYTES:
                return JSONResponse({"error": "body too large"}, status_code=413)
        body = bytearray()
        async for chunk in request.stream():  # counted too: chunked bodies announce no length
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return JSONResponse({"error": "body too large"}, status_code=413)
        ctx = get_context()
        if not verify(request.headers, bytes(body), ctx.settings.openvidu_webhook_secret):
            if not ctx.settings.openvidu_webhook_secret:
                log.warning("OpenVidu webhook refused: OPENVIDU_WEBHOOK_SECRET is not set")
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        try:
            payload = parse_body(bytes(body))
            recording_event(payload)  # malformed recording events are refused before any work
        except MalformedEvent as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        downloads = downloads_of(ctx)
        if downloads is None:
            log.warning("OpenVidu webhook received but the OpenVidu engine is not configured")
            return JSONResponse({"result": "ignored"})
        result = await run_in_threadpool(handle_event, payload, downloads)
        return JSONResponse({"result": result})

    return openvidu_webhook


def routes(get_context: Callable[[], "AppContext"]) -> list:
    """The OpenVidu routes for web.py: the webhook and the browser library."""
    from starlette.routing import Route

    from visio_core.components.openvidu_room import asset_routes

    return [Route(WEBHOOK_PATH, make_webhook_endpoint(get_context), methods=["POST"]), *asset_routes()]
