"""The room page on OpenVidu through AppTest: token handed to the component, operator's end button,
and no byte of what is sent to a browser (page, component data, routes) holding the secret."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from streamlit.testing.v1 import AppTest

from visio_core.adapters.openvidu.webhook import WEBHOOK_PATH
from visio_core.domain.model import MeetingStatus

ROOT = Path(__file__).resolve().parent.parent.parent


def room(identity, meeting) -> AppTest:
    test = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=30)
    test.session_state["visio_user_id"] = identity.id
    test.session_state["visio_last_seen"] = time.monotonic()
    test.query_params["meeting"] = str(meeting.id)
    test.switch_page("pages/room.py")
    test.run()
    assert not test.exception
    return test


def elements(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from elements(child)


def sent_bytes(test: AppTest) -> bytes:
    """Every element proto of the page, as serialized for the browser."""
    out = []
    for node in elements(test._tree):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            out.append(proto.SerializeToString())
    return b"\n".join(out)


def component_data(test: AppTest) -> dict:
    (component,) = test.get("bidi_component")
    return json.loads(component.proto.json)


def texts(test: AppTest) -> str:
    return "\n".join(str(e.value) for e in (*test.caption, *test.info, *test.warning, *test.error, *test.success))


def test_client_gets_only_a_token_and_no_secret(ov_ctx, crew, fake_ov, webhook_secret):
    meeting = crew.meeting()
    test = room(crew.client, meeting)
    data = component_data(test)
    (conn,) = fake_ov.sessions[meeting.session_id].connections.values()
    assert data["token"] == conn.token and conn.data == "Claire Dupont"
    assert set(data) == {"token", "attempt", "name", "library_url", "connect_timeout_ms", "labels", "speaking_url"}
    assert data["speaking_url"] == f"/api/rooms/{meeting.id}/speaking"
    assert "Vous rejoignez la salle en tant que « Claire Dupont »." in texts(test)
    page = sent_bytes(test)
    assert conn.token.encode() in page  # the check reads what really goes out…
    for secret in (fake_ov.secret, webhook_secret):
        assert secret.encode() not in page  # …and the secrets are not in it
    assert not [b for b in test.button if b.key and b.key.startswith("room_end")]  # clients cannot end


def test_reruns_reuse_the_token_and_a_rejoin_gets_a_fresh_one(ov_ctx, crew, fake_ov):
    meeting = crew.meeting()
    test = room(crew.client, meeting)
    first = component_data(test)["token"]
    test.run()
    assert component_data(test)["token"] == first
    assert len(fake_ov.sessions[meeting.session_id].connections) == 1
    # what the component's "rejoin" trigger does on the next run
    from visio_core.ui.openvidu_room import _join_key

    test.session_state[_join_key(meeting.id)] = {"attempt": 1, "token": None}
    test.run()
    data = component_data(test)
    assert data["attempt"] == 2 and data["token"] != first
    assert len(fake_ov.sessions[meeting.session_id].connections) == 2


def test_operator_ends_the_meeting_from_the_room(ov_ctx, crew, fake_ov):
    meeting = crew.meeting()
    test = room(crew.op, meeting)
    assert component_data(test)["name"] == "MiKL"
    test.button(key=f"room_end_{meeting.id}").click().run()
    assert "Terminer le meeting pour tous les participants ?" in texts(test)
    test.button(key=f"room_end_no_{meeting.id}").click().run()
    assert ov_ctx.meetings.get_meeting(crew.op, meeting.id).status is MeetingStatus.IN_PROGRESS
    test.button(key=f"room_end_{meeting.id}").click().run()
    test.button(key=f"room_end_yes_{meeting.id}").click().run()
    assert not test.exception
    assert "Meeting terminé (durée" in texts(test)
    assert not test.get("bidi_component")  # the room leaves the page
    assert ov_ctx.meetings.get_meeting(crew.op, meeting.id).status is MeetingStatus.COMPLETED
    assert meeting.session_id not in fake_ov.session_ids()
    test.run()
    assert "Ce meeting est terminé" in texts(test)


def test_operator_sees_recording_problems_in_the_room(ov_ctx, crew, web, webhook_secret):
    meeting = crew.meeting()
    body = {
        "event": "recordingStatusChanged",
        "id": meeting.session_id,
        "sessionId": meeting.session_id,
        "status": "failed",
        "reason": "mediaServerDisconnect",
    }
    httpx.post(web + WEBHOOK_PATH, json=body, headers={"Authorization": f"Bearer {webhook_secret}"})
    test = room(crew.op, meeting)
    assert "Problèmes d'enregistrement" in texts(test) and "a échoué" in texts(test)
    assert "a échoué" not in texts(room(crew.client, meeting))  # for the operator


def test_openvidu_down_shows_a_clear_message_and_a_retry(ov_ctx, crew, fake_ov):
    meeting = crew.meeting()
    fake_ov.fail_next = [503, 503, 503]
    test = room(crew.client, meeting)
    assert "Impossible d'obtenir l'accès à la salle" in texts(test) and "HTTP 503" in texts(test)
    assert not test.get("bidi_component")
    test.button(key=f"ov_token_retry_{meeting.id}").click().run()
    assert component_data(test)["token"]


def test_no_route_answers_with_a_secret(ov_ctx, crew, fake_ov, web, webhook_secret):
    meeting = crew.meeting()
    bodies = [
        httpx.get(web + "/api/health"),
        httpx.get(web + "/api/assets/openvidu-browser.js"),
        httpx.post(web + WEBHOOK_PATH, content=b"{}"),
        httpx.post(web + WEBHOOK_PATH, content=b"[", headers={"Authorization": f"Bearer {webhook_secret}"}),
        httpx.post(
            web + WEBHOOK_PATH,
            json={"event": "recordingStatusChanged", "id": "x", "sessionId": meeting.session_id, "status": "ready"},
            headers={"Authorization": f"Bearer {webhook_secret}"},
        ),
    ]
    assert [r.status_code for r in bodies][0] == 200
    assert bodies[0].json()["backends"]["media"] == "openvidu"
    for response in bodies:
        blob = response.content + str(response.headers).encode()
        assert fake_ov.secret.encode() not in blob and webhook_secret.encode() not in blob
