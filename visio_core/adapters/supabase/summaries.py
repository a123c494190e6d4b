"""Summaries and their jobs over PostgREST (`public.recording_summaries`).

As a signed-in user, only `get` is used: RLS lets him read the summaries of the recordings he may
read. With the service role, workers serve the queue through the project's one lease helper
(leases.py: claimed through `claim_job`, every later write conditional on the lease holder).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from postgrest import SyncPostgrestClient, SyncRequestBuilder

from visio_core.adapters.supabase.leases import PostgrestQueue
from visio_core.adapters.supabase.rest import iso, parse_time, run
from visio_core.domain.summary import SummaryState, from_json
from visio_core.services.ports import SummaryJob
from visio_core.services.queues import SUMMARIES

_COLUMNS = "recording_id,status,summary,last_error,attempts,updated_at"


def _job(row: dict[str, Any]) -> SummaryJob:
    return SummaryJob(uuid.UUID(row["recording_id"]), int(row["attempts"]))


class SupabaseSummaries(PostgrestQueue[SummaryJob, uuid.UUID]):
    def __init__(self, client: SyncPostgrestClient) -> None:
        super().__init__(client, SUMMARIES, _job)

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

    # -- jobs (claim, renew, retry, fail: PostgrestQueue) -------------------------------------
    def complete(self, key: uuid.UUID, worker: str, summary: str, now: datetime) -> bool:
        return self.release(key, worker, SUMMARIES.done, now, summary=summary, last_error=None)
