"""Transcription worker: claims jobs, transcribes, stores the SRT.

One runs in the dashboard process (a daemon thread); `python -m visio_core.worker`
runs more, on the same store. Claims are atomic and every write is conditional on
holding the lease, so any number of workers can share the queue.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import signal
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Protocol

from visio_core.errors import InvalidInput
from visio_core.models import Recording, utcnow
from visio_core.recordings import transcript_key
from visio_core.storage import RECORDINGS, TRANSCRIPTS, Storage
from visio_core.transcription import Transcriber, srt

log = logging.getLogger("visio.worker")

MAX_ATTEMPTS = 3


class JobQueue(Protocol):
    """What a worker needs of a store: SqliteRecordingRepository, SupabaseRecordingJobs."""

    def claim_next(self, worker: str, now: datetime, lease: timedelta) -> Recording | None: ...
    def heartbeat(self, recording_id: uuid.UUID, worker: str, progress: float, until: datetime) -> bool: ...
    def complete(self, recording_id: uuid.UUID, worker: str, transcript_url: str, now: datetime) -> bool: ...
    def fail_attempt(
        self, recording_id: uuid.UUID, worker: str, error: str, now: datetime, retry_at: datetime | None
    ) -> bool: ...


class LeaseLost(Exception):
    """Another worker took the job over; this one stops without writing."""


@dataclass
class Worker:
    recordings: JobQueue
    storage: Storage
    transcriber: Callable[[], Transcriber]  # built lazily: the model loads on the first job
    lease: timedelta = timedelta(minutes=5)
    backoff: timedelta = timedelta(seconds=30)
    clock: Callable[[], datetime] = utcnow
    on_completed: Callable[[Recording, list[srt.Cue]], None] | None = None
    # Another queue served by the same loop: fetching OpenVidu recordings into the pipeline
    # (visio_core.openvidu_webhook.worker_step); returns how many it handled.
    side_step: Callable[[], int] | None = None
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")

    def run_once(self) -> bool:
        """Process one due job; False when there was none."""
        job = self.recordings.claim_next(self.worker_id, self.clock(), self.lease)
        if job is None:
            return False
        log.info("transcribing recording %s (attempt %d)", job.id, job.attempts)
        try:
            cues = self._transcribe(job)
            self.storage.upload_stream(TRANSCRIPTS, transcript_key(job.id), io.BytesIO(srt.format(cues).encode()))
            if self.recordings.complete(job.id, self.worker_id, f"{TRANSCRIPTS}/{transcript_key(job.id)}", self.clock()):
                if self.on_completed:
                    self.on_completed(job, cues)
        except LeaseLost:
            log.warning("lease on recording %s lost; another worker has it", job.id)
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the job, then retried
            self._failed(job, error)
        return True

    def run_until_idle(self) -> int:
        done = 0
        while self.run_once() or (self.side_step is not None and self.side_step() > 0):
            done += 1
        return done

    def run_forever(self, stop: threading.Event, idle_seconds: float = 2.0) -> None:
        while not stop.is_set():
            try:
                fetched = self.side_step() if self.side_step is not None else 0
                busy = self.run_once() or fetched > 0
            except Exception:  # noqa: BLE001 - the store was busy or gone; try again later
                log.exception("worker loop error")
                busy = False
            if not busy:
                stop.wait(idle_seconds)

    def _transcribe(self, job: Recording) -> list[srt.Cue]:
        last_beat = 0.0

        def progress(share: float) -> None:
            nonlocal last_beat
            if time.monotonic() - last_beat < 1.0 and share < 1.0:
                return
            last_beat = time.monotonic()
            if not self.recordings.heartbeat(job.id, self.worker_id, share, self.clock() + self.lease):
                raise LeaseLost()

        progress(0.0)
        with self.storage.local_copy(RECORDINGS, job.storage_key) as path:
            cues = self.transcriber().transcribe(path, language=job.transcription_language, on_progress=progress)
        return srt.normalize(cues)

    def _failed(self, job: Recording, error: Exception) -> None:
        message = str(error) or type(error).__name__
        permanent = isinstance(error, InvalidInput) or job.attempts >= MAX_ATTEMPTS
        retry_at = None if permanent else self.clock() + self.backoff * (2 ** (job.attempts - 1))
        log.warning("recording %s failed (attempt %d): %s", job.id, job.attempts, message)
        self.recordings.fail_attempt(job.id, self.worker_id, message, self.clock(), retry_at)


def _lazy_transcriber(settings) -> Callable[[], Transcriber]:
    """The transcriber, built on the first job (loading a model is not free)."""
    from visio_core.transcription.factory import build_transcriber

    made: list[Transcriber] = []

    def transcriber() -> Transcriber:
        if not made:
            made.append(build_transcriber(settings))
        return made[0]

    return transcriber


def build_worker(ctx) -> Worker:
    from visio_core.openvidu_webhook import worker_step

    return Worker(ctx.recording_jobs, ctx.storage, _lazy_transcriber(ctx.settings),
                  on_completed=ctx.on_transcript_completed, side_step=lambda: worker_step(ctx))


def build_supabase_worker(settings) -> Worker:
    """A worker on a Supabase project: jobs claimed through `claim_transcription_job`, files in its
    Storage, both with the service-role key (workers run outside any user's session)."""
    from visio_core.storage.supabase import SupabaseStorage
    from visio_core.store.supabase_jobs import SupabaseRecordingJobs, service_client
    from visio_core.store.supabase_search import SupabaseTranscriptIndex

    key = settings.supabase_service_role_key
    if not key:
        raise SystemExit("SUPABASE_SERVICE_ROLE_KEY is required for a worker on Supabase")
    service = service_client(settings.supabase_url, key)
    return Worker(
        SupabaseRecordingJobs(service),
        SupabaseStorage(settings.supabase_url, key, spool_dir=settings.data_dir / "tmp"),
        _lazy_transcriber(settings),
        on_completed=SupabaseTranscriptIndex(service).index,
    )


_background_lock = threading.Lock()
_background: threading.Thread | None = None


def ensure_background_worker(ctx) -> None:
    """The dashboard's background work, once per process (called on every run): the media engine's
    recovery of recordings a previous process left, and the in-process transcription worker."""
    global _background
    start_recovery = getattr(ctx.engine, "start_recovery", None)
    if start_recovery is not None:
        start_recovery()
    if not ctx.settings.embedded_worker:
        return
    with _background_lock:
        if _background is not None and _background.is_alive():
            return
        worker = build_worker(ctx)
        _background = threading.Thread(
            target=worker.run_forever, args=(threading.Event(),), name="visio-worker", daemon=True
        )
        _background.start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m visio_core.worker", description="Transcription worker")
    parser.add_argument("--until-idle", action="store_true", help="stop when no job is left")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from visio_core.config import Settings

    settings = Settings.load()
    if settings.store_backend == "supabase":
        worker = build_supabase_worker(settings)
    else:
        from visio_core.app_context import get_context

        worker = build_worker(get_context())
    if args.until_idle:
        log.info("processed %d job(s)", worker.run_until_idle())
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log.info("worker %s started", worker.worker_id)
    worker.run_forever(stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
