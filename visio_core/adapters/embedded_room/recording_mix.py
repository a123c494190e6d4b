"""The recording's audio: every sample each participant sent, written once, at its place.

The live mix (room.py) favours latency: its jitter buffer drops audio when the room clock
stalls and inserts silence when the network bunches packets, which a listener barely notices
but which cut words out of the recording and stretched turns (seen with a busy machine: 2.7 s
of speech lost, an 8.5 s turn recorded 1.3 s long). The recording can afford a delay instead.
Each participant's samples are laid end to end from where his speech started, so bursts and
stalls change nothing; only a real gap in his stream (a network drop, longer than GAP_SECONDS)
moves him to the time his audio came back. The mix is written DELAY_SECONDS behind the room
clock, late enough for bunched packets to have arrived.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from visio_core.adapters.embedded_room.audio import SAMPLE_RATE

DELAY_SECONDS = 0.6
GAP_SECONDS = 1.0  # a stream that stops this long and resumes is placed at its new arrival
AHEAD_LIMIT_SECONDS = 10.0  # a stream running this far ahead of the clock is re-anchored (bounded memory)


@dataclass
class _Stream:
    cursor: int | None = None  # where his next sample goes, in recording samples
    pending: deque[tuple[int, np.ndarray]] = field(default_factory=deque)  # (arrival position, samples)


@dataclass(frozen=True)
class Placed:
    """One participant's samples as placed in the recording (for the speaking timeline)."""

    key: str
    position: int
    samples: np.ndarray


class RecordingMix:
    def __init__(self) -> None:
        self._streams: dict[str, _Stream] = {}
        self._lock = threading.Lock()
        self._position = 0  # the room clock's position in the recording, in samples
        self._written = 0  # samples handed to the recorder so far
        self._acc = np.zeros(0, dtype=np.int32)  # the mix from `_written` on
        self.late_samples = 0  # samples that arrived after their place was written (moved later)

    @property
    def position(self) -> int:
        return self._position

    @property
    def delay(self) -> int:
        return int(DELAY_SECONDS * SAMPLE_RATE)

    def push(self, key: str, samples: np.ndarray) -> None:
        """A participant's samples, as they arrive (aiortc's loop)."""
        if samples.size == 0:
            return
        with self._lock:
            self._streams.setdefault(key, _Stream()).pending.append((self._position, samples))

    def forget(self, key: str) -> None:
        with self._lock:
            self._streams.pop(key, None)

    def advance(self, samples: int) -> tuple[np.ndarray, list[Placed]]:
        """Move the room clock `samples` on; the mix that is now due (DELAY behind) and what was placed."""
        with self._lock:
            self._position += samples
            arrived = {key: list(s.pending) for key, s in self._streams.items()}
            for stream in self._streams.values():
                stream.pending.clear()
            streams = dict(self._streams)
        placed = [self._place(key, streams[key], chunks) for key, chunks in arrived.items()]
        due = max(0, self._position - self.delay - self._written)
        out = self._take(due)
        return out, [p for group in placed for p in group]

    def flush(self) -> np.ndarray:
        """Everything placed and not yet written (the meeting ends)."""
        return self._take(self._acc.size)

    def _place(self, key: str, stream: _Stream, chunks: list[tuple[int, np.ndarray]]) -> list[Placed]:
        placed = []
        for arrival, samples in chunks:
            cursor = stream.cursor
            if (cursor is None or arrival - cursor > GAP_SECONDS * SAMPLE_RATE
                    or cursor - arrival > AHEAD_LIMIT_SECONDS * SAMPLE_RATE):
                cursor = arrival  # first audio, back after a real gap, or drifting away: anchor at arrival
            if cursor < self._written:
                self.late_samples += self._written - cursor  # later than the delay: moved, never dropped
                cursor = self._written
            start = cursor - self._written
            end = start + samples.size
            if end > self._acc.size:
                self._acc = np.concatenate([self._acc, np.zeros(end - self._acc.size, dtype=np.int32)])
            self._acc[start:end] += samples
            placed.append(Placed(key, cursor, samples))
            stream.cursor = cursor + samples.size
        return placed

    def _take(self, count: int) -> np.ndarray:
        if count <= 0:
            return np.zeros(0, dtype=np.int16)
        if self._acc.size < count:
            self._acc = np.concatenate([self._acc, np.zeros(count - self._acc.size, dtype=np.int32)])
        out = np.clip(self._acc[:count], -32768, 32767).astype(np.int16)
        self._acc = self._acc[count:]
        self._written += count
        return out
