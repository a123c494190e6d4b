"""One seated tab's media: what its call sends the room, and the mix the room sends back.

Frames arrive on aiortc's event loop (`take_audio`, `take_video`); the room clock's thread pops a
tick of each participant's audio and puts everyone-but-him mixes in each outbox (`mix_for_each`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import av
import numpy as np

from visio_core.adapters.embedded_room import grid
from visio_core.adapters.embedded_room.audio import (
    SAMPLE_RATE,
    SILENCE_DBFS,
    JitterBuffer,
    MonoConverter,
    Outbox,
    level_dbfs,
    mix,
)
from visio_core.adapters.embedded_room.recorder import FRAME_SECONDS

MIC_OFF_DBFS = -90.0  # a disabled browser track sends digital silence (≈ −112 dBFS); a live mic never does
MIC_OFF_AFTER = 1.0
CAMERA_OFF_AFTER = 1.5


@dataclass
class Participant:
    key: str
    user_id: uuid.UUID
    name: str
    joined_at: float
    audio_in: JitterBuffer = field(default_factory=JitterBuffer)
    audio_out: Outbox = field(default_factory=Outbox)
    converter: MonoConverter = field(default_factory=MonoConverter)
    picture: np.ndarray | None = None
    picture_at: float = 0.0
    video_at: float = 0.0
    audio_at: float = 0.0
    loud_at: float = 0.0
    level: float = SILENCE_DBFS
    video_frames: int = 0
    audio_frames: int = 0
    lost_at: float | None = None  # the call ended without the user leaving; cleared by the next media

    def last_media(self) -> float:
        return max(self.video_at, self.audio_at, self.joined_at)

    def mic_off(self, now: float) -> bool:
        return now - max(self.loud_at, self.joined_at) > MIC_OFF_AFTER

    def camera_off(self, now: float) -> bool:
        return self.picture is None or now - self.picture_at > CAMERA_OFF_AFTER

    def take_audio(self, frame: av.AudioFrame, now: float) -> np.ndarray:
        """A frame of his microphone into his jitter buffer; its samples (48 kHz mono s16), for the recording."""
        samples = self.converter.convert(frame)
        self.audio_in.push(samples)
        self.audio_at = now
        self.lost_at = None  # back from a drop, if he was lost
        self.audio_frames += 1
        self.level = level_dbfs(samples)
        if self.level > MIC_OFF_DBFS:
            self.loud_at = now
        return samples

    def take_video(self, frame: av.VideoFrame, now: float) -> None:
        """A frame of his camera, scaled to his tile at most at the grid's rate."""
        self.video_at = now
        self.lost_at = None  # back from a drop, if he was lost
        self.video_frames += 1
        if now - self.picture_at < FRAME_SECONDS * 0.9 and self.picture is not None:
            return  # browsers may send more than the grid's rate
        picture = grid.to_tile_picture(frame)
        self.picture = picture
        if picture is not None:
            self.picture_at = now


def mix_for_each(participants: list[Participant]) -> None:
    """One tick: each participant's outbox gets the mix of everyone but him."""
    chunks = {p.key: p.audio_in.pop_tick() for p in participants}
    heard = {k: c for k, c in chunks.items() if c is not None}
    for p in participants:
        p.audio_out.put(mix([c for k, c in heard.items() if k != p.key]))


def sender_stamp(frame: av.AudioFrame) -> int | None:
    """The sender's timestamp of a frame in samples at SAMPLE_RATE (aiortc: the RTP timestamp), if it has one."""
    if frame.pts is None or frame.time_base is None:
        return None
    return round(frame.pts * frame.time_base * SAMPLE_RATE)
