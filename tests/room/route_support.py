"""What the room's route tests share besides their fixtures (conftest: `meeting`, `client`): a signed-in
cookie, a page's JSON POST, and waiting."""

from __future__ import annotations

import asyncio
import json
import time

from visio_core.adapters.sqlite.web_sessions import COOKIE

BASE = "http://dashboard.test"


def cookie(ctx, identity) -> dict[str, str]:
    return {COOKIE: ctx.web_sessions.claim(ctx.web_sessions.open_session(identity.id).claim)}


def post_json(client, url: str, body, cookies, **headers):
    """A page's same-origin JSON POST with these cookies only; `body` bytes are sent as they are."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    return client.post(url, content=content, headers={"content-type": "application/json", "origin": BASE, **headers})


async def until(check, what: str, timeout: float = 60, state=lambda: None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what}: {state()}"
        await asyncio.sleep(0.1)
