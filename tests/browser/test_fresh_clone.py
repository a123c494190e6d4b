"""The first ten minutes: a fresh clone's `make run` serves a demo whose recording plays beside its
transcript, both speakers named, the highlighted line following playback.

The clone gets this checkout's virtualenv, model and npm folder (symlinks) and its vendored
browser library, so the setup step finds everything in place and downloads nothing; what runs is
the clone's own Makefile, setup script, demo seeding, dashboard and worker."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    free_port,
    require_chromium,
    screenshot,
    wait_healthy,
)
from visio_core.entrypoints.demo import DEMO_PASSWORD, DIALOGUE, OPERATOR_EMAIL

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSETS = Path("visio_core/entrypoints/assets")
SPEAKERS = sorted({speaker for speaker, _, _ in DIALOGUE})


def fresh_clone(folder: Path) -> Path:
    """`git clone` of this checkout's HEAD, with the set-up pieces git does not carry."""
    clone = folder / "visio"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", head.stdout.strip()], check=True)
    for name in (".venv", "models", "node_modules"):
        (clone / name).symlink_to((ROOT / name).resolve(), target_is_directory=True)
    for script in (ROOT / ASSETS).glob("*.js"):
        shutil.copy(script, clone / ASSETS / script.name)
    assert not (clone / "data").exists()  # an empty store: `make run` seeds the demo
    return clone


def stop_group(process: subprocess.Popen, timeout: float = 60) -> None:
    """Ctrl+C for `make run`'s whole process group (make, supervisor, dashboard, workers)."""
    os.killpg(process.pid, signal.SIGINT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        process.poll()  # reap make itself
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError(f"make run's processes were still running {timeout:.0f} s after Ctrl+C")


def test_make_run_in_a_fresh_clone_shows_a_playable_recording_with_its_transcript(tmp_path):
    require_chromium()
    clone = fresh_clone(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VISIO_", "OPENAI_", "SUPABASE_", "OPENVIDU_"))}
    log = open(tmp_path / "make-run.log", "w")
    make = subprocess.Popen(
        ["make", "run", f"PORT={port}", "ADDRESS=127.0.0.1"],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # setup checks, the demo's recording, then the dashboard
        wait_healthy(url, make, tmp_path / "make-run.log", timeout=300)
        output = (tmp_path / "make-run.log").read_text()
        assert "installing" not in output, output  # the setup had everything: nothing fetched
        assert (clone / "data" / "visio.sqlite3").is_file()  # the clone's own store, under ./data

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            try:
                watch_the_demo_recording(page, url)
            except AssertionError:
                screenshot(page, "fresh-clone-failure")
                raise
            finally:
                browser.close()
    finally:
        stop_group(make)
        log.close()


def watch_the_demo_recording(page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(OPERATOR_EMAIL)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name=re.compile("^Hub"))).to_be_visible(timeout=60_000)

    # From the Hub, as the README says: find the finished demo meeting, open its recordings.
    page.get_by_label("Titre contient").fill("Weekly review")
    page.get_by_label("Titre contient").press("Enter")
    expect(page.get_by_text("Page 1 / 1 — 1 meeting(s)")).to_be_visible(timeout=30_000)
    page.locator("[data-testid=stMain]").get_by_role("link", name=re.compile("Enregistrements")).click()
    expect(page.get_by_role("heading", name="Weekly review with the London office")).to_be_visible(timeout=60_000)

    cues = page.locator("li.vp-cue")
    # The worker beside the dashboard transcribes the demo recording after the first start.
    expect(cues.first).to_be_visible(timeout=300_000)
    expect(page.locator(".vp-speaker", has_text=SPEAKERS[0]).first).to_be_visible()
    expect(page.locator(".vp-speaker", has_text=SPEAKERS[1]).first).to_be_visible()
    spoken = " ".join(cues.all_inner_texts()).lower()
    assert "budget" in spoken and "photographer" in spoken, spoken

    video = page.locator("video.vp-video")
    video.evaluate("v => v.readyState >= 1 || new Promise(r => v.addEventListener('loadedmetadata', r, {once: true}))")
    assert video.evaluate("v => v.paused && v.currentTime === 0")
    poster = video.evaluate("v => v.poster")
    assert poster and page.request.get(poster).headers["content-type"] == "image/jpeg"
    screenshot(page, "fresh-clone-recording")

    video.click()  # the press on play: Chromium's controls play a paused video on a click
    expect(page.locator("li.vp-cue.vp-active")).to_have_count(1, timeout=30_000)
    second_start = float(cues.nth(1).get_attribute("data-start"))
    page.wait_for_function(
        "([el, t]) => el.currentTime > t + 0.3",
        arg=[video.element_handle(), second_start],
        timeout=60_000,
    )
    assert not video.evaluate("v => v.paused")
    # The highlighted line is the one being spoken, past the first.
    active = page.locator("li.vp-cue.vp-active")
    now = video.evaluate("v => v.currentTime")
    start = float(active.get_attribute("data-start"))
    index = int(active.get_attribute("data-index"))
    assert index >= 1 and start <= now + 0.5, (index, start, now)
    following = cues.nth(index + 1)
    if following.count():
        assert now < float(following.get_attribute("data-start")) + 0.5
    screenshot(page, "fresh-clone-playing")
