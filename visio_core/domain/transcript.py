"""A finished transcript as the workers store it beside its SRT: cues with their speakers, and the
language the recording was transcribed in (detected, with Whisper's confidence, when asked `auto`).

The SRT stays the file people download; this JSON (`transcripts/{recording_id}.json`) is what the
pages read, because it keeps who said what without guessing it back from the text.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from visio_core.domain.errors import IllegalTransition, InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.speakers import check_name
from visio_core.domain.srt import Cue, speakers_of

TEXT_MAX = 2000  # one cue's text

VERSION = 1
LOW_CONFIDENCE = 0.7  # a detected language below this probability is flagged on the page


@dataclass(frozen=True)
class Edit:
    """One correction of one cue, kept so it can be seen and undone: who, when, before and after."""

    position: int  # the cue's place in the transcript, from 0
    before: str
    after: str
    by: str  # the editor's display name
    at: datetime
    speaker_before: str | None = None
    speaker_after: str | None = None


@dataclass(frozen=True)
class Transcript:
    cues: list[Cue]
    language: str | None = None  # what the recording was transcribed in
    language_probability: float | None = None  # Whisper's confidence when the language was detected
    speakers: list[str] = field(default_factory=list)  # names in order of first appearance
    skipped: int = 0  # unreadable SRT blocks, when read from an SRT
    revision: int = 0  # grows with every correction: an edit made on an older revision is refused
    edits: list[Edit] = field(default_factory=list)  # oldest first

    @property
    def detected(self) -> bool:
        return self.language_probability is not None

    @property
    def low_confidence(self) -> bool:
        return self.language_probability is not None and self.language_probability < LOW_CONFIDENCE


def correct(
    transcript: Transcript, position: int, text: str, by: str, at: datetime, revision: int, speaker: str | None = None
) -> Transcript:
    """The transcript with one cue's text (and, when given, its speaker: "" for nobody) corrected,
    the correction kept in its history.

    `revision` is the one the editor saw: if someone corrected the transcript since, nothing is
    changed and he is told (IllegalTransition), rather than one correction silently erasing another."""
    _check_revision(transcript, revision)
    if not 0 <= position < len(transcript.cues):
        raise InvalidInput(t("rec.cue_unknown"))
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(t("rec.cue_empty"))
    if len(cleaned) > TEXT_MAX:
        raise InvalidInput(t("rec.cue_too_long", max=TEXT_MAX))
    cue = transcript.cues[position]
    who = cue.speaker if speaker is None else (check_name(speaker) if speaker.strip() else None)
    if cleaned == cue.text and who == cue.speaker:
        return transcript
    cues = [*transcript.cues[:position], replace(cue, text=cleaned, speaker=who), *transcript.cues[position + 1 :]]
    edit = Edit(position, cue.text, cleaned, by, at, cue.speaker, who)
    return replace(
        transcript,
        cues=cues,
        revision=transcript.revision + 1,
        edits=[*transcript.edits, edit],
        speakers=speakers_of(cues),
    )


def undo(transcript: Transcript, revision: int) -> Transcript:
    """The transcript with its last correction undone (itself left out of the history)."""
    _check_revision(transcript, revision)
    if not transcript.edits:
        raise InvalidInput(t("rec.nothing_to_undo"))
    last = transcript.edits[-1]
    cues = list(transcript.cues)
    cues[last.position] = replace(cues[last.position], text=last.before, speaker=last.speaker_before)
    return replace(
        transcript, cues=cues, revision=transcript.revision + 1, edits=transcript.edits[:-1], speakers=speakers_of(cues)
    )


def _check_revision(transcript: Transcript, revision: int) -> None:
    if revision != transcript.revision:
        raise IllegalTransition(t("rec.edited_meanwhile"))


def to_json(transcript: Transcript) -> str:
    return json.dumps(
        {
            "version": VERSION,
            "language": transcript.language,
            "language_probability": transcript.language_probability,
            "speakers": transcript.speakers,
            "revision": transcript.revision,
            "cues": [{"start": c.start, "end": c.end, "text": c.text, "speaker": c.speaker} for c in transcript.cues],
            "edits": [
                {
                    "position": e.position,
                    "before": e.before,
                    "after": e.after,
                    "by": e.by,
                    "at": e.at.isoformat(),
                    "speaker_before": e.speaker_before,
                    "speaker_after": e.speaker_after,
                }
                for e in transcript.edits
            ],
        },
        ensure_ascii=False,
    )


def from_json(text: str) -> Transcript | None:
    """The transcript in `text`, or None when it is not one we wrote (the caller falls back to the SRT)."""
    try:
        data: Any = json.loads(text)
        cues = [
            Cue(
                n + 1,
                float(c["start"]),
                float(c["end"]),
                str(c["text"]),
                str(c["speaker"]) if c.get("speaker") else None,
            )
            for n, c in enumerate(data["cues"])
        ]
        probability = data.get("language_probability")
        if probability is not None and not math.isfinite(float(probability)):
            return None
        edits = [
            Edit(
                int(e["position"]),
                str(e["before"]),
                str(e["after"]),
                str(e["by"]),
                datetime.fromisoformat(str(e["at"])),
                e.get("speaker_before"),
                e.get("speaker_after"),
            )
            for e in data.get("edits") or []
        ]
        return Transcript(
            cues,
            data.get("language") or None,
            float(probability) if probability is not None else None,
            [str(s) for s in data.get("speakers") or []],
            revision=int(data.get("revision") or 0),
            edits=edits,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
