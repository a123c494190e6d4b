"""Resemblyzer's voice encoder (GE2E, Apache-2.0) run in numpy: speech → a 256-float voice print.

The weights are Resemblyzer 0.1.4's `pretrained.pt`, taken from its wheel at setup time
(scripts/fetch_voice_encoder.py); this module reproduces `VoiceEncoder.embed_utterance` without
torch: a 40-band mel power spectrogram of 16 kHz audio (librosa's Slaney filters, 25 ms Hann
window, 10 ms hop, zero-padded centre frames), a 3-layer LSTM (256 units), a 256→256 linear
layer with ReLU, L2-normalised; an utterance is cut in partials of 160 frames (1.6 s) about
0.77 s apart whose embeddings are averaged. tests/transcription/test_voice_encoder.py holds
the reference figures torch gave on the same input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from visio_core.adapters.transcription.torch_weights import load_state

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
PARTIAL_FRAMES = 160
RATE = 1.3  # partials per second (Resemblyzer's default)
MIN_COVERAGE = 0.75
LAYERS = 3
TARGET_DBFS = -30.0  # Resemblyzer raises quieter audio to this level before embedding
BATCH = 64  # partials through the LSTM at once: ≈ 45 MB of gate activations


def slaney_mel_filters(sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """librosa.filters.mel(sr, n_fft, n_mels) with its defaults (Slaney scale and area norm)."""
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0

    def hz_to_mel(hz: np.ndarray) -> np.ndarray:
        mel = hz / f_sp
        high = hz >= min_log_hz
        mel[high] = min_log_mel + np.log(hz[high] / min_log_hz) / logstep
        return mel

    def mel_to_hz(mel: np.ndarray) -> np.ndarray:
        hz = f_sp * mel
        high = mel >= min_log_mel
        hz[high] = min_log_hz * np.exp(logstep * (mel[high] - min_log_mel))
        return hz

    edges = hz_to_mel(np.array([0.0, sample_rate / 2.0]))
    mel_f = mel_to_hz(np.linspace(edges[0], edges[1], n_mels + 2))
    fft_f = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_f)
    weights = np.zeros((n_mels, fft_f.size))
    for i in range(n_mels):
        lower, upper = -ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, None]
    return weights.astype(np.float32)


_MEL = slaney_mel_filters()
_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic Hann


def mel_spectrogram(wav: np.ndarray) -> np.ndarray:
    """(frames, 40) mel power spectrogram, frames centred every 10 ms (librosa.feature.melspectrogram)."""
    padded = np.pad(wav.astype(np.float32), N_FFT // 2)
    count = 1 + (padded.size - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(
        padded, shape=(count, N_FFT), strides=(HOP * padded.itemsize, padded.itemsize)
    )
    power = np.abs(np.fft.rfft(frames * _WINDOW, axis=1)) ** 2
    mel: np.ndarray = (power.astype(np.float32) @ _MEL.T).astype(np.float32)
    return mel


def partial_slices(n_samples: int) -> list[slice]:
    """Resemblyzer's `compute_partial_slices` (rate 1.3, min coverage 0.75), as mel frame ranges."""
    n_frames = int(np.ceil((n_samples + 1) / HOP))
    step = int(np.round((SAMPLE_RATE / RATE) / HOP))
    starts = range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step)
    slices = [slice(s, s + PARTIAL_FRAMES) for s in starts]
    last = slices[-1]
    coverage = (n_samples - last.start * HOP) / (PARTIAL_FRAMES * HOP)
    if coverage < MIN_COVERAGE and len(slices) > 1:
        slices.pop()
    return slices


def normalize_volume(wav: np.ndarray) -> np.ndarray:
    """Quiet speech raised to −30 dBFS (never lowered), as Resemblyzer's preprocessing does."""
    rms = float(np.sqrt(np.mean((wav.astype(np.float64) * 32767) ** 2))) if wav.size else 0.0
    if rms == 0.0:
        return wav
    change = TARGET_DBFS - 20 * np.log10(rms / 32767)
    return wav if change < 0 else (wav * (10 ** (change / 20))).astype(np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow, unlike 1 / (1 + exp(-x))
    return out


@dataclass(frozen=True)
class VoiceEncoder:
    lstm: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]  # (W_ih, W_hh, b_ih + b_hh) per layer
    linear_w: np.ndarray
    linear_b: np.ndarray

    @classmethod
    def load(cls, weights: Path) -> VoiceEncoder:
        state = load_state(weights)["model_state"]
        layers = tuple(
            (
                state[f"lstm.weight_ih_l{n}"],
                state[f"lstm.weight_hh_l{n}"],
                state[f"lstm.bias_ih_l{n}"] + state[f"lstm.bias_hh_l{n}"],
            )
            for n in range(LAYERS)
        )
        return cls(layers, state["linear.weight"], state["linear.bias"])

    def forward(self, mels: np.ndarray) -> np.ndarray:
        """(batch, frames, 40) mel spectrograms → (batch, 256) L2-normalised embeddings."""
        x = mels.astype(np.float32)
        hidden = np.zeros((x.shape[0], 0), dtype=np.float32)
        for w_ih, w_hh, bias in self.lstm:
            x, hidden = self._layer(x, w_ih, w_hh, bias)
        raw: np.ndarray = np.maximum(hidden @ self.linear_w.T + self.linear_b, 0)
        normed: np.ndarray = raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-12)
        return normed

    @staticmethod
    def _layer(x: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        batch, steps, _ = x.shape
        size = w_hh.shape[1]
        gates_in = x @ w_ih.T + bias  # every step's input projection at once
        w_hh_t = np.ascontiguousarray(w_hh.T)
        h = np.zeros((batch, size), dtype=np.float32)
        c = np.zeros((batch, size), dtype=np.float32)
        out = np.empty((batch, steps, size), dtype=np.float32)
        for step in range(steps):
            gates = gates_in[:, step] + h @ w_hh_t
            i, f = _sigmoid(gates[:, :size]), _sigmoid(gates[:, size : 2 * size])  # PyTorch's gate order: i f g o
            g, o = np.tanh(gates[:, 2 * size : 3 * size]), _sigmoid(gates[:, 3 * size :])
            c = f * c + i * g
            h = o * np.tanh(c)
            out[:, step] = h
        return out, h

    def embed_utterances(self, wavs: Sequence[np.ndarray]) -> np.ndarray:
        """(len(wavs), 256): each 16 kHz waveform's embedding (`VoiceEncoder.embed_utterance`)."""
        partials: list[np.ndarray] = []
        owners: list[int] = []
        for number, wav in enumerate(wavs):
            slices = partial_slices(wav.size)
            needed = slices[-1].stop * HOP
            padded = np.pad(wav, (0, max(0, needed - wav.size))) if needed >= wav.size else wav
            mel = mel_spectrogram(padded)
            partials += [mel[s] for s in slices]
            owners += [number] * len(slices)
        if not partials:
            return np.zeros((0, self.linear_w.shape[0]), dtype=np.float32)
        stacked = np.stack(partials)
        # One BLAS thread: each LSTM step is a (64×256)·(256×1024) product, too small to share out;
        # two threads on a busy 2-core machine measured 10× slower (docs/PERFORMANCE.md).
        with threadpool_limits(limits=1, user_api="blas"):
            embeds = np.concatenate([self.forward(stacked[i : i + BATCH]) for i in range(0, len(stacked), BATCH)])
        owner = np.array(owners)
        sums = np.zeros((len(wavs), embeds.shape[1]), dtype=np.float32)
        np.add.at(sums, owner, embeds)
        means = sums / np.maximum(np.bincount(owner, minlength=len(wavs)), 1)[:, None]
        result: np.ndarray = means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
        return result.astype(np.float32)
