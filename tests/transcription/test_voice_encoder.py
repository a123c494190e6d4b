"""The numpy voice encoder gives what Resemblyzer 0.1.4 on torch gives, with the real weights.

The reference figures below were printed once by Resemblyzer's own `VoiceEncoder.embed_utterance`
and `audio.wav_to_mel_spectrogram` (torch 2.13.0 CPU, librosa 0.11.0, in a throwaway virtualenv)
on `_voice_like()`, a seeded signal any numpy reproduces bit for bit. On that signal and on real
espeak-ng speech the largest difference over the 256 floats was 3.7e-7.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from visio_core.adapters.transcription import torch_weights
from visio_core.adapters.transcription.voice_encoder import (
    VoiceEncoder,
    mel_spectrogram,
    normalize_volume,
    partial_slices,
)

TORCH_FIRST_12 = [0.0, 0.1033637, 0.0, 0.0, 0.0, 0.0447651, 0.0, 0.0, 0.0331063, 0.0, 0.106937, 0.0871607]
TORCH_PROBE_DOT = -0.905940546111929  # embedding · default_rng(42).standard_normal(256)
TORCH_SUM = 8.23582935333252
LIBROSA_MEL = [0.024214567616581917, 0.007468088064342737, 0.00019534547755029052]  # [0,3], [50,10], [200,30]


def _voice_like(seconds: float = 3.3, seed: int = 0) -> np.ndarray:
    """A buzzing, wavering 140 Hz tone with a little noise: voice-shaped enough to wake the LSTM."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(16000 * seconds)) / 16000
    f0 = 140 + 25 * np.sin(2 * np.pi * 3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / 16000
    voice = sum(np.sin(k * phase) / k for k in range(1, 12)) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2)
    return (0.1 * voice + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


@pytest.fixture(scope="module")
def encoder(voice_weights: Path) -> VoiceEncoder:
    return VoiceEncoder.load(voice_weights)


def test_mel_spectrogram_is_librosas():
    mel = mel_spectrogram(normalize_volume(_voice_like()))
    assert mel.shape == (1 + 52800 // 160, 40)
    assert [mel[0, 3], mel[50, 10], mel[200, 30]] == pytest.approx(LIBROSA_MEL, rel=1e-5)


@pytest.mark.slow  # the real weights
def test_embedding_equals_torchs(encoder):
    embedding = encoder.embed_utterances([normalize_volume(_voice_like())])[0]
    assert embedding.shape == (256,)
    assert np.linalg.norm(embedding) == pytest.approx(1.0, abs=1e-6)
    assert list(embedding[:12]) == pytest.approx(TORCH_FIRST_12, abs=1e-6)
    assert float(embedding.sum()) == pytest.approx(TORCH_SUM, abs=1e-5)
    probe = np.random.default_rng(42).standard_normal(256)
    assert float(embedding @ probe) == pytest.approx(TORCH_PROBE_DOT, abs=1e-5)


@pytest.mark.slow  # the real weights
def test_utterances_batched_together_keep_their_own_embedding(encoder):
    """Partials of several utterances share LSTM batches; each one's average stays its own."""
    short, long = normalize_volume(_voice_like(0.7, 1)), normalize_volume(_voice_like(9.0, 2))
    together = encoder.embed_utterances([short, long])
    alone = np.stack([encoder.embed_utterances([short])[0], encoder.embed_utterances([long])[0]])
    assert np.max(np.abs(together - alone)) < 1e-6


def test_partials_cover_the_utterance_like_resemblyzers():
    assert partial_slices(int(0.7 * 16000)) == [slice(0, 160)]  # a short one is padded into one partial
    slices = partial_slices(9 * 16000)
    assert [s.start for s in slices] == list(range(0, 77 * len(slices), 77))
    assert slices[-1].stop * 160 >= 9 * 16000 * 0.75


def test_the_checkpoint_reader_refuses_code(tmp_path):
    """A checkpoint is a pickle: anything but tensors and dicts is refused, not run."""
    import pickle

    hostile = tmp_path / "evil.pt"
    hostile.write_bytes(pickle.dumps(Path("/etc/passwd"), protocol=2))
    with pytest.raises(torch_weights.UnsupportedCheckpoint):
        torch_weights.load_state(hostile)
