"""Summaries and their jobs in the embedded SQLite store (one row per recording).

Claimed inside one write transaction, like transcriptions; every later write of a worker is
conditional on it still holding the lease.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta

from visio_core.adapters.sqlite.database import Database, from_db_time, to_db_time
from visio_core.domain.summary import SummaryState, from_json
from visio_core.services.ports import SummaryJob


def _state(row: sqlite3.Row) -> SummaryState:
    return SummaryState(
        row["status"], from_json(row["summary"]), row["last_error"], row["attempts"], from_db_time(row["updated_at"])
    )


class SqliteSummaries:
    def __init__(self, db: Database) -> None:
        self._db = db

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

    def claim_next(self, worker: str, now: datetime, lease: timedelta) -> SummaryJob | None:
        stamp = to_db_time(now)
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT recording_id FROM recording_summaries WHERE "
                "(status = 'pending' AND next_attempt_at <= ?) OR (status = 'processing' AND lease_expires_at < ?) "
                "ORDER BY next_attempt_at LIMIT 1",
                (stamp, stamp),
            ).fetchone()
            if row is None:
                return None
            claimed = conn.execute(
                "UPDATE recording_summaries SET status = 'processing', lease_owner = ?, lease_expires_at = ?, "
                "attempts = attempts + 1, updated_at = ? WHERE recording_id = ? RETURNING attempts",
                (worker, to_db_time(now + lease), stamp, row["recording_id"]),
            ).fetchone()
        return SummaryJob(uuid.UUID(row["recording_id"]), claimed["attempts"])

    def heartbeat(self, recording_id: uuid.UUID, worker: str, until: datetime) -> bool:
        cur = self._db.connection().execute(
            "UPDATE recording_summaries SET lease_expires_at = ? "
            "WHERE recording_id = ? AND lease_owner = ? AND status = 'processing'",
            (to_db_time(until), str(recording_id), worker),
        )
        return cur.rowcount == 1

    def complete(self, recording_id: uuid.UUID, worker: str, summary: str, now: datetime) -> bool:
        cur = self._db.connection().execute(
            "UPDATE recording_summaries SET status = 'completed', summary = ?, last_error = NULL, lease_owner = NULL, "
            "lease_expires_at = NULL, updated_at = ? WHERE recording_id = ? AND lease_owner = ? AND status = 'processing'",
            (summary, to_db_time(now), str(recording_id), worker),
        )
        return cur.rowcount == 1

    def fail_attempt(
        self, recording_id: uuid.UUID, worker: str, error: str, now: datetime, retry_at: datetime | None
    ) -> bool:
        """Back to pending for another try at `retry_at`, or failed for good (the last summary stays)."""
        cur = self._db.connection().execute(
            "UPDATE recording_summaries SET status = ?, last_error = ?, next_attempt_at = ?, lease_owner = NULL, "
            "lease_expires_at = NULL, updated_at = ? WHERE recording_id = ? AND lease_owner = ? AND status = 'processing'",
            (
                "pending" if retry_at else "failed",
                error[:2000],
                to_db_time(retry_at or now),
                to_db_time(now),
                str(recording_id),
                worker,
            ),
        )
        return cur.rowcount == 1
