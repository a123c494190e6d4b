"""The lease protocol of every queue table over PostgREST (service role), written once.

A queue is a table described by a `services.queues.QueueTable`. Claiming goes through the one
SQL function `claim_job(queue, worker, lease_seconds)` (FOR UPDATE SKIP LOCKED, its queue picked
from the whitelist `visio_private.lease_queues`; proven on PostgreSQL in tests/postgres), so workers on
any number of machines never take the same row, and the database's clock decides what is due.
Every later write is a PATCH conditional on the lease holder and the leased status: PostgREST
returns the rows it updated, none means the lease was lost.

A queue adapter subclasses `PostgrestQueue` with its description and a function from a row (a
JSON object) to its job; it gets claim here and renew, retry, fail and release from
`queues.LeaseWrites` (what each write changes, the same for both stores), and writes its own
`complete` with `release`. services/queues.py says how to add a queue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar, cast

from postgrest import SyncPostgrestClient

from visio_core.adapters.supabase.rest import iso, run
from visio_core.services.queues import LeaseWrites, QueueTable

JobT = TypeVar("JobT")
KeyT = TypeVar("KeyT")


class PostgrestQueue(LeaseWrites[KeyT], Generic[JobT, KeyT]):
    def __init__(self, client: SyncPostgrestClient, queue: QueueTable, job: Callable[[dict[str, Any]], JobT]) -> None:
        self._client = client
        self._queue = queue
        self._job = job

    def claim(self, worker: str, now: datetime, lease: timedelta) -> JobT | None:
        """The database's clock decides what is due (`now` is the worker's, used by the SQLite store only)."""
        # Sent as a JSON body: postgrest's `dict[str, str]` for RPC parameters is too narrow.
        params: dict[str, Any] = {
            "queue": self._queue.name,
            "worker": worker,
            "lease_seconds": int(lease.total_seconds()),
        }
        row = run(self._client.rpc("claim_job", params)).data  # the claimed row as JSON, or null
        return self._job(row) if row else None

    def _time(self, value: datetime) -> str | None:
        return iso(value)

    def _held(self, key: KeyT, worker: str, changes: dict[str, Any]) -> bool:
        q = self._queue
        query = (
            self._client.from_(q.table)
            .update(changes)
            .eq(q.key, str(key))
            .eq("lease_owner", worker)
            .eq(q.status, q.leased)
        )
        return len(cast(list[Any], run(query).data)) == 1
