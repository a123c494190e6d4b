"""Who said each line: a speaking timeline (each participant's own audio level over the recording)
and the attribution of transcript cues to the participant who was speaking.

Where we own the media (the embedded room) the server hears each participant's microphone
separately, so the level of each track says exactly who spoke: no voice model is involved. A
cue goes to the participant whose track carried the most energy during it (the dominant speaker
when voices overlap); a cue during which nobody's track was above the speech threshold keeps no
name rather than a guess.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.srt import Cue

NAME_MAX = 80
STEP_SECONDS = 0.1
SPEECH_DBFS = -50.0  # a track quieter than this over a cue did not carry speech
SILENCE_DBFS = -120.0


@dataclass(frozen=True)
class SpeakingTimeline:
    """Each speaker's level (dBFS) every `step` seconds from the recording's start."""

    levels: dict[str, list[float]]
    step: float = STEP_SECONDS

    def level(self, name: str, start: float, end: float) -> float:
        """The speaker's mean level (dBFS, from mean power) between `start` and `end` seconds."""
        series = self.levels.get(name, [])
        first, last = int(start / self.step), max(int(start / self.step) + 1, math.ceil(end / self.step))
        window = series[first:last]
        if not window:
            return SILENCE_DBFS
        power = sum(10 ** (db / 10) for db in window) / len(window)
        return 10 * math.log10(power) if power > 0 else SILENCE_DBFS


def attribute(cues: list[Cue], timeline: SpeakingTimeline) -> list[Cue]:
    """The cues with `speaker` set to the dominant speaker of each (None when nobody spoke)."""
    named = []
    for cue in cues:
        levels = {name: timeline.level(name, cue.start, cue.end) for name in timeline.levels}
        loudest = max(levels, key=lambda name: levels[name], default=None)
        speaker = loudest if loudest is not None and levels[loudest] >= SPEECH_DBFS else None
        named.append(replace(cue, speaker=speaker))
    return named


SPEAKING_DBFS = -20.0  # the level given to "speaking" when only its start and stop are known


@dataclass(frozen=True)
class SpeakingEvent:
    """A participant's page said he started or stopped speaking (openvidu-browser's speaking events)."""

    speaker: str
    kind: str  # "start" or "stop"
    at: datetime


def timeline_from_events(events: list[SpeakingEvent], start: datetime, seconds: float) -> SpeakingTimeline:
    """The speaking timeline of a recording that began at `start` and lasted `seconds`.

    A start with no stop lasts to the end of the recording; a stop with no start covers nothing.
    """
    steps = max(0, math.ceil(seconds / STEP_SECONDS))
    levels: dict[str, list[float]] = {}
    talking_since: dict[str, float] = {}
    for event in sorted(events, key=lambda e: e.at):
        series = levels.setdefault(event.speaker, [SILENCE_DBFS] * steps)
        offset = (event.at - start).total_seconds()
        if event.kind == "start":
            talking_since.setdefault(event.speaker, offset)
        elif event.speaker in talking_since:
            _mark(series, talking_since.pop(event.speaker), offset)
    for speaker, since in talking_since.items():
        _mark(levels[speaker], since, seconds)
    return SpeakingTimeline(levels)


def _mark(series: list[float], begin: float, end: float) -> None:
    for step in range(max(0, int(begin / STEP_SECONDS)), min(len(series), math.ceil(end / STEP_SECONDS))):
        series[step] = SPEAKING_DBFS


def by_voice(cues: list[Cue], groups: list[int | None]) -> list[Cue]:
    """The cues labelled "Intervenant 1", "Intervenant 2"… by voice group (None: no name).

    Only for recordings without a speaking timeline: the labels say which lines share a voice,
    never who spoke; the operator's renaming turns them into names."""
    if len(groups) != len(cues):
        raise ValueError("one voice group per cue")
    return [
        replace(cue, speaker=None if group is None else t("speakers.numbered", n=group + 1))
        for cue, group in zip(cues, groups, strict=True)
    ]


def check_name(name: str | None) -> str:
    """A speaker's name as a person types it: trimmed, 1 to NAME_MAX characters, one line."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise InvalidInput(t("rec.speaker_empty"))
    if len(cleaned) > NAME_MAX:
        raise InvalidInput(t("rec.speaker_too_long", max=NAME_MAX))
    return cleaned


def rename(cues: list[Cue], current: str, new: str) -> list[Cue]:
    """The cues with every line of `current` given to `new` (two names become one if `new` speaks too)."""
    if not any(c.speaker == current for c in cues):
        raise InvalidInput(t("rec.speaker_unknown", name=current))
    return [replace(c, speaker=new) if c.speaker == current else c for c in cues]


def to_json(timeline: SpeakingTimeline) -> str:
    return json.dumps(
        {
            "step": timeline.step,
            "levels": {name: [round(db, 1) for db in series] for name, series in timeline.levels.items()},
        },
        ensure_ascii=False,
    )


def from_json(text: str) -> SpeakingTimeline | None:
    """The timeline in `text`, or None when it is not one (the cues then keep no speaker)."""
    try:
        data: Any = json.loads(text)
        step = float(data["step"])
        levels = {str(name): [float(db) for db in series] for name, series in data["levels"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return SpeakingTimeline(levels, step) if step > 0 and math.isfinite(step) else None
