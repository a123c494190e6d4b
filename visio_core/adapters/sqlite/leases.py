"""The lease protocol of every queue table in the embedded store, written once.

A queue is a table described by a `services.queues.QueueTable`. A job is claimed inside one
write transaction (BEGIN IMMEDIATE), so two workers, threads or processes, never get the same
row. Every later write is conditional on the row still being leased to that worker: one that
lost its lease (too slow, another reclaimed the job) changes nothing and is told so (False).

A queue adapter subclasses `SqliteQueue` with its description and a function from a row to its
job; it gets claim here and renew, retry, fail and release from `queues.LeaseWrites` (what
each write changes, the same for both stores), and writes its own `complete` with `release`.
services/queues.py says how to add a queue. The statements are built from the descriptions'
names and the adapters' column names only, never from input; every value is a parameter.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from visio_core.adapters.sqlite.database import Database, to_db_time
from visio_core.services.queues import LeaseWrites, QueueTable

JobT = TypeVar("JobT")
KeyT = TypeVar("KeyT")


class SqliteQueue(LeaseWrites[KeyT], Generic[JobT, KeyT]):
    def __init__(self, db: Database, queue: QueueTable, job: Callable[[sqlite3.Row], JobT]) -> None:
        self._db = db
        self._queue = queue
        self._job = job

    def claim(self, worker: str, now: datetime, lease: timedelta) -> JobT | None:
        """The first due row (waiting and due, or leased with its lease run out), now leased to `worker`."""
        q, stamp = self._queue, to_db_time(now)
        reset = f", {q.progress} = 0" if q.progress else ""
        with self._db.transaction() as conn:
            due = conn.execute(
                f"SELECT {q.key} FROM {q.table} WHERE ({q.status} = ? AND next_attempt_at <= ?) "
                f"OR ({q.status} = ? AND lease_expires_at <= ?) ORDER BY {', '.join(q.order)} LIMIT 1",
                (q.due, stamp, q.leased, stamp),
            ).fetchone()
            if due is None:
                return None
            row = conn.execute(
                f"UPDATE {q.table} SET {q.status} = ?, lease_owner = ?, lease_expires_at = ?, "
                f"attempts = attempts + 1, updated_at = ?{reset} WHERE {q.key} = ? RETURNING *",
                (q.leased, worker, to_db_time(now + lease), stamp, due[0]),
            ).fetchone()
        return self._job(row)

    def _time(self, value: datetime) -> str:
        return to_db_time(value)

    def _held(self, key: KeyT, worker: str, changes: dict[str, Any]) -> bool:
        q = self._queue
        assignments = ", ".join(f"{column} = ?" for column in changes)
        cur = self._db.connection().execute(
            f"UPDATE {q.table} SET {assignments} WHERE {q.key} = ? AND lease_owner = ? AND {q.status} = ?",
            (*changes.values(), str(key), worker, q.leased),
        )
        return cur.rowcount == 1
