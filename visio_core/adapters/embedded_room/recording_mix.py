"""The recording's audio: every sample each participant sent, written once, at its place.

The live mix (room.py) favours latency: its jitter buffer drops audio when the room clock
stalls and inserts silence when the network bunches packets, which a listener barely notices
but which cut words out of the recording and stretched turns (seen with a busy machine: 2.7 s
of speech lost, an 8.5 s turn recorded 1.3 s long). The recording can afford a delay instead.
Each participant's samples are laid end to end from where his speech started, so bursts and
stalls change nothing; only a real gap in his stream (a network drop, longer than GAP_SECONDS)
moves him to the time his audio came back. The mix is written DELAY_SECONDS behind the room
clock, late enough for bunched packets to have arrived.

When the frames carry their sender's timestamps (aiortc gives each decoded frame the RTP
timestamp as pts), they say more than arrival times can: a stream whose timestamps run on
without a jump is laid end to end however long its packets were held up, and a jump forward
(lost packets, a network drop) leaves exactly that much silence, so what follows keeps its
time. Timestamps going back or landing far from the arrival time (a new connection) fall back
to the arrival rule.

DELAY_SECONDS is how late audio may arrive and still take its place; later samples are moved
later, which stretches a turn. With two CPU hogs beside a two-peer call on a machine already
busy (load average 13 to 19 on 2 cores, tests/room/test_audio_under_load.py), a participant's
audio arrived up to 3.1 s behind its timestamps while the calls started, and with a 0.6 s
delay turns were recorded 2 % and 20 % long. The recording is not live, so it waits 4 s; the
price is memory: the grid canvases waiting for their audio (4 s at 12.5 fps of 640×480 yuv420p,
about 23 MB a room).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from visio_core.adapters.embedded_room.audio import SAMPLE_RATE

DELAY_SECONDS = 4.0
GAP_SECONDS = 1.0  # a stream that stops this long and resumes is placed at its new arrival
STAMP_SLACK = 480  # timestamps this close (10 ms) run on: resampling may shift them by a few samples
AHEAD_LIMIT_SECONDS = 10.0  # a stream running this far ahead of the clock is re-anchored (bounded memory)


@dataclass
class _Stream:
    cursor: int | None = None  # where his next sample goes, in recording samples
    stamp: int | None = None  # the sender's timestamp (in samples) his next sample should carry
    # (arrival position, samples, sender's timestamp in samples or None)
    pending: deque[tuple[int, np.ndarray, int | None]] = field(default_factory=deque)


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
        # The mix from `_written` on is `_acc[_head:_head + _filled]`; the rest is spare room, so
        # that a tick's samples do not reallocate the whole 4 s buffer (they did, every tick).
        self._acc = np.zeros(0, dtype=np.int32)
        self._head = 0  # where `_written` sits in `_acc`
        self._filled = 0
        self.late_samples = 0  # samples that arrived after their place was written (moved later)

    @property
    def position(self) -> int:
        return self._position

    @property
    def delay(self) -> int:
        return int(DELAY_SECONDS * SAMPLE_RATE)

    def push(self, key: str, samples: np.ndarray, stamp: int | None = None) -> None:
        """A participant's samples, as they arrive (aiortc's loop); `stamp`: the sender's timestamp of the
        first one, in samples at SAMPLE_RATE, when known."""
        if samples.size == 0:
            return
        with self._lock:
            self._streams.setdefault(key, _Stream()).pending.append((self._position, samples, stamp))

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
        """Everything placed and not yet written, and at least up to the room clock (the meeting ends:
        its last seconds of picture wait on this audio, even when nobody spoke in them)."""
        return self._take(max(self._filled, self._position - self._written))

    def _place(self, key: str, stream: _Stream, chunks: list[tuple[int, np.ndarray, int | None]]) -> list[Placed]:
        placed = []
        for arrival, samples, stamp in chunks:
            cursor = stream.cursor
            skipped = None if stamp is None or stream.stamp is None else stamp - stream.stamp
            if (
                cursor is not None
                and skipped is not None
                and skipped >= -STAMP_SLACK
                and abs(cursor + skipped - arrival) <= AHEAD_LIMIT_SECONDS * SAMPLE_RATE
            ):
                if skipped > STAMP_SLACK:
                    cursor += skipped  # lost packets, or a network drop: their time stays, as silence
            elif (
                cursor is None
                or skipped is not None
                or arrival - cursor > GAP_SECONDS * SAMPLE_RATE
                or cursor - arrival > AHEAD_LIMIT_SECONDS * SAMPLE_RATE
            ):
                # first audio, back after a real gap, a new connection's timestamps, or drifting away
                cursor = arrival
            if cursor < self._written:
                self.late_samples += self._written - cursor  # later than the delay: moved, never dropped
                cursor = self._written
            start = cursor - self._written
            end = start + samples.size
            self._reserve(end)
            self._acc[self._head + start : self._head + end] += samples
            placed.append(Placed(key, cursor, samples))
            stream.cursor = cursor + samples.size
            stream.stamp = None if stamp is None else stamp + samples.size
        return placed

    def _reserve(self, end: int) -> None:
        """Make the mix's next `end` samples usable (zeros where nothing was placed yet)."""
        if self._head + end > self._acc.size:
            # Out of room at the back: the live part moves to the front of a new array twice its
            # size (a copy every few seconds, not every tick; what lies behind the head is dropped).
            grown = np.zeros(max(2 * end, SAMPLE_RATE), dtype=np.int32)
            grown[: self._filled] = self._acc[self._head : self._head + self._filled]
            self._acc, self._head = grown, 0
        self._filled = max(self._filled, end)

    def _take(self, count: int) -> np.ndarray:
        if count <= 0:
            return np.zeros(0, dtype=np.int16)
        self._reserve(count)
        out = np.clip(self._acc[self._head : self._head + count], -32768, 32767).astype(np.int16)
        self._head += count
        self._filled -= count
        self._written += count
        return out
