"""Offline transcription with faster-whisper (CTranslate2), on the CPU.

The model is loaded once per (directory, threads, compute type) and shared by
every transcriber and thread of the process. On 2 cores the batched pipeline
(VAD-cut pieces decoded 8 at a time, with timestamps) ran ≈4× faster than
WhisperModel.transcribe on 10 min of speech, with fewer errors (no error carried
from one window to the next); bench/transcription_rtf.py measures it. Word
timestamps (≈3 % more time) give tight cue bounds. A segment that loops on
itself is decoded again with the sequential decoder, which falls back to higher
temperatures as Whisper does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from visio_core.adapters.transcription.audio import SAMPLE_RATE, load_audio
from visio_core.domain.errors import BackendUnavailable, InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.languages import WHISPER_LANGUAGES
from visio_core.domain.srt import Cue, normalize
from visio_core.services.ports import ProgressCallback

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 8
LOOP_COMPRESSION_RATIO = 2.4  # Whisper's own threshold for "this text repeats itself"
_models: dict[tuple[str, int, str], object] = {}
_models_lock = threading.Lock()


def check_model_dir(model_dir: str | Path) -> Path:
    path = Path(model_dir).expanduser().resolve()
    if not (path / "model.bin").is_file() or not (path / "config.json").is_file():
        raise BackendUnavailable(t("transcription.model_missing", path=path))
    return path


def load_model(model_dir: str | Path, *, cpu_threads: int = 2, compute_type: str = "int8") -> Any:
    """The shared faster_whisper.WhisperModel for this directory (loaded on first use)."""
    path = check_model_dir(model_dir)
    key = (str(path), cpu_threads, compute_type)
    with _models_lock:
        model = _models.get(key)
        if model is None:
            from faster_whisper import WhisperModel

            try:
                model = WhisperModel(
                    str(path), device="cpu", compute_type=compute_type,
                    cpu_threads=cpu_threads, local_files_only=True,
                )
            except (RuntimeError, ValueError, OSError) as error:
                raise BackendUnavailable(t("transcription.model_invalid", path=path, detail=error)) from None
            log.info("whisper model loaded from %s", path)
            _models[key] = model
        return model


def _check_language(language: str | None) -> str | None:
    if language is None:
        return None
    code = language.strip().lower()
    if code not in WHISPER_LANGUAGES:
        raise InvalidInput(t("transcription.bad_language", value=language))
    return code


class LocalWhisperTranscriber:
    name = "offline"

    def __init__(
        self,
        model_dir: str | Path,
        *,
        cpu_threads: int = 2,
        compute_type: str = "int8",
        batch_size: int = DEFAULT_BATCH_SIZE,
        beam_size: int = 5,
    ) -> None:
        self.model_dir = check_model_dir(model_dir)  # fail early with "run make setup"
        self.cpu_threads = cpu_threads
        self.compute_type = compute_type
        self.batch_size = batch_size
        self.beam_size = beam_size

    def __repr__(self) -> str:
        return f"LocalWhisperTranscriber({str(self.model_dir)!r}, batch_size={self.batch_size})"

    def transcribe(
        self,
        media_path: Path,
        *,
        language: str | None,
        on_progress: ProgressCallback | None = None,
    ) -> list[Cue]:
        language = _check_language(language)
        model = load_model(self.model_dir, cpu_threads=self.cpu_threads, compute_type=self.compute_type)
        samples = load_audio(media_path, SAMPLE_RATE)
        duration = samples.size / SAMPLE_RATE
        cues: list[Cue] = []
        if duration > 0:
            for segment in self._segments(model, samples, language):
                if segment.start >= duration:
                    continue  # timestamps past the end of the audio: the decoder ran on into padding
                cues.append(Cue(len(cues) + 1, min(segment.start, duration), min(segment.end, duration), segment.text))
                if on_progress:
                    on_progress(min(1.0, segment.end / duration))
        if on_progress:
            on_progress(1.0)
        return normalize(cues)

    def _segments(self, model: Any, samples: np.ndarray, language: str | None) -> Iterator[Any]:
        options = dict(language=language, beam_size=self.beam_size, word_timestamps=True)
        if self.batch_size <= 1:
            yield from model.transcribe(samples, vad_filter=True, **options)[0]
            return
        from faster_whisper import BatchedInferencePipeline

        segments, _info = BatchedInferencePipeline(model).transcribe(
            samples, batch_size=self.batch_size, vad_filter=True, without_timestamps=False, **options)
        for segment in segments:
            if segment.compression_ratio <= LOOP_COMPRESSION_RATIO:
                yield segment
                continue
            # A repetition loop ("ma-ma-ma-…" for 30 s): the batched pipeline has no temperature
            # fallback, the sequential decoder has. Redo just that stretch with it.
            log.info("repetition loop at %.1f–%.1f s: decoding it again", segment.start, segment.end)
            yield from model.transcribe(
                samples, clip_timestamps=[segment.start, segment.end], vad_filter=False, **options)[0]
