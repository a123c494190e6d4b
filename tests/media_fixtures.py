"""Media generated on the spot with PyAV: no downloaded fixtures."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def make_video(
    path: Path,
    seconds: float,
    *,
    width: int = 320,
    height: int = 240,
    fps: int = 15,
    video_codec: str = "libvpx-vp9",
    audio_codec: str = "libopus",
) -> Path:
    """A video whose colour changes every second, with a quiet tone, in the container of `path`."""
    rate = 48000
    with av.open(str(path), "w") as out:
        vstream = out.add_stream(video_codec, rate=fps)
        vstream.width, vstream.height, vstream.pix_fmt = width, height, "yuv420p"
        if video_codec == "libvpx-vp9":
            vstream.options = {"deadline": "realtime", "cpu-used": "8"}
        elif video_codec == "libx264":
            vstream.options = {"preset": "ultrafast"}
        astream = out.add_stream(audio_codec, rate=rate)
        astream.layout = "mono"
        for i in range(int(seconds * fps)):
            second = i // fps
            img = np.zeros((height, width, 3), dtype=np.uint8)
            img[:, :] = ((second * 70) % 256, (second * 130) % 256, (second * 40 + 90) % 256)
            img[: height // 8, : int(width * (i % fps) / fps)] = 255  # a bar that moves within each second
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in vstream.encode(frame):
                out.mux(packet)
        samples = int(seconds * rate)
        t = np.arange(samples) / rate
        tone = (0.05 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        chunk = 960
        for start in range(0, samples - chunk + 1, chunk):
            frame = av.AudioFrame.from_ndarray(tone[start : start + chunk].reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in astream.encode(frame):
                out.mux(packet)
        for stream in (vstream, astream):
            for packet in stream.encode(None):
                out.mux(packet)
    return path
