"""The camera call's routes with a real aiortc peer as the page: it calls, receives the grid, sends,
drops, calls again and is back in its seat; and every bad request is refused and changes nothing."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from fractions import Fraction

import av
import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from tests.conftest import at
from tests.room.conftest import quiet, tone
from tests.room.route_support import cookie, post_json, until
from visio_core.adapters.embedded_room.call_link import MAX_OFFER_CHARS, MEDIA_STOPPED
from visio_core.adapters.sqlite.web_sessions import COOKIE
from visio_core.entrypoints.web import MAX_TAB_BODY


def post(client, meeting_id, path, body, cookies, **headers):
    return post_json(client, f"/api/rooms/{meeting_id}/call{path}", body, cookies, **headers)


class Camera(VideoStreamTrack):
    """A page's camera: a grey picture, until the network 'drops': then nothing is sent."""

    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page

    async def recv(self) -> av.VideoFrame:
        while self.page.cut:
            await asyncio.sleep(0.05)
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame.from_ndarray(np.full((480, 640, 3), 120, dtype=np.uint8), format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class Microphone(MediaStreamTrack):
    """A page's microphone: a tone every 20 ms of wall clock, until the network 'drops'."""

    kind = "audio"

    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page
        self.ticks = 0
        self.started: float | None = None

    async def recv(self) -> av.AudioFrame:
        while self.page.cut:
            await asyncio.sleep(0.05)
        if self.started is None:
            self.started = time.monotonic()
        delay = self.started + self.ticks * 0.02 - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -1:  # after a cut: carry on from now
            self.started = time.monotonic() - self.ticks * 0.02
        frame = tone(440, tick=self.ticks)
        frame.pts, frame.time_base = self.ticks * 960, Fraction(1, 48_000)
        self.ticks += 1
        return frame


class Page:
    """One page's call and its connection. (aiortc stops a track when its connection closes, where a
    browser keeps it: each connection here gets new track objects.)"""

    def __init__(self) -> None:
        self.cut = False  # the network 'dropped': nothing is sent
        self.pc: RTCPeerConnection | None = None
        self.received = {"video": 0, "audio": 0}
        self.sizes: set[tuple[int, int]] = set()

    async def offer(self) -> str:
        self.pc = RTCPeerConnection()
        self.pc.addTransceiver(Camera(self), direction="sendrecv")
        self.pc.addTransceiver(Microphone(self), direction="sendrecv")

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            asyncio.ensure_future(self._count(track))

        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def _count(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                self.received[track.kind] += 1
                if track.kind == "video":
                    self.sizes.add((frame.width, frame.height))
        except MediaStreamError:
            pass

    async def answered(self, response) -> None:
        assert response.status_code == 200, response.text
        await self.pc.setRemoteDescription(RTCSessionDescription(**response.json()))

    async def close(self) -> None:
        if self.pc is not None:
            await self.pc.close()


@pytest.fixture
def room(ctx, people, embedded, meeting):
    """The room page was opened by both: their tabs are admitted, nobody is seated yet."""
    room = embedded.room_for(ctx.meetings.enter_room(people.op1, meeting.id))
    for tab, who in (("op-tab", people.op1), ("client-tab", people.client_a)):
        room.admit(tab, who.id, who.display_name)
    yield room
    room.close()


def video_codecs(sdp: str) -> set[str]:
    video = sdp[sdp.index("m=video") :]
    video = video[: video.index("m=audio")] if "m=audio" in video else video
    return {name for name in re.findall(r"a=rtpmap:\d+ ([\w-]+)/", video)}


def test_a_page_calls_receives_the_grid_drops_calls_again_and_is_back_in_its_seat(
    ctx, people, embedded, meeting, room, client
):
    claire = cookie(ctx, people.client_a)
    ticket = room.ticket("client-tab")

    async def scenario() -> None:
        page = Page()
        try:
            answer = post(
                client, meeting.id, "", {"ticket": ticket, "type": "offer", "sdp": await page.offer()}, claire
            )
            assert video_codecs(answer.json()["sdp"]) == {"VP8", "rtx"}  # the one codec of the grid's encoder
            await page.answered(answer)

            def me():
                return next((p for p in room.roster() if p["name"] == "Client A"), None)

            await until(
                lambda: (me() or {}).get("video_frames", 0) > 10 and me()["audio_frames"] > 50,
                "the room receives her camera and microphone",
                state=room.roster,
            )
            await until(
                lambda: page.received["video"] > 10 and page.received["audio"] > 50,
                "she receives the grid and the mix",
                state=lambda: page.received,
            )
            assert page.sizes == {(640, 480)}
            assert me()["audio_level_dbfs"] > -30 and me()["connected"] and embedded.calls.open_links == 1

            # The network drops: nothing arrives any more; the server marks the seat lost, and keeps it.
            page.cut = True
            dropped = time.monotonic()
            await until(lambda: room.is_lost("client-tab"), "the server sees the call drop", timeout=MEDIA_STOPPED + 5)
            print(f"seat marked lost {time.monotonic() - dropped:.1f} s after the media stopped")
            await page.close()  # the page gives the dead connection up, without leaving
            await asyncio.sleep(1.5)
            assert [(p["name"], p["connected"]) for p in room.roster()] == [("Client A", False)]

            # The page negotiates a new connection with the same tracks: the same seat comes back.
            frames = me()["video_frames"]
            page.cut = False
            answer = post(
                client, meeting.id, "", {"ticket": ticket, "type": "offer", "sdp": await page.offer()}, claire
            )
            await page.answered(answer)
            await until(
                lambda: (me() or {}).get("connected") and me()["video_frames"] > frames + 10,
                "she is back in her seat",
                state=room.roster,
            )
            assert len(room.roster()) == 1 and embedded.calls.open_links == 1

            # Her page gives up a connection while its media still flows (it heard nothing for 3 s):
            # the server sees the connection close, which is no leave: the seat is kept.
            await page.close()
            await until(
                lambda: room.is_lost("client-tab") and embedded.calls.open_links == 0,
                "the closed connection marks the seat lost",
                state=room.roster,
            )
            assert [(p["name"], p["connected"]) for p in room.roster()] == [("Client A", False)]

            # "Quitter": the seat is free at once and the connection hung up.
            left = post(client, meeting.id, "/leave", {"ticket": ticket}, claire)
            assert left.status_code == 204
            assert room.roster() == [] and embedded.calls.open_links == 0
        finally:
            await page.close()

    asyncio.run(scenario())


def test_a_new_offer_replaces_the_live_connection_and_the_end_of_the_meeting_hangs_up(
    ctx, people, embedded, meeting, room, client
):
    mikl = cookie(ctx, people.op1)
    ticket = room.ticket("op-tab")

    async def scenario() -> None:
        first, second = Page(), Page()
        try:
            await first.answered(post(client, meeting.id, "", {"ticket": ticket, "sdp": await first.offer()}, mikl))
            await until(lambda: first.received["video"] > 5, "the first connection is up")
            # A second offer for the same tab (the page reconnecting while the old one still lingers).
            await second.answered(post(client, meeting.id, "", {"ticket": ticket, "sdp": await second.offer()}, mikl))
            await until(lambda: second.received["video"] > 5, "the second connection is up")
            assert embedded.calls.open_links == 1 and len(room.roster()) == 1 and room.roster()[0]["connected"]
            received = first.received["video"]
            await asyncio.sleep(1)
            assert first.received["video"] <= received + 2  # the old one was hung up by the server

            ctx.meetings.end_meeting(people.op1, meeting.id)
            await until(lambda: embedded.calls.open_links == 0, "the meeting's end hangs the call up")
        finally:
            await first.close()
            await second.close()

    asyncio.run(scenario())
    embedded.settle(30)


SDP_AUDIO = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
SDP_VIDEO = SDP_AUDIO.replace("m=audio", "m=video")
SDP_THREE = SDP_AUDIO + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
SDP_BROKEN = SDP_AUDIO + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=nonsense\r\n"


def test_bad_call_requests_get_a_clear_answer_and_change_nothing(ctx, people, embedded, meeting, room, client):
    op, claire = cookie(ctx, people.op1), cookie(ctx, people.client_a)
    mine = room.ticket("client-tab")
    other = ctx.meetings.start_meeting(
        people.op1,
        ctx.meetings.create_meeting(people.op1, client_id=people.client_a.id, title="Autre", scheduled_at=at()).id,
    )
    planned = ctx.meetings.create_meeting(
        people.op1, client_id=people.client_a.id, title="Plus tard", scheduled_at=at()
    )
    good = asyncio.run(_offer_only())
    cases = [
        # (meeting, body, cookies, headers, status, message)
        (meeting.id, b"x" * (MAX_TAB_BODY + 1), claire, {}, 413, "trop volumineuse"),
        (meeting.id, {"ticket": mine, "sdp": good}, claire, {"content-type": "text/plain"}, 415, "JSON"),
        (meeting.id, {"ticket": mine, "sdp": good}, claire, {"origin": "https://evil.example"}, 403, "ne vient pas"),
        (meeting.id, {"ticket": mine, "sdp": good}, claire, {"sec-fetch-site": "cross-site"}, 403, "ne vient pas"),
        (meeting.id, b"{not json", claire, {}, 400, "illisible"),
        (meeting.id, b"[1, 2]", claire, {}, 400, "illisible"),
        (meeting.id, {"sdp": good}, claire, {}, 400, "illisible"),
        (meeting.id, {"ticket": 42, "sdp": good}, claire, {}, 400, "illisible"),
        (meeting.id, {"ticket": mine, "sdp": good}, {}, {}, 401, "Connectez-vous"),
        (meeting.id, {"ticket": mine, "sdp": good}, {COOKIE: "forged-session"}, {}, 401, "Connectez-vous"),
        (meeting.id, {"ticket": "forged", "sdp": good}, claire, {}, 403, "pas admis"),
        (meeting.id, {"ticket": mine, "sdp": good}, op, {}, 403, "pas admis"),  # her tab, his cookie
        (other.id, {"ticket": mine, "sdp": good}, claire, {}, 403, "pas admis"),  # her ticket, another room
        (planned.id, {"ticket": mine, "sdp": good}, claire, {}, 409, "pas en cours"),
        (uuid.uuid4(), {"ticket": mine, "sdp": good}, claire, {}, 404, None),
        (meeting.id, {"ticket": mine, "sdp": good}, cookie(ctx, people.analyst), {}, 403, None),
        (meeting.id, {"ticket": mine, "sdp": good}, cookie(ctx, people.client_b), {}, 404, None),
        (meeting.id, {"ticket": mine, "sdp": good, "type": "answer"}, claire, {}, 400, "Demande d'appel illisible"),
        (meeting.id, {"ticket": mine}, claire, {}, 400, "Demande d'appel illisible"),
        (meeting.id, {"ticket": mine, "sdp": 12}, claire, {}, 400, "Demande d'appel illisible"),
        (meeting.id, {"ticket": mine, "sdp": "hello"}, claire, {}, 400, "Demande d'appel illisible"),
        (meeting.id, {"ticket": mine, "sdp": SDP_AUDIO}, claire, {}, 400, "une piste audio et une piste vidéo"),
        (meeting.id, {"ticket": mine, "sdp": SDP_VIDEO}, claire, {}, 400, "une piste audio et une piste vidéo"),
        (meeting.id, {"ticket": mine, "sdp": SDP_THREE}, claire, {}, 400, "une piste audio et une piste vidéo"),
        (
            meeting.id,
            {"ticket": mine, "sdp": good + "a=x\r\n" * (MAX_OFFER_CHARS // 5)},
            claire,
            {},
            400,
            "Demande d'appel illisible",
        ),
        (meeting.id, {"ticket": mine, "sdp": SDP_BROKEN}, claire, {}, 400, "une piste audio et une piste vidéo"),
    ]
    for meeting_id, body, cookies, headers, status, message in cases:
        response = post(client, meeting_id, "", body, cookies, **headers)
        assert response.status_code == status, (body if isinstance(body, dict) else body[:20], response.text)
        if message:
            assert message in response.text, response.text
        assert room.roster() == [] and embedded.calls.open_links == 0

    # Leaving names only one's own tab too.
    for ticket, cookies, status in (("forged", claire, 403), (mine, op, 403), (mine, {}, 401)):
        assert post(client, meeting.id, "/leave", {"ticket": ticket}, cookies).status_code == status

    # A full room: four others are seated, her offer is refused politely.
    room.max_participants = 1
    room.admit("someone", uuid.uuid4(), "Quelqu'un")
    room.push_audio("someone", quiet())
    full = post(client, meeting.id, "", {"ticket": mine, "sdp": good}, claire)
    assert full.status_code == 400 and "La salle est complète" in full.json()["error"], full.text
    assert [p["name"] for p in room.roster()] == ["Quelqu'un"] and embedded.calls.open_links == 0


async def _offer_only() -> str:
    page = Page()
    try:
        return await page.offer()
    finally:
        await page.close()


def test_the_page_polls_who_is_in_its_own_seat_and_the_end_of_the_meeting(ctx, people, embedded, meeting, room, client):
    op, claire = cookie(ctx, people.op1), cookie(ctx, people.client_a)
    hers, his = room.ticket("client-tab"), room.ticket("op-tab")

    def state(ticket, cookies, meeting_id=meeting.id, **headers):
        return post(client, meeting_id, "/state", {"ticket": ticket}, cookies, **headers)

    # Not yet seated: she may still see the room (nobody in).
    assert state(hers, claire).json() == {"live": True, "lost": False, "roster": []}
    room.push_audio("op-tab", quiet())
    room.push_audio("client-tab", quiet())
    roster = [
        {"name": people.op1.display_name, "connected": True},
        {"name": people.client_a.display_name, "connected": True},
    ]
    assert state(hers, claire).json() == {"live": True, "lost": False, "roster": roster}

    # Her call drops: her page is told its seat is waiting, his sees her name marked.
    room.lost("client-tab")
    assert state(hers, claire).json()["lost"] is True
    mine = state(his, op).json()
    assert mine["lost"] is False and mine["roster"][1] == {"name": people.client_a.display_name, "connected": False}

    # Only one's own tab, same origin, signed in, in the room; nothing changes on a refusal.
    other = ctx.meetings.start_meeting(
        people.op1,
        ctx.meetings.create_meeting(people.op1, client_id=people.client_a.id, title="Autre", scheduled_at=at()).id,
    )
    for ticket, cookies, meeting_id, headers, status in (
        ("forged", claire, meeting.id, {}, 403),
        (hers, op, meeting.id, {}, 403),
        (hers, {}, meeting.id, {}, 401),
        (hers, cookie(ctx, people.client_b), meeting.id, {}, 404),
        (hers, claire, other.id, {}, 403),
        (hers, claire, meeting.id, {"origin": "https://evil.example"}, 403),
    ):
        refused = state(ticket, cookies, meeting_id, **headers)
        assert refused.status_code == status, (ticket, refused.text)
        assert "roster" not in refused.text and "live" not in refused.text
    assert post(client, meeting.id, "/state", b"{", claire).status_code == 400
    assert len(room.roster()) == 2

    # The operator ends the meeting (from anywhere): the next poll says so, in words too.
    ctx.meetings.end_meeting(people.op1, meeting.id)
    over = state(hers, claire)
    assert over.status_code == 409 and over.json()["live"] is False and "Terminé" in over.json()["error"]
