"""Real WebRTC calls into a Room without a browser: aiortc peers on loopback.

The room's side is what a call route does (the screen share's `screen_link.py` does the same
for screens): an aiortc connection per participant whose incoming tracks feed
`room.push_audio` / `room.push_video`, and whose outgoing tracks are the participant's mix and
the room's shared grid. The participant's side sends known audio in real time and a camera.
"""

from __future__ import annotations

import asyncio
import fractions
import time
from multiprocessing.connection import Connection
from typing import Any

import av
import numpy as np
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack

from visio_core.adapters.embedded_room.audio import SAMPLE_RATE, SAMPLES_PER_TICK, to_frame
from visio_core.adapters.embedded_room.room import Room
from visio_core.adapters.embedded_room.video_out import RoomVideoTrack, force_vp8

AUDIO_TIME_BASE = fractions.Fraction(1, SAMPLE_RATE)


class PacedAudioTrack(MediaStreamTrack):
    """20 ms frames at the pace of the wall clock (a late loop catches up in a burst, as a network does)."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._start: float | None = None
        self._sent = 0

    def samples(self, start: int) -> np.ndarray:
        raise NotImplementedError

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            await asyncio.sleep(self._start + self._sent / SAMPLE_RATE - time.monotonic())
        frame = to_frame(self.samples(self._sent), pts=self._sent)
        frame.time_base = AUDIO_TIME_BASE
        self._sent += SAMPLES_PER_TICK
        return frame


class Microphone(PacedAudioTrack):
    """A quiet floor until told to start, then a known signal (mono s16 48 kHz), then the floor again."""

    def __init__(self, signal: np.ndarray) -> None:
        super().__init__()
        self.signal = signal
        self.start_at: float | None = None  # time.monotonic() (system-wide) when the signal begins
        self._offset: int | None = None
        self._floor = np.random.default_rng().normal(0, 16, SAMPLES_PER_TICK).astype(np.int16)

    def samples(self, start: int) -> np.ndarray:
        if self._offset is None:
            if self.start_at is None or time.monotonic() < self.start_at:
                return self._floor
            self._offset = start
        chunk = self.signal[start - self._offset : start - self._offset + SAMPLES_PER_TICK]
        return np.concatenate([chunk, self._floor[: SAMPLES_PER_TICK - chunk.size]])

    @property
    def finished(self) -> bool:
        return self._offset is not None and self._sent - self._offset >= self.signal.size


class Camera(VideoStreamTrack):
    """A plain-colour camera (320×240, aiortc's 30 fps pacing)."""

    def __init__(self, colour: tuple[int, int, int]) -> None:
        super().__init__()
        self._image = np.empty((240, 320, 3), dtype=np.uint8)
        self._image[:] = colour

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame.from_ndarray(self._image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class MixTrack(PacedAudioTrack):
    """The room's everyone-but-me mix for one participant."""

    def __init__(self, room: Room, key: str) -> None:
        super().__init__()
        self._room, self._key = room, key

    def samples(self, start: int) -> np.ndarray:
        return self._room.audio_for(self._key)


async def _drain(track: MediaStreamTrack) -> None:
    try:
        while True:
            await track.recv()
    except MediaStreamError:
        pass


async def _feed(room: Room, key: str, track: MediaStreamTrack) -> None:
    push = room.push_audio if track.kind == "audio" else room.push_video
    try:
        while True:
            push(key, await track.recv())  # type: ignore[arg-type]
    except MediaStreamError:
        pass


async def answer(room: Room, key: str, offer_sdp: str) -> tuple[str, RTCPeerConnection, list[asyncio.Future[Any]]]:
    """The room's side of a participant's call: feed the room with what arrives, send his mix and the grid."""
    tasks: list[asyncio.Future[Any]] = []
    server = RTCPeerConnection()

    @server.on("track")
    def received(track: MediaStreamTrack) -> None:
        tasks.append(asyncio.ensure_future(_feed(room, key, track)))

    await server.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
    server.addTrack(MixTrack(room, key))
    server.addTrack(RoomVideoTrack(room))
    force_vp8(server)
    await server.setLocalDescription(await server.createAnswer())
    return server.localDescription.sdp, server, tasks


def participant(connection: Connection, signal: np.ndarray, colour: tuple[int, int, int]) -> None:
    """A participant in a process of his own, as a browser is: sends `signal` and a camera, then hangs up.

    Talks over `connection`: sends his offer, receives the answer then the time his signal starts
    (time.monotonic, the same clock in every process), sends "done" once it is sent, and closes
    when told "bye"."""
    asyncio.run(_participant(connection, signal, colour))


async def _next(connection: Connection) -> object:
    while not connection.poll():  # polled: a blocked read would keep the process alive after its parent
        await asyncio.sleep(0.05)
    return connection.recv()


async def _participant(connection: Connection, signal: np.ndarray, colour: tuple[int, int, int]) -> None:
    microphone = Microphone(signal)
    client = RTCPeerConnection()
    client.addTrack(microphone)
    client.addTrack(Camera(colour))
    tasks: list[asyncio.Future[Any]] = []

    @client.on("track")
    def heard(track: MediaStreamTrack) -> None:
        tasks.append(asyncio.ensure_future(_drain(track)))  # what the participant hears and sees

    await client.setLocalDescription(await client.createOffer())
    connection.send(client.localDescription.sdp)
    answer_sdp = await _next(connection)
    assert isinstance(answer_sdp, str)
    await client.setRemoteDescription(RTCSessionDescription(sdp=answer_sdp, type="answer"))
    start_at = await _next(connection)  # everyone's common start
    assert isinstance(start_at, float)
    microphone.start_at = start_at
    while not microphone.finished:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # the last packets travel
    connection.send("done")
    await _next(connection)
    await client.close()
    for task in tasks:
        task.cancel()
