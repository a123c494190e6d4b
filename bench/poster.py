"""Benchmark: the poster's cost at ingest, on a room-like recording (640×480, 15 fps, H.264).

The scan decodes at most the first 30 s, so the cost is bounded whatever the meeting's length.
Run: .venv/bin/python bench/poster.py  (prints a markdown table for docs/PERFORMANCE.md)
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from visio_core.adapters.embedded_room.grid import Tile, compose  # noqa: E402
from visio_core.adapters.poster import write_poster  # noqa: E402

LABELS = {"camera_off": "Caméra coupée", "mic_off": "micro coupé", "waiting": "En attente"}


def room_video(path: Path, minutes: float, camera_after: float) -> None:
    import numpy as np

    off = compose([Tile("MiKL", None), Tile("Claire Martin", None)], LABELS)
    rng = np.random.default_rng(1)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=15)
        video.width, video.height, video.pix_fmt = 640, 480, "yuv420p"
        video.options = {"preset": "ultrafast"}
        for i in range(int(minutes * 60 * 15)):
            if i < camera_after * 15:
                picture = off
            else:
                camera = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
                picture = compose([Tile("MiKL", None), Tile("Claire Martin", camera)], LABELS)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 15)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)


def main() -> None:
    print("| recording | camera shows at | poster time (s) |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for minutes, camera_after in ((1, 3.0), (5, 3.0), (5, 40.0)):
            media = Path(tmp) / f"room-{minutes}-{camera_after}.mp4"
            room_video(media, minutes, camera_after)
            start = time.perf_counter()
            write_poster(media, Path(tmp) / "poster.jpg")
            elapsed = time.perf_counter() - start
            print(f"| {minutes} min | {camera_after:.0f} s | {elapsed:.2f} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the whole run (recordings made in-process too): {peak:.0f} MB")


if __name__ == "__main__":
    main()
