"""Summaries and their jobs in the embedded SQLite store (one row per recording).

The jobs' leases are the embedded store's one lease helper (leases.py), like transcriptions'.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime

from visio_core.adapters.sqlite.database import Database, from_db_time, to_db_time
from visio_core.adapters.sqlite.leases import SqliteQueue
from visio_core.domain.summary import SummaryState, from_json
from visio_core.services.ports import SummaryJob
from visio_core.services.queues import SUMMARIES


def _state(row: sqlite3.Row) -> SummaryState:
    return SummaryState(
        row["status"], from_json(row["summary"]), row["last_error"], row["attempts"], from_db_time(row["updated_at"])
    )


def _job(row: sqlite3.Row) -> SummaryJob:
    return SummaryJob(uuid.UUID(row["recording_id"]), row["attempts"])


class SqliteSummaries(SqliteQueue[SummaryJob, uuid.UUID]):
    """A failure for good keeps the last summary (only `complete` writes one)."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, SUMMARIES, _job)

    def get(self, recording_id: uuid.UUID) -> SummaryState | None:
        row = (
            self._db.connection()
            .execute(
                "SELECT status, summary, last_error, attempts, updated_at FROM recording_summaries WHERE recording_id = ?",
                (str(recording_id),),
            )
            .fetchone()
        )
        return _state(row) if row else None

    def request(self, recording_id: uuid.UUID, now: datetime) -> None:
        stamp = to_db_time(now)
        self._db.connection().execute(
            "INSERT INTO recording_summaries (recording_id, status, attempts, next_attempt_at, created_at, updated_at) "
            "VALUES (?, 'pending', 0, ?, ?, ?) ON CONFLICT (recording_id) DO UPDATE SET status = 'pending', "
            "attempts = 0, next_attempt_at = excluded.next_attempt_at, lease_owner = NULL, lease_expires_at = NULL, "
            "last_error = NULL, updated_at = excluded.updated_at",
            (str(recording_id), stamp, stamp, stamp),
        )

    # -- jobs (claim, renew, retry, fail: SqliteQueue) ---------------------------------------
    def complete(self, key: uuid.UUID, worker: str, summary: str, now: datetime) -> bool:
        return self.release(key, worker, SUMMARIES.done, now, summary=summary, last_error=None)
