"""What every transcript search backend shares: the hit, how user input becomes words."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 12


@dataclass(frozen=True)
class CueHit:
    recording_id: uuid.UUID
    meeting_id: uuid.UUID
    meeting_title: str
    client_id: uuid.UUID
    scheduled_at: datetime
    language: str
    start: float
    end: float
    text: str
    rank: float
    speaker: str | None = None


@dataclass(frozen=True)
class CueFilters:
    """Which transcripts a search looks in. The scopes come from the service layer, never from the user."""

    operator_id: uuid.UUID | None = None  # an operator's (or his analyst's) meetings
    client_scope: uuid.UUID | None = None  # a client's own meetings
    client_id: uuid.UUID | None = None  # the client the user picked
    scheduled_from: datetime | None = None
    scheduled_to: datetime | None = None
    language: str | None = None
    speaker: str | None = None  # only what this person said
    limit: int = 200


def search_words(query: str) -> list[str]:
    """The words of a user's query; punctuation and search operators are dropped, not interpreted."""
    return _WORD.findall(query or "")[:MAX_WORDS]
