"""A meeting's summary as a chat model writes it: a short overview, the decisions and the action
items (with their owner when someone was named), each citing the transcript line it comes from.

The model sees every line as `[#N mm:ss] Speaker: text` and must cite `N`; an item citing a line
it was not shown is dropped (and counted), never shown with an invented time. A long transcript is
cut into chunks summarised apart, then merged by one more call that may only cite the lines the
partial summaries cited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from visio_core.domain.i18n import t
from visio_core.domain.plain_text import timecode
from visio_core.domain.srt import Cue

OVERVIEW_MAX = 4000
ITEM_MAX = 500
OWNER_MAX = 120
ITEMS_MAX = 50  # of each kind: a longer list is no summary
VERSION = 1


@dataclass(frozen=True)
class Item:
    """A decision or an action item, citing one transcript line (`position`, from 0) and its start."""

    text: str
    position: int
    start: float
    owner: str | None = None


@dataclass(frozen=True)
class Summary:
    overview: str
    decisions: list[Item]
    actions: list[Item]
    source: str  # fingerprint of the transcript it was made from (see `fingerprint`)
    model: str
    created_at: datetime
    dropped: int = 0  # items the model gave without a line of the transcript to back them
    chunks: int = 1  # parts the transcript was cut into

    def stale(self, cues: list[Cue]) -> bool:
        """The transcript changed since: a correction, a renamed speaker, a new transcription."""
        return fingerprint(cues) != self.source


# -- what the model is shown ---------------------------------------------------------------------


def line(position: int, cue: Cue) -> str:
    """One transcript line as the model reads it; `#N` is what it cites (N = position + 1)."""
    who = f" {cue.speaker}:" if cue.speaker else ""
    text = " ".join(cue.text.split())
    return f"[#{position + 1} {timecode(cue.start)}]{who} {text}"


def chunks(cues: list[Cue], max_chars: int) -> list[list[int]]:
    """The cue positions cut into consecutive runs whose lines fit in `max_chars` (a single longer
    line makes a run of its own: a cue is short, TEXT_MAX at most)."""
    runs: list[list[int]] = []
    current: list[int] = []
    size = 0
    for position, cue in enumerate(cues):
        length = len(line(position, cue)) + 1
        if current and size + length > max_chars:
            runs.append(current)
            current, size = [], 0
        current.append(position)
        size += length
    if current:
        runs.append(current)
    return runs


def transcript_text(cues: list[Cue], positions: Iterable[int]) -> str:
    return "\n".join(line(p, cues[p]) for p in positions)


def fingerprint(cues: list[Cue]) -> str:
    """The transcript as the model reads it, hashed: what a summary was made from. (Not the
    transcript's revision: renaming a speaker changes no revision, undoing a correction restores the text.)"""
    return hashlib.sha256(transcript_text(cues, range(len(cues))).encode()).hexdigest()


def partial_text(summaries: list[Summary], cues: list[Cue]) -> str:
    """Partial summaries handed to the merge call, each item with the line it cites (as `#N`)."""
    parts = []
    for n, summary in enumerate(summaries, start=1):
        parts.append(
            json.dumps(
                {
                    "part": n,
                    "summary": summary.overview,
                    "decisions": [
                        {"text": i.text, "cue": i.position + 1, "time": timecode(i.start)} for i in summary.decisions
                    ],
                    "action_items": [
                        {"text": i.text, "owner": i.owner, "cue": i.position + 1, "time": timecode(i.start)}
                        for i in summary.actions
                    ],
                },
                ensure_ascii=False,
            )
        )
    return "\n".join(parts)


def cited(summaries: list[Summary]) -> set[int]:
    return {i.position for s in summaries for i in (*s.decisions, *s.actions)}


# -- what the model answers ----------------------------------------------------------------------

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["summary", "decisions", "action_items"],
    "properties": {
        "summary": {"type": "string"},
        "decisions": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["text", "cue"],
                "properties": {"text": {"type": "string"}, "cue": {"type": "integer"}},
            },
        },
        "action_items": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["text", "owner", "cue"],
                "properties": {
                    "text": {"type": "string"},
                    "owner": {"type": ["string", "null"]},
                    "cue": {"type": "integer"},
                },
            },
        },
    },
}


class UnusableAnswer(ValueError):
    """The model's answer is not the JSON object asked for (worth another try)."""


def parse_answer(answer: Any, cues: list[Cue], allowed: set[int], *, model: str, at: datetime) -> Summary:
    """The model's JSON answer as a Summary, keeping only items that cite a line in `allowed`."""
    if not isinstance(answer, Mapping) or not isinstance(answer.get("summary"), str):
        raise UnusableAnswer(t("summary.bad_answer"))
    dropped = 0

    def items(key: str, with_owner: bool) -> list[Item]:
        nonlocal dropped
        raw = answer.get(key)
        kept: list[Item] = []
        for entry in raw if isinstance(raw, list) else []:
            item = _item(entry, cues, allowed, with_owner)
            if item is None or len(kept) >= ITEMS_MAX:
                dropped += 1
            else:
                kept.append(item)
        return kept

    decisions = items("decisions", False)
    actions = items("action_items", True)
    overview = _clean(answer["summary"], OVERVIEW_MAX)
    return Summary(overview, decisions, actions, fingerprint(cues), model, at, dropped)


def _item(entry: Any, cues: list[Cue], allowed: set[int], with_owner: bool) -> Item | None:
    if not isinstance(entry, Mapping):
        return None
    text, cue = entry.get("text"), entry.get("cue")
    if not isinstance(text, str) or not text.strip() or isinstance(cue, bool) or not isinstance(cue, int):
        return None
    position = cue - 1
    if position not in allowed or not 0 <= position < len(cues):
        return None
    owner = entry.get("owner") if with_owner else None
    name = _clean(owner, OWNER_MAX) if isinstance(owner, str) and owner.strip() else None
    return Item(_clean(text, ITEM_MAX), position, cues[position].start, name)


def _clean(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


# -- stored form ---------------------------------------------------------------------------------


def to_json(summary: Summary) -> str:
    def items(values: list[Item]) -> list[dict[str, Any]]:
        return [{"text": i.text, "position": i.position, "start": i.start, "owner": i.owner} for i in values]

    return json.dumps(
        {
            "version": VERSION,
            "overview": summary.overview,
            "decisions": items(summary.decisions),
            "actions": items(summary.actions),
            "source": summary.source,
            "model": summary.model,
            "created_at": summary.created_at.isoformat(),
            "dropped": summary.dropped,
            "chunks": summary.chunks,
        },
        ensure_ascii=False,
    )


def from_json(text: str | None) -> Summary | None:
    """The summary we stored, or None when there is none or it is unreadable."""
    if not text:
        return None
    try:
        data: Any = json.loads(text)

        def items(values: Any) -> list[Item]:
            return [
                Item(str(i["text"]), int(i["position"]), float(i["start"]), str(i["owner"]) if i.get("owner") else None)
                for i in values
            ]

        return Summary(
            str(data["overview"]),
            items(data["decisions"]),
            items(data["actions"]),
            str(data["source"]),
            str(data["model"]),
            datetime.fromisoformat(str(data["created_at"])),
            int(data.get("dropped") or 0),
            int(data.get("chunks") or 1),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


@dataclass(frozen=True)
class SummaryState:
    """A recording's summary job and its last result (kept while a new one is made)."""

    status: str  # pending, processing, completed, failed
    summary: Summary | None = None
    last_error: str | None = None
    attempts: int = 0
    updated_at: datetime | None = None

    @property
    def busy(self) -> bool:
        return self.status in ("pending", "processing")
