"""Which language a recording is spoken in, for meetings set to `auto`: Whisper's own detection.

Whisper's detection looks at 30 s of audio; meetings often open with silence or music, so the
speech is found first (faster-whisper's Silero VAD, shipped inside the package) and up to four
30-second windows of it are scored together. Runs on the offline model even when transcription
goes to the OpenAI API, which reports no probability.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from visio_core.adapters.transcription.audio import SAMPLE_RATE, iter_samples
from visio_core.adapters.transcription.whisper_model import load_model

LISTEN_SECONDS = 600  # at most the first ten minutes are read (bounded memory)
WINDOWS = 4  # 30-second windows of speech scored together


def detect_language(model_dir: Path, media_path: Path) -> tuple[str, float]:
    """(Whisper language code, probability) of the speech in the file."""
    blocks, total = [], 0
    for block in iter_samples(media_path, SAMPLE_RATE):
        blocks.append(block)
        total += block.size
        if total >= LISTEN_SECONDS * SAMPLE_RATE:
            break
    audio = (np.concatenate(blocks) if blocks else np.zeros(SAMPLE_RATE, dtype=np.int16)).astype(np.float32) / 32768.0
    model = load_model(model_dir)
    try:
        language, probability, _ = model.detect_language(audio, vad_filter=True, language_detection_segments=WINDOWS)
    except ValueError:  # no speech at all: VAD kept nothing to score
        language, probability, _ = model.detect_language(audio, language_detection_segments=1)
    return str(language), float(probability)
