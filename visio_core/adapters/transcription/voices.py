"""Which cues share a voice: speech spans → voice prints (voice_encoder) → groups (clustering).

For recordings no room told us who spoke in (imported files, OpenVidu rooms without speaking
events). The audio is streamed once; only the spans' voice prints are kept. Spans too short to
carry a voice are not clustered: they join the group whose voice is closest to theirs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from visio_core.adapters.transcription.audio import SAMPLE_RATE, iter_blocks
from visio_core.adapters.transcription.clustering import agglomerate
from visio_core.adapters.transcription.voice_encoder import VoiceEncoder, normalize_volume

BLOCK_SECONDS = 30.0
MIN_CLUSTERED_SECONDS = 1.0  # a shorter span's voice print is too noisy to found a group
SAME_VOICE = 0.75  # average cosine similarity under which two groups are different speakers (bench/diarization.py)


@dataclass
class VoiceClusters:
    """The `VoiceClustering` port on Resemblyzer's encoder, loaded from `weights` on first use."""

    weights: Path
    threshold: float = SAME_VOICE
    _encoder: VoiceEncoder | None = field(default=None, init=False, repr=False)

    name = "resemblyzer-numpy"

    def cluster(
        self, media_path: Path, spans: Sequence[tuple[float, float]], *, speakers: int | None = None
    ) -> list[int | None]:
        if not spans:
            return []
        if self._encoder is None:
            self._encoder = VoiceEncoder.load(self.weights)
        prints = np.zeros((len(spans), 256), dtype=np.float32)
        voiced = np.zeros(len(spans), dtype=bool)
        order = sorted(range(len(spans)), key=lambda i: spans[i][0])
        for numbers, clips in _clips(media_path, [spans[i] for i in order], order):
            prints[numbers] = self._encoder.embed_utterances([normalize_volume(c) for c in clips])
            voiced[numbers] = [bool(np.any(c)) for c in clips]
        return assign(prints, voiced, [end - start for start, end in spans], speakers, self.threshold)


def assign(
    prints: np.ndarray, voiced: np.ndarray, durations: Sequence[float], speakers: int | None, threshold: float
) -> list[int | None]:
    """A group per span (None for a silent one): long spans clustered, short ones to the closest group."""
    long = [i for i, ok in enumerate(voiced) if ok and durations[i] >= MIN_CLUSTERED_SECONDS]
    if not long:  # nothing long enough to tell voices apart: every voiced span one speaker
        long = [i for i, ok in enumerate(voiced) if ok]
        groups = [0] * len(long)
    else:
        groups = agglomerate(prints[long], speakers=speakers, threshold=threshold)
    result: list[int | None] = [None] * len(prints)
    for index, group in zip(long, groups, strict=True):
        result[index] = group
    if long:
        centres = np.stack(
            [
                prints[[i for i, g in zip(long, groups, strict=True) if g == n]].mean(axis=0)
                for n in range(max(groups) + 1)
            ]
        )
        for index in range(len(prints)):
            if result[index] is None and voiced[index]:
                result[index] = int(np.argmax(centres @ prints[index]))
    return _renumber(result)


def _renumber(groups: list[int | None]) -> list[int | None]:
    """Groups numbered by the order they first speak in."""
    numbers: dict[int, int] = {}
    return [None if g is None else numbers.setdefault(g, len(numbers)) for g in groups]


def _clips(
    media_path: Path, spans: list[tuple[float, float]], numbers: list[int]
) -> Iterator[tuple[list[int], list[np.ndarray]]]:
    """(span numbers, their samples) as the audio streams by, spans sorted by start."""
    buffer = np.zeros(0, dtype=np.float32)
    offset = 0  # sample index of buffer[0] in the recording
    pending = 0
    blocks = iter_blocks(media_path, BLOCK_SECONDS)
    exhausted = False
    while pending < len(spans):
        if not exhausted:
            block = next(blocks, None)
            if block is None:
                exhausted = True
            else:
                buffer = np.concatenate([buffer, block])
        end = offset + buffer.size
        ready: list[int] = []
        while pending < len(spans) and (exhausted or int(spans[pending][1] * SAMPLE_RATE) <= end):
            ready.append(pending)
            pending += 1
        if ready:
            clips = []
            for i in ready:
                first = max(0, int(spans[i][0] * SAMPLE_RATE) - offset)
                last = max(first, int(spans[i][1] * SAMPLE_RATE) - offset)
                clips.append(buffer[first:last])
            yield [numbers[i] for i in ready], clips
        # keep only what later spans (sorted by start) may still need
        keep_from = int(spans[pending][0] * SAMPLE_RATE) - offset if pending < len(spans) else buffer.size
        keep_from = min(max(0, keep_from), buffer.size)
        buffer, offset = buffer[keep_from:], offset + keep_from
