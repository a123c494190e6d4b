"""The mix a call sends: Opus packets encoded by the room (mono, 40 ms each), timed by their ticks;
and the answer asks the browser for the same packet length."""

from __future__ import annotations

import asyncio
from fractions import Fraction

import av
import numpy as np

from tests.room.conftest import dominant_frequency, tone
from visio_core.adapters.embedded_room.call_link import MixTrack, with_ptime


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

    packets = asyncio.run(take(25))
    assert [p.pts for p in packets] == [n * 1920 for n in range(25)]  # one packet per two 20 ms ticks
    assert all(p.time_base == Fraction(1, 48_000) for p in packets)
    assert 120 < np.mean([p.size for p in packets]) < 400  # ≈ 48 kbit/s, not aiortc's 96 kbit/s stereo

    decoder = av.CodecContext.create("libopus", "r")
    frames = [f for p in packets for f in decoder.decode(p)]
    heard = np.concatenate([f.to_ndarray().reshape(-1, len(f.layout.channels))[:, 0] for f in frames])
    assert heard.size >= 45 * 960 and mixes.ticks == 50
    assert abs(dominant_frequency(heard[10 * 960:]) - 440) < 5


def test_the_answer_asks_for_40_ms_packets_in_its_audio_section_only() -> None:
    answer = "\r\n".join([
        "v=0", "m=video 9 UDP/TLS/RTP/SAVPF 97", "a=rtpmap:97 VP8/90000",
        "m=audio 9 UDP/TLS/RTP/SAVPF 96 0", "a=rtpmap:96 opus/48000/2", "a=rtpmap:0 PCMU/8000", "",
    ])
    lines = with_ptime(answer).split("\r\n")
    assert lines.count("a=ptime:40") == 1 and lines[lines.index("a=rtpmap:96 opus/48000/2") + 1] == "a=ptime:40"
    assert with_ptime(answer).replace("a=ptime:40\r\n", "") == answer
