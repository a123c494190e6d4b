"""Sign-ins that survive a reload: one-time claim codes, HttpOnly cookie, idle expiry, sign-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.conftest import Clock
from visio_core.adapters.sqlite.web_sessions import COOKIE
from visio_core.entrypoints.web import make_routes


@pytest.fixture
def ctx_clock(clock: Clock) -> Clock:
    return clock  # the whole context runs on the hand-driven clock


def test_claim_once_then_resolve_until_idle(ctx, people, clock):
    sessions = ctx.web_sessions
    opened = sessions.open_session(people.client_a.id)
    code, key = opened.claim, opened.key
    token = sessions.claim(code)
    assert token and sessions.key_of(token) == key
    assert sessions.claim(code) is None  # single use
    assert sessions.resolve(token) == people.client_a.id
    clock.now += timedelta(minutes=29)
    assert sessions.resolve(token) == people.client_a.id  # activity keeps it alive
    clock.now += timedelta(minutes=31)
    assert sessions.resolve(token) is None  # idle too long: gone for good
    clock.now -= timedelta(minutes=31)
    assert sessions.resolve(token) is None


def test_claim_code_expires_and_garbage_is_refused(ctx, people, clock):
    opened = ctx.web_sessions.open_session(people.op1.id)
    code, _ = opened.claim, opened.key
    clock.now += timedelta(seconds=61)
    assert ctx.web_sessions.claim(code) is None
    for junk in ("", "x" * 500, None, 42):
        assert ctx.web_sessions.claim(junk) is None
        assert ctx.web_sessions.resolve(junk) is None


def test_close_and_touch(ctx, people):
    opened = ctx.web_sessions.open_session(people.op1.id)
    code, key = opened.claim, opened.key
    token = ctx.web_sessions.claim(code)
    assert ctx.web_sessions.touch(key)
    ctx.web_sessions.close_key(key)
    assert ctx.web_sessions.resolve(token) is None and not ctx.web_sessions.touch(key)


def test_routes_set_an_httponly_cookie_once_and_clear_it(ctx, people):
    client = TestClient(Starlette(routes=make_routes(lambda: ctx)))
    opened = ctx.web_sessions.open_session(people.op1.id)
    code, _ = opened.claim, opened.key
    response = client.post("/api/session/claim", json={"code": code})
    assert response.status_code == 204
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert ctx.web_sessions.resolve(token) == people.op1.id
    assert client.post("/api/session/claim", json={"code": code}).status_code == 403
    assert client.post("/api/session/claim", content=b"not json").status_code == 403
    out = client.post("/api/session/logout", cookies={COOKIE: token})
    assert out.status_code == 204 and 'Max-Age=0' in out.headers["set-cookie"]
    assert ctx.web_sessions.resolve(token) is None


def test_a_backend_secret_is_sealed_under_the_cookie_token(ctx, people):
    opened = ctx.web_sessions.open_session(people.op1.id, secret="rt-refresh-token-value")
    token = ctx.web_sessions.claim(opened.claim)
    assert token == opened.token and opened.token not in repr(opened)
    raw = ctx.db.connection().execute("SELECT backend_secret FROM web_sessions").fetchone()[0]
    assert b"rt-refresh-token-value" not in raw  # the database file alone reveals nothing usable
    assert ctx.web_sessions.secret(token) == "rt-refresh-token-value"
    assert ctx.web_sessions.secret(token + "x") is None  # another token opens nothing
    assert ctx.web_sessions.set_secret(token, "rt-rotated")
    assert ctx.web_sessions.secret(token) == "rt-rotated"
    ctx.web_sessions.close(token)
    assert not ctx.web_sessions.set_secret(token, "rt-too-late") and ctx.web_sessions.secret(token) is None


def test_sessions_without_a_secret_have_none(ctx, people):
    opened = ctx.web_sessions.open_session(people.op1.id)
    code, _ = opened.claim, opened.key
    assert ctx.web_sessions.secret(ctx.web_sessions.claim(code)) is None
