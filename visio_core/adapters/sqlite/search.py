"""Full-text search over transcript cues (SQLite FTS5), scoped by the caller."""

from __future__ import annotations

import uuid

from visio_core.adapters.sqlite.database import Database, from_db_time, to_db_time
from visio_core.domain.model import Recording
from visio_core.domain.search import CueFilters, CueHit, search_words
from visio_core.domain.srt import Cue


def match_expression(query: str) -> str | None:
    """User words as an FTS5 query: every word must appear, the last one as a prefix.

    Quoting each word keeps FTS5 operators and punctuation in user input inert.
    """
    words = search_words(query)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class SqliteTranscriptSearch:
    def __init__(self, db: Database) -> None:
        self._db = db

    def index(self, recording: Recording, cues: list[Cue]) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM transcript_cues WHERE recording_id = ?", (str(recording.id),))
            conn.executemany(
                "INSERT INTO transcript_cues (text, recording_id, meeting_id, start_seconds, end_seconds, speaker) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(c.text, str(recording.id), str(recording.meeting_id), c.start, c.end, c.speaker) for c in cues],
            )

    def search(self, query: str, filters: CueFilters) -> list[CueHit]:
        expression = match_expression(query)
        if expression is None:
            return []
        clauses, params = ["transcript_cues MATCH ?"], [expression]
        f = filters
        for column, value in (
            ("m.operator_id", f.operator_id),
            ("m.client_id", f.client_scope),
            ("m.client_id", f.client_id),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(str(value))
        if f.scheduled_from is not None:
            clauses.append("m.scheduled_at >= ?")
            params.append(to_db_time(f.scheduled_from))
        if f.scheduled_to is not None:
            clauses.append("m.scheduled_at < ?")
            params.append(to_db_time(f.scheduled_to))
        if f.language:
            clauses.append("r.transcription_language = ?")
            params.append(f.language)
        if f.speaker:
            clauses.append("c.speaker = ?")
            params.append(f.speaker)
        rows = (
            self._db.connection()
            .execute(
                "SELECT c.recording_id, c.meeting_id, m.title, m.client_id, m.scheduled_at, r.transcription_language, "
                "c.start_seconds, c.end_seconds, c.text, bm25(transcript_cues) AS rank, c.speaker "
                "FROM transcript_cues c "
                "JOIN meeting_recordings r ON r.id = c.recording_id "
                "JOIN meetings m ON m.id = c.meeting_id "
                f"WHERE {' AND '.join(clauses)} ORDER BY rank, m.scheduled_at DESC, c.start_seconds LIMIT ?",
                [*params, f.limit],
            )
            .fetchall()
        )
        return [
            CueHit(
                uuid.UUID(r[0]),
                uuid.UUID(r[1]),
                r[2],
                uuid.UUID(r[3]),
                from_db_time(r[4]),
                r[5],
                float(r[6]),
                float(r[7]),
                r[8],
                float(r[9]),
                r[10],
            )
            for r in rows
        ]
