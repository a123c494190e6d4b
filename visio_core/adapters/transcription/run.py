"""One recording's transcription from start to end: the decode strategy, and every piece of
state that changes while it runs (the language once detected, the previous text, progress,
counters). A LocalWhisperTranscriber keeps none of it, so one transcriber runs several at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from visio_core.adapters.transcription import decoding
from visio_core.adapters.transcription.audio import SAMPLE_RATE, iter_blocks, probe_duration
from visio_core.adapters.transcription.cues import window_cues
from visio_core.adapters.transcription.faster_whisper_internals import release_memory, token_ids, token_text
from visio_core.adapters.transcription.speech import speech_pieces
from visio_core.adapters.transcription.windows import Window, windows
from visio_core.domain.srt import Cue, normalize
from visio_core.services.ports import ProgressCallback

log = logging.getLogger(__name__)

HOTWORDS_MAX = 400  # characters of vocabulary given to the decoder
PROMPT_TOKENS = 223  # Whisper's room for previous text (max_length // 2 - 1): vocabulary + context
CONTEXT_TOKENS = 223  # tokens of the transcript so far given to the next batch (local.py, 5.)
BLOCK_SECONDS = 60.0  # audio read and run through VAD at a time


def hotwords_of(vocabulary: Sequence[str]) -> str | None:
    """faster-whisper's `hotwords`: the operator's names and jargon, put before each window as the
    previous text Whisper continues, so it prefers their spelling (kept short: it costs tokens)."""
    return " ".join(vocabulary)[:HOTWORDS_MAX] or None


class TranscriptionRun:
    """One transcription of one recording (`transcribe` is called once)."""

    def __init__(
        self,
        model: Any,
        *,
        language: str | None,
        vocabulary: Sequence[str] = (),
        on_progress: ProgressCallback | None = None,
        batch_size: int,
        beam_size: int,
        context_tokens: int,
    ) -> None:
        self.model = model  # the shared model's stepwise view (faster_whisper_internals.stepwise)
        self.language = language  # None until detected on the first window
        self.hotwords = hotwords_of(vocabulary)
        self.on_progress = on_progress
        self.batch_size = batch_size
        self.context_tokens = context_tokens
        # faster-whisper's options for every decode but the language (a bench swaps the hotwords).
        self.options: dict[str, Any] = dict(beam_size=beam_size, word_timestamps=True)
        if self.hotwords:
            self.options["hotwords"] = self.hotwords
        self.context: list[int] = []  # tokens of the transcript so far, for the next batch
        self.redecoded = 0  # stretches decoded a second time (for tests and benches)
        self.done = 0.0  # share of the recording reported to on_progress

    def transcribe(self, media_path: Path) -> list[Cue]:
        expected = probe_duration(media_path)
        cues: list[Cue] = []
        batch: list[Window] = []
        blocks = _Counted(iter_blocks(media_path, BLOCK_SECONDS, SAMPLE_RATE))
        for window in windows(speech_pieces(blocks)):
            batch.append(window)
            if len(batch) >= max(1, self.batch_size):
                cues += self.decode(batch)
                self._progress(batch[-1], expected)
                batch = []
        if batch:
            cues += self.decode(batch)
        duration = blocks.samples / SAMPLE_RATE
        cues = [Cue(0, min(c.start, duration), min(c.end, duration), c.text) for c in cues if c.start < duration]
        if self.on_progress:
            self.on_progress(1.0)
        return normalize(cues)

    def decode_options(self) -> dict[str, Any]:
        return {"language": self.language, **self.options}

    def decode(self, batch: list[Window]) -> list[Cue]:
        """The batch's cues: decoded together, then each window checked and what looks wrong or
        missing decoded again on its own (local.py, 4.)."""
        if self.language is None:
            self.language = self._detect(batch[0])
        options = self.decode_options()
        decoded = (
            decoding.batched(self.model, batch, options, self.previous_text())
            if self.batch_size > 1
            else [decoding.sequential(self.model, window.audio, options) for window in batch]
        )
        cues: list[Cue] = []
        for window, lines in zip(batch, decoded, strict=True):
            if self.batch_size > 1 and decoding.poor(lines):
                log.info("poor decode at %.1f s: decoding the window again", window.original(0.0))
                self.redecoded += 1
                lines = decoding.sequential(self.model, window.audio, options)
            for start, end in decoding.missed_speech(lines, window):
                log.info(
                    "words missed at %.1f–%.1f s: decoding them again",
                    window.original(start),
                    window.original(end, end=True),
                )
                self.redecoded += 1
                lines += decoding.again(self.model, window, start, end, options)
            cues += window_cues(lines, window)
        self.remember(cues)
        release_memory()
        return cues

    def remember(self, cues: list[Cue]) -> None:
        """Keep the end of the transcript for the next batch, as few tokens as leave room for
        the vocabulary in Whisper's previous-text slot."""
        room = PROMPT_TOKENS - (len(token_ids(self.model, " " + self.hotwords.strip())) if self.hotwords else 0)
        keep = max(0, min(self.context_tokens, room))
        text = "".join(" " + cue.text.strip() for cue in cues if cue.text.strip())
        tokens = self.context + (token_ids(self.model, text) if text else [])
        self.context = tokens[len(tokens) - keep :] if keep else []

    def previous_text(self) -> str | None:
        return token_text(self.model, self.context) if self.context else None

    def _detect(self, window: Window) -> str:
        language, probability, _all = self.model.detect_language(audio=window.audio)
        log.info("language detected: %s (%.2f)", language, probability)
        return str(language)

    def _progress(self, last: Window, expected: float) -> None:
        if self.on_progress and expected > 0:
            self.done = max(self.done, min(1.0, last.pieces[-1].end / SAMPLE_RATE / expected))
            self.on_progress(self.done)


class _Counted:
    """Blocks passed through, their samples counted: the recording's decoded length."""

    def __init__(self, blocks: Iterator[np.ndarray]) -> None:
        self._blocks = blocks
        self.samples = 0

    def __iter__(self) -> Iterator[np.ndarray]:
        for block in self._blocks:
            self.samples += block.size
            yield block
