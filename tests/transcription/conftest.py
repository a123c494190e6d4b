"""Fixtures: real speech from espeak-ng, real media written with PyAV, the real
offline Whisper model, and a real OpenAI-compatible server on loopback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.transcription.helpers import (
    API_KEY,
    ENGLISH,
    FRENCH,
    GAP_SECONDS,
    LONG_ENGLISH,
    Speech,
    read_wav,
    say,
    write_media,
    write_wav,
)
from visio_core.entrypoints.config import Settings


@pytest.fixture(scope="session")
def espeak() -> str:
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.skip("espeak-ng is not installed (Debian package espeak-ng): no speech to transcribe")
    return exe


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def french_speech(espeak, speech_dir) -> Speech:
    # espeak's French is hard for whisper-base: slow speech with a pause around it works.
    return say(espeak, speech_dir, "french", FRENCH, "fr", 110, 0.7)


@pytest.fixture(scope="session")
def english_speech(espeak, speech_dir) -> Speech:
    return say(espeak, speech_dir, "english", ENGLISH, "en", 150, 0.3)


@pytest.fixture(scope="session")
def long_speech(espeak, speech_dir) -> Speech:
    """About 50 s of English sentences with known pauses between them."""
    parts, silences, position, rate = [], [], 0, 22050
    for number, (sentence, _word) in enumerate(LONG_ENGLISH):
        raw = speech_dir / f"long{number}.wav"
        subprocess.run([espeak, "-v", "en", "-s", "150", "-w", str(raw), sentence], check=True)
        samples, rate = read_wav(raw)
        gap = np.zeros(int(rate * GAP_SECONDS), dtype=np.int16)
        parts += [samples, gap]
        position += samples.size
        silences.append((position / rate, (position + gap.size) / rate))
        position += gap.size
    out = speech_dir / "long.wav"
    write_wav(out, np.concatenate(parts), rate)
    return Speech(out, position / rate, tuple(silences))


@pytest.fixture(scope="session")
def mp4_with_speech(english_speech, speech_dir) -> Path:
    return write_media(speech_dir / "meeting.mp4", english_speech, video="libx264", audio="aac")


@pytest.fixture(scope="session")
def webm_with_speech(french_speech, speech_dir) -> Path:
    return write_media(speech_dir / "meeting.webm", french_speech, video="libvpx-vp9", audio="libopus")


@pytest.fixture(scope="session")
def whisper_model_dir() -> Path:
    path = Settings.load().whisper_model_dir
    if not (path / "model.bin").is_file():
        pytest.fail(
            f"offline Whisper model missing at {path}: run `make setup` "
            "(or point VISIO_WHISPER_MODEL at a CTranslate2 Whisper model)"
        )
    return path


@pytest.fixture(scope="session")
def openai_server(whisper_model_dir):
    from tests.transcription.openai_compatible_server import OpenAICompatibleServer

    with OpenAICompatibleServer(whisper_model_dir, api_key=API_KEY) as server:
        yield server


@pytest.fixture
def server(openai_server):
    """The shared server, reset for one test."""
    openai_server.received.clear()
    openai_server.fail_next.clear()
    openai_server.max_bytes = 25 * 1024 * 1024
    yield openai_server
    openai_server.fail_next.clear()
