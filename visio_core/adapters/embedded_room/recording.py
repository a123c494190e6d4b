"""The meeting's recording as the room clock advances: its sound, its picture of each moment, who spoke.

The audio is the recording's own mix (recording_mix.py: lossless, placed by the senders'
timestamps, a little behind the live mix); each grid canvas waits for the audio of its moment,
so picture and sound stay together; the MP4 itself is written by recorder.py, and who spoke when
beside it (speaking.py). The recording follows the clock's time, not a count of ticks, and pauses
while the room is empty.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path

import numpy as np

from visio_core.adapters.embedded_room.audio import SAMPLE_RATE, SAMPLES_PER_TICK
from visio_core.adapters.embedded_room.recorder import FPS, RoomRecorder
from visio_core.adapters.embedded_room.recording_mix import RecordingMix
from visio_core.adapters.embedded_room.speaking import SpeakingRecorder


class Recording:
    def __init__(self, path: Path, canvas: np.ndarray) -> None:
        self.path = path
        self.mix = RecordingMix()  # the recording's audio: lossless, a little behind the live mix
        self._speaking = SpeakingRecorder()  # who spoke when, for naming the transcript's lines
        self._recorder: RoomRecorder | None = None
        self._frames_due: deque[tuple[int, np.ndarray]] = deque()  # grid canvases waiting for their audio
        self._canvas = canvas  # the canvas the recording shows now (it runs a little behind)
        self._last_tick: float | None = None
        self._clock_samples = 0.0

    @property
    def seconds(self) -> float:
        return self._recorder.seconds if self._recorder else 0.0

    def push(self, key: str, samples: np.ndarray, stamp: int | None) -> None:
        """A participant's samples as they arrived (aiortc loop), with the sender's timestamp."""
        self.mix.push(key, samples, stamp)

    def elapsed(self, now: float) -> int:
        """Samples of room time since the previous tick (counted on every tick, the empty room's too)."""
        previous, self._last_tick = self._last_tick, now
        if previous is None:
            return SAMPLES_PER_TICK
        before = int(self._clock_samples)
        self._clock_samples += max(0.0, now - previous) * SAMPLE_RATE
        return int(self._clock_samples) - before

    def recorder(self) -> RoomRecorder:
        """The MP4 being written, opened on first use (the room calls this under its lock, while open)."""
        if self._recorder is None:
            self._recorder = RoomRecorder(self.path)
        return self._recorder

    def advance(self, recorder: RoomRecorder, elapsed: int, canvas: np.ndarray, name_of: Callable[[str], str]) -> None:
        """`elapsed` samples of room time: the audio due, the speech placed in it, the canvas of this moment."""
        # The clock's time, not a count of ticks: a stalled clock thread catches up in the recording.
        due, placed = self.mix.advance(elapsed)
        for item in placed:
            self._speaking.hear(name_of(item.key), item.position / SAMPLE_RATE, item.samples)
        self._frames_due.append((self.mix.position, canvas))
        self._write(recorder, due)

    def finish(self) -> Path | None:
        """Write the last of the meeting and close the MP4; its path, or None when nothing was recorded."""
        recorder = self._recorder
        if recorder is None:
            return None
        self._write(recorder, self.mix.flush())  # the last DELAY of the meeting
        recorder.close()
        if not recorder.has_media:
            return None
        self._speaking.write(recorder.path)  # beside the MP4: the engine hands both over
        return recorder.path

    def _write(self, recorder: RoomRecorder, audio: np.ndarray) -> None:
        """Audio in ticks, each preceded by the video frames due at its position (from the canvas of that time)."""
        for start in range(0, audio.size, SAMPLES_PER_TICK):
            # A sample's place in the recording is the room clock's position when it arrived, and
            # a canvas waits for the same position: picture and sound of one moment stay together.
            position = recorder.seconds * SAMPLE_RATE
            while self._frames_due and self._frames_due[0][0] <= position:
                _, canvas = self._frames_due.popleft()
                self._canvas = canvas
            while recorder.frames <= recorder.seconds * FPS:
                recorder.write_video(self._canvas)
            recorder.write_audio(audio[start : start + SAMPLES_PER_TICK])
