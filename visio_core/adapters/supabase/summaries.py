"""Summaries and their jobs over PostgREST (`public.recording_summaries`).

As a signed-in user, only `get` is used: RLS lets him read the summaries of the recordings he may
read. With the service role, workers claim through `claim_summary_job` (FOR UPDATE SKIP LOCKED) and
every later write is conditional on the worker still holding the lease, as for transcriptions.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from postgrest import SyncPostgrestClient, SyncRequestBuilder

from visio_core.adapters.supabase.rest import iso, parse_time, run
from visio_core.domain.summary import SummaryState, from_json
from visio_core.services.ports import SummaryJob

_COLUMNS = "recording_id,status,summary,last_error,attempts,updated_at"


class SupabaseSummaries:
    def __init__(self, client: SyncPostgrestClient) -> None:
        self._client = client

    def _table(self) -> SyncRequestBuilder:
        return self._client.from_("recording_summaries")

    def get(self, recording_id: uuid.UUID) -> SummaryState | None:
        rows = run(self._table().select(_COLUMNS).eq("recording_id", str(recording_id)).limit(1)).data
        if not rows:
            return None
        row = rows[0]
        return SummaryState(
            row["status"],
            from_json(row.get("summary")),
            row.get("last_error"),
            int(row["attempts"]),
            parse_time(row.get("updated_at")),
        )

    def request(self, recording_id: uuid.UUID, now: datetime) -> None:
        row = {
            "recording_id": str(recording_id),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": iso(now),
            "lease_owner": None,
            "lease_expires_at": None,
            "last_error": None,
            "updated_at": iso(now),
        }
        run(self._table().upsert(row, on_conflict="recording_id"))

    def claim_next(self, worker: str, now: datetime, lease: timedelta) -> SummaryJob | None:
        """The database's clock decides what is due (`now` is the worker's, used by the SQLite store only)."""
        params: dict[str, Any] = {"worker": worker, "lease_seconds": int(lease.total_seconds())}
        rows = run(self._client.rpc("claim_summary_job", params)).data
        return SummaryJob(uuid.UUID(rows[0]["recording_id"]), int(rows[0]["attempts"])) if rows else None

    def heartbeat(self, recording_id: uuid.UUID, worker: str, until: datetime) -> bool:
        return self._held(recording_id, worker, {"lease_expires_at": iso(until)})

    def complete(self, recording_id: uuid.UUID, worker: str, summary: str, now: datetime) -> bool:
        return self._held(
            recording_id,
            worker,
            {
                "status": "completed",
                "summary": summary,
                "last_error": None,
                "lease_owner": None,
                "lease_expires_at": None,
                "updated_at": iso(now),
            },
        )

    def fail_attempt(
        self, recording_id: uuid.UUID, worker: str, error: str, now: datetime, retry_at: datetime | None
    ) -> bool:
        return self._held(
            recording_id,
            worker,
            {
                "status": "pending" if retry_at else "failed",
                "last_error": error[:2000],
                "next_attempt_at": iso(retry_at or now),
                "lease_owner": None,
                "lease_expires_at": None,
                "updated_at": iso(now),
            },
        )

    def _held(self, recording_id: uuid.UUID, worker: str, changes: dict[str, Any]) -> bool:
        query = (
            self._table()
            .update(changes)
            .eq("recording_id", str(recording_id))
            .eq("lease_owner", worker)
            .eq("status", "processing")
        )
        return len(cast(list[Any], run(query).data)) == 1
