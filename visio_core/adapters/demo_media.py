"""The demo meeting's recording, made on this machine: two voices from espeak-ng (Debian's speech
synthesiser, installed by the setup) taking turns, a title card as the picture, PyAV for the MP4.

Nothing is downloaded and no binary is committed; each speaker's turns are known exactly, so the
recording comes with its speaking timeline, as a room recording would.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from visio_core.domain.speakers import SpeakingEvent, timeline_from_events, to_json

RATE = 48_000
PAUSE_SECONDS = 0.6


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def _say(text: str, voice: str, folder: Path) -> np.ndarray:
    """Mono int16 speech at 48 kHz."""
    raw = folder / "line.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), text], check=True, capture_output=True)
    with wave.open(str(raw)) as fh:
        samples, rate = np.frombuffer(fh.readframes(fh.getnframes()), dtype=np.int16), fh.getframerate()
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    return np.concatenate([f.to_ndarray().reshape(-1) for f in [*resampler.resample(frame), *resampler.resample(None)]])


def make_dialogue(path: Path, lines: list[tuple[str, str, str]], title: str) -> Path:
    """Write the MP4 of `lines` ((speaker, espeak voice, text), in turn) and its speaking timeline
    beside it (`<path>.speakers.json`); returns the timeline's path."""
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 1, 1, tzinfo=UTC)  # any origin: the timeline is relative to the file
    pieces, events, position = [], [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for speaker, voice, text in lines:
            speech = _say(text, voice, Path(tmp))
            events += [
                SpeakingEvent(speaker, "start", start + timedelta(seconds=position)),
                SpeakingEvent(speaker, "stop", start + timedelta(seconds=position + speech.size / RATE)),
            ]
            pieces += [speech, np.zeros(int(PAUSE_SECONDS * RATE), dtype=np.int16)]
            position += speech.size / RATE + PAUSE_SECONDS
    audio = np.concatenate(pieces)
    _write_mp4(path, audio, title)
    timeline = path.with_name(path.name + ".speakers.json")
    timeline.write_text(to_json(timeline_from_events(events, start, position)), encoding="utf-8")
    return timeline


def _write_mp4(path: Path, audio: np.ndarray, title: str) -> None:
    from PIL import Image, ImageDraw

    card = Image.new("RGB", (640, 360), (25, 103, 210))
    ImageDraw.Draw(card).text((40, 160), title, fill="white")
    picture = np.asarray(card)
    fps, seconds = 2, audio.size / RATE
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 640, 360, "yuv420p"
        video.options = {"preset": "ultrafast"}
        sound = out.add_stream("aac", rate=RATE)
        sound.layout = "mono"
        for i in range(int(seconds * fps) + 1):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        for start in range(0, audio.size, 1024):
            block = audio[start : start + 1024]
            chunk = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
            chunk.sample_rate, chunk.pts, chunk.time_base = RATE, start, Fraction(1, RATE)
            for packet in sound.encode(chunk):
                out.mux(packet)
        for packet in sound.encode(None):
            out.mux(packet)
