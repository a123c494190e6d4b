"""Each participant's audio level over a room recording, written beside the MP4 when it ends.

The room clock hands every participant's 20 ms of microphone to `hear`, at the recording's
current position; levels are kept as mean power per 100 ms step (a few kilobytes an hour).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from visio_core.adapters.embedded_room.audio import mean_square
from visio_core.domain.speakers import SILENCE_DBFS, STEP_SECONDS, SpeakingTimeline, to_json

SUFFIX = ".speakers.json"


def timeline_path(recording: Path) -> Path:
    """Where the timeline of a room recording is kept: `<recording>.speakers.json`."""
    return recording.with_name(recording.name + SUFFIX)


class SpeakingRecorder:
    def __init__(self) -> None:
        self._power: dict[str, list[float]] = {}  # name -> sum of mean-square (normalised) per step
        self._ticks: dict[str, list[int]] = {}

    def hear(self, name: str, position: float, samples: np.ndarray) -> None:
        step = int(position / STEP_SECONDS)
        power = self._power.setdefault(name, [])
        ticks = self._ticks.setdefault(name, [])
        if len(power) <= step:
            power.extend([0.0] * (step + 1 - len(power)))
            ticks.extend([0] * (step + 1 - len(ticks)))
        power[step] += mean_square(samples)
        ticks[step] += 1

    def timeline(self) -> SpeakingTimeline:
        levels = {}
        for name, power in self._power.items():
            ticks = self._ticks[name]
            levels[name] = [
                10 * math.log10(p / n) if n and p > 0 else SILENCE_DBFS for p, n in zip(power, ticks, strict=True)
            ]
        return SpeakingTimeline(levels)

    def write(self, recording: Path) -> Path | None:
        """Write the timeline beside `recording`; None when nobody was heard."""
        if not self._power:
            return None
        path = timeline_path(recording)
        path.write_text(to_json(self.timeline()), encoding="utf-8")
        return path
