"""The room's grid encoded once and sent as the same VP8 packets to every peer, over real aiortc connections.

Each receiver is an aiortc RTCPeerConnection on loopback that decodes what it gets: the frames
must show the grid (each participant's tile in his camera's colour). The receivers offer H.264
first, so VP8 is there only because the room's side forces it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import av
import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from visio_core.adapters.embedded_room import grid
from visio_core.adapters.embedded_room.room import Room
from visio_core.adapters.embedded_room.video_out import RoomVideoTrack, force_vp8

RED = (200, 40, 40)
BLUE = (40, 60, 200)


def camera(colour: tuple[int, int, int]) -> av.VideoFrame:
    image = np.empty((480, 640, 3), dtype=np.uint8)
    image[:] = colour
    return av.VideoFrame.from_ndarray(image, format="rgb24")


class WatchedTrack(RoomVideoTrack):
    """The room's track, keeping what it handed to its sender."""

    def __init__(self, room: Room) -> None:
        super().__init__(room)
        self.sent: list[tuple[int, bytes]] = []

    async def recv(self) -> av.Packet[Any]:
        packet = await super().recv()
        self.sent.append((int(packet.pts), bytes(packet)))
        return packet


def is_keyframe(vp8: bytes) -> bool:
    return vp8[0] & 1 == 0  # VP8 frame tag: bit 0 is 0 on a key frame (RFC 6386 §9.1)


def video_codecs(sdp: str) -> list[str]:
    lines = sdp.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("m=video"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("m=")), len(lines))
    return [line.split(" ", 1)[1].split("/")[0] for line in lines[start:end] if line.startswith("a=rtpmap:")]


async def receiver(
    room: Room, servers: list[RTCPeerConnection]
) -> tuple[RTCPeerConnection, MediaStreamTrack, WatchedTrack, str]:
    """A peer that receives the room's video: it offers (H.264 preferred), the room's side answers."""
    client = RTCPeerConnection()
    transceiver = client.addTransceiver("video", direction="recvonly")
    codecs = RTCRtpReceiver.getCapabilities("video").codecs
    transceiver.setCodecPreferences(sorted(codecs, key=lambda c: c.mimeType.lower() != "video/h264"))
    await client.setLocalDescription(await client.createOffer())
    assert video_codecs(client.localDescription.sdp)[0] == "H264"

    server = RTCPeerConnection()
    servers.append(server)
    await server.setRemoteDescription(client.localDescription)
    track = WatchedTrack(room)
    server.addTrack(track)
    force_vp8(server)  # after reading the offer, as an answering call route does
    await server.setLocalDescription(await server.createAnswer())
    answer = server.localDescription.sdp
    await client.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    return client, transceiver.receiver.track, track, answer


async def decoded(track: MediaStreamTrack, count: int = 5) -> np.ndarray:
    """The `count`-th decoded frame (the first ones may still show the previous grid)."""
    frame = None
    for _ in range(count):
        frame = await asyncio.wait_for(track.recv(), timeout=30)
    assert isinstance(frame, av.VideoFrame)
    return frame.to_ndarray(format="rgb24")


def tile_colour(rgb: np.ndarray, x: int) -> np.ndarray:
    """Mean colour of the middle of the tile whose left edge is x (two tiles side by side)."""
    top = grid.TILE_H // 2
    return rgb[top + 40 : top + 140, x + 60 : x + 260].reshape(-1, 3).mean(axis=0)


def tile_colour_alone(rgb: np.ndarray) -> np.ndarray:
    """Mean colour of the middle of the canvas (one participant fills it)."""
    return rgb[grid.HEIGHT // 2 - 60 : grid.HEIGHT // 2 + 60, 200:440].reshape(-1, 3).mean(axis=0)


async def run_call(room: Room) -> None:
    stop = asyncio.Event()

    async def cameras() -> None:  # two participants keep sending their camera
        while not stop.is_set():
            room.push_video("ana", camera(RED))
            room.push_video("bob", camera(BLUE))
            await asyncio.sleep(0.05)

    feeding = asyncio.ensure_future(cameras())
    servers: list[RTCPeerConnection] = []
    clients: list[RTCPeerConnection] = []
    try:
        await asyncio.sleep(0.3)
        first = await receiver(room, servers)
        second = await receiver(room, servers)
        clients += [first[0], second[0]]
        for _, track, _, answer in (first, second):
            assert set(video_codecs(answer)) <= {"VP8", "rtx"} and "VP8" in video_codecs(answer)
            rgb = await decoded(track)
            assert np.abs(tile_colour(rgb, 0) - RED).max() < 25, tile_colour(rgb, 0)
            assert np.abs(tile_colour(rgb, grid.TILE_W) - BLUE).max() < 25, tile_colour(rgb, grid.TILE_W)

        await asyncio.sleep(2.5)  # well past the first keyframe
        encoded_before = room.video_out.frames
        late = await receiver(room, servers)
        clients.append(late[0])
        rgb = await decoded(late[1])
        assert np.abs(tile_colour(rgb, 0) - RED).max() < 25
        assert np.abs(tile_colour(rgb, grid.TILE_W) - BLUE).max() < 25
        await asyncio.sleep(0.5)

        a, b, c = first[2], second[2], late[2]
        # The late joiner started on a keyframe made for it, which the others received too: one encoder.
        assert is_keyframe(c.sent[0][1])
        assert c.sent[0] in a.sent and c.sent[0] in b.sent
        key_index = a.sent.index(c.sent[0])
        assert key_index > 20  # mid-stream: forced when he joined, not the stream's first
        # From there on the three got the very same packets.
        common = min(len(a.sent) - key_index, len(c.sent)) - 2
        assert common > 5
        assert a.sent[key_index : key_index + common] == c.sent[:common]
        assert b.sent[b.sent.index(c.sent[0]) :][:common] == c.sent[:common]
        # One encode per grid frame, not one per receiver.
        encoded = room.video_out.frames - encoded_before
        assert encoded <= len(c.sent) + 15, (encoded, len(c.sent))
    finally:
        stop.set()
        await feeding
        for pc in clients + servers:
            await pc.close()


def test_every_receiver_decodes_the_same_vp8_packets_and_a_late_one_starts_on_a_keyframe(tmp_path):
    room = Room(uuid.uuid4(), tmp_path / "meeting.mp4")
    for key in ("ana", "bob"):
        room.admit(key, uuid.uuid4(), key.title())
    try:
        asyncio.run(run_call(room))
    finally:
        room.close()
    assert not room.video_out.receiving  # closed connections stopped their tracks


def test_force_vp8_refuses_an_offer_without_vp8():
    async def run() -> None:
        client = RTCPeerConnection()
        transceiver = client.addTransceiver("video", direction="recvonly")
        h264 = [c for c in RTCRtpReceiver.getCapabilities("video").codecs if c.mimeType.lower() == "video/h264"]
        transceiver.setCodecPreferences(h264)
        await client.setLocalDescription(await client.createOffer())
        server = RTCPeerConnection()
        try:
            await server.setRemoteDescription(client.localDescription)
            with pytest.raises(ValueError, match="VP8"):
                force_vp8(server)
        finally:
            await client.close()
            await server.close()

    asyncio.run(run())


def test_nothing_is_encoded_while_nobody_receives(tmp_path):
    room = Room(uuid.uuid4(), tmp_path / "meeting.mp4")
    room.admit("ana", uuid.uuid4(), "Ana")
    try:
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            room.push_video("ana", camera(RED))
            time.sleep(0.05)
        rgb = room.grid_frame().to_ndarray(format="rgb24")
        assert np.abs(tile_colour_alone(rgb) - RED).max() < 8  # the room's clock ran: it composed her tile
        assert room.video_out.frames == 0
    finally:
        room.close()


def test_force_vp8_also_works_before_the_offer_is_read():
    async def run() -> None:
        client = RTCPeerConnection()
        transceiver = client.addTransceiver("video", direction="recvonly")
        codecs = RTCRtpReceiver.getCapabilities("video").codecs
        transceiver.setCodecPreferences(sorted(codecs, key=lambda c: c.mimeType.lower() != "video/h264"))
        await client.setLocalDescription(await client.createOffer())
        server = RTCPeerConnection()
        try:
            server.addTransceiver("video", direction="sendonly")
            force_vp8(server)  # an answerer that prepares its transceiver first
            await server.setRemoteDescription(client.localDescription)
            await server.setLocalDescription(await server.createAnswer())
            assert video_codecs(server.localDescription.sdp) == ["VP8", "rtx"]
            assert len(server.getTransceivers()) == 1  # the offer's video went to the prepared transceiver
        finally:
            await client.close()
            await server.close()

    asyncio.run(run())
