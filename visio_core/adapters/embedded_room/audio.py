"""Audio plumbing of the embedded room: 48 kHz mono s16 in 20 ms ticks.

aiortc hands us Opus-decoded frames whose size and layout depend on the browser;
everything is brought to one format on arrival so mixing is plain integer arithmetic.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from typing import cast

import av
import numpy as np

SAMPLE_RATE = 48_000
TICK_SECONDS = 0.02
SAMPLES_PER_TICK = int(SAMPLE_RATE * TICK_SECONDS)  # 960
# 60 ms of audio a network packet, both ways (the call's answer asks browsers for it with
# a=ptime): each packet costs the server its RTP, SRTP and socket work in Python, so a third of
# the usual 20 ms packets. The delay this adds is more than won back by the receive buffer
# holding one packet instead of aiortc's four (call_link.py; docs/PERFORMANCE.md).
PACKET_TICKS = 3
SILENCE_DBFS = -120.0


def silence() -> np.ndarray:
    return np.zeros(SAMPLES_PER_TICK, dtype=np.int16)


def mean_square(samples: np.ndarray) -> float:
    """Mean square of s16 samples as a fraction of full scale (1.0 = a full-scale square wave); 0 when empty.

    A float32 dot product: no float64 temporary, for what runs on every frame of every participant."""
    if samples.size == 0:
        return 0.0
    scaled = samples.astype(np.float32) / 32768.0
    return float(np.dot(scaled, scaled)) / samples.size


def level_dbfs(samples: np.ndarray) -> float:
    """RMS level of s16 samples in dBFS (0 = full scale); silence → SILENCE_DBFS."""
    power = mean_square(samples)
    if power < (1e-6 / 32768.0) ** 2:
        return SILENCE_DBFS
    return max(SILENCE_DBFS, 10 * math.log10(power))


def mix(chunks: list[np.ndarray]) -> np.ndarray:
    """Sum of several ticks, clipped to s16."""
    if not chunks:
        return silence()
    total = np.sum([c.astype(np.int32) for c in chunks], axis=0)
    return cast(np.ndarray, np.clip(total, -32768, 32767).astype(np.int16))  # numpy's stubs say Any


def to_frame(samples: np.ndarray, pts: int | None = None) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = SAMPLE_RATE
    if pts is not None:
        frame.pts = pts
    return frame


class MonoConverter:
    """Any decoded frame → mono s16 48 kHz samples. Keeps resampler state, so one per input."""

    def __init__(self) -> None:
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)

    def convert(self, frame: av.AudioFrame) -> np.ndarray:
        if frame.format.name == "s16" and frame.sample_rate == SAMPLE_RATE and frame.layout.name == "stereo":
            # What aiortc's Opus decoder always hands over: averaging the channels in numpy costs a
            # tenth of a trip through the resampler, 50 times a second per participant.
            pairs = frame.to_ndarray().reshape(-1, 2).astype(np.int32)
            return ((pairs[:, 0] + pairs[:, 1]) >> 1).astype(np.int16)
        frame.pts = None  # the resampler would otherwise insist on monotonic input timestamps
        out = [f.to_ndarray().reshape(-1) for f in self._resampler.resample(frame)]
        return np.concatenate(out).astype(np.int16) if out else np.zeros(0, dtype=np.int16)


class JitterBuffer:
    """Samples of one participant waiting to be mixed.

    Network frames arrive in bursts; the mixer takes one tick every 20 ms. Playback
    starts once `prime_ticks` are queued and re-primes after an underrun, which turns
    jitter into a short delay instead of clicks. The buffer is bounded so a stalled
    mixer cannot grow memory: the oldest audio is dropped first.
    """

    def __init__(self, prime_ticks: int = PACKET_TICKS + 1, max_ticks: int = 25) -> None:
        self._chunks: deque[np.ndarray] = deque()
        self._queued = 0
        self._prime = prime_ticks * SAMPLES_PER_TICK
        self._max = max_ticks * SAMPLES_PER_TICK
        self._primed = False
        self._lock = threading.Lock()

    def push(self, samples: np.ndarray) -> None:
        if samples.size == 0:
            return
        with self._lock:
            self._chunks.append(samples)
            self._queued += samples.size
            while self._queued > self._max:
                dropped = self._chunks.popleft()
                self._queued -= dropped.size

    def pop_tick(self) -> np.ndarray | None:
        """One tick of audio, or None when nothing is ready (the caller mixes silence)."""
        with self._lock:
            if not self._primed:
                if self._queued < self._prime:
                    return None
                self._primed = True
            if self._queued < SAMPLES_PER_TICK:
                self._primed = False
                return None
            out = np.empty(SAMPLES_PER_TICK, dtype=np.int16)
            filled = 0
            while filled < SAMPLES_PER_TICK:
                head = self._chunks[0]
                take = min(head.size, SAMPLES_PER_TICK - filled)
                out[filled : filled + take] = head[:take]
                filled += take
                if take == head.size:
                    self._chunks.popleft()
                else:
                    self._chunks[0] = head[take:]
            self._queued -= SAMPLES_PER_TICK
            return out


class Outbox:
    """Mixed audio waiting for one participant's outgoing track (bounded, drops oldest)."""

    def __init__(self, max_ticks: int = 10) -> None:
        self._ticks: deque[np.ndarray] = deque(maxlen=max_ticks)
        self._lock = threading.Lock()

    def put(self, samples: np.ndarray) -> None:
        with self._lock:
            self._ticks.append(samples)

    def take(self) -> np.ndarray:
        with self._lock:
            return self._ticks.popleft() if self._ticks else silence()
