"""Recordings and transcription jobs over PostgREST with the service-role key: workers, ingest, webhook.

Same contract as SqliteRecordingRepository. The jobs' leases are the project's one lease helper
(leases.py: claimed through `claim_job`, every later write conditional on the lease holder).
This client carries the service-role key and must never be built inside a page's session.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from postgrest import SyncPostgrestClient
from postgrest.exceptions import APIError

from visio_core.adapters.supabase.leases import PostgrestQueue
from visio_core.adapters.supabase.recordings import COLUMNS, SupabaseRecordings, to_recording
from visio_core.adapters.supabase.rest import iso, rest_client
from visio_core.domain.errors import BackendUnavailable
from visio_core.domain.i18n import t
from visio_core.domain.model import Recording, TranscriptionStatus
from visio_core.services.queues import TRANSCRIPTIONS

_UNIQUE_VIOLATION = "23505"


def service_client(supabase_url: str, service_role_key: str, **kwargs: Any) -> SyncPostgrestClient:
    return rest_client(supabase_url, service_role_key, service_role_key, **kwargs)


class SupabaseRecordingJobs(SupabaseRecordings, PostgrestQueue[Recording, uuid.UUID]):
    def __init__(self, client: SyncPostgrestClient) -> None:
        SupabaseRecordings.__init__(self, client)
        PostgrestQueue.__init__(self, client, TRANSCRIPTIONS, to_recording)

    # -- rows ---------------------------------------------------------------------------------
    def add_if_absent(self, recording: Recording) -> tuple[Recording, bool]:
        """Insert, unless this meeting already has this source recording (the unique key decides races)."""
        r = recording
        row = {
            "id": str(r.id),
            "meeting_id": str(r.meeting_id),
            "source_recording_id": r.source_recording_id,
            "recording_url": r.recording_url,
            "recording_duration_seconds": r.recording_duration_seconds,
            "file_size_bytes": r.file_size_bytes,
            "transcript_url": r.transcript_url,
            "transcription_status": r.transcription_status.value,
            "transcription_language": r.transcription_language,
            "attempts": r.attempts,
            "next_attempt_at": iso(r.next_attempt_at),
            "progress": r.progress,
            "created_at": iso(r.created_at),
            "updated_at": iso(r.updated_at),
        }
        try:
            self._table().insert(row).execute()
        except APIError as error:
            if error.code != _UNIQUE_VIOLATION:
                raise BackendUnavailable(t("storage.backend_error", status=error.code or "?")) from None
            existing = self.find_by_source(r.meeting_id, r.source_recording_id)
            if existing is None:  # deleted in between: nothing sensible to return but the error
                raise BackendUnavailable(t("storage.backend_error", status=error.code)) from None
            return existing, False
        return r, True

    def find_by_source(self, meeting_id: uuid.UUID, source_recording_id: str) -> Recording | None:
        rows = self._run(
            self._table()
            .select(COLUMNS)
            .eq("meeting_id", str(meeting_id))
            .eq("source_recording_id", source_recording_id)
            .limit(1)
        ).data
        return to_recording(rows[0]) if rows else None

    # -- jobs (claim, renew, retry, fail: PostgrestQueue) -------------------------------------
    def complete(
        self, key: uuid.UUID, worker: str, transcript_url: str, now: datetime, language: str | None = None
    ) -> bool:
        changes: dict[str, Any] = {"transcript_url": transcript_url, "progress": 1, "last_error": None}
        if language:
            changes["transcription_language"] = language
        return self.release(key, worker, TranscriptionStatus.COMPLETED.value, now, **changes)

    def requeue(
        self,
        recording_id: uuid.UUID,
        now: datetime,
        *,
        language: str | None = None,
        only_if: tuple[TranscriptionStatus, ...],
    ) -> bool:
        changes: dict[str, Any] = {
            "transcription_status": TranscriptionStatus.PENDING.value,
            "attempts": 0,
            "last_error": None,
            "progress": 0,
            "next_attempt_at": iso(now),
            "lease_owner": None,
            "lease_expires_at": None,
            "updated_at": iso(now),
        }
        if language:
            changes["transcription_language"] = language
        query = (
            self._table()
            .update(changes)
            .eq("id", str(recording_id))
            .in_("transcription_status", sorted(s.value for s in only_if))
        )
        return len(self._run(query).data) == 1
