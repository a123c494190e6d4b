"""Whisper on windows: decoded once as a batch, or sequentially with Whisper's own loop, and the
checks that tell a decode not to be trusted (what the second chances in `run.py` act on).

`options` are faster-whisper's transcribe options for one recording (language, beam size, word
timestamps, hotwords); times are seconds inside the audio that was decoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from visio_core.adapters.transcription.audio import SAMPLE_RATE
from visio_core.adapters.transcription.faster_whisper_internals import clip_of
from visio_core.adapters.transcription.speech import speech_seconds
from visio_core.adapters.transcription.windows import WINDOW_SECONDS, Window

LOOP_COMPRESSION_RATIO = 2.4  # Whisper's own threshold for "this text repeats itself"
LOW_LOGPROB = -1.0  # Whisper's own threshold for "this decode failed"
MISSED_SPEECH = 1.0  # seconds without a decoded word, while VAD hears speech, that are decoded again
MISSED_SPEECH_VAD = 0.3  # ... of which at least this much VAD speech
AGAIN_CONTEXT = 1.0  # seconds of audio each side of a stretch decoded again


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str  # with its leading space, as Whisper writes it


@dataclass(frozen=True)
class Line:
    """One decoded segment; times in seconds inside the audio that was decoded."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...]
    avg_logprob: float
    compression_ratio: float

    @classmethod
    def of(cls, segment: Any, shift: float = 0.0) -> Line:
        words = tuple(Word(w.start - shift, w.end - shift, w.word) for w in segment.words or ())
        return cls(
            segment.start - shift,
            segment.end - shift,
            segment.text,
            words,
            segment.avg_logprob,
            segment.compression_ratio,
        )

    def shifted(self, by: float) -> Line:
        words = tuple(Word(w.start + by, w.end + by, w.text) for w in self.words)
        return Line(self.start + by, self.end + by, self.text, words, self.avg_logprob, self.compression_ratio)


def batched(model: Any, batch: list[Window], options: Mapping[str, Any], previous_text: str | None) -> list[list[Line]]:
    """Each window decoded once, the whole batch at a time, continuing `previous_text`."""
    from faster_whisper import BatchedInferencePipeline

    # The windows side by side, each at a multiple of 30 s, given as clips: one clip is one row.
    step = int(WINDOW_SECONDS * SAMPLE_RATE)
    audio = np.zeros(step * len(batch), dtype=np.float32)
    clips = []
    for k, window in enumerate(batch):
        audio[k * step : k * step + window.audio.size] = window.audio
        clips.append({"start": k * WINDOW_SECONDS, "end": k * WINDOW_SECONDS + window.seconds})
    pipeline = BatchedInferencePipeline(model)
    segments, _info = pipeline.transcribe(
        audio,
        batch_size=len(batch),
        clip_timestamps=clips,
        vad_filter=False,
        without_timestamps=False,
        initial_prompt=previous_text,
        **options,
    )
    lines: list[list[Line]] = [[] for _ in batch]
    for segment in segments:
        k = min(len(batch) - 1, clip_of(model, segment, WINDOW_SECONDS))
        lines[k].append(Line.of(segment, shift=k * WINDOW_SECONDS))
    return lines


def sequential(model: Any, audio: np.ndarray, options: Mapping[str, Any]) -> list[Line]:
    """Whisper's own loop on `audio`: seeks on after what it decoded, falls back to higher
    temperatures on a loop or a low log-probability, skips what it finds silent."""
    segments, _info = model.transcribe(audio, vad_filter=False, **options)
    return [Line.of(segment) for segment in segments]


def again(model: Any, window: Window, start: float, end: float, options: Mapping[str, Any]) -> list[Line]:
    """The words of [start, end] of the window, decoded on their own (with a little
    context each side; words decoded in the context are dropped, they are already there)."""
    lo = max(0.0, start - AGAIN_CONTEXT)
    hi = min(window.seconds, end + AGAIN_CONTEXT)
    audio = window.audio[int(lo * SAMPLE_RATE) : int(hi * SAMPLE_RATE)]
    kept = []
    for line in sequential(model, audio, options):
        words = tuple(w for w in line.shifted(lo).words if start <= (w.start + w.end) / 2 <= end)
        if words:
            kept.append(
                Line(
                    words[0].start,
                    words[-1].end,
                    "".join(w.text for w in words),
                    words,
                    line.avg_logprob,
                    line.compression_ratio,
                )
            )
    return kept


def poor(lines: list[Line]) -> bool:
    """A decode that looks failed by Whisper's own thresholds (a repetition loop, a low log-probability)."""
    return any(line.compression_ratio > LOOP_COMPRESSION_RATIO or line.avg_logprob < LOW_LOGPROB for line in lines)


def missed_speech(lines: list[Line], window: Window) -> list[tuple[float, float]]:
    """Stretches of the window (seconds) without any decoded word where VAD hears speech."""
    words = sorted((w for line in lines for w in line.words), key=lambda w: w.start)
    gaps, covered = [], 0.0
    for word in [*words, Word(window.seconds, window.seconds, "")]:
        if word.start - covered >= MISSED_SPEECH:
            gaps.append((covered, word.start))
        covered = max(covered, word.end)
    found = []
    for start, end in gaps:
        lo, hi = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
        if speech_seconds(window.audio[lo:hi]) >= MISSED_SPEECH_VAD:
            found.append((start, end))
    return found
