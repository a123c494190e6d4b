"""The real dashboard configured for (fake) OpenVidu, in headless Chromium.

A client joins from "Mes meetings": nothing the browser receives (HTTP bodies, WebSocket
frames) holds the OpenVidu secret, with the real openvidu-browser bundle loaded. With the
stand-in library, leaving and rejoining goes back to the server for a fresh token.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser_support import dashboard, require_chromium, screenshot
from tests.conftest import FAST_HASHER, PASSWORD
from tests.openvidu.conftest import Crew
from tests.openvidu.fake_openvidu import FakeOpenVidu
from visio_core.entrypoints.assets import OPENVIDU_BROWSER_FILE as VENDOR_FILE
from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.config import Settings

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
]
STAND_IN = (Path(__file__).parent / "stand_in_openvidu.js").read_text("utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_chromium()
    tmp = tmp_path_factory.mktemp("ovdash")
    data = tmp / "data"
    with FakeOpenVidu() as fake:
        env = {
            "OPENVIDU_URL": fake.url,
            "OPENVIDU_SECRET": fake.secret,
            "OPENVIDU_WEBHOOK_SECRET": "hook-" + fake.secret[::-1],
        }
        settings = Settings.load(env={"VISIO_DATA_DIR": str(data), **env}, secrets_file=tmp / "none.toml")
        ctx = build_context(settings, hasher=FAST_HASHER)
        crew = Crew(ctx)
        meeting = crew.meeting(title="Revue OpenVidu")
        with dashboard(data, env) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            yield {"url": url, "fake": fake, "env": env, "meeting": meeting, "browser": browser, "ctx": ctx}
            browser.close()
        ctx.db.close()


def open_room_as_client(page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill("c@example.com")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name=re.compile("Rejoindre")).click()
    expect(page.locator(".ovr-root")).to_have_count(1, timeout=30_000)


def join_as_client(site, stand_in: bool):
    context = site["browser"].new_context(viewport={"width": 1300, "height": 900})
    if stand_in:
        context.add_init_script(STAND_IN)
    page = context.new_page()
    open_room_as_client(page, site["url"])
    return context, page


def connections(site):
    return list(site["fake"].sessions[site["meeting"].session_id].connections.values())


def test_client_joins_and_no_secret_reaches_the_browser(site):
    if not VENDOR_FILE.is_file():
        pytest.skip("openvidu-browser is not installed (make setup)")
    before = len(connections(site))
    frames: list[bytes] = []
    responses = []
    context = site["browser"].new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived", lambda payload: frames.append(payload if isinstance(payload, bytes) else payload.encode())
        ),
    )
    page.on("response", lambda response: responses.append(response))
    open_room_as_client(page, site["url"])
    page.wait_for_function("typeof window.OpenVidu === 'function'", timeout=30_000)  # the real bundle
    expect(page.get_by_text("Vous rejoignez la salle en tant que « Claire Dupont ».")).to_be_visible()
    page.wait_for_timeout(1500)
    screenshot(page, "openvidu-dashboard-room")
    bodies = []
    for response in responses:
        try:
            bodies.append(response.body())
        except Exception:  # redirects and aborted requests have no body
            pass
    context.close()

    conns = connections(site)
    assert len(conns) == before + 1
    token = conns[-1].token
    received = b"".join(frames) + b"".join(bodies)
    assert token.encode() in received  # the token did go to the browser: the capture sees it
    assert site["fake"].secret.encode() not in received
    assert site["env"]["OPENVIDU_WEBHOOK_SECRET"].encode() not in received
    assert len(bodies) > 5 and len(frames) > 3


def test_leave_and_rejoin_asks_the_server_for_a_fresh_token(site):
    context, page = join_as_client(site, stand_in=True)
    root = page.locator(".ovr-root")
    expect(root).to_have_attribute("data-status", "connected", timeout=30_000)
    first = page.evaluate("window.__ov.calls('connect')")[0]["token"]
    assert first == connections(site)[-1].token  # the very token the server made
    page.locator(".ovr-root").get_by_role("button", name="Quitter", exact=True).click()
    expect(root).to_have_attribute("data-status", "disconnected", timeout=30_000)
    page.locator(".ovr-root").get_by_role("button", name="Rejoindre la salle", exact=True).click()
    expect(page.locator(".ovr-root")).to_have_attribute("data-status", "connected", timeout=30_000)
    page.wait_for_function("window.__ov.calls('connect').length === 2", timeout=30_000)
    second = page.evaluate("window.__ov.calls('connect')")[1]["token"]
    assert second != first and second == connections(site)[-1].token
    screenshot(page, "openvidu-dashboard-rejoined")
    context.close()


def test_the_page_reports_when_its_participant_speaks(site):
    """openvidu-browser's speaking events for this page's own publisher reach the dashboard, dated by it."""
    from datetime import UTC, datetime, timedelta

    context, page = join_as_client(site, stand_in=True)
    root = page.locator(".ovr-root")
    expect(root).to_have_attribute("data-status", "connected", timeout=30_000)
    page.evaluate("window.__ov.speak('start')")
    page.wait_for_timeout(1200)
    page.evaluate("window.__ov.speak('stop')")
    now = datetime.now(UTC)

    def reported():
        return site["ctx"].speaking.between(site["meeting"].id, now - timedelta(minutes=5), now + timedelta(minutes=5))

    deadline = datetime.now(UTC) + timedelta(seconds=15)
    while len(reported()) < 2 and datetime.now(UTC) < deadline:
        page.wait_for_timeout(300)
    start, stop = reported()
    assert (start.speaker, start.kind, stop.kind) == ("Claire Dupont", "start", "stop")
    assert timedelta(seconds=0.8) < stop.at - start.at < timedelta(seconds=3)
    context.close()
