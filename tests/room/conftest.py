"""Room tests run the real embedded engine (no fake media engine)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.conftest import at
from tests.room.route_support import BASE
from visio_core.adapters.embedded_room.audio import SAMPLES_PER_TICK
from visio_core.adapters.embedded_room.engine import EmbeddedEngine
from visio_core.entrypoints.web import make_routes


@pytest.fixture
def engine(settings):
    return None  # build_context then builds the engine the settings ask for: the embedded one


@pytest.fixture
def embedded(ctx) -> EmbeddedEngine:
    assert isinstance(ctx.engine, EmbeddedEngine)
    return ctx.engine


@pytest.fixture
def meeting(ctx, people):
    """A started meeting of op1 with client_a (modules with other needs define their own)."""
    created = ctx.meetings.create_meeting(people.op1, client_id=people.client_a.id, title="Atelier", scheduled_at=at())
    return ctx.meetings.start_meeting(people.op1, created.id)


@pytest.fixture
def client(ctx):
    with TestClient(Starlette(routes=make_routes(lambda: ctx)), base_url=BASE) as client:  # one loop for aiortc
        yield client


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tone(frequency: float, amplitude: int = 8000, tick: int = 0) -> av.AudioFrame:
    """20 ms of a stereo sine, as aiortc's Opus decoder hands frames over."""
    t = np.arange(tick * SAMPLES_PER_TICK, (tick + 1) * SAMPLES_PER_TICK)
    mono = (amplitude * np.sin(2 * np.pi * frequency * t / 48_000)).astype(np.int16)
    frame = av.AudioFrame.from_ndarray(np.stack([mono, mono], axis=1).reshape(1, -1), format="s16", layout="stereo")
    frame.sample_rate = 48_000
    return frame


def quiet() -> av.AudioFrame:
    return tone(440, amplitude=0)


def picture(seed: int) -> av.VideoFrame:
    image = np.random.default_rng(seed).integers(40, 255, (480, 640, 3), dtype=np.uint8)
    return av.VideoFrame.from_ndarray(image, format="rgb24")


def black() -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(np.zeros((480, 640, 3), dtype=np.uint8), format="rgb24")


def dominant_frequency(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    return float(np.argmax(spectrum) * 48_000 / samples.size)


def decoded_audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
