"""A recording's poster: the still the player shows before playback.

A room recording starts on tiles saying "Caméra coupée" (cameras take a moment to start), so its
first frame tells nothing. We look at the first SCAN_SECONDS, one frame every SAMPLE_SECONDS,
score how much each shows (spread of brightness once the picture is shrunk to a thumbnail, so a
flat tile with a line of text scores low and a camera's picture high), and keep the first frame
scoring close to the best: the first moment someone's camera shows. A picture that never
changes (the demo's title card) keeps its first frame.
"""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
from PIL import Image

SCAN_SECONDS = 30.0
SAMPLE_SECONDS = 0.5
CLOSE_TO_BEST = 0.8  # the first frame showing at least this share of the best frame's detail
POSTER_WIDTH = 640


def content_score(rgb: np.ndarray) -> float:
    """How much a frame shows: the spread of its brightness at thumbnail size (text averages away)."""
    gray = np.asarray(Image.fromarray(rgb).convert("L").resize((32, 18), Image.Resampling.BOX), dtype=np.float32)
    return float(gray.std())


def _samples(path: Path) -> list[tuple[float, bytes]]:
    """(score, JPEG) of one frame every SAMPLE_SECONDS over the first SCAN_SECONDS; none for an
    audio-only file. Kept as JPEG at poster size: 60 full HD frames would hold 370 MB."""
    samples: list[tuple[float, bytes]] = []
    with av.open(str(path)) as container:
        if not container.streams.video:
            return samples
        stream = container.streams.video[0]
        next_at = 0.0
        for frame in container.decode(stream):
            at = float(frame.time) if frame.time is not None else next_at
            if at > SCAN_SECONDS:
                break
            if at + 1e-6 >= next_at:
                rgb = frame.to_ndarray(format="rgb24")
                samples.append((content_score(rgb), _jpeg(rgb)))
                next_at = at + SAMPLE_SECONDS
    return samples


def _jpeg(rgb: np.ndarray) -> bytes:
    image = Image.fromarray(rgb)
    if image.width > POSTER_WIDTH:
        image = image.resize((POSTER_WIDTH, round(image.height * POSTER_WIDTH / image.width)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def write_poster(media: Path, dest: Path) -> bool:
    """Write the recording's poster to `dest` as JPEG; False when the file has no picture."""
    samples = _samples(media)
    if not samples:
        return False
    best = max(score for score, _ in samples)
    dest.write_bytes(next(jpeg for score, jpeg in samples if score >= CLOSE_TO_BEST * best))
    return True
