"""The room's outgoing video: the grid encoded to VP8 once per frame, the same packets for everyone.

Every participant receives the same grid, so encoding it once per participant (what aiortc
does with a track of frames) multiplied the dearest step of the room by its size. Here the
room's clock thread encodes each grid frame once (`SharedVideo.encode`) and every
`RoomVideoTrack` hands the resulting packets to its RTCRtpSender, which only packetizes them
(aiortc's `Vp8Encoder.pack`: `bytes(packet)`, with `packet.pts` in `packet.time_base`).

Use with any aiortc RTCPeerConnection::

    pc.addTrack(RoomVideoTrack(room))   # room: anything with a `video_out: SharedVideo`
    force_vp8(pc)                       # the packets are VP8: nothing else may be negotiated

`force_vp8` works before or after `setRemoteDescription` (an answerer usually calls it after).

A receiver that starts late, or falls behind, waits for a keyframe and asks for one; besides,
there is one every KEYFRAME_SECONDS. aiortc's sender does not pass a browser's keyframe
request (PLI) on to a track, so a receiver that lost a packet waits at most that long.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

import av
import numpy as np
from aiortc import RTCPeerConnection, RTCRtpSender, RTCRtpTransceiver
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcpeerconnection import filter_preferred_codecs

log = logging.getLogger("visio.room")

BITRATE = 600_000  # bit/s for the 640×480 grid: names stay readable, faces a little soft
KEYFRAME_SECONDS = 2.0
RTP_TIME_BASE = Fraction(1, 90_000)  # the video clock of RTP, what aiortc converts packet times to
LAG_LIMIT = 15  # frames a receiver may have waiting (1.2 s at FPS); beyond, it skips to the next keyframe


@dataclass(frozen=True)
class EncodedFrame:
    data: bytes
    pts: int  # in RTP_TIME_BASE
    keyframe: bool


class SharedVideo:
    """One VP8 encoder for a room's grid; its frames go to every subscribed track."""

    def __init__(self, fps: float | Fraction, bitrate: int = BITRATE) -> None:
        self.fps = fps
        self.bitrate = bitrate
        self._codec: av.video.codeccontext.VideoCodecContext | None = None
        self._tracks: set[RoomVideoTrack] = set()
        self._lock = threading.Lock()
        self._keyframe_wanted = False
        self._origin: float | None = None
        self._last_pts = -1
        self.frames = 0  # encoded so far (the bench and tests read it)

    @property
    def receiving(self) -> bool:
        """Whether anyone receives: with no track, the room does not encode at all."""
        return bool(self._tracks)

    def request_keyframe(self) -> None:
        self._keyframe_wanted = True

    def encode(self, yuv: np.ndarray, now: float) -> None:
        """Encode one grid frame (yuv420p planes, H*3/2 × W) taken at `now` seconds and hand it out."""
        with self._lock:
            tracks = list(self._tracks)
        if not tracks:
            return
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")  # a frame of our own (see grid.py)
        if self._origin is None:
            self._origin = now
        pts = max(self._last_pts + 1, round((now - self._origin) / RTP_TIME_BASE))
        self._last_pts = pts
        frame.pts, frame.time_base = pts, RTP_TIME_BASE
        if self._keyframe_wanted:
            self._keyframe_wanted = False
            frame.pict_type = av.video.frame.PictureType.I
        codec = self._codec_for(frame.width, frame.height)
        for packet in codec.encode(frame):
            encoded = EncodedFrame(bytes(packet), pts, packet.is_keyframe)
            self.frames += 1
            for track in tracks:
                track._deliver_threadsafe(encoded)

    def _codec_for(self, width: int, height: int) -> av.video.codeccontext.VideoCodecContext:
        if self._codec is None or (self._codec.width, self._codec.height) != (width, height):
            codec = av.CodecContext.create("libvpx", "w")
            assert isinstance(codec, av.video.codeccontext.VideoCodecContext)
            codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
            codec.time_base = RTP_TIME_BASE
            codec.bit_rate = self.bitrate
            codec.gop_size = int(KEYFRAME_SECONDS * self.fps)
            codec.qmin, codec.qmax = 2, 56
            # aiortc's own realtime VP8 settings (codecs/vpx.py), what every participant got before,
            # at a fixed bitrate (aiortc follows each receiver's estimate; one encoder cannot) and
            # without the denoiser: the grid is made of already decoded, scaled pictures.
            codec.options = {
                "deadline": "realtime",
                "cpu-used": "-6",
                "lag-in-frames": "0",  # a frame out for every frame in: no added latency
                "bufsize": str(self.bitrate),
                "minrate": str(self.bitrate),
                "maxrate": str(self.bitrate),
                "undershoot-pct": "100",
                "overshoot-pct": "15",
                "static-thresh": "1",
                "noise-sensitivity": "0",
                "partitions": "0",
            }
            codec.thread_count = 1  # 640×480 gains little from threads, and the cores are shared
            self._codec = codec
            self._keyframe_wanted = False  # a new encoder starts with one anyway
        return self._codec

    def _subscribe(self, track: RoomVideoTrack) -> None:
        with self._lock:
            self._tracks.add(track)
        self.request_keyframe()  # the newcomer can decode nothing before one

    def _unsubscribe(self, track: RoomVideoTrack) -> None:
        with self._lock:
            self._tracks.discard(track)


class HasVideoOut(Protocol):
    @property
    def video_out(self) -> SharedVideo: ...


class RoomVideoTrack(MediaStreamTrack):
    """An outgoing video track of the room's shared packets, one per receiving peer connection.

    `recv()` returns `av.Packet`s (VP8): negotiate VP8 with `force_vp8`. The track subscribes on
    its first `recv()`, on the event loop that runs its connection.
    """

    kind = "video"

    def __init__(self, room: HasVideoOut | SharedVideo) -> None:
        super().__init__()
        self._source = room if isinstance(room, SharedVideo) else room.video_out
        self._queue: asyncio.Queue[EncodedFrame] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting_keyframe = True
        self.skipped = 0  # frames dropped while waiting for a keyframe (late start, or too far behind)

    async def recv(self) -> av.Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        if self._queue is None:
            self._loop = asyncio.get_running_loop()
            self._queue = asyncio.Queue()
            self._source._subscribe(self)
        while True:
            encoded = await self._queue.get()
            if self.readyState != "live":
                raise MediaStreamError
            if self._waiting_keyframe and not encoded.keyframe:
                self.skipped += 1
                continue
            self._waiting_keyframe = False
            packet = av.Packet(encoded.data)  # a packet object per receiver, the bytes shared
            packet.pts, packet.dts, packet.time_base = encoded.pts, encoded.pts, RTP_TIME_BASE
            return packet

    def stop(self) -> None:
        self._source._unsubscribe(self)
        super().stop()
        if self._queue is not None and self._loop is not None and not self._loop.is_closed():
            # wake a pending recv() so its sender ends
            self._loop.call_soon_threadsafe(self._queue.put_nowait, EncodedFrame(b"", 0, True))

    def _deliver_threadsafe(self, encoded: EncodedFrame) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            self._source._unsubscribe(self)
            return
        try:
            loop.call_soon_threadsafe(self._deliver, encoded)
        except RuntimeError:  # the loop closed meanwhile
            self._source._unsubscribe(self)

    def _deliver(self, encoded: EncodedFrame) -> None:
        assert self._queue is not None
        if self._queue.qsize() >= LAG_LIMIT:
            # Its connection cannot keep up: what is queued is already late. Start again from a keyframe.
            while not self._queue.empty():
                self._queue.get_nowait()
            self._waiting_keyframe = True
            self._source.request_keyframe()
        self._queue.put_nowait(encoded)


def _vp8_preferences() -> list[object]:
    return [c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType.lower() in ("video/vp8", "video/rtx")]


def force_vp8(target: RTCPeerConnection | RTCRtpTransceiver) -> None:
    """Make VP8 the only video codec of a connection (all its video transceivers) or of one transceiver.

    Before `setRemoteDescription` the preference is enough; after it (an answerer that has just
    read the offer) the codecs already agreed for the answer are narrowed too. ValueError when
    the remote side offered no VP8: the shared packets could not be sent to it.
    """
    transceivers = target.getTransceivers() if isinstance(target, RTCPeerConnection) else [target]
    preferences = _vp8_preferences()
    for transceiver in transceivers:
        if transceiver.kind != "video":
            continue
        transceiver.setCodecPreferences(preferences)  # type: ignore[arg-type]
        negotiated = transceiver._codecs  # aiortc builds the answer from these (pinned aiortc 1.16)
        if negotiated:
            kept = filter_preferred_codecs(negotiated, transceiver._preferred_codecs)
            if not kept:
                raise ValueError("the remote side offered no VP8 video")
            transceiver._codecs = kept
