"""What every browser test of the embedded room needs: Chromiums with fake media, signing in, joining
the call (our room_call component), reading what the server receives, and what the page still holds.

Each page is instrumented before any script runs: every track getUserMedia hands out and every
RTCPeerConnection made is kept in `window.__visioMedia`, so a test can tell that a torn-down call
really stopped the camera (a live track is a lit camera light) and closed its connections.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.browser.test_journey import sign_in
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS

MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",  # also accepts getDisplayMedia: Chromium's fake (green) screen
    "--autoplay-policy=no-user-gesture-required",
]
CALL = ".vrc-root"  # the room_call component's root (in its shadow root; Playwright's CSS pierces it)
JOIN = "Rejoindre la salle"
LEAVE = "Quitter la salle"
CONNECTED = "Vous êtes dans la salle."
RECONNECTING = "Connexion perdue — reconnexion…"
VIEWPORT = {"width": 1300, "height": 1100}

INSTRUMENT = """(() => {
  const media = { tracks: [], pcs: [] };
  window.__visioMedia = media;
  const getUserMedia = MediaDevices.prototype.getUserMedia;
  MediaDevices.prototype.getUserMedia = async function (...args) {
    const stream = await getUserMedia.apply(this, args);
    media.tracks.push(...stream.getTracks());
    return stream;
  };
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); media.pcs.push(this); }
  };
})();"""


@pytest.fixture(scope="module")
def playwright_driver():
    with sync_playwright() as p:
        yield p


def open_browser(driver, microphone: Path | None = None, camera: Path | None = None) -> Browser:
    """Chromium with a fake camera (its test pattern, or a Y4M file) and a fake microphone (a WAV file)."""
    args = [*CHROMIUM_ARGS, *MEDIA_ARGS]
    if microphone is not None:
        args.append(f"--use-file-for-fake-audio-capture={microphone}")
    if camera is not None:
        args.append(f"--use-file-for-fake-video-capture={camera}")
    return driver.chromium.launch(executable_path=CHROMIUM, args=args)


def new_page(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(INSTRUMENT)
    return context, context.new_page()


@contextmanager
def two_people(
    driver, server: str, microphones: tuple[Path | None, Path | None] = (None, None), camera: Path | None = None
) -> Iterator[tuple[BrowserContext, Page, BrowserContext, Page]]:
    """MiKL (the operator) and Claire (his client), each signed in in a Chromium of his own."""
    browsers = [open_browser(driver, mic, camera) for mic in microphones]
    try:
        (operator, op_page), (client, client_page) = (new_page(b) for b in browsers)
        sign_in(op_page, server, "mikl@foxeo.demo")
        sign_in(client_page, server, "claire@client.demo")
        for page in (op_page, client_page):
            expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible(timeout=60_000)
        yield operator, op_page, client, client_page
    finally:
        for browser in browsers:
            browser.close()


def meeting_id(data_dir: Path, title: str) -> str:
    with sqlite3.connect(data_dir / "visio.sqlite3") as db:
        return db.execute("SELECT id FROM meetings WHERE title = ?", (title,)).fetchone()[0]


def roster(context: BrowserContext, url: str, meeting: str) -> dict:
    response = context.request.get(f"{url}/api/rooms/{meeting}")
    assert response.status == 200, response.text()
    return response.json()


def wait_for(
    context: BrowserContext, url: str, meeting: str, check, what: str, timeout: float = 40, part: str = "participants"
) -> dict:
    """The room's state once `check(state[part])` holds ("participants" or "screen")."""
    deadline = time.monotonic() + timeout
    state = {}
    while time.monotonic() < deadline:
        state = roster(context, url, meeting)
        if check(state[part]):
            return state
        time.sleep(0.3)
    raise AssertionError(f"{what}: room state {state}")


def person(participants: list[dict], name: str) -> dict | None:
    return next((p for p in participants if p["name"].startswith(name)), None)


def call(page: Page):
    return page.locator(CALL)


def open_room(page: Page, url: str, meeting: str) -> None:
    page.goto(f"{url}/room?meeting={meeting}")
    expect(call(page).get_by_role("button", name=JOIN)).to_be_visible(timeout=60_000)


def join(page: Page, url: str, meeting: str | None = None) -> None:
    """Open the room (unless `meeting` is None: the page is on it), click "Rejoindre", wait for the call."""
    if meeting is not None:
        open_room(page, url, meeting)
    call(page).get_by_role("button", name=JOIN).click()
    expect(call(page).get_by_role("button", name=LEAVE)).to_be_visible(timeout=30_000)
    expect(status(page)).to_have_text(CONNECTED, timeout=60_000)


def status(page: Page):
    return call(page).get_by_role("status")


def press(page: Page, name: str) -> None:
    call(page).get_by_role("button", name=name, exact=True).click()


def received_video(page: Page):
    video = call(page).locator("video")
    expect(video).to_be_visible(timeout=30_000)
    return video


def video_is_moving(page: Page) -> tuple[int, float]:
    """Width of the received video and how much its pixels changed over one second."""
    sample = """async (video) => {
        const grab = () => { const c = document.createElement('canvas'); c.width = 160; c.height = 120;
            const g = c.getContext('2d'); g.drawImage(video, 0, 0, 160, 120); return g.getImageData(0, 0, 160, 120).data; };
        const a = grab(); await new Promise(r => setTimeout(r, 1000)); const b = grab();
        let diff = 0; for (let i = 0; i < a.length; i += 4) diff += Math.abs(a[i] - b[i]) + Math.abs(a[i+1] - b[i+1]);
        return [video.videoWidth, diff / (a.length / 4)];
    }"""
    width, change = received_video(page).evaluate(sample)
    return int(width), float(change)


def wait_for_transcript(data_dir: Path, meeting: str, timeout: float = 240) -> dict:
    """The meeting's one recording, once transcribed (fails if its transcription failed)."""
    deadline = time.monotonic() + timeout
    row = None
    while time.monotonic() < deadline:
        with sqlite3.connect(data_dir / "visio.sqlite3") as db:
            db.row_factory = sqlite3.Row
            rows = [dict(r) for r in db.execute("SELECT * FROM meeting_recordings WHERE meeting_id = ?", (meeting,))]
        assert len(rows) <= 1, rows
        row = rows[0] if rows else None
        if row and row["transcription_status"] in ("completed", "failed"):
            assert row["transcription_status"] == "completed", row
            assert row["recording_duration_seconds"] > 20, row
            return row
        time.sleep(1)
    raise AssertionError(f"no transcribed recording: {row}")


def live_media(page: Page) -> dict[str, int]:
    """Camera and microphone tracks still live, and peer connections not closed, in this page."""
    return page.evaluate("""() => ({
        tracks: window.__visioMedia.tracks.filter(t => t.readyState === 'live').length,
        connections: window.__visioMedia.pcs.filter(p => p.connectionState !== 'closed').length,
    })""")
