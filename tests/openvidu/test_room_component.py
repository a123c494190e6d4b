"""The room component in headless Chromium, with a stand-in OpenVidu object injected.

Every control and state is driven from the page and checked on both sides: what the
participant sees (status, tiles, messages, buttons) and what reached the library
(the stand-in's call log). One test loads the real openvidu-browser bundle.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser_support import dashboard, require_chromium, screenshot
from visio_core.entrypoints.assets import OPENVIDU_BROWSER_FILE as VENDOR_FILE

pytestmark = pytest.mark.browser

STAND_IN = (Path(__file__).parent / "stand_in_openvidu.js").read_text("utf-8")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
]
T = 20_000


@pytest.fixture(scope="module")
def room_url(tmp_path_factory):
    require_chromium()
    tmp = tmp_path_factory.mktemp("ovroom")
    with dashboard(tmp / "data", script="tests/openvidu/apps/room_asgi.py") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def open_room(room_url, browser):
    pages = []

    def opener(scenario: dict | None = None, stand_in: bool = True, query: str = "") -> Page:
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        if stand_in:
            if scenario:
                context.add_init_script(f"window.__OV_SCENARIO__ = {__import__('json').dumps(scenario)};")
            context.add_init_script(STAND_IN)
        page = context.new_page()
        page.goto(room_url + query)
        pages.append(context)
        return page

    yield opener
    for context in pages:
        context.close()


def root(page: Page):
    return page.locator(".ovr-root")


def status(page: Page, value: str):
    expect(root(page)).to_have_attribute("data-status", value, timeout=T)


def calls(page: Page, name: str) -> list[dict]:
    return page.evaluate(f"window.__ov.calls({name!r})")


def button(page: Page, name: str):
    return page.locator(".ovr-root").get_by_role("button", name=name, exact=True)


def test_joins_publishes_and_shows_the_grid_with_names(open_room):
    page = open_room()
    status(page, "connected")
    expect(page.locator(".ovr-status")).to_have_text("Connecté")
    assert calls(page, "connect") == [{"call": "connect", "token": "wss://ov.test?sessionId=s&token=tok_1"}]
    (published,) = calls(page, "publish")
    assert published["type"] == "CAMERA" and published["audio"] is True and published["video"] is True
    local = page.locator('.ovr-tile[data-local="true"]')
    expect(local.locator(".ovr-name")).to_have_text("Claire <b>Dupont</b> (vous)")  # text, never HTML
    assert local.locator("b").count() == 0
    expect(page.get_by_text("En attente des autres participants…")).to_be_visible()
    expect(page.get_by_text("py-status: connected")).to_be_visible(timeout=T)  # the state reached Python

    bruno = page.evaluate("window.__ov.addRemote('Bruno Martin')")
    page.evaluate("window.__ov.addRemote('Ana%/%Ana Lyse')")  # client data %/% server data
    page.evaluate("window.__ov.addRemote('Bruno Martin', {screen: true})")
    names = page.locator(".ovr-tile .ovr-name")
    expect(names).to_have_text(["Claire <b>Dupont</b> (vous)", "Bruno Martin", "Ana Lyse", "Écran de Bruno Martin"])
    expect(page.get_by_text("En attente des autres participants…")).to_be_hidden()
    assert len(calls(page, "subscribe")) == 3
    page.evaluate(f"window.__ov.remoteMuted({bruno!r})")
    expect(page.locator(f'.ovr-tile[data-id="{bruno}"]')).to_have_attribute("data-audio", "false")
    page.wait_for_timeout(600)  # let the stand-in's canvases paint into the videos
    screenshot(page, "openvidu-room-1-grid")
    page.evaluate(f"window.__ov.removeRemote({bruno!r})")
    expect(names).to_have_count(3)


def test_microphone_and_camera_toggles(open_room):
    page = open_room()
    status(page, "connected")
    button(page, "Couper le micro").click()
    expect(button(page, "Activer le micro")).to_have_attribute("aria-pressed", "true")
    button(page, "Couper la caméra").click()
    expect(button(page, "Activer la caméra")).to_be_visible()
    expect(page.locator('.ovr-tile[data-local="true"]')).to_have_attribute("data-video", "false")
    screenshot(page, "openvidu-room-2-muted")
    button(page, "Activer le micro").click()
    button(page, "Activer la caméra").click()
    expect(button(page, "Couper la caméra")).to_be_visible()
    toggles = [
        (c["call"], c["value"])
        for c in page.evaluate("window.__ov.log")
        if c["call"] in ("publishAudio", "publishVideo")
    ]
    assert toggles == [("publishAudio", False), ("publishVideo", False), ("publishAudio", True), ("publishVideo", True)]


def test_screen_share_starts_stops_and_returns_to_the_camera(open_room):
    page = open_room()
    status(page, "connected")
    button(page, "Couper le micro").click()  # the mic state survives the switch
    button(page, "Partager l'écran").click()
    expect(button(page, "Arrêter le partage")).to_be_visible(timeout=T)
    expect(button(page, "Couper la caméra")).to_be_disabled()
    expect(page.locator('.ovr-tile[data-local="true"] .ovr-name')).to_have_text("Écran de Claire <b>Dupont</b> (vous)")
    page.wait_for_timeout(400)
    screenshot(page, "openvidu-room-3-sharing")
    button(page, "Arrêter le partage").click()
    expect(button(page, "Partager l'écran")).to_be_visible(timeout=T)
    expect(button(page, "Activer le micro")).to_be_enabled()
    flow = [
        (c["call"], c.get("type") or c.get("videoSource"))
        for c in page.evaluate("window.__ov.log")
        if c["call"] in ("initPublisherAsync", "publish", "unpublish")
    ]
    assert flow == [
        ("initPublisherAsync", "camera"),
        ("publish", "CAMERA"),
        ("initPublisherAsync", "screen"),
        ("unpublish", "CAMERA"),
        ("publish", "SCREEN"),
        ("unpublish", "SCREEN"),
        ("initPublisherAsync", "camera"),
        ("publish", "CAMERA"),
    ]
    assert [c["audio"] for c in calls(page, "publish")] == [True, False, False]

    # the browser's own "stop sharing" ends the track: back to the camera as well
    button(page, "Partager l'écran").click()
    expect(button(page, "Arrêter le partage")).to_be_visible(timeout=T)
    page.evaluate("window.__ov.endScreenTrack()")
    expect(button(page, "Partager l'écran")).to_be_visible(timeout=T)
    assert [c["type"] for c in calls(page, "publish")][-1] == "CAMERA"
    status(page, "connected")


def test_screen_share_refused_keeps_the_camera(open_room):
    page = open_room({"denyScreen": True})
    status(page, "connected")
    button(page, "Partager l'écran").click()
    expect(page.get_by_text("Le partage d'écran a été refusé ou n'est pas disponible.")).to_be_visible(timeout=T)
    assert calls(page, "unpublish") == []
    status(page, "connected")


def test_leave_without_ending_then_rejoin_with_a_fresh_token(open_room):
    page = open_room()
    status(page, "connected")
    button(page, "Quitter").click()
    status(page, "disconnected")
    expect(
        page.get_by_text("Vous avez quitté la salle. Le meeting continue pour les autres participants.")
    ).to_be_visible()
    expect(page.locator(".ovr-tile")).to_have_count(0)
    expect(page.get_by_text("py-actions: left")).to_be_visible(timeout=T)
    screenshot(page, "openvidu-room-4-left")
    button(page, "Rejoindre la salle").click()
    status(page, "connected")
    expect(page.get_by_text("py-actions: left,rejoin")).to_be_visible(timeout=T)
    tokens = [c["token"] for c in calls(page, "connect")]
    assert tokens == ["wss://ov.test?sessionId=s&token=tok_1", "wss://ov.test?sessionId=s&token=tok_2"]
    assert len(calls(page, "disconnect")) == 1


def test_reconnecting_then_lost_then_retry(open_room):
    page = open_room()
    status(page, "connected")
    page.evaluate("window.__ov.serverEvent('reconnecting')")
    status(page, "reconnecting")
    expect(page.locator(".ovr-status")).to_have_text("Connexion perdue, reconnexion en cours…")
    screenshot(page, "openvidu-room-5-reconnecting")
    page.evaluate("window.__ov.serverEvent('reconnected')")
    status(page, "connected")
    page.evaluate("window.__ov.serverEvent('sessionDisconnected', 'networkDisconnect')")
    status(page, "disconnected")
    expect(page.get_by_text("La connexion à la salle a été perdue.")).to_be_visible()
    button(page, "Réessayer").click()
    status(page, "connected")
    assert len(calls(page, "connect")) == 2


def test_meeting_closed_by_the_server(open_room):
    page = open_room()
    status(page, "connected")
    page.evaluate("window.__ov.serverEvent('sessionDisconnected', 'sessionClosedByServer')")
    status(page, "disconnected")
    expect(page.get_by_text("Le meeting est terminé.")).to_be_visible()
    expect(page.locator(".ovr-root button.ovr-rejoin")).to_have_count(0)
    expect(page.get_by_text("py-actions: ended")).to_be_visible(timeout=T)


def test_connection_error_then_retry(open_room):
    page = open_room({"connectError": "Token not valid"})
    status(page, "error")
    expect(page.get_by_text("Impossible de rejoindre la salle : Token not valid")).to_be_visible()
    expect(page.locator(".ovr-status")).to_have_text("Erreur")
    screenshot(page, "openvidu-room-6-error")
    page.evaluate("window.__ov.scenario.connectError = null")
    button(page, "Réessayer").click()
    status(page, "connected")
    assert [c["token"][-5:] for c in calls(page, "connect")] == ["tok_1", "tok_2"]


def test_permission_refused_offers_retry_and_joining_without_media(open_room):
    page = open_room({"denyMedia": "DEVICE_ACCESS_DENIED"})
    message = page.get_by_text(re.compile("Accès à la caméra ou au micro refusé"))
    expect(message).to_be_visible(timeout=T)
    status(page, "connecting")
    assert calls(page, "connect") == []  # nothing joined until the participant chooses
    screenshot(page, "openvidu-room-7-denied")
    button(page, "Réessayer").click()  # still refused: asked again
    expect(message).to_be_visible()
    assert len(calls(page, "initPublisherAsync")) == 2
    button(page, "Rejoindre sans caméra ni micro").click()
    status(page, "connected")
    expect(page.get_by_text("Vous participez sans caméra ni micro.")).to_be_visible()
    assert calls(page, "publish") == []
    expect(button(page, "Couper le micro")).to_be_disabled()
    expect(button(page, "Couper la caméra")).to_be_disabled()
    page.evaluate("window.__ov.addRemote('Bruno Martin')")
    expect(page.locator(".ovr-tile .ovr-name")).to_have_text(["Bruno Martin"])
    # the participant allows the devices later on
    page.evaluate("window.__ov.scenario.denyMedia = null")
    button(page, "Activer caméra et micro").click()
    expect(page.locator('.ovr-tile[data-local="true"]')).to_have_count(1, timeout=T)
    assert [c["type"] for c in calls(page, "publish")] == ["CAMERA"]
    expect(button(page, "Couper le micro")).to_be_enabled()


def test_device_missing_then_allowed_on_retry(open_room):
    page = open_room({"denyMedia": "INPUT_VIDEO_DEVICE_NOT_FOUND"})
    expect(page.get_by_text(re.compile("Aucune caméra ou aucun micro utilisable"))).to_be_visible(timeout=T)
    page.evaluate("window.__ov.scenario.denyMedia = null")
    button(page, "Réessayer").click()
    status(page, "connected")
    assert [c["type"] for c in calls(page, "publish")] == ["CAMERA"]


def test_reruns_keep_the_call_and_leaving_the_page_leaves_the_room(open_room):
    page = open_room()
    status(page, "connected")
    page.get_by_role("button", name="Relancer la page").click()
    page.wait_for_timeout(1500)
    status(page, "connected")
    assert len(calls(page, "connect")) == 1 and len(calls(page, "initSession")) == 1
    page.get_by_text("Afficher la salle").click()  # the component leaves the page
    expect(root(page)).to_have_count(0, timeout=T)
    page.wait_for_function("window.__ov.calls('disconnect').length === 1", timeout=T)
    page.get_by_text("Afficher la salle").click()  # back: the spent token is replaced
    status(page, "connected")
    assert [c["token"][-5:] for c in calls(page, "connect")] == ["tok_1", "tok_2"]


def test_the_real_openvidu_browser_bundle_loads_from_the_app_route(open_room, room_url):
    if not VENDOR_FILE.is_file():
        pytest.skip("openvidu-browser is not installed (make setup)")
    response = httpx.get(f"{room_url}/api/assets/openvidu-browser.js")
    assert response.status_code == 200 and "javascript" in response.headers["content-type"]
    assert response.content == VENDOR_FILE.read_bytes()
    page = open_room(stand_in=False, query="?timeout=4")
    page.wait_for_function("typeof window.OpenVidu === 'function'", timeout=T)
    # the made-up token points nowhere: the real library fails to connect, the room says so
    status(page, "error")
    expect(page.get_by_text(re.compile("Impossible de rejoindre la salle"))).to_be_visible()
    expect(button(page, "Réessayer")).to_be_visible()
    screenshot(page, "openvidu-room-8-real-library")


def test_sharing_the_screen_without_camera_or_microphone(open_room):
    page = open_room({"denyMedia": "DEVICE_ACCESS_DENIED"})
    button(page, "Rejoindre sans caméra ni micro").click()
    status(page, "connected")
    button(page, "Partager l'écran").click()
    expect(button(page, "Arrêter le partage")).to_be_visible(timeout=T)
    expect(button(page, "Activer caméra et micro")).to_be_hidden()  # one publisher per connection
    (shared,) = calls(page, "publish")
    assert shared["type"] == "SCREEN" and shared["audio"] is False
    button(page, "Arrêter le partage").click()
    expect(button(page, "Partager l'écran")).to_be_visible(timeout=T)
    expect(page.locator('.ovr-tile[data-local="true"]')).to_have_count(0)
    assert [c["type"] for c in calls(page, "unpublish")] == ["SCREEN"]
    assert len(calls(page, "publish")) == 1  # no camera came back: there was none
    expect(button(page, "Activer caméra et micro")).to_be_visible()
