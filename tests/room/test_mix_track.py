"""The mix a call sends: Opus packets encoded by the room (mono, 60 ms each), timed by their ticks;
the answer asks the browser for the same packet length, and what the browser sends is mixed
after one packet, not aiortc's four."""

from __future__ import annotations

import asyncio
import uuid
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from tests.room.call_peers import Camera
from tests.room.conftest import dominant_frequency, tone
from visio_core.adapters.embedded_room.audio import SAMPLES_PER_TICK, to_frame
from visio_core.adapters.embedded_room.call_link import CallLinks, MixTrack, opus_encoder, with_ptime
from visio_core.adapters.embedded_room.room import Room


class Mixes:
    """The room side MixTrack reads: a 440 Hz tone for `tab`, tick after tick."""

    def __init__(self) -> None:
        self.ticks = 0

    def audio_for(self, key: str) -> np.ndarray:
        assert key == "tab"
        mono = tone(440, tick=self.ticks).to_ndarray().reshape(-1, 2)[:, 0].copy()
        self.ticks += 1
        return mono


def test_the_mix_goes_out_as_opus_packets_a_receiver_decodes_to_the_same_sound() -> None:
    mixes = Mixes()
    track = MixTrack(mixes, "tab")  # type: ignore[arg-type]  # what MixTrack needs of a Room

    async def take(count: int) -> list[av.Packet]:
        return [await track.recv() for _ in range(count)]

    packets = asyncio.run(take(17))
    assert [p.pts for p in packets] == [n * 2880 for n in range(17)]  # one packet per three 20 ms ticks
    assert all(p.time_base == Fraction(1, 48_000) for p in packets)
    assert 180 < np.mean([p.size for p in packets]) < 600  # ≈ 48 kbit/s, not aiortc's 96 kbit/s stereo

    decoder = av.CodecContext.create("libopus", "r")
    frames = [f for p in packets for f in decoder.decode(p)]
    heard = np.concatenate([f.to_ndarray().reshape(-1, len(f.layout.channels))[:, 0] for f in frames])
    assert heard.size >= 45 * 960 and mixes.ticks == 51
    assert abs(dominant_frequency(heard[10 * 960 :]) - 440) < 5


def test_the_answer_asks_for_60_ms_packets_in_its_audio_section_only() -> None:
    answer = "\r\n".join(
        [
            "v=0",
            "m=video 9 UDP/TLS/RTP/SAVPF 97",
            "a=rtpmap:97 VP8/90000",
            "m=audio 9 UDP/TLS/RTP/SAVPF 96 0",
            "a=rtpmap:96 opus/48000/2",
            "a=rtpmap:0 PCMU/8000",
            "",
        ]
    )
    lines = with_ptime(answer).split("\r\n")
    assert lines.count("a=ptime:60") == 1 and lines[lines.index("a=rtpmap:96 opus/48000/2") + 1] == "a=ptime:60"
    assert with_ptime(answer).replace("a=ptime:60\r\n", "") == answer


class SteppedMicrophone(MediaStreamTrack):
    """A browser's microphone sending one 60 ms Opus packet each time the test says so."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.go = asyncio.Queue[None]()
        self.sent = 0
        self._encoder = opus_encoder()

    async def recv(self) -> av.Packet:
        await self.go.get()
        frame = to_frame(np.zeros(3 * SAMPLES_PER_TICK, dtype=np.int16), pts=self.sent * 3 * SAMPLES_PER_TICK)
        packet = self._encoder.encode(frame)[-1]
        packet.pts, packet.time_base = frame.pts, Fraction(1, 48_000)
        self.sent += 1
        return packet


def test_the_room_hears_a_packet_when_the_next_one_arrives_not_four_later(tmp_path: Path) -> None:
    """aiortc holds each incoming audio packet until four more have come (a quarter of a second
    at 60 ms); the call lets it through after one, over a real connection."""

    async def call() -> list[tuple[int, int]]:
        room = Room(uuid.uuid4(), tmp_path / "room.mp4")
        room.admit("tab", uuid.uuid4(), "Claire")
        links = CallLinks({})
        microphone = SteppedMicrophone()
        browser = RTCPeerConnection()
        browser.addTrack(microphone)
        browser.addTrack(Camera((40, 40, 200)))
        await browser.setLocalDescription(await browser.createOffer())
        answer = await links.answer(room, "tab", browser.localDescription.sdp)
        await browser.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        seen = []
        try:
            for step in range(1, 9):
                microphone.go.put_nowait(None)
                for _ in range(250):  # the packet leaves (the first once connected), then what the room makes of it
                    await asyncio.sleep(0.02)
                    frames = room.roster()[0]["audio_frames"] if room.roster() else 0
                    if microphone.sent == step and frames >= step - 1:
                        break
                await asyncio.sleep(0.1)  # nothing more comes of it
                frames = room.roster()[0]["audio_frames"] if room.roster() else 0
                seen.append((microphone.sent, frames))
        finally:
            await browser.close()
            await links.leave(room, "tab")
            room.close()
        return seen

    seen = asyncio.run(call())
    assert seen == [(n, n - 1) for n in range(1, 9)], seen  # aiortc's default: (5, 1), (6, 2), …
