"""The queue tables both stores keep, described once: what a lease helper needs to serve them.

Every queue is a table whose rows are its jobs. A row waits in the `due` status until its
`next_attempt_at`, is taken by one worker (`leased`, with `lease_owner` and `lease_expires_at`),
and leaves the lease as `done`, `failed`, or back to `due` for a retry. The SQLite helper
(`adapters/sqlite/leases.py`) and the Supabase one (`adapters/supabase/leases.py`, claiming
through the SQL function `claim_job`) serve any table described here, with the vocabulary of
`ports.LeasedQueue`: claim, renew, retry, fail (and each queue's own `complete`).

Adding a queue (purge, mail, webhooks…):
1. the table, in both schemas (a SQLite migration in `adapters/sqlite/migrations/` and a
   Supabase one in `supabase/migrations/`), with the columns below: its key, its status,
   `attempts`, `next_attempt_at`, `lease_owner`, `lease_expires_at`, `last_error`, `updated_at`;
2. its description here (a `QueueTable`), and on Supabase the same description as one row of
   `visio_private.lease_queues` (tests/postgres checks that the two agree);
3. a thin adapter per store: `SqliteQueue`/`PostgrestQueue` with the description and a function
   from a row to the job, plus the queue's own `complete` and whatever feeds it;
4. its port in `services/ports/stores.py` (a `LeasedQueue[Job, Key]` with its `complete`) and a `JobKind`
   (services/jobs.py) that runs the work; the runner claims, renews and records failures.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

KeyT = TypeVar("KeyT")

MAX_ERROR_CHARS = 2000
"""The longest `last_error` a queue keeps: a failure's message, cut to this many characters."""


@dataclass(frozen=True)
class QueueTable:
    """One queue's table: its name for `claim_job`, its columns and the values of its status."""

    name: str  # the queue's name, as `claim_job(queue, …)` knows it
    table: str
    key: str  # the primary key column
    status: str  # the status column
    leased: str  # the status of a row a worker holds
    due: str = "pending"  # waiting for its next attempt
    done: str = "completed"
    failed: str = "failed"  # given up: no retry will help
    order: tuple[str, ...] = ("next_attempt_at",)  # which due row goes first
    progress: str | None = None  # a 0..1 column renewals write (and a claim or a retry reset)


TRANSCRIPTIONS = QueueTable(
    name="transcription",
    table="meeting_recordings",
    key="id",
    status="transcription_status",
    leased="processing",
    order=("next_attempt_at", "created_at"),
    progress="progress",
)
SUMMARIES = QueueTable(
    name="summary", table="recording_summaries", key="recording_id", status="status", leased="processing"
)
OPENVIDU_DOWNLOADS = QueueTable(
    name="openvidu_download",
    table="openvidu_downloads",
    key="recording_id",
    status="state",
    leased="downloading",
    done="ingested",
    failed="abandoned",  # "failed" is OpenVidu's verdict on a recording (DownloadQueue.failed_at_source)
)
QUEUES = (TRANSCRIPTIONS, SUMMARIES, OPENVIDU_DOWNLOADS)


class LeaseWrites(ABC, Generic[KeyT]):
    """What a worker's writes change, for every queue table: renew, retry, fail, and `release`
    (which each queue's `complete` uses). A store's lease helper adds `claim`, `_held` (write
    the changes only while `worker` holds the row's lease) and `_time` (a datetime as it stores one)."""

    _queue: QueueTable

    def renew(self, key: KeyT, worker: str, until: datetime, progress: float | None = None) -> bool:
        changes: dict[str, Any] = {"lease_expires_at": self._time(until)}
        if self._queue.progress and progress is not None:
            changes[self._queue.progress] = max(0.0, min(1.0, progress))
        return self._held(key, worker, changes)

    def retry(self, key: KeyT, worker: str, error: str, now: datetime, at: datetime) -> bool:
        return self.release(
            key, worker, self._queue.due, now, last_error=error[:MAX_ERROR_CHARS], next_attempt_at=self._time(at)
        )

    def fail(self, key: KeyT, worker: str, error: str, now: datetime) -> bool:
        return self.release(key, worker, self._queue.failed, now, last_error=error[:MAX_ERROR_CHARS])

    def release(self, key: KeyT, worker: str, status: str, now: datetime, **changes: Any) -> bool:
        """End the lease with the row in `status` (plus `changes`: column → value); False if not held.
        Column names come from the adapters' code, never from input."""
        cleared: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None, "updated_at": self._time(now)}
        if self._queue.progress and status != self._queue.done:
            cleared[self._queue.progress] = 0
        return self._held(key, worker, {self._queue.status: status, **cleared, **changes})

    @abstractmethod
    def _held(self, key: KeyT, worker: str, changes: dict[str, Any]) -> bool:
        """Write `changes` to the row if it is leased to `worker`; whether it was."""

    @abstractmethod
    def _time(self, value: datetime) -> Any: ...
