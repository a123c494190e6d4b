"""A finished transcript as the workers store it beside its SRT: cues with their speakers, and the
language the recording was transcribed in (detected, with Whisper's confidence, when asked `auto`).

The SRT stays the file people download; this JSON (`transcripts/{recording_id}.json`) is what the
pages read, because it keeps who said what without guessing it back from the text.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from visio_core.domain.srt import Cue

VERSION = 1
LOW_CONFIDENCE = 0.7  # a detected language below this probability is flagged on the page


@dataclass(frozen=True)
class Transcript:
    cues: list[Cue]
    language: str | None = None  # what the recording was transcribed in
    language_probability: float | None = None  # Whisper's confidence when the language was detected
    speakers: list[str] = field(default_factory=list)  # names in order of first appearance
    skipped: int = 0  # unreadable SRT blocks, when read from an SRT

    @property
    def detected(self) -> bool:
        return self.language_probability is not None

    @property
    def low_confidence(self) -> bool:
        return self.language_probability is not None and self.language_probability < LOW_CONFIDENCE


def to_json(transcript: Transcript) -> str:
    return json.dumps({
        "version": VERSION,
        "language": transcript.language,
        "language_probability": transcript.language_probability,
        "speakers": transcript.speakers,
        "cues": [{"start": c.start, "end": c.end, "text": c.text, "speaker": c.speaker} for c in transcript.cues],
    }, ensure_ascii=False)


def from_json(text: str) -> Transcript | None:
    """The transcript in `text`, or None when it is not one we wrote (the caller falls back to the SRT)."""
    try:
        data: Any = json.loads(text)
        cues = [Cue(n + 1, float(c["start"]), float(c["end"]), str(c["text"]),
                    str(c["speaker"]) if c.get("speaker") else None) for n, c in enumerate(data["cues"])]
        probability = data.get("language_probability")
        if probability is not None and not math.isfinite(float(probability)):
            return None
        return Transcript(cues, data.get("language") or None,
                          float(probability) if probability is not None else None,
                          [str(s) for s in data.get("speakers") or []])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
