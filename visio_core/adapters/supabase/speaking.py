"""Speaking events of OpenVidu rooms in the project's `speaking_events` table (service role only)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from postgrest import SyncPostgrestClient

from visio_core.adapters.supabase.rest import iso, parse_time, run
from visio_core.domain.speakers import SpeakingEvent


class SupabaseSpeakingLog:
    def __init__(self, service: SyncPostgrestClient) -> None:
        self._client = service

    def add(self, meeting_id: uuid.UUID, events: list[SpeakingEvent]) -> None:
        if events:
            run(
                self._client.from_("speaking_events").insert(
                    [
                        {"meeting_id": str(meeting_id), "speaker": e.speaker, "kind": e.kind, "at": iso(e.at)}
                        for e in events
                    ]
                )
            )

    def between(self, meeting_id: uuid.UUID, start: datetime, end: datetime) -> list[SpeakingEvent]:
        rows = run(
            self._client.from_("speaking_events")
            .select("speaker,kind,at")
            .eq("meeting_id", str(meeting_id))
            .gte("at", iso(start))
            .lt("at", iso(end))
            .order("at")
        ).data
        return [SpeakingEvent(r["speaker"], r["kind"], cast(datetime, parse_time(r["at"]))) for r in rows]
