"""The server end of a tab's camera call: one aiortc connection per tab, answered in one HTTP request.

The page (ui/components/room_call) sends a complete offer (its ICE candidates gathered first:
aiortc has no trickle) with its camera and microphone; the answer sends back the room's grid
and the mix of everyone else. A page whose connection failed does not restart ICE (aiortc
cannot): it posts a new offer for the same tab, which replaces the old connection, and the
room keeps the tab's seat meanwhile.

How a call ends decides what happens to the seat:
- the page says it leaves (`leave`: "Quitter", or the page going away): the seat is free at once;
- media stops arriving for MEDIA_STOPPED, or the connection fails or closes by itself: the seat is
  kept for the room's RECONNECT_GRACE (`Room.lost`). Never a leave, even with media flowing a
  moment before: a page whose connection looks dead to it (nothing received for 3 s, a loaded
  server) closes it and offers anew, and its close arrives while its own media still flowed;
- a new offer replaced it, or the meeting ended: nothing more to say about the seat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import av
import numpy as np
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCRtpTransceiver, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from visio_core.adapters.embedded_room.audio import (
    PACKET_TICKS,
    SAMPLE_RATE,
    SAMPLES_PER_TICK,
    TICK_SECONDS,
    to_frame,
)
from visio_core.adapters.embedded_room.room import Room
from visio_core.adapters.embedded_room.video_out import RoomVideoTrack, force_vp8
from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import t

log = logging.getLogger("visio.room")

MAX_OFFER_CHARS = 32 * 1024  # a browser's audio + video offer is 5 to 10 kB
MEDIA_STOPPED = 3.0  # a live call sends an audio packet every 60 ms, muted or not: 3 s without any is a drop
WATCH_EVERY = 0.5


def check_call_offer(sdp: object) -> str:
    """The offer if it carries exactly one audio and one video stream; InvalidInput otherwise.

    Refused before aiortc sees it: an extra incoming track nobody reads would queue its frames."""
    if not isinstance(sdp, str) or not sdp.startswith("v=0") or len(sdp) > MAX_OFFER_CHARS:
        raise InvalidInput(t("room.call.bad_offer"))
    kinds = sorted(line.split(" ", 1)[0] for line in sdp.splitlines() if line.startswith("m="))
    if kinds != ["m=audio", "m=video"]:
        raise InvalidInput(t("room.call.bad_offer"))
    return sdp


def ice_configuration(rtc_configuration: dict[str, Any]) -> RTCConfiguration:
    servers = [
        RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
        for s in rtc_configuration.get("iceServers", [])
    ]
    return RTCConfiguration(iceServers=servers)


OPUS_TIME_BASE = Fraction(1, SAMPLE_RATE)
PTIME_MS = round(PACKET_TICKS * TICK_SECONDS * 1000)


class MixTrack(MediaStreamTrack):
    """Everyone but `tab`, as an Opus packet every PTIME_MS of wall clock.

    Encoded here rather than by aiortc's sender, which turns each frame into stereo and encodes
    it at 96 kbit/s on an executor thread (two thread switches a packet): speech in mono at
    48 kbit/s, CELT at complexity 5, costs a third of that (docs/PERFORMANCE.md) and the packet
    goes out from the event loop directly."""

    kind = "audio"

    def __init__(self, room: Room, tab: str) -> None:
        super().__init__()
        self._room = room
        self._tab = tab
        self._start: float | None = None
        self._count = 0
        self._encoder = opus_encoder()

    async def _next(self) -> int:
        """Wait for the next packet's time; its number since the start."""
        now = time.monotonic()
        interval = PACKET_TICKS * TICK_SECONDS
        if self._start is None:
            self._start = now
        else:
            self._count += 1
            delay = self._start + self._count * interval - now
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -1.0:  # far behind (a stalled loop): skip ahead instead of bursting
                self._start = now - self._count * interval
        return self._count

    async def recv(self) -> av.Packet[Any]:  # aiortc's senders take packets as well as frames
        while True:
            count = await self._next()
            ticks = [self._room.audio_for(self._tab) for _ in range(PACKET_TICKS)]
            frame = to_frame(np.concatenate(ticks), pts=count * PACKET_TICKS * SAMPLES_PER_TICK)
            packets = self._encoder.encode(frame)
            if packets:  # one per frame (libopus holds none back)
                packet = packets[-1]
                packet.pts, packet.time_base = count * PACKET_TICKS * SAMPLES_PER_TICK, OPUS_TIME_BASE
                return packet


def opus_encoder() -> av.AudioCodecContext:
    codec = av.CodecContext.create("libopus", "w")
    codec.bit_rate, codec.format, codec.layout = 48_000, "s16", "mono"
    codec.sample_rate, codec.time_base = SAMPLE_RATE, OPUS_TIME_BASE
    codec.options = {"application": "audio", "compression_level": "5", "frame_duration": str(PTIME_MS)}
    return codec


def with_ptime(answer: str) -> str:
    """The answer asking the browser to send PTIME_MS of audio a packet (Chromium's Opus encoder
    follows the remote description's a=ptime); nothing else changes."""
    lines = answer.split("\r\n")
    out: list[str] = []
    in_audio = False
    for line in lines:
        if line.startswith("m="):
            in_audio = line.startswith("m=audio")
        out.append(line)
        if in_audio and line.startswith("a=rtpmap:") and "opus/" in line.lower():
            out.append(f"a=ptime:{PTIME_MS}")
    return "\r\n".join(out)


def hold_one_audio_packet(transceiver: RTCRtpTransceiver) -> None:
    """Let the transceiver's incoming audio through after one packet instead of aiortc's four.

    aiortc's audio jitter buffer passes a packet on once four later ones have arrived: at 60 ms a
    packet, a quarter of a second of delay before the room even mixes it. The room keeps its own
    buffer against jitter (`JitterBuffer`, PACKET_TICKS + 1 ticks) and places the recording by
    timestamps, so one packet of reordering room is all this one needs to keep."""
    buffer = transceiver.receiver._RTCRtpReceiver__jitter_buffer  # type: ignore[attr-defined]  # pinned aiortc 1.16
    if buffer._prefetch < 1:
        raise RuntimeError("aiortc's audio jitter buffer is not what this was written for")
    buffer._prefetch = 1


def outgoing_tracks(room: Room, tab: str) -> tuple[MediaStreamTrack, MediaStreamTrack]:
    """What a tab's call sends: (video, audio). The video is the room's grid encoded once to VP8 for
    every receiver (video_out.py): the call must negotiate VP8 and nothing else (`force_vp8`)."""
    return RoomVideoTrack(room), MixTrack(room, tab)


@dataclass(eq=False)
class _Link:
    room: Room
    tab: str
    pc: RTCPeerConnection
    opened: float = field(default_factory=time.monotonic)
    media_at: float | None = None  # when this connection last brought a frame
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class CallLinks:
    """The open call connections of this process, one per (meeting, tab), on the loop that answered them."""

    def __init__(self, rtc_configuration: dict[str, Any]) -> None:
        self._configuration = rtc_configuration
        self._links: dict[tuple[uuid.UUID, str], _Link] = {}

    async def answer(self, room: Room, tab: str, offer_sdp: object) -> str:
        """Answer `tab`'s offer; it replaces the tab's previous connection. InvalidInput changes nothing."""
        offer = check_call_offer(offer_sdp)
        pc = RTCPeerConnection(configuration=ice_configuration(self._configuration))
        link = _Link(room, tab, pc)
        video, audio = outgoing_tracks(room, tab)
        # Made before the offer is applied, so aiortc answers with these tracks and this codec.
        force_vp8(pc.addTransceiver(video, direction="sendrecv"))
        hold_one_audio_packet(pc.addTransceiver(audio, direction="sendrecv"))

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            link.tasks.append(asyncio.ensure_future(self._receive(link, track)))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed"):
                await self._ended(link)

        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as error:  # noqa: BLE001 - aiortc raises assorted errors on SDP it cannot use
            log.info("room %s: call offer refused: %s", room.meeting_id, error)
            await pc.close()
            raise InvalidInput(t("room.call.bad_offer")) from None
        previous = self._links.get((room.meeting_id, tab))
        self._links[(room.meeting_id, tab)] = link
        if previous is not None:
            log.info("room %s: a participant's call reconnected on a new connection", room.meeting_id)
            await self._close(previous)
        link.tasks.append(asyncio.ensure_future(self._watch(link)))
        return with_ptime(pc.localDescription.sdp)

    async def leave(self, room: Room, tab: str) -> None:
        """The page left on purpose: free the seat and hang up."""
        room.leave(tab)
        link = self._links.pop((room.meeting_id, tab), None)
        if link is not None:
            await self._close(link)

    def _current(self, link: _Link) -> bool:
        return self._links.get((link.room.meeting_id, link.tab)) is link

    async def _receive(self, link: _Link, track: MediaStreamTrack) -> None:
        push = link.room.push_video if track.kind == "video" else link.room.push_audio
        try:
            while True:
                frame = await track.recv()
                if not self._current(link):
                    return  # replaced by the page's new connection, or left
                link.media_at = time.monotonic()
                push(link.tab, frame)  # type: ignore[arg-type]
        except MediaStreamError:
            await self._ended(link)  # the browser closed the connection, or it failed

    async def _watch(self, link: _Link) -> None:
        """Mark the seat lost once media stops (the network went away); hang up when the meeting ends."""
        while self._current(link):
            if link.room.closed:
                self._links.pop((link.room.meeting_id, link.tab), None)
                await self._close(link)
                return
            if time.monotonic() - (link.media_at or link.opened) > MEDIA_STOPPED and link.room.is_in(link.tab):
                link.room.lost(link.tab)  # once: a lost seat stays lost until media comes back
            await asyncio.sleep(WATCH_EVERY)

    async def _ended(self, link: _Link) -> None:
        """The connection ended by itself (not replaced, not left): the page will offer again, keep the seat."""
        if not self._current(link):
            return
        del self._links[(link.room.meeting_id, link.tab)]
        link.room.lost(link.tab)
        await self._close(link)

    @staticmethod
    async def _close(link: _Link) -> None:
        current = asyncio.current_task()
        for task in link.tasks:
            if task is not current:
                task.cancel()
        with contextlib.suppress(Exception):  # closing twice, or while aiortc tears down, is harmless
            await link.pc.close()

    @property
    def open_links(self) -> int:
        return len(self._links)
