"""Recordings and their transcription jobs in the embedded SQLite store.

A job is claimed inside one write transaction (BEGIN IMMEDIATE), so two workers,
threads or processes, never get the same row. Every later write of a worker is
conditional on it still holding the lease: a worker that lost its lease (it was
too slow, another reclaimed the job) changes nothing.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta

from visio_core.adapters.sqlite.database import Database, from_db_time, to_db_time
from visio_core.domain.model import Recording, TranscriptionStatus

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


class SqliteRecordingRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

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

    # -- jobs ----------------------------------------------------------------------------------
    def claim_next(self, worker: str, now: datetime, lease: timedelta) -> Recording | None:
        """Take the oldest due job (pending, or processing whose lease ran out) for `worker`."""
        stamp = to_db_time(now)
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT id FROM meeting_recordings WHERE "
                "(transcription_status = 'pending' AND next_attempt_at <= ?) OR "
                "(transcription_status = 'processing' AND lease_expires_at < ?) "
                "ORDER BY next_attempt_at, created_at LIMIT 1",
                (stamp, stamp),
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE meeting_recordings SET transcription_status = 'processing', lease_owner = ?, "
                "lease_expires_at = ?, attempts = attempts + 1, progress = 0, updated_at = ? WHERE id = ?",
                (worker, to_db_time(now + lease), stamp, row["id"]),
            )
            claimed = conn.execute(f"SELECT {_COLUMNS} FROM meeting_recordings WHERE id = ?", (row["id"],)).fetchone()
        return _row(claimed)

    def heartbeat(self, recording_id: uuid.UUID, worker: str, progress: float, until: datetime) -> bool:
        """Record progress and extend the lease; False if the worker no longer holds it."""
        cur = self._db.connection().execute(
            "UPDATE meeting_recordings SET progress = ?, lease_expires_at = ? "
            "WHERE id = ? AND lease_owner = ? AND transcription_status = 'processing'",
            (max(0.0, min(1.0, progress)), to_db_time(until), str(recording_id), worker),
        )
        return cur.rowcount == 1

    def complete(
        self, recording_id: uuid.UUID, worker: str, transcript_url: str, now: datetime, language: str | None = None
    ) -> bool:
        cur = self._db.connection().execute(
            "UPDATE meeting_recordings SET transcription_status = 'completed', transcript_url = ?, progress = 1, "
            "last_error = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?, "
            "transcription_language = COALESCE(?, transcription_language) "
            "WHERE id = ? AND lease_owner = ? AND transcription_status = 'processing'",
            (transcript_url, to_db_time(now), language, str(recording_id), worker),
        )
        return cur.rowcount == 1

    def fail_attempt(
        self, recording_id: uuid.UUID, worker: str, error: str, now: datetime, retry_at: datetime | None
    ) -> bool:
        """Back to pending for another try at `retry_at`, or failed for good when retry_at is None."""
        status = TranscriptionStatus.PENDING if retry_at else TranscriptionStatus.FAILED
        cur = self._db.connection().execute(
            "UPDATE meeting_recordings SET transcription_status = ?, last_error = ?, next_attempt_at = ?, "
            "lease_owner = NULL, lease_expires_at = NULL, progress = 0, updated_at = ? "
            "WHERE id = ? AND lease_owner = ? AND transcription_status = 'processing'",
            (status.value, error[:2000], to_db_time(retry_at or now), to_db_time(now), str(recording_id), worker),
        )
        return cur.rowcount == 1

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
