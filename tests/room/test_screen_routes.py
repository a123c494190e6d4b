"""The screen-share routes with a real aiortc peer as the sharing page, and every refusal changing nothing."""

from __future__ import annotations

import asyncio

import av
import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription, VideoStreamTrack

from tests.conftest import at
from tests.room.conftest import picture, quiet
from tests.room.route_support import cookie, post_json, until
from visio_core.entrypoints.web import MAX_TAB_BODY


def post(client, meeting_id, path, body, cookies, **headers):
    return post_json(client, f"/api/rooms/{meeting_id}/screen{path}", body, cookies, **headers)


class GreenScreen(VideoStreamTrack):
    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = np.zeros((360, 640, 3), dtype=np.uint8)
        image[:, :, 1] = 200
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


@pytest.fixture
def room(ctx, people, embedded, meeting):
    room = embedded.room_for(ctx.meetings.enter_room(people.op1, meeting.id))
    room._run_clock = False
    for tab, who in (("op-tab", people.op1), ("client-tab", people.client_a)):
        room.admit(tab, who.id, who.display_name)
        room.push_video(tab, picture(1))
        room.push_audio(tab, quiet())
    return room


async def offer(pc: RTCPeerConnection) -> str:
    pc.addTransceiver(GreenScreen(), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    return pc.localDescription.sdp


def test_a_page_shares_its_screen_the_operator_takes_over_and_each_stop_ends_the_link(
    ctx, people, embedded, meeting, room, client
):
    client_cookie, op_cookie = cookie(ctx, people.client_a), cookie(ctx, people.op1)

    async def scenario() -> None:
        claire, mikl = RTCPeerConnection(), RTCPeerConnection()
        try:
            answer = post(
                client, meeting.id, "", {"ticket": room.ticket("client-tab"), "sdp": await offer(claire)}, client_cookie
            )
            assert answer.status_code == 200, answer.text
            await claire.setRemoteDescription(RTCSessionDescription(**answer.json()))
            await until(lambda: (room.screen() or {}).get("frames", 0) > 5, "the server receives the screen")
            assert room.screen()["sharer"] == "Client A"
            status = post(client, meeting.id, "/status", {"ticket": room.ticket("op-tab")}, op_cookie).json()
            assert status == {"sharer": "Client A", "mine": False, "taken_over_by": None}

            # Without asking for a takeover the operator is told someone shares; with it, he takes over.
            sdp = await offer(mikl)
            busy = post(client, meeting.id, "", {"ticket": room.ticket("op-tab"), "sdp": sdp}, op_cookie)
            assert busy.status_code == 409 and "Client A partage déjà son écran" in busy.json()["error"]
            taken = post(
                client, meeting.id, "", {"ticket": room.ticket("op-tab"), "sdp": sdp, "takeover": True}, op_cookie
            )
            assert taken.status_code == 200, taken.text
            await mikl.setRemoteDescription(RTCSessionDescription(**taken.json()))
            await until(
                lambda: (room.screen() or {}).get("sharer") == "MiKL" and room.screen()["frames"] > 5,
                "the operator's screen replaces the client's",
            )
            told = post(client, meeting.id, "/status", {"ticket": room.ticket("client-tab")}, client_cookie).json()
            assert told == {"sharer": "MiKL", "mine": False, "taken_over_by": "MiKL"}
            await until(lambda: embedded.screens.open_links == 1, "the client's link is hung up")

            stop = post(client, meeting.id, "/stop", {"ticket": room.ticket("op-tab")}, op_cookie)
            assert stop.status_code == 204 and room.screen() is None
            await until(lambda: embedded.screens.open_links == 0, "the operator's link is hung up")
        finally:
            await claire.close()
            await mikl.close()

    asyncio.run(scenario())


SDP_AUDIO = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
SDP_TWO = SDP_AUDIO.replace("m=audio", "m=video") + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
SDP_BROKEN = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=nonsense\r\n"


def test_bad_share_requests_get_a_clear_answer_and_change_nothing(ctx, people, embedded, meeting, room, client):
    op, claire = cookie(ctx, people.op1), cookie(ctx, people.client_a)
    mine = room.ticket("client-tab")
    other = ctx.meetings.start_meeting(
        people.op1,
        ctx.meetings.create_meeting(people.op1, client_id=people.client_a.id, title="Autre", scheduled_at=at()).id,
    )
    cases = [
        # (meeting, body, cookies, headers, status, message)
        (meeting.id, b"x" * (MAX_TAB_BODY + 1), claire, {}, 413, "trop volumineuse"),
        (meeting.id, {"ticket": mine, "sdp": SDP_BROKEN}, claire, {"content-type": "text/plain"}, 415, "JSON"),
        (
            meeting.id,
            {"ticket": mine, "sdp": SDP_BROKEN},
            claire,
            {"origin": "https://evil.example"},
            403,
            "ne vient pas",
        ),
        (meeting.id, b"{not json", claire, {}, 400, "illisible"),
        (meeting.id, {"sdp": SDP_BROKEN}, claire, {}, 400, "illisible"),
        (meeting.id, {"ticket": mine, "sdp": SDP_BROKEN}, {}, {}, 401, "Connectez-vous"),
        (meeting.id, {"ticket": "forged", "sdp": SDP_BROKEN}, claire, {}, 403, "pas dans la salle"),
        (meeting.id, {"ticket": mine, "sdp": SDP_BROKEN}, op, {}, 403, "pas dans la salle"),  # her tab, his cookie
        (other.id, {"ticket": mine, "sdp": SDP_BROKEN}, claire, {}, 403, "pas dans la salle"),  # another meeting
        (meeting.id, {"ticket": mine, "sdp": SDP_BROKEN}, cookie(ctx, people.analyst), {}, 403, None),
        (meeting.id, {"ticket": mine, "sdp": SDP_BROKEN}, cookie(ctx, people.client_b), {}, 404, None),
        (meeting.id, {"ticket": mine, "sdp": SDP_BROKEN, "takeover": True}, claire, {}, 403, "Seul l'opérateur"),
        (meeting.id, {"ticket": mine, "sdp": SDP_AUDIO}, claire, {}, 400, "une seule piste vidéo"),
        (meeting.id, {"ticket": mine, "sdp": SDP_TWO}, claire, {}, 400, "une seule piste vidéo"),
        (meeting.id, {"ticket": mine, "sdp": "v=0\r\n" + "a=x\r\n" * 9000}, claire, {}, 400, "une seule piste"),
        (meeting.id, {"ticket": mine, "sdp": SDP_BROKEN}, claire, {}, 400, "une seule piste vidéo"),
    ]
    for meeting_id, body, cookies, headers, status, message in cases:
        response = post(client, meeting_id, "", body, cookies, **headers)
        assert response.status_code == status, (body if isinstance(body, dict) else body[:20], response.text)
        if message:
            assert message in response.text, response.text
        assert room.screen() is None and embedded.screens.open_links == 0

    # The sharer's stop and status name only his own tab too.
    assert post(client, meeting.id, "/stop", {"ticket": "forged"}, claire).status_code == 403
    assert post(client, meeting.id, "/status", {"ticket": mine}, op).status_code == 403
