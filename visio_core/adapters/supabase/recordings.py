"""Recording rows read over PostgREST, as whoever the client acts for.

`UserRecordings` acts for a signed-in user: RLS decides what he reads, and his only write is
`requeue_transcription` (a database function that checks he is the meeting's operator).
`SupabaseRecordingJobs` (supabase_jobs.py) adds the service role's writes for workers.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from postgrest import SyncPostgrestClient, SyncRequestBuilder

from visio_core.adapters.supabase.rest import parse_time, run
from visio_core.domain.model import Recording, TranscriptionStatus

COLUMNS = (
    "id,meeting_id,source_recording_id,recording_url,recording_duration_seconds,file_size_bytes,"
    "transcript_url,transcription_status,transcription_language,attempts,last_error,lease_owner,"
    "lease_expires_at,next_attempt_at,progress,created_at,updated_at"
)


def to_recording(row: dict[str, Any]) -> Recording:
    return Recording(
        id=uuid.UUID(row["id"]),
        meeting_id=uuid.UUID(row["meeting_id"]),
        source_recording_id=row["source_recording_id"],
        recording_url=row["recording_url"],
        recording_duration_seconds=row.get("recording_duration_seconds"),
        file_size_bytes=int(row["file_size_bytes"]),
        transcript_url=row.get("transcript_url"),
        transcription_status=TranscriptionStatus(row["transcription_status"]),
        transcription_language=row["transcription_language"],
        attempts=int(row["attempts"]),
        last_error=row.get("last_error"),
        lease_owner=row.get("lease_owner"),
        lease_expires_at=parse_time(row.get("lease_expires_at")),
        next_attempt_at=cast(datetime, parse_time(row["next_attempt_at"])),  # NOT NULL column
        progress=float(row["progress"]),
        created_at=cast(datetime, parse_time(row["created_at"])),  # NOT NULL column
        updated_at=cast(datetime, parse_time(row["updated_at"])),  # NOT NULL column
    )


class SupabaseRecordings:
    def __init__(self, client: SyncPostgrestClient) -> None:
        self._client = client

    def _table(self) -> SyncRequestBuilder:
        return self._client.from_("meeting_recordings")

    def get(self, recording_id: uuid.UUID) -> Recording | None:
        rows = self._run(self._table().select(COLUMNS).eq("id", str(recording_id)).limit(1)).data
        return to_recording(rows[0]) if rows else None

    def list_for_meeting(self, meeting_id: uuid.UUID) -> list[Recording]:
        rows = self._run(
            self._table().select(COLUMNS).eq("meeting_id", str(meeting_id)).order("created_at", desc=True)
        ).data
        return [to_recording(r) for r in rows]

    def list_active(self, meeting_ids: list[uuid.UUID] | None = None) -> list[Recording]:
        """Jobs not completed (pending, processing, failed), newest first."""
        query = self._table().select(COLUMNS).neq("transcription_status", TranscriptionStatus.COMPLETED.value)
        if meeting_ids is not None:
            query = query.in_("meeting_id", sorted(str(m) for m in meeting_ids))
        rows = self._run(query.order("created_at", desc=True).limit(200)).data
        return [to_recording(r) for r in rows]

    _run = staticmethod(run)


class UserRecordings(SupabaseRecordings):
    def requeue(
        self,
        recording_id: uuid.UUID,
        now: datetime,
        *,
        language: str | None = None,
        only_if: tuple[TranscriptionStatus, ...],
    ) -> bool:
        """Back to pending with fresh attempts; the database's clock dates it (`now` is for SQLite)."""
        # Sent as a JSON body: postgrest's `dict[str, str]` for RPC parameters is too narrow.
        params: dict[str, Any] = {
            "recording": str(recording_id),
            "lang": language,
            "only_if": sorted(s.value for s in only_if),
        }
        changed = self._run(self._client.rpc("requeue_transcription", params)).data
        return changed is True
