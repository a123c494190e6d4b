"""Everything the offline transcriber relies on that faster-whisper and CTranslate2 do not
document: their private attributes, call shapes and memory behaviour. Upgrading faster-whisper
or ctranslate2 means checking this file (and only this file) again.

Written and measured against faster-whisper==1.2.1 and ctranslate2==4.8.5 (requirements.txt).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

ENCODE_STEP = 1  # windows encoded at once
ALIGN_STEP = 1  # windows aligned (word timestamps) at once
VAD_FRAME = 512  # samples Silero VAD scores at a time, at 16 kHz

_libc: Any = None


def release_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's malloc_trim).

    Why: CTranslate2 allocates and frees hundreds of MB per batch in blocks of many sizes; glibc
    keeps the freed ones, fragmented, and a worker's peak RSS crept up over an hour (from
    ~540 to ~670 MB with batches of 4). Trimming after each stage keeps it flat (~565 MB)."""
    global _libc
    if _libc is None:
        import ctypes
        import ctypes.util

        try:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _libc.malloc_trim  # noqa: B018 - only glibc has it
        except (OSError, AttributeError):
            _libc = False
    if _libc:
        _libc.malloc_trim(0)


class _Stepwise:
    """The CTranslate2 Whisper model, except that the encoder and the word aligner take
    a batch a few windows at a time (same results).

    Why: on 8 windows at once, the encoder's self-attention took ~780 MB and the aligner
    ~450 MB on top of the model; one window at a time they take ~150 and ~60 MB, at about the
    same speed (batching pays in the beam search, which still sees the whole batch).
    Relies on faster-whisper calling `encode`, `generate` and `align` of `WhisperModel.model`
    (a `ctranslate2.models.Whisper`) with these arguments."""

    def __init__(self, whisper: Any) -> None:
        self._whisper = whisper

    def __getattr__(self, name: str) -> Any:
        return getattr(self._whisper, name)

    @staticmethod
    def _rows(features: Any, start: int, stop: int) -> Any:
        import ctranslate2

        return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.asarray(features)[start:stop]))

    def encode(self, features: Any, to_cpu: bool = False) -> Any:
        rows = features.shape[0]
        if rows <= ENCODE_STEP:
            return self._whisper.encode(features, to_cpu=to_cpu)
        import ctranslate2

        parts = [
            np.asarray(self._whisper.encode(self._rows(features, i, i + ENCODE_STEP), to_cpu=to_cpu))
            for i in range(0, rows, ENCODE_STEP)
        ]
        release_memory()
        return ctranslate2.StorageView.from_array(np.concatenate(parts))

    def generate(self, *args: Any, **options: Any) -> Any:
        try:
            return self._whisper.generate(*args, **options)
        finally:
            release_memory()

    def align(
        self, features: Any, start_sequence: Any, text_tokens: list[Any], num_frames: Any, **options: Any
    ) -> list[Any]:
        rows = len(text_tokens)
        if rows <= ALIGN_STEP:
            return list(self._whisper.align(features, start_sequence, text_tokens, num_frames, **options))
        results: list[Any] = []
        for i in range(0, rows, ALIGN_STEP):
            frames = num_frames[i : i + ALIGN_STEP] if isinstance(num_frames, list) else num_frames
            results += self._whisper.align(
                self._rows(features, i, i + ALIGN_STEP),
                start_sequence,
                text_tokens[i : i + ALIGN_STEP],
                frames,
                **options,
            )
        return results


def stepwise(model: Any) -> Any:
    """A view of the shared WhisperModel whose CTranslate2 model is `_Stepwise` (the shared
    model itself is left untouched: other threads use it). Relies on WhisperModel being a plain
    object whose shallow copy shares everything but the `model` attribute we replace."""
    view = copy.copy(model)
    view.model = _Stepwise(model.model)
    return view


def token_ids(model: Any, text: str) -> list[int]:
    """The tokens Whisper's decoder sees for `text` (faster-whisper's undocumented `hf_tokenizer`:
    the prompt slot is counted in these)."""
    return list(model.hf_tokenizer.encode(text, add_special_tokens=False).ids)


def token_text(model: Any, tokens: list[int]) -> str:
    return str(model.hf_tokenizer.decode(tokens))


def clip_of(model: Any, segment: Any, clip_seconds: float) -> int:
    """Which clip of a BatchedInferencePipeline call a segment came from: its `seek` is the
    frame where its clip starts (`frames_per_second` is an undocumented attribute)."""
    return int(round(segment.seek / (clip_seconds * model.frames_per_second)))


def speech_probabilities(audio: np.ndarray) -> np.ndarray:
    """Silero VAD's speech probability for each VAD_FRAME samples of 16 kHz audio (none for
    less than a frame), from the model faster-whisper ships (`get_vad_model`, not exported)."""
    from faster_whisper.vad import get_vad_model

    if audio.size < VAD_FRAME:
        return np.zeros(0, dtype=np.float32)
    padded = np.pad(audio, (0, -audio.size % VAD_FRAME))
    return np.asarray(get_vad_model()(padded)).reshape(-1)
