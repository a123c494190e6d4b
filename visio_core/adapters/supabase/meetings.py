"""Meetings over Supabase's PostgREST, with the signed-in user's JWT so row-level security applies.

Same contract as SqliteMeetingRepository. The service layer still decides who may do what;
the database's policies (supabase/migrations) enforce it a second time, per request.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from postgrest import CountMethod, SyncPostgrestClient, SyncRequestBuilder, SyncSelectRequestBuilder

from visio_core.adapters.supabase.rest import iso, parse_time, rest_client, run
from visio_core.domain.model import Meeting, MeetingFilter, MeetingStatus, Page

_COLUMNS = (
    "id,client_id,operator_id,title,description,scheduled_at,started_at,ended_at,"
    "duration_seconds,session_id,status,created_at,updated_at,language"
)


def user_client(supabase_url: str, anon_key: str, access_token: str, **kwargs: Any) -> SyncPostgrestClient:
    """A PostgREST client acting as one signed-in user (RLS applies); never the service-role key."""
    return rest_client(supabase_url, anon_key, access_token, **kwargs)


def _to_meeting(row: dict[str, Any]) -> Meeting:
    return Meeting(
        id=uuid.UUID(row["id"]),
        client_id=uuid.UUID(row["client_id"]),
        operator_id=uuid.UUID(row["operator_id"]),
        title=row["title"],
        description=row.get("description") or "",
        scheduled_at=cast(datetime, parse_time(row["scheduled_at"])),  # NOT NULL column
        started_at=parse_time(row.get("started_at")),
        ended_at=parse_time(row.get("ended_at")),
        duration_seconds=row.get("duration_seconds"),
        session_id=row.get("session_id"),
        status=MeetingStatus(row["status"]),
        created_at=cast(datetime, parse_time(row["created_at"])),  # NOT NULL column
        updated_at=cast(datetime, parse_time(row["updated_at"])),  # NOT NULL column
        language=row.get("language") or None,
    )


class SupabaseMeetingRepository:
    def __init__(self, client: SyncPostgrestClient) -> None:
        self._client = client

    def _table(self) -> SyncRequestBuilder:
        return self._client.from_("meetings")

    def add(self, meeting: Meeting) -> None:
        self._run(
            self._table().insert(
                {
                    "id": str(meeting.id),
                    "client_id": str(meeting.client_id),
                    "operator_id": str(meeting.operator_id),
                    "title": meeting.title,
                    "description": meeting.description,
                    "scheduled_at": iso(meeting.scheduled_at),
                    "status": meeting.status.value,
                    "created_at": iso(meeting.created_at),
                    "updated_at": iso(meeting.updated_at),
                    "language": meeting.language,
                }
            )
        )

    def get(self, meeting_id: uuid.UUID) -> Meeting | None:
        rows = self._run(self._table().select(_COLUMNS).eq("id", str(meeting_id)).limit(1)).data
        return _to_meeting(rows[0]) if rows else None

    def get_many(self, meeting_ids: list[uuid.UUID]) -> dict[uuid.UUID, Meeting]:
        """One request for many meetings (the jobs panel), not one per row."""
        wanted = sorted({str(m) for m in meeting_ids})
        if not wanted:
            return {}
        rows = self._run(self._table().select(_COLUMNS).in_("id", wanted)).data
        return {m.id: m for m in map(_to_meeting, rows)}

    def get_by_session(self, session_id: str) -> Meeting | None:
        rows = self._run(self._table().select(_COLUMNS).eq("session_id", session_id).limit(1)).data
        return _to_meeting(rows[0]) if rows else None

    def replace_if_status(self, meeting: Meeting, expected: MeetingStatus) -> bool:
        """Compare-and-set: PostgREST returns the updated rows; none means another change won."""
        query = (
            self._table()
            .update(
                {
                    "status": meeting.status.value,
                    "started_at": iso(meeting.started_at),
                    "ended_at": iso(meeting.ended_at),
                    "duration_seconds": meeting.duration_seconds,
                    "session_id": meeting.session_id,
                    "updated_at": iso(meeting.updated_at),
                }
            )
            .eq("id", str(meeting.id))
            .eq("status", expected.value)
        )
        return len(self._run(query).data) == 1

    def list(self, f: MeetingFilter, *, page: int, page_size: int) -> Page:
        start = (page - 1) * page_size
        query = self._filtered(self._table().select(_COLUMNS, count=CountMethod.exact), f)
        query = query.order("scheduled_at", desc=f.newest_first).order("id", desc=f.newest_first)
        result = self._run(query.range(start, start + page_size - 1))
        return Page([_to_meeting(r) for r in result.data], int(result.count or 0), page, page_size)

    def count_by_status(self, f: MeetingFilter) -> dict[MeetingStatus, int]:
        counts: dict[MeetingStatus, int] = {}
        for status in MeetingStatus:
            query = self._filtered(self._table().select("id", count=CountMethod.exact, head=True), f)
            counts[status] = int(self._run(query.eq("status", status.value)).count or 0)
        return counts

    @staticmethod
    def _filtered(query: SyncSelectRequestBuilder, f: MeetingFilter) -> SyncSelectRequestBuilder:
        for column, value in (
            ("operator_id", f.operator_scope),
            ("client_id", f.client_scope),
            ("client_id", f.client_id),
        ):
            if value is not None:
                query = query.eq(column, str(value))
        if f.statuses:
            query = query.in_("status", sorted(s.value for s in f.statuses))
        if f.scheduled_from is not None:
            query = query.gte("scheduled_at", iso(f.scheduled_from))
        if f.scheduled_to is not None:
            query = query.lt("scheduled_at", iso(f.scheduled_to))
        if f.title_contains:
            # PostgREST's ilike uses * as the wildcard; the user's own * and % are taken literally.
            literal = f.title_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "\\*")
            query = query.ilike("title", f"*{literal}*")
        return query

    _run = staticmethod(run)
