"""Background jobs: one runner, one retry policy, for every queue the workers serve.

A queue is a `JobKind`: it claims a due job under a lease, runs it (renewing the lease as it
goes), and records the outcome only while it still holds the lease, so any number of workers
on any number of machines can share it. The runner decides what a failure means: input that
will never work (`InvalidInput`, `PermanentFailure`) fails at once; anything else is retried
by the kind's `RetryPolicy`, then given up.

Kinds today: transcription of recordings (below), fetching OpenVidu's recordings
(adapters/openvidu/downloads.py) and meeting summaries (services/summaries.py).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from visio_core.domain import speakers, srt
from visio_core.domain.errors import InvalidInput, VisioError
from visio_core.domain.languages import AUTO
from visio_core.domain.model import Recording, utcnow
from visio_core.domain.storage_keys import RECORDINGS, speaking_key
from visio_core.domain.transcript import Transcript
from visio_core.services.ports import (
    LanguageDetector,
    LeasedQueue,
    Storage,
    Transcriber,
    TranscriptIndex,
    TranscriptionQueue,
    VoiceClustering,
)
from visio_core.services.transcripts import DocumentWriter, TranscriptFiles

log = logging.getLogger("visio.worker")

Renew = Callable[[float], None]  # share of the work done, 0..1; raises LeaseLost once the lease is gone


class LeaseLost(Exception):
    """Another worker took the job over; this one stops without writing."""


class PermanentFailure(Exception):
    """This job cannot succeed by trying again (gone at the source, refused by the pipeline)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often a failed job is tried again, and how long to wait: first_delay × factor^(n-1), capped."""

    max_attempts: int
    first_delay: timedelta
    factor: float = 2.0
    max_delay: timedelta = timedelta(hours=1)

    def retry_at(self, attempts: int, now: datetime) -> datetime | None:
        """When to try again after `attempts` tries; None once they are used up."""
        if attempts >= self.max_attempts:
            return None
        delay = self.first_delay * (self.factor ** max(0, attempts - 1))
        return now + min(delay, self.max_delay)


JobT = TypeVar("JobT")


class JobKind(Protocol[JobT]):
    """One queue the runner serves: the runner claims from `queue`, renews the lease and records
    failures; the kind does the work and records success. Its jobs carry `attempts` (this try included)."""

    name: str
    policy: RetryPolicy
    lease: timedelta

    @property
    def queue(self) -> LeasedQueue[JobT, Any]: ...

    def key(self, job: JobT) -> Any:
        """The job's key in its queue (what renew, retry, fail and complete take)."""
        ...

    def tick(self, now: datetime) -> None:
        """Housekeeping before each claim (e.g. looking for work the queue missed); cheap when not due."""
        ...

    def describe(self, job: JobT) -> str: ...

    def run(self, job: JobT, worker: str, renew: Renew) -> None:
        """Do the work and record success (conditionally on the lease)."""
        ...


@dataclass
class JobRunner:
    kinds: Sequence[JobKind[Any]]
    clock: Callable[[], datetime] = utcnow
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")
    beat_every: float = 1.0  # seconds between lease renewals while a job reports progress

    def run_once(self) -> bool:
        """Run one due job of the first kind that has one; False when none had any."""
        for kind in self.kinds:
            try:
                kind.tick(self.clock())
            except VisioError as error:  # an outside system is down: its housekeeping waits
                log.warning("%s: housekeeping failed: %s", kind.name, error)
            job = kind.queue.claim(self.worker_id, self.clock(), kind.lease)
            if job is not None:
                self._run(kind, job)
                return True
        return False

    def run_until_idle(self) -> int:
        done = 0
        while self.run_once():
            done += 1
        return done

    def run_forever(self, stop: threading.Event, idle_seconds: float = 2.0) -> None:
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # noqa: BLE001 - the store was busy or gone; try again later
                log.exception("worker loop error")
                busy = False
            if not busy:
                stop.wait(idle_seconds)

    def _run(self, kind: JobKind[Any], job: Any) -> None:
        name = kind.describe(job)
        log.info("%s: %s (attempt %d)", kind.name, name, job.attempts)
        lease = _Lease(kind, job, self.worker_id, self.clock, self.beat_every)
        try:
            kind.run(job, self.worker_id, lease.renew)
            lease.check()
        except LeaseLost:
            log.warning("%s: lease on %s lost; another worker has it", kind.name, name)
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the job, then retried
            message = str(error) or type(error).__name__
            permanent = isinstance(error, (InvalidInput, PermanentFailure))
            now = self.clock()
            retry_at = None if permanent else kind.policy.retry_at(job.attempts, now)
            log.warning("%s: %s failed (attempt %d): %s", kind.name, name, job.attempts, message)
            if retry_at is None:
                kind.queue.fail(kind.key(job), self.worker_id, message, now)
            else:
                kind.queue.retry(kind.key(job), self.worker_id, message, now, retry_at)
        finally:
            lease.release()


class _Lease:
    """Keeps a job's lease alive while it runs: renewed with each progress report (at most every
    `beat_every` s) and, whatever the work does, by a thread every third of the lease. A worker
    that dies stops renewing, so its job is taken back once the lease ends; a lease found lost
    stops the work at its next progress report (its writes would be refused anyway)."""

    def __init__(
        self, kind: JobKind[Any], job: Any, worker: str, clock: Callable[[], datetime], beat_every: float
    ) -> None:
        self._kind, self._job, self._worker, self._clock = kind, job, worker, clock
        self._beat_every = beat_every
        self._share = 0.0
        self._last = 0.0  # the first report is written at once
        self._lost = threading.Event()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._keep, name=f"lease-{kind.name}", daemon=True)
        self._thread.start()

    def renew(self, share: float) -> None:
        self._share = share
        self.check()
        if time.monotonic() - self._last >= self._beat_every or share >= 1.0:
            self._beat()
            self.check()

    def check(self) -> None:
        if self._lost.is_set():
            raise LeaseLost()

    def release(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def _keep(self) -> None:
        interval = max(0.05, self._kind.lease.total_seconds() / 3)
        while not self._done.wait(interval):
            try:
                self._beat()
            except Exception:  # noqa: BLE001 - the store is busy or away for a moment: try again next beat
                log.warning("%s: renewing a lease failed", self._kind.name, exc_info=True)

    def _beat(self) -> None:
        with self._lock:
            if self._lost.is_set() or self._done.is_set():
                return
            self._last = time.monotonic()
            until = self._clock() + self._kind.lease
            if not self._kind.queue.renew(self._kind.key(self._job), self._worker, until, self._share):
                self._lost.set()


@dataclass
class TranscriptionJobs:
    """Recordings to transcribe: Whisper (offline or API) to cues, the SRT to storage, cues to search."""

    queue: TranscriptionQueue
    storage: Storage
    transcriber: Callable[[], Transcriber]  # built lazily: the model loads on the first job
    index: TranscriptIndex | None = None
    detect_language: LanguageDetector | None = None  # for recordings set to "auto"
    document: DocumentWriter | None = None  # the DOCX download
    vocabulary: Callable[[Recording], list[str]] | None = None  # the meeting's operator's names and jargon
    on_complete: Callable[[Recording], None] | None = None  # e.g. ask for its summary
    voices: VoiceClustering | None = None  # "Intervenant 1/2…" where no room said who spoke; None: no labels
    policy: RetryPolicy = RetryPolicy(max_attempts=3, first_delay=timedelta(seconds=30), factor=2)
    lease: timedelta = timedelta(seconds=30)  # renewed while the job runs; a dead worker's job is back in 30 s
    clock: Callable[[], datetime] = utcnow
    name: str = "transcription"

    def tick(self, now: datetime) -> None:
        return None

    def key(self, job: Recording) -> uuid.UUID:
        return job.id

    def describe(self, job: Recording) -> str:
        return f"recording {job.id}"

    def run(self, job: Recording, worker: str, renew: Renew) -> None:
        renew(0.0)
        language: str | None = job.transcription_language
        probability: float | None = None
        with self.storage.local_copy(RECORDINGS, job.storage_key) as path:
            if language == AUTO:  # no detector: the transcriber detects it, with no confidence to show
                language, probability = self.detect_language(path) if self.detect_language else (None, None)
            terms = self.vocabulary(job) if self.vocabulary is not None else []
            cues = self.transcriber().transcribe(path, language=language, on_progress=renew, vocabulary=terms)
            cues = srt.normalize(cues)
            timeline = self._speaking_timeline(job)
            if timeline is not None and timeline.levels:
                cues = speakers.attribute(cues, timeline)
            elif self.voices is not None and cues and not any(cue.speaker for cue in cues):
                # Voices only where nobody named anyone: a transcriber that tells speakers is kept.
                cues = self._by_voice(self.voices, job, path, cues)
        transcript = Transcript(cues, language, probability, srt.speakers_of(cues))
        files = TranscriptFiles(self.storage, self.index, self.document)
        url = files.publish(job, transcript)
        if self.queue.complete(job.id, worker, url, self.clock(), language=language):
            files.reindex(job, transcript)
            if self.on_complete is not None:
                self.on_complete(job)

    @staticmethod
    def _by_voice(voices: VoiceClustering, job: Recording, path: Path, cues: list[srt.Cue]) -> list[srt.Cue]:
        """Cues grouped by voice; on any failure the cues keep no speaker rather than a wrong one."""
        try:
            groups = voices.cluster(path, [(cue.start, cue.end) for cue in cues])
        except Exception:  # noqa: BLE001 - labels are a help: the transcript is published without them
            log.exception("recording %s: grouping the lines by voice failed", job.id)
            return cues
        return speakers.by_voice(cues, groups)

    def _speaking_timeline(self, job: Recording) -> speakers.SpeakingTimeline | None:
        """Who spoke when in this recording, when its room told us (embedded room recordings)."""
        key = speaking_key(job.storage_key)
        if not self.storage.exists(RECORDINGS, key):
            return None
        with self.storage.open_read(RECORDINGS, key) as stream:
            return speakers.from_json(stream.read().decode("utf-8", errors="replace"))
