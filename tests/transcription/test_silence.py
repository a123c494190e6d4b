"""Nothing invented in silence: 30 s without speech between two sentences gets no cue.

Whisper, fed silence or a quiet room, likes to write "Thank you." or "Sous-titres réalisés
par…". The offline pipeline leaves out what VAD does not hear as speech, and a cue whose
words are on both sides of such a pause is split there: no cue may overlap the gap.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from tests.transcription.helpers import found, read_wav, write_wav
from visio_core.adapters.transcription.local import LocalWhisperTranscriber

pytestmark = pytest.mark.slow  # the real model: `make test`, not `make check`

RATE = 16000
BEFORE = "Good morning everyone. The garden meeting starts now, so please take a seat."
BEFORE_WORDS = ("morning", "garden", "meeting", "seat")
AFTER = "Thank you for waiting. The kitchen will be closed on Friday for the holidays."
AFTER_WORDS = ("waiting", "kitchen", "closed", "friday")
GAP = 30.0
EDGE = 1.0  # a cue may run this far into the gap (the last word's end, the first word's start)


def _speech(espeak: str, tmp_path, name: str, text: str) -> np.ndarray:
    raw = tmp_path / f"{name}.wav"
    subprocess.run([espeak, "-v", "en", "-s", "150", "-w", str(raw), text], check=True)
    samples, rate = read_wav(raw)
    # espeak-ng writes 22050 Hz: resample by interpolation, enough for a speech test
    times = np.arange(int(samples.size * RATE / rate)) / RATE
    return np.interp(times, np.arange(samples.size) / rate, samples.astype(np.float64))


def _room_noise(seconds: float, level_dbfs: float, seed: int) -> np.ndarray:
    """Pink-ish noise (white noise through a gentle low-pass) with a faint mains hum."""
    rng = np.random.default_rng(seed)
    size = int(seconds * RATE)
    white = rng.normal(0.0, 1.0, size)
    pink = np.convolve(white, np.exp(-np.arange(64) / 12.0), mode="same")
    pink /= np.sqrt(np.mean(pink**2))
    hum = 0.3 * np.sin(2 * np.pi * 50.0 * np.arange(size) / RATE)
    return (pink + hum) * 32768.0 * 10 ** (level_dbfs / 20)


NOISE_DBFS = {"silence": None, "quiet room": -50.0, "noisy room": -30.0}


def _recording(espeak, tmp_path, gap: str) -> tuple[object, float, float]:
    """speech, 30 s of `gap`, speech; returns (path, gap start, gap end) in seconds."""
    lead = np.zeros(int(0.5 * RATE))
    before, after = _speech(espeak, tmp_path, "before", BEFORE), _speech(espeak, tmp_path, "after", AFTER)
    signal = np.concatenate([lead, before, np.zeros(int(GAP * RATE)), after, lead])
    level = NOISE_DBFS[gap]
    if level is not None:  # the room is heard under the speech too
        signal = signal + _room_noise(signal.size / RATE, level, seed=3)
    path = tmp_path / f"gap-{gap.replace(' ', '-')}.wav"
    write_wav(path, np.clip(signal, -32768, 32767), RATE)
    start = (lead.size + before.size) / RATE
    return path, start, start + GAP


@pytest.fixture(scope="module")
def transcriber(whisper_model_dir) -> LocalWhisperTranscriber:
    return LocalWhisperTranscriber(whisper_model_dir)


# The noisy room once gave a cue over the whole gap: a word straddling the join of two speech
# pieces (the silence cut out between them) took its start from one and its end from the other.
@pytest.mark.parametrize("gap", list(NOISE_DBFS))
def test_no_cue_inside_a_long_pause(transcriber, espeak, tmp_path, gap):
    path, gap_start, gap_end = _recording(espeak, tmp_path, gap)
    cues = transcriber.transcribe(path, language="en")
    listing = "\n".join(f"{c.start:6.2f}–{c.end:6.2f} {c.text}" for c in cues)
    inside = [c for c in cues if c.start < gap_end - EDGE and c.end > gap_start + EDGE]
    assert not inside, f"cue(s) in the {GAP:.0f} s of {gap} at {gap_start:.1f}–{gap_end:.1f} s:\n{listing}"
    said_before = " ".join(c.text for c in cues if c.end <= gap_start + EDGE)
    said_after = " ".join(c.text for c in cues if c.start >= gap_end - EDGE)
    assert len(found(said_before, BEFORE_WORDS)) >= 3, listing
    assert len(found(said_after, AFTER_WORDS)) >= 3, listing


def test_room_noise_alone_gives_no_cue(transcriber, tmp_path):
    path = tmp_path / "room.wav"
    write_wav(path, np.clip(_room_noise(40.0, -45.0, seed=5), -32768, 32767), RATE)
    progress: list[float] = []
    assert transcriber.transcribe(path, language="fr", on_progress=progress.append) == []
    assert progress[-1] == 1.0
