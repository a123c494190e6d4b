"""POST /api/openvidu/webhook on a real loopback server: auth, limits, events, duplicates, concurrency."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
import logging
import random
import socket

import httpx
import pytest
from starlette.applications import Starlette

from tests.conftest import FAST_HASHER
from tests.http_server import serve
from visio_core.adapters.openvidu.events import verify
from visio_core.adapters.openvidu.webhook import MAX_BODY_BYTES
from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.web import make_routes

PATH = "/api/openvidu/webhook"


def event(session_id: str, recording_id: str | None = None, status: str = "ready", **extra) -> dict:
    """A recordingStatusChanged body as openvidu-server 2.32 sends it."""
    return {
        "sessionId": session_id,
        "uniqueSessionId": f"{session_id}_1",
        "timestamp": 1764000000000,
        "startTime": 1763999000000,
        "duration": 62.5,
        "reason": "sessionClosedByServer",
        "id": recording_id or session_id,
        "name": recording_id or session_id,
        "outputMode": "COMPOSED",
        "resolution": "1280x720",
        "frameRate": 25,
        "recordingLayout": "BEST_FIT",
        "hasAudio": True,
        "hasVideo": True,
        "size": 123456,
        "status": status,
        "event": "recordingStatusChanged",
        **extra,
    }


def post(web, body, *, secret=None, signature=None, headers=None, raw: bytes | None = None):
    content = raw if raw is not None else json.dumps(body).encode()
    h = {"Content-Type": "application/json", **(headers or {})}
    if secret is not None:
        h["Authorization"] = f"Bearer {secret}"
    if signature is not None:
        h["X-OpenVidu-Signature"] = signature
    return httpx.post(web + PATH, content=content, headers=h, timeout=30)


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def rows(ctx):
    return ctx.downloads.queue.rows()


def test_bearer_header_queues_a_ready_recording_without_calling_openvidu(web, ov_ctx, crew, webhook_secret, fake_ov):
    meeting = crew.meeting()
    before = len(fake_ov.requests)
    response = post(web, event(meeting.session_id), secret=webhook_secret)
    assert response.status_code == 200 and response.json() == {"result": "queued"}
    (row,) = rows(ov_ctx)
    assert (row.recording_id, row.meeting_id, row.state, row.source) == (
        meeting.session_id,
        meeting.id,
        "pending",
        "webhook",
    )
    assert len(fake_ov.requests) == before  # the download happens in the worker, not here


def test_hmac_signature_is_accepted(web, ov_ctx, crew, webhook_secret):
    meeting = crew.meeting()
    body = json.dumps(event(meeting.session_id)).encode()
    response = post(web, None, raw=body, signature=sign(webhook_secret, body))
    assert response.status_code == 200
    upper = json.dumps(event(meeting.session_id, f"{meeting.session_id}~1")).encode()
    assert post(web, None, raw=upper, signature=sign(webhook_secret, upper).upper()).status_code == 200
    assert len(rows(ov_ctx)) == 2


@pytest.mark.parametrize(
    "auth",
    [
        {},  # nothing
        {"secret": "wrong"},
        {"headers": {"Authorization": "Basic b3BlbnZpZHU6c2VjcmV0"}},
        {"headers": {"Authorization": "bearer {s}"}},  # the scheme is matched exactly
        {"headers": {"Authorization": "Bearer {s}x"}},
        {"signature": "0" * 64},
        {"signature": "not-hex"},
        {"sign_other_body": True},
    ],
)
def test_bad_or_missing_authentication_is_401_and_writes_nothing(web, ov_ctx, crew, webhook_secret, auth):
    meeting = crew.meeting()
    body = json.dumps(event(meeting.session_id)).encode()
    kwargs = {}
    if "secret" in auth:
        kwargs["secret"] = auth["secret"]
    if "headers" in auth:
        kwargs["headers"] = {k: v.replace("{s}", webhook_secret) for k, v in auth["headers"].items()}
    if "signature" in auth:
        kwargs["signature"] = auth["signature"]
    if auth.get("sign_other_body"):
        kwargs["signature"] = sign(webhook_secret, body + b" ")
    response = post(web, None, raw=body, **kwargs)
    assert response.status_code == 401
    assert webhook_secret not in response.text
    assert rows(ov_ctx) == []


def test_without_a_configured_secret_nothing_is_accepted(ov_ctx, ov_settings, crew):
    meeting = crew.meeting()
    unset = build_context(dataclasses.replace(ov_settings, openvidu_webhook_secret=None), hasher=FAST_HASHER)
    with serve(Starlette(routes=make_routes(lambda: unset))) as web:
        assert post(web, event(meeting.session_id), headers={"Authorization": "Bearer"}).status_code == 401
        body = json.dumps(event(meeting.session_id)).encode()
        assert post(web, None, raw=body, signature=sign("", body)).status_code == 401
        assert post(web, event(meeting.session_id), secret="None").status_code == 401
    assert rows(ov_ctx) == []
    unset.db.close()


def test_verify_compares_in_constant_time_helpers():
    body = b"{}"
    assert verify({"authorization": "Bearer s3cret"}, body, "s3cret")
    assert verify({"x-openvidu-signature": sign("s3cret", body)}, body, "s3cret")
    assert not verify({"authorization": "Bearer s3cret"}, body, None)
    assert not verify({"authorization": "Bearer s3cre"}, body, "s3cret")
    # a wrong Bearer does not spoil a right signature (either header may authenticate)
    assert verify({"authorization": "Bearer x", "x-openvidu-signature": sign("s3cret", body)}, body, "s3cret")


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'"ready"',
        b"",
        json.dumps({"event": "recordingStatusChanged", "status": "ready"}).encode(),
        json.dumps({"event": "recordingStatusChanged", "id": 5, "sessionId": "s", "status": "ready"}).encode(),
    ],
)
def test_malformed_bodies_are_400(web, ov_ctx, webhook_secret, raw):
    response = post(web, None, raw=raw, secret=webhook_secret)
    assert response.status_code == 400
    assert rows(ov_ctx) == []


def test_oversize_bodies_are_413_announced_or_streamed(web, ov_ctx, crew, webhook_secret):
    meeting = crew.meeting()
    big = json.dumps(event(meeting.session_id, padding="x" * MAX_BODY_BYTES)).encode()
    assert post(web, None, raw=big, secret=webhook_secret).status_code == 413

    def chunks():  # no Content-Length: the route has to count
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    response = httpx.post(
        web + PATH,
        content=chunks(),
        timeout=30,
        headers={"Authorization": f"Bearer {webhook_secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    # an announced size over the limit is refused before any byte of the body is read
    host, port = web.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            (
                f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {webhook_secret}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n"
            ).encode()
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 413")
    # right at the limit is fine
    padded = event(meeting.session_id)
    padded["padding"] = ""
    size = len(json.dumps(padded).encode())
    padded["padding"] = "y" * (MAX_BODY_BYTES - size)
    assert post(web, padded, secret=webhook_secret).status_code == 200
    assert len(rows(ov_ctx)) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"event": "sessionCreated", "sessionId": "visio-x", "timestamp": 1},
        {"event": "participantJoined", "sessionId": "visio-x", "connectionId": "con_1"},
        {"event": "webrtcConnectionCreated"},
        {"no_event": True},
    ],
)
def test_other_events_are_200_and_ignored(web, ov_ctx, webhook_secret, body):
    response = post(web, body, secret=webhook_secret)
    assert response.status_code == 200 and response.json() == {"result": "ignored"}
    assert rows(ov_ctx) == []


@pytest.mark.parametrize("status", ["starting", "started", "stopped"])
def test_recording_statuses_before_ready_are_ignored(web, ov_ctx, crew, webhook_secret, status):
    meeting = crew.meeting()
    response = post(web, event(meeting.session_id, status=status), secret=webhook_secret)
    assert response.json() == {"result": "ignored"}
    assert rows(ov_ctx) == []


def test_unknown_session_creates_nothing_and_is_logged(web, ov_ctx, crew, webhook_secret, caplog):
    crew.meeting()
    with caplog.at_level(logging.WARNING, logger="visio_core.adapters.openvidu.webhook"):
        response = post(web, event("ses_OtherApp01"), secret=webhook_secret)
    assert response.status_code == 200 and response.json() == {"result": "unknown_session"}
    assert rows(ov_ctx) == []
    assert any("ses_OtherApp01" in r.getMessage() for r in caplog.records)


def test_duplicates_make_one_row(web, ov_ctx, crew, webhook_secret):
    meeting = crew.meeting()
    results = [post(web, event(meeting.session_id), secret=webhook_secret).json()["result"] for _ in range(3)]
    assert results == ["queued", "duplicate", "duplicate"]
    assert len(rows(ov_ctx)) == 1


def test_failed_recording_is_noted_for_the_operator(web, ov_ctx, crew, webhook_secret):
    meeting = crew.meeting()
    response = post(
        web, event(meeting.session_id, status="failed", reason="mediaServerDisconnect"), secret=webhook_secret
    )
    assert response.json() == {"result": "noted"}
    (row,) = rows(ov_ctx)
    assert row.state == "failed" and "mediaServerDisconnect" in row.last_error
    (message,) = ov_ctx.downloads.problems_for(meeting.id)
    assert "a échoué sur le serveur OpenVidu" in message and meeting.session_id in message
    # a late "ready" for the same recording does not resurrect it
    assert post(web, event(meeting.session_id), secret=webhook_secret).json() == {"result": "duplicate"}
    assert rows(ov_ctx)[0].state == "failed"


@pytest.mark.slow
def test_200_concurrent_deliveries_with_duplicates_give_exact_rows(web, ov_ctx, crew, webhook_secret):
    meetings = [crew.meeting(title=f"M{i}") for i in range(5)]
    recordings = [
        (m.session_id, m.session_id if n == 0 else f"{m.session_id}~{n}") for m in meetings for n in range(10)
    ]
    deliveries = [event(sid, rid) for sid, rid in recordings] * 4  # 50 recordings, each delivered 4 times
    random.Random(6).shuffle(deliveries)
    assert len(deliveries) == 200

    async def deliver_all():
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:

            async def one(body):
                return await client.post(web + PATH, json=body, headers={"Authorization": f"Bearer {webhook_secret}"})

            return await asyncio.gather(*(one(b) for b in deliveries))

    responses = asyncio.run(deliver_all())
    assert [r.status_code for r in responses] == [200] * 200
    results = [r.json()["result"] for r in responses]
    assert results.count("queued") == 50 and results.count("duplicate") == 150
    stored = rows(ov_ctx)
    assert sorted(r.recording_id for r in stored) == sorted(rid for _, rid in recordings)
    by_meeting = {m.id: 0 for m in meetings}
    for r in stored:
        by_meeting[r.meeting_id] += 1
    assert set(by_meeting.values()) == {10}
