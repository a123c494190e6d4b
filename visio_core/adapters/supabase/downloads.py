"""OpenVidu's recordings to fetch, in the project's `openvidu_downloads` table (service role only).

Same contract as SqliteDownloadQueue. Claiming goes through `claim_openvidu_download`
(FOR UPDATE SKIP LOCKED, proven in tests/postgres), so every worker of the project, on any
machine, serves the queue the webhook feeds. Later writes are conditional on the lease holder:
PostgREST returns the rows it updated, none means the lease was lost.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from postgrest import SyncPostgrestClient
from postgrest.exceptions import APIError

from visio_core.adapters.supabase.rest import iso, parse_time, run
from visio_core.domain.errors import BackendUnavailable
from visio_core.domain.i18n import t
from visio_core.services.ports import DownloadRow

TABLE = "openvidu_downloads"
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


class SupabaseDownloadQueue:
    def __init__(self, service: SyncPostgrestClient) -> None:
        self._client = service

    def _table(self) -> Any:
        return self._client.from_(TABLE)

    def enqueue(self, recording_id: str, session_id: str, meeting_id: uuid.UUID, source: str, now: datetime) -> bool:
        return self._insert(recording_id, session_id, meeting_id, source, now, "pending", None)

    def note_failed(
        self, recording_id: str, session_id: str, meeting_id: uuid.UUID, source: str, detail: str, now: datetime
    ) -> bool:
        if self._insert(recording_id, session_id, meeting_id, source, now, "failed", detail):
            return True
        query = (
            self._table()
            .update({"state": "failed", "last_error": detail, "updated_at": iso(now)})
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

    def claim(self, worker: str, now: datetime, lease: timedelta) -> DownloadRow | None:
        """The database's clock decides what is due (`now` is the worker's, used by the SQLite store only)."""
        params: dict[str, Any] = {"worker": worker, "lease_seconds": int(lease.total_seconds())}
        rows = run(self._client.rpc("claim_openvidu_download", params)).data
        return _row(rows[0]) if rows else None

    def extend(self, recording_id: str, worker: str, until: datetime) -> bool:
        return self._held(recording_id, worker, {"lease_until": iso(until)})

    def retry(self, recording_id: str, worker: str, detail: str, now: datetime, at: datetime) -> bool:
        return self._held(
            recording_id,
            worker,
            {
                "state": "pending",
                "lease_owner": None,
                "lease_until": None,
                "next_attempt_at": iso(at),
                "last_error": detail[:500],
                "updated_at": iso(now),
            },
        )

    def finish(self, recording_id: str, worker: str, state: str, detail: str | None, now: datetime) -> bool:
        return self._held(
            recording_id,
            worker,
            {
                "state": state,
                "lease_owner": None,
                "lease_until": None,
                "last_error": detail[:500] if detail else None,
                "updated_at": iso(now),
            },
        )

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

    def _held(self, recording_id: str, worker: str, changes: dict[str, Any]) -> bool:
        query = (
            self._table()
            .update(changes)
            .eq("recording_id", recording_id)
            .eq("lease_owner", worker)
            .eq("state", "downloading")
        )
        return len(run(query).data) == 1
