"""OpenVidu's recordings to fetch, in the project's `openvidu_downloads` table (service role only).

Same contract as SqliteDownloadQueue. The leases are the project's one lease helper (leases.py:
claimed through `claim_job`, every later write conditional on the lease holder), so every worker
of the project, on any machine, serves the queue the webhook feeds.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from postgrest import SyncPostgrestClient
from postgrest.exceptions import APIError

from visio_core.adapters.supabase.leases import PostgrestQueue
from visio_core.adapters.supabase.rest import iso, parse_time, run
from visio_core.domain.errors import BackendUnavailable
from visio_core.domain.i18n import t
from visio_core.services.ports import DownloadRow
from visio_core.services.queues import MAX_ERROR_CHARS, OPENVIDU_DOWNLOADS

TABLE = OPENVIDU_DOWNLOADS.table
COLUMNS = "recording_id,session_id,meeting_id,state,source,attempts,next_attempt_at,last_error,created_at,updated_at"
_UNIQUE_VIOLATION = "23505"


def _row(r: dict[str, Any]) -> DownloadRow:
    def when(name: str) -> datetime:
        value = parse_time(r[name])
        assert value is not None  # NOT NULL columns
        return value

    return DownloadRow(
        str(r["recording_id"]),
        str(r["session_id"]),
        uuid.UUID(str(r["meeting_id"])),
        str(r["state"]),
        str(r["source"]),
        int(r["attempts"]),
        when("next_attempt_at"),
        r.get("last_error"),
        when("created_at"),
        when("updated_at"),
    )


class SupabaseDownloadQueue(PostgrestQueue[DownloadRow, str]):
    def __init__(self, service: SyncPostgrestClient) -> None:
        super().__init__(service, OPENVIDU_DOWNLOADS, _row)

    def _table(self) -> Any:
        return self._client.from_(TABLE)

    def enqueue(self, recording_id: str, session_id: str, meeting_id: uuid.UUID, source: str, now: datetime) -> bool:
        return self._insert(recording_id, session_id, meeting_id, source, now, "pending", None)

    def note_failed(
        self, recording_id: str, session_id: str, meeting_id: uuid.UUID, source: str, detail: str, now: datetime
    ) -> bool:
        if self._insert(recording_id, session_id, meeting_id, source, now, "failed", detail[:MAX_ERROR_CHARS]):
            return True
        query = (
            self._table()
            .update({"state": "failed", "last_error": detail[:MAX_ERROR_CHARS], "updated_at": iso(now)})
            .eq("recording_id", recording_id)
            .eq("state", "pending")
        )
        return len(run(query).data) == 1

    def get(self, recording_id: str) -> DownloadRow | None:
        rows = run(self._table().select(COLUMNS).eq("recording_id", recording_id).limit(1)).data
        return _row(rows[0]) if rows else None

    def rows(self, meeting_id: uuid.UUID | None = None) -> list[DownloadRow]:
        query = self._table().select(COLUMNS)
        if meeting_id is not None:
            query = query.eq("meeting_id", str(meeting_id))
        return [_row(r) for r in run(query.order("recording_id")).data]

    def known_ids(self, ids: list[str]) -> set[str]:
        known: set[str] = set()
        for start in range(0, len(ids), 200):  # keeps the URL of `in.(…)` short
            chunk = ids[start : start + 200]
            rows = run(self._table().select("recording_id").in_("recording_id", chunk)).data
            known.update(str(r["recording_id"]) for r in rows)
        return known

    # -- jobs (claim, renew, retry, fail: PostgrestQueue) -------------------------------------
    def complete(self, key: str, worker: str, now: datetime) -> bool:
        return self.release(key, worker, OPENVIDU_DOWNLOADS.done, now, last_error=None)

    def failed_at_source(self, key: str, worker: str, error: str, now: datetime) -> bool:
        return self.release(key, worker, "failed", now, last_error=error[:MAX_ERROR_CHARS])

    def _insert(
        self,
        recording_id: str,
        session_id: str,
        meeting_id: uuid.UUID,
        source: str,
        now: datetime,
        state: str,
        detail: str | None,
    ) -> bool:
        row = {
            "recording_id": recording_id,
            "session_id": session_id,
            "meeting_id": str(meeting_id),
            "state": state,
            "source": source,
            "attempts": 0,
            "next_attempt_at": iso(now),
            "last_error": detail,
            "created_at": iso(now),
            "updated_at": iso(now),
        }
        try:
            self._table().insert(row).execute()
        except APIError as error:
            if error.code != _UNIQUE_VIOLATION:
                raise BackendUnavailable(t("storage.backend_error", status=error.code or "?")) from None
            return False
        return True
