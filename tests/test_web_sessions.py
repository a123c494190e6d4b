"""Sign-ins that survive a reload: one-time claim codes, HttpOnly cookie, idle expiry, sign-out."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.conftest import PASSWORD, Clock
from visio_core.adapters.sqlite.web_sessions import COOKIE
from visio_core.entrypoints.bootstrap import set_context
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
    assert (
        client.post("/api/session/claim", content=b"not json", headers={"content-type": "application/json"}).status_code
        == 403
    )
    out = client.post("/api/session/logout", json={}, cookies={COOKIE: token})
    assert out.status_code == 204 and "Max-Age=0" in out.headers["set-cookie"]
    assert ctx.web_sessions.resolve(token) is None


def test_another_site_cannot_sign_a_visitor_into_some_account(ctx, people):
    """Login CSRF: a claim code of the attacker's account, posted from another site's page, is refused."""
    client = TestClient(Starlette(routes=make_routes(lambda: ctx)), base_url="http://dashboard.test")
    code = ctx.web_sessions.open_session(people.op2.id).claim  # the attacker signed in and kept his code
    forged = [
        {"content": f'{{"code": "{code}"}}', "headers": {"content-type": "text/plain"}},  # a cross-site <form>
        {"content": f"code={code}", "headers": {"content-type": "application/x-www-form-urlencoded"}},
        {"json": {"code": code}, "headers": {"origin": "https://evil.example"}},  # fetch with CORS mode
        {"json": {"code": code}, "headers": {"sec-fetch-site": "cross-site"}},
    ]
    for request in forged:
        response = client.post("/api/session/claim", **request)
        assert response.status_code in (403, 415), request
        assert "set-cookie" not in response.headers
    # The code is still unused: only the dashboard's own page can exchange it.
    ok = client.post(
        "/api/session/claim",
        json={"code": code},
        headers={"origin": "http://dashboard.test", "sec-fetch-site": "same-origin"},
    )
    assert ok.status_code == 204 and "set-cookie" in ok.headers
    token = ok.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    # Nor can another site sign the visitor out.
    assert (
        client.post(
            "/api/session/logout", json={}, headers={"origin": "https://evil.example"}, cookies={COOKIE: token}
        ).status_code
        == 403
    )
    assert ctx.web_sessions.resolve(token) == people.op2.id


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


def test_signing_out_in_one_tab_ends_the_session_in_the_others(ctx, people):
    """Two tabs of one browser share the cookie's session; "Se déconnecter" in one signs both out."""
    from tests.test_pages import app

    set_context(ctx)
    first = app()
    first.run()
    first.text_input(key="login_email").input("op1@example.com")
    first.text_input(key="login_password").input(PASSWORD)
    first.button[0].click()
    first.run()
    assert first.title[0].value.startswith("Hub")
    second = app()  # another tab: restored from the same cookie, so the same session key
    for name in ("visio_user_id", "visio_session_key"):
        second.session_state[name] = first.session_state[name]
    second.session_state["visio_last_seen"] = time.monotonic()
    second.run()
    assert second.title[0].value.startswith("Hub")

    first.button(key="logout").click()
    first.run()
    second.run()  # the next thing the other tab does
    assert not second.exception
    assert "visio_user_id" not in second.session_state
    assert not second.dataframe and not any(title.value.startswith("Hub") for title in second.title)
    # Told on the sign-in form (the role's first page now has its own name, which the signed-out
    # navigation does not know, so the tab lands on the form rather than on a bare warning).
    assert "Votre session a expiré" in " ".join(str(w.value) for w in (*second.warning, *second.info))
    assert second.text_input(key="login_email")
    set_context(None)
