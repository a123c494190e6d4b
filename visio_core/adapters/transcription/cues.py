"""Decoded lines → cues on the recording's timeline (pure: no I/O, no model)."""

from __future__ import annotations

from visio_core.adapters.transcription.decoding import Line
from visio_core.adapters.transcription.windows import Window
from visio_core.domain.srt import Cue

CUE_PAUSE = 1.5  # a longer pause between two words starts a new cue


def window_cues(lines: list[Line], window: Window) -> list[Cue]:
    """Cues on the recording's timeline; a line is split where its words are far apart there
    (a long silence was cut out of the window between them)."""
    cues = []
    for line in lines:
        words = [w for w in line.words if w.start < window.seconds]  # not in the padding after the audio
        if not line.words:
            if line.start < window.seconds and line.text.strip():
                cues.append(Cue(0, window.original(line.start), window.original(line.end, end=True), line.text))
            continue
        group: list[tuple[float, float, str]] = []
        for word in words:
            start, end = window.span(word.start, word.end)
            if group and start - group[-1][1] > CUE_PAUSE:
                cues.append(_cue(group))
                group = []
            group.append((start, max(start, end), word.text))
        if group:
            cues.append(_cue(group))
    return cues


def _cue(words: list[tuple[float, float, str]]) -> Cue:
    return Cue(0, words[0][0], words[-1][1], "".join(text for _s, _e, text in words).strip())
