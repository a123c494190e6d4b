"""The OpenVidu REST client against the strict fake server on loopback."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.openvidu.fake_openvidu import FakeOpenVidu
from visio_core.adapters.openvidu.client import OpenViduClient, OvRecording
from visio_core.domain.errors import BackendUnavailable, NotFound

SID = "visio-3f1c2d4e-0000-4000-8000-000000000001"


def test_create_session_records_always_composed_and_409_counts_as_success(fake_ov, ov_client):
    assert ov_client.create_session(SID) is True
    assert ov_client.create_session(SID) is False  # 409: it exists, that is what we wanted
    props = fake_ov.sessions[SID].properties
    assert props["recordingMode"] == "ALWAYS"
    assert props["customSessionId"] == SID
    rec = props["defaultRecordingProperties"]
    assert rec["outputMode"] == "COMPOSED" and rec["hasAudio"] is True and rec["hasVideo"] is True
    assert [s for _, p, s in fake_ov.requests if p.endswith("/sessions")] == [200, 409]


def test_token_is_a_publisher_connection_carrying_the_display_name(fake_ov, ov_client):
    ov_client.create_session(SID)
    token = ov_client.create_token(SID, "Claire « la cliente » Dupont")
    (conn,) = fake_ov.sessions[SID].connections.values()
    assert conn.token == token and conn.role == "PUBLISHER"
    assert conn.data == "Claire « la cliente » Dupont"
    assert fake_ov.secret not in token
    with pytest.raises(NotFound):
        ov_client.create_token("visio-unknown", "X")


def test_close_session_is_idempotent(fake_ov, ov_client):
    ov_client.create_session(SID)
    assert ov_client.close_session(SID) is True
    assert ov_client.close_session(SID) is False  # 404: already closed, fine
    assert SID not in fake_ov.session_ids()


def test_recordings_appear_only_after_a_participant_connects_and_download_streams(fake_ov, ov_client):
    ov_client.create_session(SID)
    token = ov_client.create_token(SID, "MiKL")
    assert ov_client.list_recordings() == []
    assert ov_client.get_recording(SID) is None
    fake_ov.join(token)
    (started,) = ov_client.list_recordings()
    assert started.id == SID and started.session_id == SID and started.status == "started"
    assert not started.ready
    ov_client.close_session(SID)  # stops the recording; the fake processes it at once
    ready = ov_client.get_recording(SID)
    assert ready.ready and ready.size > 0 and ready.url.endswith(f"/openvidu/recordings/{SID}/{SID}.mp4")
    chunks: list[bytes] = []
    assert ov_client.stream_recording(ready, chunks.append) == ready.size
    assert b"".join(chunks) == fake_ov._file_bytes(fake_ov.recordings[SID])

    # a second round in the same session gets the next id, which holds a "~"
    ov_client.create_session(SID)
    fake_ov.join(ov_client.create_token(SID, "MiKL"))
    ov_client.close_session(SID)
    ids = sorted(r.id for r in ov_client.list_recordings())
    assert ids == [SID, f"{SID}~1"]
    second = ov_client.get_recording(f"{SID}~1")
    assert ov_client.stream_recording(second, lambda b: None) == second.size


def test_download_goes_to_the_configured_server_only(fake_ov, ov_client):
    local = OvRecording(
        id="r1",
        session_id="s",
        name="r1",
        status="ready",
        url="https://public.example.org/openvidu/recordings/r1/r1.mp4",
    )
    assert ov_client.download_url(local) == f"{fake_ov.url}/openvidu/recordings/r1/r1.mp4"
    hostile = OvRecording(
        id="r1", session_id="s", name="r1", status="ready", url="https://attacker.example/steal?x=/openvidu/recordings/"
    )
    assert ov_client.download_url(hostile) == f"{fake_ov.url}/openvidu/recordings/r1/r1.mp4"
    no_url = OvRecording(id="s~2", session_id="s", name="s~2", status="ready", has_video=False)
    assert ov_client.download_url(no_url) == f"{fake_ov.url}/openvidu/recordings/s~2/s~2.webm"


def test_wrong_secret_gives_a_clear_message_without_the_secret(fake_ov):
    client = OpenViduClient(fake_ov.url, "not-the-secret-at-all", sleep=lambda s: None)
    with pytest.raises(BackendUnavailable) as error:
        client.create_session(SID)
    assert "OPENVIDU_SECRET" in str(error.value) and "401" in str(error.value)
    assert "not-the-secret-at-all" not in str(error.value) + repr(client)
    assert fake_ov.sessions == {}
    # recording files are behind the same auth
    assert httpx.get(f"{fake_ov.url}/openvidu/recordings/x/x.mp4").status_code == 401


def test_recording_disabled_on_the_server_is_reported(fake_ov, ov_client):
    fake_ov.recording_enabled = False
    with pytest.raises(BackendUnavailable, match="OPENVIDU_RECORDING=true") as error:
        ov_client.check_recording_enabled(SID)
    assert "501" in str(error.value)
    with pytest.raises(BackendUnavailable, match="désactivé"):
        ov_client.list_recordings()
    # 501 is an answer, not a hiccup: asked once, never retried
    assert [s for _, _, s in fake_ov.requests] == [501, 501]


def test_unreachable_server_is_retried_then_reported():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    pauses: list[float] = []
    client = OpenViduClient(f"http://127.0.0.1:{port}", "s3cret-s3cret", attempts=3, sleep=pauses.append)
    with pytest.raises(BackendUnavailable) as error:
        client.create_session(SID)
    assert "ne répond pas" in str(error.value) and "connexion impossible" in str(error.value)
    assert pauses == [0.25, 0.5]


def test_5xx_is_retried_and_then_reported(fake_ov, ov_client):
    fake_ov.fail_next = [503, 502]
    assert ov_client.create_session(SID) is True
    fake_ov.fail_next = [500, 500, 500]
    with pytest.raises(BackendUnavailable, match="HTTP 500"):
        ov_client.close_session(SID)
    assert SID in fake_ov.session_ids()


def test_connection_errors_are_retried_with_an_injected_transport():
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        assert request.headers["authorization"].startswith("Basic ")
        if calls["n"] < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"count": 0, "items": []})

    client = OpenViduClient(
        "http://ov.test", "secret-value", transport=httpx.MockTransport(handler), sleep=lambda s: None
    )
    assert client.list_recordings() == []
    assert calls["n"] == 3


def test_timeouts_are_reported_as_such():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client = OpenViduClient(
        "http://ov.test", "secret-value", transport=httpx.MockTransport(handler), attempts=2, sleep=lambda s: None
    )
    with pytest.raises(BackendUnavailable, match="délai d'attente dépassé"):
        client.get_recording("r")


def test_garbage_answers_are_reported():
    client = OpenViduClient(
        "http://ov.test",
        "secret-value",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, text="<html>")),
        sleep=lambda s: None,
    )
    with pytest.raises(BackendUnavailable, match="illisible"):
        client.list_recordings()


class TestTheFakeIsStrict:
    """The fake rejects what the real server rejects, so passing tests mean something."""

    def call(self, fake, method, path, json=None, secret=None):
        return httpx.request(
            method, f"{fake.url}/openvidu/api{path}", json=json, auth=("OPENVIDUAPP", secret or fake.secret)
        )

    def test_auth(self, fake_ov):
        assert httpx.get(f"{fake_ov.url}/openvidu/api/sessions").status_code == 401
        assert self.call(fake_ov, "GET", "/sessions", secret="wrong").status_code == 401
        assert httpx.get(f"{fake_ov.url}/openvidu/api/sessions", auth=("admin", fake_ov.secret)).status_code == 401
        assert self.call(fake_ov, "GET", "/sessions").status_code == 200

    def test_bad_bodies(self, fake_ov):
        assert self.call(fake_ov, "POST", "/sessions", {"customSessionId": "a b"}).status_code == 400
        assert self.call(fake_ov, "POST", "/sessions", {"recordingMode": "SOMETIMES"}).status_code == 400
        bad_rec = {"defaultRecordingProperties": {"outputMode": "MIXED"}}
        assert self.call(fake_ov, "POST", "/sessions", bad_rec).status_code == 400
        assert self.call(fake_ov, "POST", "/sessions", {"customSessionId": "ok"}).status_code == 200
        assert self.call(fake_ov, "POST", "/sessions/ok/connection", {"role": "KING"}).status_code == 400
        assert self.call(fake_ov, "POST", "/sessions/nope/connection", {}).status_code == 404

    def test_recording_paths(self, fake_ov):
        assert self.call(fake_ov, "POST", "/sessions", {"customSessionId": "m"}).status_code == 200
        assert self.call(fake_ov, "POST", "/recordings/start", {"session": "m"}).status_code == 406  # nobody
        assert self.call(fake_ov, "POST", "/recordings/start", {"session": "zz"}).status_code == 404
        token = self.call(fake_ov, "POST", "/sessions/m/connection", {}).json()["token"]
        fake_ov.join(token)
        with pytest.raises(ValueError):
            fake_ov.join(token)  # tokens are single-use
        started = self.call(fake_ov, "POST", "/recordings/start", {"session": "m"})
        assert started.status_code == 200 and started.json()["status"] == "started"
        assert self.call(fake_ov, "POST", "/recordings/start", {"session": "m"}).status_code == 409
        assert self.call(fake_ov, "POST", "/recordings/stop/m").status_code == 200  # by recording id
        assert self.call(fake_ov, "POST", "/recordings/stop/m").status_code == 409
        assert self.call(fake_ov, "POST", "/recordings/stop/nope").status_code == 404
        fake_ov.recording_enabled = False
        for method, path in [
            ("GET", "/recordings"),
            ("GET", "/recordings/m"),
            ("POST", "/recordings/stop/m"),
            ("DELETE", "/recordings/m"),
        ]:
            assert self.call(fake_ov, method, path).status_code == 501
        assert self.call(fake_ov, "POST", "/recordings/start", {"session": "m"}).status_code == 501


def test_fake_posts_webhooks_like_openvidu():
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from tests.http_server import serve

    received: list[dict] = []

    async def hook(request):
        assert request.headers["authorization"] == "Bearer hook-secret"
        received.append(await request.json())
        return Response(status_code=200)

    with serve(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as receiver, FakeOpenVidu() as fake:
        fake.webhook_url = f"{receiver}/hook"
        fake.webhook_headers = {"Authorization": "Bearer hook-secret"}  # what OPENVIDU_WEBHOOK_HEADERS sends
        client = OpenViduClient(fake.url, fake.secret)
        client.create_session(SID)
        fake.join(client.create_token(SID, "A"))
        client.close_session(SID)
        fake.flush_webhooks()
    events = [(e["event"], e.get("status")) for e in received]
    assert events == [
        ("sessionCreated", None),
        ("participantJoined", None),
        ("recordingStatusChanged", "started"),
        ("recordingStatusChanged", "stopped"),
        ("recordingStatusChanged", "ready"),
        ("sessionDestroyed", None),
    ]
    ready = received[4]
    assert ready["id"] == SID and ready["sessionId"] == SID and ready["size"] > 0
