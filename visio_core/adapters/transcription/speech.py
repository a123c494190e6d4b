"""Where a recording speaks: faster-whisper's Silero VAD, run block by block on the recording."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from visio_core.adapters.transcription.audio import SAMPLE_RATE
from visio_core.adapters.transcription.faster_whisper_internals import VAD_FRAME, speech_probabilities
from visio_core.adapters.transcription.windows import WINDOW_SECONDS, Piece

VAD_THRESHOLD = 0.5
VAD_MIN_SILENCE_MS = 160  # a pause this long ends a speech piece (faster-whisper's batched default)
SPEECH_PAD = 0.4  # seconds of audio kept around each speech piece


def _pad(raw: list[dict[str, int]], size: int, pad: int) -> list[tuple[int, int]]:
    """Speech bounds widened by `pad` samples each side; a shorter silence is shared (as faster-whisper does)."""
    padded: list[tuple[int, int]] = []
    for i, chunk in enumerate(raw):
        if i > 0 and chunk["start"] - raw[i - 1]["end"] < 2 * pad:
            start = padded[-1][1]  # the middle of the short silence
        else:
            start = chunk["start"] - pad
        if i + 1 < len(raw) and raw[i + 1]["start"] - chunk["end"] < 2 * pad:
            end = (chunk["end"] + raw[i + 1]["start"]) // 2
        else:
            end = chunk["end"] + pad
        padded.append((max(0, start), min(size, end)))
    return padded


def speech_pieces(
    blocks: Iterable[np.ndarray], max_seconds: float = WINDOW_SECONDS
) -> Iterator[tuple[Piece, np.ndarray]]:
    """Speech pieces of a recording read block by block, each with its audio.

    VAD runs on each block plus the unfinished end of the previous one (a piece still
    open at the end of a block, or the last seconds of silence), so a piece is never
    cut at a block edge and memory stays at about one block.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    pad = int(SPEECH_PAD * SAMPLE_RATE)
    options = VadOptions(
        threshold=VAD_THRESHOLD,
        min_silence_duration_ms=VAD_MIN_SILENCE_MS,
        speech_pad_ms=0,
        max_speech_duration_s=max_seconds - 2 * SPEECH_PAD - 0.1,
    )
    margin = 2 * SAMPLE_RATE  # speech ending closer than this to a block's end waits for the next block
    carry = np.zeros(0, dtype=np.float32)
    carry_at = 0  # sample of the recording where `carry` starts
    last_speech_end = 0  # sample of the recording where the previous piece's speech ended
    blocks = iter(blocks)
    block = next(blocks, None)
    while block is not None:
        following = next(blocks, None)
        final = following is None
        audio = np.concatenate([carry, block]) if carry.size else block
        raw = get_speech_timestamps(audio, options) if audio.size else []
        padded = _pad(raw, audio.size, pad)
        done = len(raw) if final else sum(1 for chunk in raw if chunk["end"] <= audio.size - margin)
        for chunk, (start, end) in zip(raw[:done], padded[:done], strict=True):
            pause = max(0, carry_at + chunk["start"] - last_speech_end) / SAMPLE_RATE
            last_speech_end = carry_at + chunk["end"]
            yield Piece(carry_at + start, carry_at + end, pause), audio[start:end].copy()
        if final:
            break
        if done < len(raw):
            keep = padded[done][0]
        else:
            keep = max(padded[-1][1] if padded else 0, audio.size - margin)
        carry, carry_at = audio[keep:].copy(), carry_at + keep
        del audio, raw, padded
        block = following


def speech_seconds(audio: np.ndarray) -> float:
    """How much of `audio` (16 kHz) VAD hears as speech, in seconds."""
    probabilities = speech_probabilities(audio)
    return float(np.count_nonzero(probabilities >= VAD_THRESHOLD)) * VAD_FRAME / SAMPLE_RATE
