"""Screen share in the embedded room, in two headless Chromiums.

Both cameras are a plain red picture (a Y4M file); a shared screen is Chromium's fake
display capture, a green picture. So "the big tile is green" means the share reached the
room's grid, and "red" means the cameras are back; the same test reads the received video
of the other side and the recorded MP4.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import av
import numpy as np
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.room_support import (
    join,
    meeting_id,
    playwright_driver,  # noqa: F401 - fixture
    received_video,
    two_people,
    wait_for,
)
from tests.browser_support import screenshot
from visio_core.adapters.embedded_room import grid

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RED_YUV = (81, 90, 240)  # BT.601 red


@pytest.fixture(scope="module")
def red_camera(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("camera") / "red.y4m"
    w, h = 640, 480
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{w} H{h} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(15):
            out.write(
                b"FRAME\n"
                + bytes([RED_YUV[0]]) * (w * h)
                + bytes([RED_YUV[1]]) * (w * h // 4)
                + bytes([RED_YUV[2]]) * (w * h // 4)
            )
    return path


def colour(rgb: np.ndarray) -> str:
    r, g, b = rgb.reshape(-1, 3).mean(axis=0)
    if g > 90 and g > 2 * r and g > 2 * b:
        return "green"
    if r > 150 and r > 2 * g and r > 2 * b:
        return "red"
    return "other"


def received(page: Page) -> str:
    """Colour of the middle of the screen area in the grid this page receives."""
    pixels = received_video(page).evaluate(
        """(video, box) => { const c = document.createElement('canvas'); c.width = 640; c.height = 480;
            const g = c.getContext('2d'); g.drawImage(video, 0, 0, 640, 480);
            return Array.from(g.getImageData(box[0], box[1], box[2], box[3]).data); }""",
        [200, grid.SCREEN_H // 2 - 40, 240, 80],
    )
    return colour(np.array(pixels, dtype=np.uint8).reshape(-1, 4)[:, :3])


def wait_received(page: Page, expected: str, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = received(page)
        if seen == expected:
            return
        time.sleep(0.3)
    shot = screenshot(page, "share-failed")
    raise AssertionError(f"{what}: the grid shows {seen}, not {expected} (see {shot})")


def wait_screen(context: BrowserContext, url: str, meeting: str, check, what: str, timeout: float = 30) -> dict:
    return wait_for(context, url, meeting, check, what, timeout, part="screen")


def recorded_sequence(path: Path) -> list[str]:
    """The recording's screen-area colour over time, runs collapsed: e.g. red, green, red."""
    runs: list[str] = []
    with av.open(str(path)) as container:
        for n, frame in enumerate(container.decode(video=0)):
            if n % 5:
                continue
            rgb = frame.to_ndarray(format="rgb24")
            seen = colour(rgb[grid.SCREEN_H // 2 - 40 : grid.SCREEN_H // 2 + 40, 200:440])
            if seen != "other" and (not runs or runs[-1] != seen):
                runs.append(seen)
    return runs


def test_a_screen_share_is_seen_by_the_other_side_and_recorded_then_the_cameras_return(
    server,
    data_dir,
    red_camera,
    playwright_driver,  # noqa: F811 - fixture
):
    meeting = meeting_id(data_dir, "Point d'étape hebdomadaire")  # demo: in progress, MiKL with Claire
    with two_people(playwright_driver, server, camera=red_camera) as (operator, op_page, client, client_page):
        join(op_page, server, meeting)
        join(client_page, server, meeting)
        wait_for(
            operator,
            server,
            meeting,
            lambda ps: len(ps) == 2 and all(p["video_frames"] > 10 for p in ps),
            "both participants send video",
        )
        wait_received(op_page, "red", "the cameras fill the grid")

        # The client shares: the operator's grid shows her screen as the big tile.
        client_page.get_by_role("button", name="Partager l'écran").click()
        expect(client_page.get_by_role("button", name="Arrêter le partage")).to_be_visible(timeout=20_000)
        wait_screen(
            operator,
            server,
            meeting,
            lambda s: s and s["sharer"].startswith("Claire") and s["frames"] > 15,
            "the server receives the client's screen",
        )
        wait_received(op_page, "green", "the operator sees the client's screen")
        expect(op_page.get_by_text(re.compile("Claire .* partage son écran"))).to_be_visible(timeout=10_000)
        screenshot(op_page, "share-1-operator-sees-client-screen")

        # She stops: back to the cameras.
        client_page.get_by_role("button", name="Arrêter le partage").click()
        wait_screen(operator, server, meeting, lambda s: s is None, "the share ended")
        wait_received(op_page, "red", "the cameras are back")
        expect(client_page.get_by_role("button", name="Partager l'écran")).to_be_enabled()

        # She shares again; the operator takes over, and her page is told and stops sending.
        client_page.get_by_role("button", name="Partager l'écran").click()
        wait_screen(
            operator,
            server,
            meeting,
            lambda s: s and s["sharer"].startswith("Claire") and s["frames"] > 5,
            "the client shares again",
        )
        op_page.get_by_role("button", name="Prendre la main sur le partage").click()
        wait_screen(
            operator,
            server,
            meeting,
            lambda s: s and s["sharer"] == "MiKL" and s["frames"] > 15,
            "the operator's screen replaced the client's",
        )
        expect(client_page.get_by_text("MiKL a pris la main")).to_be_visible(timeout=10_000)
        expect(client_page.get_by_role("button", name="Partager l'écran")).to_be_disabled()  # one sharer
        wait_received(client_page, "green", "the client sees the operator's screen")
        op_page.get_by_role("button", name="Arrêter le partage").click()
        wait_screen(operator, server, meeting, lambda s: s is None, "the operator stopped")
        wait_received(client_page, "red", "the client's grid is back to the cameras")
        time.sleep(1)  # a second of cameras in the recording after the share

        op_page.get_by_role("button", name="Terminer le meeting pour tous").click()
        op_page.get_by_role("button", name="Oui, terminer").click()
        expect(op_page.get_by_text(re.compile(r"Meeting terminé"))).to_be_visible(timeout=60_000)

    # The recording is the grid: cameras, the client's screen, cameras, her screen, his screen, cameras.
    path = recording(data_dir, meeting)
    sequence = recorded_sequence(path)
    assert sequence[:3] == ["red", "green", "red"] and sequence[-1] == "red", sequence


def recording(data_dir: Path, meeting: str, timeout: float = 60) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(data_dir / "visio.sqlite3") as db:
            row = db.execute("SELECT recording_url FROM meeting_recordings WHERE meeting_id = ?", (meeting,)).fetchone()
        if row:
            return next((data_dir / "storage").rglob(Path(row[0]).name))
        time.sleep(0.5)
    raise AssertionError("the meeting's recording was not stored")
