"""Speaking events of OpenVidu rooms in the embedded database (see services.ports.SpeakingLog)."""

from __future__ import annotations

import uuid
from datetime import datetime

from visio_core.adapters.sqlite.database import Database, from_db_time, to_db_time
from visio_core.domain.speakers import SpeakingEvent


class SqliteSpeakingLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, meeting_id: uuid.UUID, events: list[SpeakingEvent]) -> None:
        self._db.connection().executemany(
            "INSERT INTO speaking_events (meeting_id, speaker, kind, at) VALUES (?, ?, ?, ?)",
            [(str(meeting_id), e.speaker, e.kind, to_db_time(e.at)) for e in events],
        )

    def between(self, meeting_id: uuid.UUID, start: datetime, end: datetime) -> list[SpeakingEvent]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT speaker, kind, at FROM speaking_events WHERE meeting_id = ? AND at >= ? AND at < ? ORDER BY at",
                (str(meeting_id), to_db_time(start), to_db_time(end)),
            )
            .fetchall()
        )
        return [SpeakingEvent(r["speaker"], r["kind"], from_db_time(r["at"])) for r in rows]
