"""Meetings in the embedded SQLite store."""

from __future__ import annotations

import sqlite3
import uuid

from visio_core.adapters.sqlite.database import Database, from_db_time, to_db_time
from visio_core.domain.model import Meeting, MeetingFilter, MeetingStatus, Page

_COLUMNS = (
    "id, client_id, operator_id, title, description, scheduled_at, started_at, ended_at, "
    "duration_seconds, session_id, status, created_at, updated_at, language"
)


def _row_to_meeting(row: sqlite3.Row) -> Meeting:
    return Meeting(
        id=uuid.UUID(row["id"]),
        client_id=uuid.UUID(row["client_id"]),
        operator_id=uuid.UUID(row["operator_id"]),
        title=row["title"],
        description=row["description"],
        scheduled_at=from_db_time(row["scheduled_at"]),
        started_at=from_db_time(row["started_at"]),
        ended_at=from_db_time(row["ended_at"]),
        duration_seconds=row["duration_seconds"],
        session_id=row["session_id"],
        status=MeetingStatus(row["status"]),
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        language=row["language"],
    )


def _meeting_values(m: Meeting) -> tuple[str | int | None, ...]:
    return (
        str(m.id),
        str(m.client_id),
        str(m.operator_id),
        m.title,
        m.description,
        to_db_time(m.scheduled_at),
        to_db_time(m.started_at),
        to_db_time(m.ended_at),
        m.duration_seconds,
        m.session_id,
        m.status.value,
        to_db_time(m.created_at),
        to_db_time(m.updated_at),
        m.language,
    )


def _where(f: MeetingFilter) -> tuple[str, list[str]]:
    clauses: list[str] = []
    params: list[str] = []
    if f.operator_scope is not None:
        clauses.append("operator_id = ?")
        params.append(str(f.operator_scope))
    if f.client_scope is not None:
        clauses.append("client_id = ?")
        params.append(str(f.client_scope))
    if f.client_id is not None:
        clauses.append("client_id = ?")
        params.append(str(f.client_id))
    if f.statuses:
        statuses = sorted(s.value for s in f.statuses)
        clauses.append(f"status IN ({', '.join('?' * len(statuses))})")
        params.extend(statuses)
    if f.scheduled_from is not None:
        clauses.append("scheduled_at >= ?")
        params.append(to_db_time(f.scheduled_from))
    if f.scheduled_to is not None:
        clauses.append("scheduled_at < ?")
        params.append(to_db_time(f.scheduled_to))
    if f.title_contains:
        escaped = f.title_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("title LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class SqliteMeetingRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, meeting: Meeting) -> None:
        self._db.connection().execute(
            f"INSERT INTO meetings ({_COLUMNS}) VALUES ({', '.join('?' * 14)})",
            _meeting_values(meeting),
        )

    def get(self, meeting_id: uuid.UUID) -> Meeting | None:
        row = (
            self._db.connection()
            .execute(f"SELECT {_COLUMNS} FROM meetings WHERE id = ?", (str(meeting_id),))
            .fetchone()
        )
        return _row_to_meeting(row) if row else None

    def get_many(self, meeting_ids: list[uuid.UUID]) -> dict[uuid.UUID, Meeting]:
        wanted = sorted({str(m) for m in meeting_ids})
        if not wanted:
            return {}
        rows = (
            self._db.connection()
            .execute(f"SELECT {_COLUMNS} FROM meetings WHERE id IN ({', '.join('?' * len(wanted))})", wanted)
            .fetchall()
        )
        return {m.id: m for m in map(_row_to_meeting, rows)}

    def get_by_session(self, session_id: str) -> Meeting | None:
        row = (
            self._db.connection()
            .execute(f"SELECT {_COLUMNS} FROM meetings WHERE session_id = ?", (session_id,))
            .fetchone()
        )
        return _row_to_meeting(row) if row else None

    def replace_if_status(self, meeting: Meeting, expected: MeetingStatus) -> bool:
        """Write `meeting` only if the stored row still has status `expected` (compare-and-set)."""
        cur = self._db.connection().execute(
            "UPDATE meetings SET status = ?, started_at = ?, ended_at = ?, duration_seconds = ?, "
            "session_id = ?, updated_at = ? WHERE id = ? AND status = ?",
            (
                meeting.status.value,
                to_db_time(meeting.started_at),
                to_db_time(meeting.ended_at),
                meeting.duration_seconds,
                meeting.session_id,
                to_db_time(meeting.updated_at),
                str(meeting.id),
                expected.value,
            ),
        )
        return cur.rowcount == 1

    def list(self, f: MeetingFilter, *, page: int, page_size: int) -> Page:
        where, params = _where(f)
        conn = self._db.connection()
        total = conn.execute(f"SELECT COUNT(*) FROM meetings{where}", params).fetchone()[0]
        order = "DESC" if f.newest_first else "ASC"
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM meetings{where} ORDER BY scheduled_at {order}, id {order} LIMIT ? OFFSET ?",
            [*params, page_size, (page - 1) * page_size],
        ).fetchall()
        return Page([_row_to_meeting(r) for r in rows], total, page, page_size)

    def count_by_status(self, f: MeetingFilter) -> dict[MeetingStatus, int]:
        where, params = _where(f)
        rows = (
            self._db.connection()
            .execute(f"SELECT status, COUNT(*) FROM meetings{where} GROUP BY status", params)
            .fetchall()
        )
        counts = {s: 0 for s in MeetingStatus}
        counts.update({MeetingStatus(r[0]): r[1] for r in rows})
        return counts
