"""Recordings and their transcription jobs in the embedded SQLite store.

The jobs' leases are the embedded store's one lease helper (leases.py): claimed in one write
transaction, every later write conditional on the worker still holding the lease.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime

from visio_core.adapters.sqlite.database import Database, from_db_time, to_db_time
from visio_core.adapters.sqlite.leases import SqliteQueue
from visio_core.domain.model import Recording, TranscriptionStatus
from visio_core.services.queues import TRANSCRIPTIONS

_COLUMNS = (
    "id, meeting_id, source_recording_id, recording_url, recording_duration_seconds, file_size_bytes, "
    "transcript_url, transcription_status, transcription_language, attempts, last_error, lease_owner, "
    "lease_expires_at, next_attempt_at, progress, created_at, updated_at"
)


def _row(row: sqlite3.Row) -> Recording:
    return Recording(
        id=uuid.UUID(row["id"]),
        meeting_id=uuid.UUID(row["meeting_id"]),
        source_recording_id=row["source_recording_id"],
        recording_url=row["recording_url"],
        recording_duration_seconds=row["recording_duration_seconds"],
        file_size_bytes=row["file_size_bytes"],
        transcript_url=row["transcript_url"],
        transcription_status=TranscriptionStatus(row["transcription_status"]),
        transcription_language=row["transcription_language"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        lease_owner=row["lease_owner"],
        lease_expires_at=from_db_time(row["lease_expires_at"]),
        next_attempt_at=from_db_time(row["next_attempt_at"]),
        progress=row["progress"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


class SqliteRecordingRepository(SqliteQueue[Recording, uuid.UUID]):
    def __init__(self, db: Database) -> None:
        super().__init__(db, TRANSCRIPTIONS, _row)

    def add_if_absent(self, recording: Recording) -> tuple[Recording, bool]:
        """Insert, unless this meeting already has this source recording; returns (row, inserted)."""
        r = recording
        with self._db.transaction() as conn:
            existing = conn.execute(
                f"SELECT {_COLUMNS} FROM meeting_recordings WHERE meeting_id = ? AND source_recording_id = ?",
                (str(r.meeting_id), r.source_recording_id),
            ).fetchone()
            if existing:
                return _row(existing), False
            conn.execute(
                f"INSERT INTO meeting_recordings ({_COLUMNS}) VALUES ({', '.join('?' * 17)})",
                (
                    str(r.id),
                    str(r.meeting_id),
                    r.source_recording_id,
                    r.recording_url,
                    r.recording_duration_seconds,
                    r.file_size_bytes,
                    r.transcript_url,
                    r.transcription_status.value,
                    r.transcription_language,
                    r.attempts,
                    r.last_error,
                    r.lease_owner,
                    to_db_time(r.lease_expires_at),
                    to_db_time(r.next_attempt_at),
                    r.progress,
                    to_db_time(r.created_at),
                    to_db_time(r.updated_at),
                ),
            )
        return r, True

    def find_by_source(self, meeting_id: uuid.UUID, source_recording_id: str) -> Recording | None:
        row = (
            self._db.connection()
            .execute(
                f"SELECT {_COLUMNS} FROM meeting_recordings WHERE meeting_id = ? AND source_recording_id = ?",
                (str(meeting_id), source_recording_id),
            )
            .fetchone()
        )
        return _row(row) if row else None

    def get(self, recording_id: uuid.UUID) -> Recording | None:
        row = (
            self._db.connection()
            .execute(f"SELECT {_COLUMNS} FROM meeting_recordings WHERE id = ?", (str(recording_id),))
            .fetchone()
        )
        return _row(row) if row else None

    def list_for_meeting(self, meeting_id: uuid.UUID) -> list[Recording]:
        rows = (
            self._db.connection()
            .execute(
                f"SELECT {_COLUMNS} FROM meeting_recordings WHERE meeting_id = ? ORDER BY created_at DESC",
                (str(meeting_id),),
            )
            .fetchall()
        )
        return [_row(r) for r in rows]

    def list_active(self, meeting_ids: list[uuid.UUID] | None = None) -> list[Recording]:
        """Jobs not completed (pending, processing, failed), newest first."""
        rows = (
            self._db.connection()
            .execute(
                f"SELECT {_COLUMNS} FROM meeting_recordings WHERE transcription_status != 'completed' "
                "ORDER BY created_at DESC LIMIT 200"
            )
            .fetchall()
        )
        wanted = {str(m) for m in meeting_ids} if meeting_ids is not None else None
        return [_row(r) for r in rows if wanted is None or r["meeting_id"] in wanted]

    # -- jobs (claim, renew, retry, fail: SqliteQueue) ---------------------------------------
    def complete(
        self, key: uuid.UUID, worker: str, transcript_url: str, now: datetime, language: str | None = None
    ) -> bool:
        changes: dict[str, object] = {"transcript_url": transcript_url, "progress": 1, "last_error": None}
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
        """Set a job back to pending with fresh attempts (manual retry, language change)."""
        marks = ", ".join("?" * len(only_if))
        cur = self._db.connection().execute(
            "UPDATE meeting_recordings SET transcription_status = 'pending', attempts = 0, last_error = NULL, "
            "progress = 0, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, "
            "transcription_language = COALESCE(?, transcription_language), updated_at = ? "
            f"WHERE id = ? AND transcription_status IN ({marks})",
            (to_db_time(now), language, to_db_time(now), str(recording_id), *[s.value for s in only_if]),
        )
        return cur.rowcount == 1
