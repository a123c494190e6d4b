"""Benchmark: how long a sound takes through the embedded room, from one participant's microphone
to the mix another participant receives (the room's share of mouth-to-ear delay).

Two aiortc peers call a real Room through the call route's own code (`CallLinks.answer`), on
loopback. The speaker sends Opus packets of the length the room's answer asks for (a=ptime), as
a browser does: a packet leaves once its last sample is captured. Five 200 ms bursts of 1 kHz
tone; the listener notes when each burst's first loud sample reaches him. The listener's own
jitter buffer is cut to one packet (a browser's NetEq adapts to a quiet network the same way),
so the figure is: packetization up + the room's receive buffering + its mixing + packetization down.

Run: .venv/bin/python bench/room_audio_delay.py   (prints the delays in ms and their median)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.room.call_peers import Camera  # noqa: E402
from visio_core.adapters.embedded_room import call_link  # noqa: E402
from visio_core.adapters.embedded_room.audio import SAMPLE_RATE, level_dbfs  # noqa: E402
from visio_core.adapters.embedded_room.room import Room  # noqa: E402

BURSTS, BURST_SECONDS, EVERY_SECONDS, SETTLE_SECONDS = 5, 0.2, 1.5, 3.0
LOUD_DBFS = -30.0


def ptime_ms(sdp: str) -> int:
    """The packet length the room's answer asks for (20 ms when it says nothing)."""
    for line in sdp.splitlines():
        if line.startswith("a=ptime:"):
            return int(line.split(":")[1])
    return 20


class PacketMicrophone(MediaStreamTrack):
    """Opus packets of `ptime` ms, each sent once its last sample is captured; bursts of tone on cue."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.ptime = 20
        self.bursts: list[float] = []  # time.monotonic() of each burst's first sample
        self._encoder: av.AudioCodecContext | None = None
        self._start: float | None = None
        self._count = 0
        self._burst_left = 0

    async def recv(self) -> av.Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        size = SAMPLE_RATE * self.ptime // 1000
        if self._encoder is None:
            self._encoder = call_link.opus_encoder()  # the room's own: packets of PTIME_MS, what the answer asks
            self._start = time.monotonic()
        assert self._start is not None
        captured_at = self._start + self._count * size / SAMPLE_RATE  # first sample of this packet
        await asyncio.sleep(max(0.0, captured_at + size / SAMPLE_RATE - time.monotonic()))
        samples = np.zeros(size, dtype=np.int16)
        if (
            self._burst_left == 0
            and len(self.bursts) < BURSTS
            and captured_at - self._start >= SETTLE_SECONDS + EVERY_SECONDS * len(self.bursts)
        ):
            self.bursts.append(captured_at)
            self._burst_left = int(BURST_SECONDS * SAMPLE_RATE)
        if self._burst_left:
            n = min(size, self._burst_left)
            t = np.arange(n) / SAMPLE_RATE
            samples[:n] = (8000 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
            self._burst_left -= n
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts = SAMPLE_RATE, self._count * size
        self._count += 1
        packet = self._encoder.encode(frame)[-1]
        packet.pts, packet.time_base = frame.pts, Fraction(1, SAMPLE_RATE)
        return packet


async def listen(track: MediaStreamTrack, heard: list[float]) -> None:
    """Note when each burst's first loud sample arrives (the frame's arrival, plus its place in it)."""
    window = SAMPLE_RATE // 200  # 5 ms
    loud = False
    try:
        while True:
            frame = await track.recv()
            arrived = time.monotonic()
            samples = frame.to_ndarray().reshape(-1, len(frame.layout.channels))[:, 0]
            for start in range(0, samples.size - window + 1, window):
                now_loud = level_dbfs(samples[start : start + window]) > LOUD_DBFS
                if now_loud and not loud:  # a burst begins: heard when this window plays
                    heard.append(arrived - (samples.size - start) / SAMPLE_RATE)
                loud = now_loud
    except MediaStreamError:
        pass


async def measure(folder: Path) -> list[float]:
    room = Room(uuid.uuid4(), folder / "delay.mp4")
    links = call_link.CallLinks({})
    speaker, listener = PacketMicrophone(), PacketMicrophone()
    peers, heard, tasks = [], [], []
    for tab, microphone, colour in (("speaker", speaker, (200, 40, 40)), ("listener", listener, (40, 40, 200))):
        room.admit(tab, uuid.uuid4(), tab)
        pc = RTCPeerConnection()
        pc.addTrack(microphone)
        pc.addTrack(Camera(colour))
        if tab == "listener":

            @pc.on("track")
            def on_track(track: MediaStreamTrack) -> None:
                if track.kind == "audio":
                    tasks.append(asyncio.ensure_future(listen(track, heard)))

        await pc.setLocalDescription(await pc.createOffer())
        answer = await links.answer(room, tab, pc.localDescription.sdp)
        microphone.ptime = ptime_ms(answer)
        if microphone.ptime != call_link.PTIME_MS:
            raise RuntimeError(
                f"the answer asks for {microphone.ptime} ms packets, the room sends {call_link.PTIME_MS}"
            )
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        for transceiver in pc.getTransceivers():  # the listener's buffer holds one packet, as the room's does
            if transceiver.kind == "audio":
                call_link.hold_one_audio_packet(transceiver)
        peers.append(pc)
    await asyncio.sleep(SETTLE_SECONDS + EVERY_SECONDS * BURSTS + 1.0)
    for pc in peers:
        await pc.close()
    for task in tasks:
        task.cancel()
    room.close()
    print(f"packets of {speaker.ptime} ms; bursts sent {len(speaker.bursts)}, heard {len(heard)}")
    if len(heard) != len(speaker.bursts):
        raise RuntimeError("a burst was not heard, or a sound that was not sent was")
    return [1000 * (h - s) for s, h in zip(speaker.bursts, heard, strict=True)]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        delays = asyncio.run(measure(Path(tmp)))
    print("delays (ms):", ", ".join(f"{d:.0f}" for d in delays))
    print(f"median: {statistics.median(delays):.0f} ms")


if __name__ == "__main__":
    main()
