"""OpenVidu's recordings to fetch, kept in the embedded database (see services.ports.DownloadQueue).

`recording_id` is OpenVidu's id and the primary key, so a duplicated webhook delivery or a
second reconciliation changes nothing. Claims take the write lock (BEGIN IMMEDIATE); every
later write is conditional on the worker still holding the lease.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta

from visio_core.adapters.sqlite.database import Database, from_db_time, to_db_time
from visio_core.services.ports import DownloadRow

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


class SqliteDownloadQueue:
    def __init__(self, db: Database) -> None:
        self.db = db

    def enqueue(self, recording_id: str, session_id: str, meeting_id: uuid.UUID, source: str, now: datetime) -> bool:
        at = to_db_time(now)
        cur = self.db.connection().execute(
            f"INSERT INTO openvidu_downloads ({_ROW}) VALUES (?, ?, ?, 'pending', ?, 0, ?, NULL, ?, ?) "
            "ON CONFLICT(recording_id) DO NOTHING",
            (recording_id, session_id, str(meeting_id), source, at, at, at),
        )
        return cur.rowcount == 1

    def note_failed(
        self, recording_id: str, session_id: str, meeting_id: uuid.UUID, source: str, detail: str, now: datetime
    ) -> bool:
        at = to_db_time(now)
        cur = self.db.connection().execute(
            f"INSERT INTO openvidu_downloads ({_ROW}) VALUES (?, ?, ?, 'failed', ?, 0, ?, ?, ?, ?) "
            "ON CONFLICT(recording_id) DO UPDATE SET state = 'failed', last_error = excluded.last_error, "
            "updated_at = excluded.updated_at WHERE openvidu_downloads.state = 'pending'",
            (recording_id, session_id, str(meeting_id), source, at, detail, at, at),
        )
        return cur.rowcount == 1

    def get(self, recording_id: str) -> DownloadRow | None:
        r = (
            self.db.connection()
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
        return [_row(r) for r in self.db.connection().execute(sql + " ORDER BY recording_id", params)]

    def known_ids(self, ids: list[str]) -> set[str]:
        known: set[str] = set()
        conn = self.db.connection()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = conn.execute(
                f"SELECT recording_id FROM openvidu_downloads WHERE recording_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            known.update(r[0] for r in rows)
        return known

    def claim(self, worker: str, now: datetime, lease: timedelta) -> DownloadRow | None:
        with self.db.transaction() as conn:
            r = conn.execute(
                f"SELECT {_ROW} FROM openvidu_downloads WHERE (state = 'pending' AND next_attempt_at <= ?) "
                "OR (state = 'downloading' AND lease_until <= ?) ORDER BY next_attempt_at LIMIT 1",
                (to_db_time(now), to_db_time(now)),
            ).fetchone()
            if r is None:
                return None
            conn.execute(
                "UPDATE openvidu_downloads SET state = 'downloading', lease_owner = ?, lease_until = ?, "
                "attempts = attempts + 1, updated_at = ? WHERE recording_id = ?",
                (worker, to_db_time(now + lease), to_db_time(now), r["recording_id"]),
            )
        row = _row(r)
        return DownloadRow(**{**row.__dict__, "state": "downloading", "attempts": row.attempts + 1, "updated_at": now})

    def extend(self, recording_id: str, worker: str, until: datetime) -> bool:
        cur = self.db.connection().execute(
            "UPDATE openvidu_downloads SET lease_until = ? WHERE recording_id = ? AND state = 'downloading' "
            "AND lease_owner = ?",
            (to_db_time(until), recording_id, worker),
        )
        return cur.rowcount == 1

    def retry(self, recording_id: str, worker: str, detail: str, now: datetime, at: datetime) -> bool:
        cur = self.db.connection().execute(
            "UPDATE openvidu_downloads SET state = 'pending', lease_owner = NULL, lease_until = NULL, "
            "next_attempt_at = ?, last_error = ?, updated_at = ? "
            "WHERE recording_id = ? AND state = 'downloading' AND lease_owner = ?",
            (to_db_time(at), detail[:500], to_db_time(now), recording_id, worker),
        )
        return cur.rowcount == 1

    def finish(self, recording_id: str, worker: str, state: str, detail: str | None, now: datetime) -> bool:
        cur = self.db.connection().execute(
            "UPDATE openvidu_downloads SET state = ?, lease_owner = NULL, lease_until = NULL, last_error = ?, "
            "updated_at = ? WHERE recording_id = ? AND state = 'downloading' AND lease_owner = ?",
            (state, detail[:500] if detail else None, to_db_time(now), recording_id, worker),
        )
        return cur.rowcount == 1
