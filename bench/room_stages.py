"""Benchmark: what one frame of the embedded room costs, stage by stage, in CPU milliseconds.

Each stage runs alone in this process on the room's own code, with moving camera pictures
(gradients, blocks sliding, a little sensor noise), and is timed in CPU time of this process
(`time.process_time`), not wall time: the machine is shared, and another job's load makes
wall times wander while the CPU a stage burns stays put. Stages:

- decode: one participant's 640×480 VP8 camera frame (aiortc decodes with the same libvpx),
- tile: scaling a decoded camera frame to its tile (before: to RGB; now: to yuv420p),
- compose: the 640×480 grid (before: RGB canvas + swscale to yuv420p; now: composed in yuv420p),
- VP8: one encode of the grid (before: aiortc's encoder, once per participant; now: SharedVideo, once
  for the room),
- x264: the recording's encode of the grid (RoomRecorder, ultrafast).

A room at the grid's FPS costs per second: FPS × (N × tile + compose + VP8 encodes + x264) plus
the decodes of what the browsers send (FPS asked for). 100 % = one core.

Run: .venv/bin/python bench/room_stages.py   (prints markdown tables for docs/PERFORMANCE.md)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from aiortc.codecs.vpx import Vp8Encoder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.room import rgb_grid  # noqa: E402  (the previous RGB composer, kept as the reference)
from visio_core.adapters.embedded_room import grid  # noqa: E402
from visio_core.adapters.embedded_room.recorder import FPS, RoomRecorder  # noqa: E402
from visio_core.adapters.embedded_room.video_out import SharedVideo  # noqa: E402

FRAMES = 150  # 12 s of video at FPS
LABELS = {"camera_off": "Caméra coupée", "mic_off": "micro coupé", "waiting": "En attente des participants…"}
NAMES = ["Mikl Foxeo", "Claire Martin", "Élodie Çelik", "Bob Durand"]


def cameras(seed: int, count: int = FRAMES) -> list[av.VideoFrame]:
    """A moving 640×480 camera as the browser's VP8 decodes to: yuv420p frames."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:480, 0:640]
    base = np.stack([xx * 255 // 640, yy * 255 // 480, (xx + yy) * 127 // 1120 + 64], axis=2).astype(np.int16)
    blocks = [(int(rng.integers(0, 500)), int(rng.integers(0, 380)), rng.integers(30, 240, 3)) for _ in range(5)]
    frames = []
    for n in range(count):
        image = base.copy()
        for i, (x, y, colour) in enumerate(blocks):
            dx = (x + n * (i + 1) * 3) % 520
            image[y : y + 100, dx : dx + 120] = colour
        image += rng.integers(-3, 4, image.shape, dtype=np.int16)  # sensor noise keeps the encoder honest
        rgb = np.clip(image, 0, 255).astype(np.uint8)
        frames.append(av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p"))
    return frames


def cpu_ms(action: Callable[[int], object], count: int = FRAMES) -> float:
    """CPU milliseconds of this process per call, over `count` calls (after 5 warm-up calls)."""
    for n in range(5):
        action(n)
    start = time.process_time()
    for n in range(count):
        action(n)
    return 1000 * (time.process_time() - start) / count


def vp8_packets(frames: list[av.VideoFrame]) -> list[av.Packet]:
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt, codec.bit_rate = 640, 480, "yuv420p", 800_000
    codec.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    packets = []
    for n, frame in enumerate(frames):
        frame.pts, frame.time_base = n, Fraction(1, FPS)
        packets += codec.encode(frame)
    return packets


def measure(participants: int, feeds: list[list[av.VideoFrame]]) -> dict[str, float]:
    feeds = feeds[:participants]
    names = NAMES[:participants]
    out: dict[str, float] = {}

    packets = vp8_packets(feeds[0])
    decoder = av.CodecContext.create("libvpx", "r")
    out["decode"] = cpu_ms(lambda n: decoder.decode(packets[n % len(packets)]), len(packets) - 5)

    out["tile_before"] = cpu_ms(lambda n: rgb_grid.to_tile_picture(feeds[0][n]))
    out["tile_now"] = cpu_ms(lambda n: grid.to_tile_picture(feeds[0][n]))

    rgb_tiles = [[rgb_grid.to_tile_picture(f) for f in feed] for feed in feeds]
    yuv_tiles = [[grid.to_tile_picture(f) for f in feed] for feed in feeds]

    def tiles(pictures: list[list[np.ndarray | None]], n: int) -> list[grid.Tile]:
        return [grid.Tile(name, pictures[i][n % FRAMES], i == 1) for i, name in enumerate(names)]

    out["compose_rgb"] = cpu_ms(lambda n: rgb_grid.compose(tiles(rgb_tiles, n), LABELS))
    canvases = [rgb_grid.compose(tiles(rgb_tiles, n), LABELS) for n in range(FRAMES)]
    out["rgb_to_yuv"] = cpu_ms(lambda n: rgb_grid.to_yuv(canvases[n]))
    out["compose_now"] = cpu_ms(lambda n: grid.compose(tiles(yuv_tiles, n), LABELS))

    grids = [grid.compose(tiles(yuv_tiles, n), LABELS) for n in range(FRAMES)]
    shared = SharedVideo(FPS)

    class Receiver:  # what a RoomVideoTrack does on the encoding thread: nothing but hand over
        def _deliver_threadsafe(self, encoded: object) -> None:
            pass

    shared._tracks.add(Receiver())  # type: ignore[arg-type]
    out["vp8"] = cpu_ms(lambda n: shared.encode(grids[n % FRAMES], n / FPS))
    aiortc_encoder = Vp8Encoder()  # what each participant's sender ran before: encode and packetize
    frames = [grid.frame_from_yuv(g) for g in grids]
    for n, frame in enumerate(frames):
        frame.pts, frame.time_base = n, Fraction(1, FPS)
    out["vp8_aiortc"] = cpu_ms(lambda n: aiortc_encoder.encode(frames[n % FRAMES]))

    with tempfile.TemporaryDirectory() as tmp:
        recorder = RoomRecorder(Path(tmp) / "bench.mp4")
        out["x264"] = cpu_ms(lambda n: recorder.write_video(grids[n % FRAMES]))
        recorder.close()
    return out


def main() -> None:
    feeds = [cameras(seed) for seed in range(4)]
    rows = {n: measure(n, feeds) for n in (2, 4)}
    print(f"Room stages, CPU ms per frame (process time), 640×480, {FRAMES} frames, {os.cpu_count()} cores\n")
    print("| stage | 2 participants | 4 participants |")
    print("|---|---|---|")
    labels = {
        "decode": "VP8 decode of one camera",
        "tile_before": "tile scale, before (to RGB)",
        "tile_now": "tile scale, now (to yuv420p)",
        "compose_rgb": "grid compose in RGB (before)",
        "rgb_to_yuv": "RGB → yuv420p of the grid (before)",
        "compose_now": "grid compose in yuv420p (now)",
        "vp8_aiortc": "VP8 encode of the grid by aiortc's encoder (before, × participants)",
        "vp8": "VP8 encode of the grid by SharedVideo (now, × 1)",
        "x264": "x264 encode for the recording",
    }
    for key, label in labels.items():
        print(f"| {label} | {rows[2][key]:.2f} | {rows[4][key]:.2f} |")
    print(f"\nPer second at {float(FPS):g} fps (% of one core), decodes of {float(FPS):g} fps cameras included:\n")
    print("| participants | before | now |")
    print("|---|---|---|")
    for n, r in rows.items():
        before = (
            n * (r["decode"] + r["tile_before"]) + r["compose_rgb"] + r["rgb_to_yuv"] + n * r["vp8_aiortc"] + r["x264"]
        )
        now = n * (r["decode"] + r["tile_now"]) + r["compose_now"] + r["vp8"] + r["x264"]
        print(f"| {n} | {before * FPS / 10:.0f} % | {now * FPS / 10:.0f} % |")


if __name__ == "__main__":
    main()
