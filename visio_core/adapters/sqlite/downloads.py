"""OpenVidu's recordings to fetch, kept in the embedded database (see services.ports.DownloadQueue).

`recording_id` is OpenVidu's id and the primary key, so a duplicated webhook delivery or a
second reconciliation changes nothing. The leases are the embedded store's one lease helper
(leases.py), like transcriptions'.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime

from visio_core.adapters.sqlite.database import Database, from_db_time, to_db_time
from visio_core.adapters.sqlite.leases import SqliteQueue
from visio_core.services.ports import DownloadRow
from visio_core.services.queues import MAX_ERROR_CHARS, OPENVIDU_DOWNLOADS

_ROW = (
    "recording_id, session_id, meeting_id, state, source, attempts, next_attempt_at, last_error, created_at, updated_at"
)


def _row(r: sqlite3.Row) -> DownloadRow:
    return DownloadRow(
        r["recording_id"],
        r["session_id"],
        uuid.UUID(r["meeting_id"]),
        r["state"],
        r["source"],
        r["attempts"],
        _time(r["next_attempt_at"]),
        r["last_error"],
        _time(r["created_at"]),
        _time(r["updated_at"]),
    )


def _time(value: str) -> datetime:
    parsed = from_db_time(value)
    assert parsed is not None  # NOT NULL columns
    return parsed


class SqliteDownloadQueue(SqliteQueue[DownloadRow, str]):
    def __init__(self, db: Database) -> None:
        super().__init__(db, OPENVIDU_DOWNLOADS, _row)

    def enqueue(self, recording_id: str, session_id: str, meeting_id: uuid.UUID, source: str, now: datetime) -> bool:
        at = to_db_time(now)
        cur = self._db.connection().execute(
            f"INSERT INTO openvidu_downloads ({_ROW}) VALUES (?, ?, ?, 'pending', ?, 0, ?, NULL, ?, ?) "
            "ON CONFLICT(recording_id) DO NOTHING",
            (recording_id, session_id, str(meeting_id), source, at, at, at),
        )
        return cur.rowcount == 1

    def note_failed(
        self, recording_id: str, session_id: str, meeting_id: uuid.UUID, source: str, detail: str, now: datetime
    ) -> bool:
        at = to_db_time(now)
        cur = self._db.connection().execute(
            f"INSERT INTO openvidu_downloads ({_ROW}) VALUES (?, ?, ?, 'failed', ?, 0, ?, ?, ?, ?) "
            "ON CONFLICT(recording_id) DO UPDATE SET state = 'failed', last_error = excluded.last_error, "
            "updated_at = excluded.updated_at WHERE openvidu_downloads.state = 'pending'",
            (recording_id, session_id, str(meeting_id), source, at, detail[:MAX_ERROR_CHARS], at, at),
        )
        return cur.rowcount == 1

    def get(self, recording_id: str) -> DownloadRow | None:
        r = (
            self._db.connection()
            .execute(f"SELECT {_ROW} FROM openvidu_downloads WHERE recording_id = ?", (recording_id,))
            .fetchone()
        )
        return _row(r) if r else None

    def rows(self, meeting_id: uuid.UUID | None = None) -> list[DownloadRow]:
        sql = f"SELECT {_ROW} FROM openvidu_downloads"
        params: tuple[str, ...] = ()
        if meeting_id is not None:
            sql += " WHERE meeting_id = ?"
            params = (str(meeting_id),)
        return [_row(r) for r in self._db.connection().execute(sql + " ORDER BY recording_id", params)]

    def known_ids(self, ids: list[str]) -> set[str]:
        known: set[str] = set()
        conn = self._db.connection()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = conn.execute(
                f"SELECT recording_id FROM openvidu_downloads WHERE recording_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            known.update(r[0] for r in rows)
        return known

    # -- jobs (claim, renew, retry, fail: SqliteQueue) ---------------------------------------
    def complete(self, key: str, worker: str, now: datetime) -> bool:
        return self.release(key, worker, OPENVIDU_DOWNLOADS.done, now, last_error=None)

    def failed_at_source(self, key: str, worker: str, error: str, now: datetime) -> bool:
        return self.release(key, worker, "failed", now, last_error=error[:MAX_ERROR_CHARS])
