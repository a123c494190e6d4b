"""Speech pieces packed into the ≤ 30 s windows Whisper decodes (pure: no I/O, no model).

Pieces are laid end to end, the silence between them left out, as faster-whisper's batched
pipeline does, except that a window is closed at the longest pause of its last part rather than
wherever the next piece no longer fits, so a window rarely ends in the middle of a sentence.
A window maps its own times back to the recording's timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from visio_core.adapters.transcription.audio import SAMPLE_RATE

WINDOW_SECONDS = 30.0  # what Whisper sees at once
MIN_FILL = 0.6  # a window is closed at its longest pause after this share of WINDOW_SECONDS


@dataclass(frozen=True)
class Piece:
    """A stretch of speech (VAD, padded) at samples [start, end) of the recording."""

    start: int
    end: int
    pause: float  # seconds of silence between the previous piece's speech and this one's


@dataclass
class Window:
    """Speech pieces laid end to end, silence between them left out: what Whisper decodes."""

    audio: np.ndarray
    pieces: list[Piece]
    offsets: np.ndarray  # where each piece starts inside `audio`, in samples

    @classmethod
    def of(cls, parts: list[tuple[Piece, np.ndarray]]) -> Window:
        sizes = [audio.size for _piece, audio in parts]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        audio = np.concatenate([audio for _piece, audio in parts]).astype(np.float32, copy=False)
        return cls(audio, [piece for piece, _audio in parts], offsets)

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE

    def _piece_at(self, sample: float, side: Literal["left", "right"]) -> int:
        index = int(np.searchsorted(self.offsets, sample, side=side)) - 1
        return min(max(index, 0), len(self.pieces) - 1)

    def _in_piece(self, index: int, sample: float) -> float:
        piece = self.pieces[index]
        inside = min(max(sample - float(self.offsets[index]), 0.0), float(piece.end - piece.start))
        return float((piece.start + inside) / SAMPLE_RATE)

    def original(self, seconds: float, *, end: bool = False) -> float:
        """A time inside the window → the same instant in the recording.

        A time on the join of two pieces belongs to the earlier piece when it ends something."""
        sample = min(max(seconds, 0.0) * SAMPLE_RATE, float(self.audio.size))
        return self._in_piece(self._piece_at(sample, "left" if end else "right"), sample)

    def span(self, start: float, end: float) -> tuple[float, float]:
        """A word's (start, end) inside the window → in the recording, both in the piece that
        holds its middle: a word whose timestamps straddle a join must not span the silence
        that was cut out there."""
        lo = min(max(start, 0.0) * SAMPLE_RATE, float(self.audio.size))
        hi = min(max(end, start, 0.0) * SAMPLE_RATE, float(self.audio.size))
        index = self._piece_at((lo + hi) / 2, "right")
        return self._in_piece(index, lo), self._in_piece(index, hi)


def _close_at(pending: list[tuple[Piece, np.ndarray]], limit: int) -> int:
    """How many of the pending pieces make the next window: ≤ limit samples, ending at the
    longest pause once the window is MIN_FILL full."""
    total, fits = 0, []
    for count, (_piece, audio) in enumerate(pending, start=1):
        total += audio.size
        if total > limit:
            break
        fits.append((count, total))
    if not fits:
        return 1
    candidates = [count for count, size in fits if size >= MIN_FILL * limit and count < len(pending)]
    if not candidates:
        return fits[-1][0]
    return max(candidates, key=lambda count: (pending[count][0].pause, count))


def windows(pieces: Iterable[tuple[Piece, np.ndarray]], seconds: float = WINDOW_SECONDS) -> Iterator[Window]:
    limit = int(seconds * SAMPLE_RATE)
    pending: list[tuple[Piece, np.ndarray]] = []
    total = 0
    for piece, audio in pieces:
        while audio.size > limit:  # never from VAD (its pieces are shorter), but never too long for Whisper
            head = Piece(piece.start, piece.start + limit, piece.pause)
            pending.append((head, audio[:limit]))
            total += limit
            piece, audio = Piece(piece.start + limit, piece.end, 0.0), audio[limit:]
        pending.append((piece, audio))
        total += audio.size
        while total > limit:
            count = _close_at(pending, limit)
            yield Window.of(pending[:count])
            pending = pending[count:]
            total = sum(audio.size for _piece, audio in pending)
    while pending:
        count = _close_at(pending, limit) if total > limit else len(pending)
        yield Window.of(pending[:count])
        pending = pending[count:]
        total = sum(audio.size for _piece, audio in pending)
