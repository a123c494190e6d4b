"""The room recorder over a long meeting: steady timestamps in the file, not only a right frame count."""

from __future__ import annotations

import av
import numpy as np
import pytest

from visio_core.adapters.embedded_room.audio import SAMPLES_PER_TICK
from visio_core.adapters.embedded_room.grid import HEIGHT, WIDTH
from visio_core.adapters.embedded_room.recorder import FPS, RoomRecorder


@pytest.mark.slow
def test_forty_seconds_keep_one_timestamp_per_frame(tmp_path):
    # Regression: frames were stamped in the stream's time base, which the MP4 muxer changes to
    # 1/15360 at the header, so pts collapsed and muxing failed after ~34 s (found by the room's
    # browser test). 40 s of room ticks, as the room clock writes them.
    recorder = RoomRecorder(tmp_path / "long.mp4")
    rng = np.random.default_rng(7)
    yuv = rng.integers(0, 255, (HEIGHT * 3 // 2, WIDTH), dtype=np.uint8)
    for _ in range(40 * 50):
        while recorder.frames <= recorder.seconds * FPS:
            recorder.write_video(yuv)
        recorder.write_audio((rng.standard_normal(SAMPLES_PER_TICK) * 3000).astype(np.int16))
    recorder.close()
    assert recorder.path.exists() and not recorder.partial.exists()  # finished into a plain MP4
    with av.open(str(recorder.path)) as container:
        times = [frame.time for frame in container.decode(video=0)]
    assert len(times) == pytest.approx(40 * FPS, abs=2)
    steps = np.diff(times)
    assert steps.min() == pytest.approx(1 / FPS, abs=1e-3) and steps.max() == pytest.approx(1 / FPS, abs=1e-3)
    assert times[-1] == pytest.approx(40.0, abs=0.2)
