"""Transcript search on Supabase: cues in `transcript_cues`, searched by `search_transcripts`.

The worker files cues with the service role (`SupabaseTranscriptIndex`); pages search with the
signed-in user's JWT (`SupabaseTranscriptSearch`), so row-level security scopes every hit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from postgrest import ReturnMethod, SyncPostgrestClient, SyncRequestBuilder

from visio_core.adapters.supabase.rest import iso, parse_time, run
from visio_core.domain.errors import AuthenticationFailed
from visio_core.domain.i18n import t
from visio_core.domain.model import Recording
from visio_core.domain.search import CueFilters, CueHit, search_words
from visio_core.domain.srt import Cue

BATCH = 500  # cues per request: a long meeting has thousands


class SupabaseTranscriptIndex:
    def __init__(self, service: SyncPostgrestClient) -> None:
        self._client = service

    def index(self, recording: Recording, cues: list[Cue]) -> None:
        """Replace a recording's cues: upsert by position, then drop positions past the new end.

        Never leaves the recording without cues in between (a search meanwhile finds old or new text).
        """
        # A fresh builder per request.
        table: Callable[[], SyncRequestBuilder] = lambda: self._client.from_("transcript_cues")  # noqa: E731
        rows = [
            {
                "recording_id": str(recording.id),
                "position": i,
                "start_seconds": c.start,
                "end_seconds": max(c.end, c.start),
                "text": c.text,
                "speaker": c.speaker,
            }
            for i, c in enumerate(cues)
        ]
        for start in range(0, len(rows), BATCH):
            run(
                table().upsert(
                    rows[start : start + BATCH], on_conflict="recording_id,position", returning=ReturnMethod.minimal
                )
            )
        run(
            table()
            .delete(returning=ReturnMethod.minimal)
            .eq("recording_id", str(recording.id))
            .gte("position", len(rows))
        )


class SupabaseTranscriptSearch:
    def __init__(self, user: SyncPostgrestClient) -> None:
        self._client = user

    def search(self, query: str, filters: CueFilters) -> list[CueHit]:
        words = search_words(query)
        if not words:
            return []
        # Sent as a JSON body: postgrest's `dict[str, str]` for RPC parameters is too narrow.
        params: dict[str, Any] = {
            "words": words,
            "operator_scope": _text(filters.operator_id),
            "client_scope": _text(filters.client_scope),
            "client": _text(filters.client_id),
            "scheduled_from": iso(filters.scheduled_from),
            "scheduled_to": iso(filters.scheduled_to),
            "lang": filters.language,
            "max_rows": filters.limit,
            "who": filters.speaker,
        }
        rows = run(self._client.rpc("search_transcripts", params)).data or []
        return [
            CueHit(
                uuid.UUID(r["recording_id"]),
                uuid.UUID(r["meeting_id"]),
                r["meeting_title"],
                uuid.UUID(r["client_id"]),
                cast(datetime, parse_time(r["scheduled_at"])),
                r["language"],
                float(r["start_seconds"]),
                float(r["end_seconds"]),
                r["text"],
                float(r["rank"]),
                r.get("speaker"),
            )
            for r in rows
        ]


class NoSystemSearch:
    """The system context's search, which never runs: on Supabase, search acts as the user (RLS scopes hits)."""

    def search(self, query: str, filters: CueFilters) -> list[CueHit]:
        raise AuthenticationFailed(t("error.session_expired"))


def _text(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None
