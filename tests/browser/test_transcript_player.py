"""The transcript player in headless Chromium: sync, click-to-seek, search, text-only cues, offset."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, dashboard, require_chromium, screenshot
from tests.media_fixtures import make_video

pytestmark = pytest.mark.browser

SRT = """1
00:00:00,000 --> 00:00:02,000
Bonjour et bienvenue

2
00:00:02,000 --> 00:00:04,000
<script>window.__pwned = true</script> <b>gras</b>

3
00:00:04,000 --> 00:00:06,000
Parlons du budget du projet

4
00:00:06,000 --> 00:00:08,000
Le budget est validé
"""


@pytest.fixture(scope="module")
def player_url(tmp_path_factory):
    require_chromium()
    tmp = tmp_path_factory.mktemp("player")
    video = make_video(tmp / "meeting.webm", 9)
    srt = tmp / "meeting.srt"
    srt.write_text(SRT, "utf-8")
    env = {"PLAYER_VIDEO": str(video), "PLAYER_SRT": str(srt)}
    with dashboard(tmp / "data", env, script="tests/browser/apps/player_asgi.py") as url:
        yield url


@pytest.fixture(scope="module")
def page_factory():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]
        )
        yield lambda: browser.new_page(viewport={"width": 1300, "height": 800})
        browser.close()


def current_time(page) -> float:
    return page.locator("video.vp-video").evaluate("v => v.currentTime")


def wait_ready(page) -> None:
    page.locator("video.vp-video").evaluate(
        "v => v.readyState >= 1 || new Promise(r => v.addEventListener('loadedmetadata', r, {once: true}))"
    )


def test_click_seeks_and_highlight_follows_playback(player_url, page_factory):
    page = page_factory()
    page.goto(player_url)
    cues = page.locator("li.vp-cue")
    expect(cues).to_have_count(4, timeout=30_000)
    wait_ready(page)
    cues.nth(2).click()
    assert abs(current_time(page) - 4.0) < 0.3
    expect(cues.nth(2)).to_have_class("vp-cue vp-active")
    # play from 1.5 s: the highlight moves from cue 1 to cue 2 by itself
    page.locator("video.vp-video").evaluate("v => { v.currentTime = 1.5; return v.play(); }")
    expect(cues.nth(0)).to_have_class("vp-cue vp-active", timeout=5_000)
    expect(cues.nth(1)).to_have_class("vp-cue vp-active", timeout=10_000)
    assert current_time(page) >= 2.0
    page.locator("video.vp-video").evaluate("v => v.pause()")
    screenshot(page, "player-1-playing")
    page.close()


def test_keyboard_moves_and_seeks(player_url, page_factory):
    page = page_factory()
    page.goto(player_url)
    cues = page.locator("li.vp-cue")
    expect(cues).to_have_count(4, timeout=30_000)
    wait_ready(page)
    cues.nth(0).focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert abs(current_time(page) - 6.0) < 0.3
    page.close()


def test_search_highlights_and_jumps(player_url, page_factory):
    page = page_factory()
    page.goto(player_url)
    search = page.get_by_placeholder("Rechercher dans la transcription")
    expect(search).to_be_visible(timeout=30_000)
    wait_ready(page)
    search.fill("BUDGET")
    marks = page.locator("li.vp-cue mark")
    expect(marks).to_have_count(2)
    expect(page.locator(".vp-count")).to_have_text("0 / 2")
    search.press("Enter")
    expect(page.locator(".vp-count")).to_have_text("1 / 2")
    assert abs(current_time(page) - 4.0) < 0.3
    page.get_by_role("button", name="Occurrence suivante").click()
    expect(page.locator(".vp-count")).to_have_text("2 / 2")
    assert abs(current_time(page) - 6.0) < 0.3
    expect(page.locator("mark.vp-current")).to_have_text("budget")
    screenshot(page, "player-2-search")
    search.fill("introuvable")
    expect(page.locator(".vp-count")).to_have_text("0 / 0")
    expect(page.get_by_role("button", name="Occurrence suivante")).to_be_disabled()
    page.close()


def test_markup_in_cues_is_shown_as_text(player_url, page_factory):
    page = page_factory()
    page.goto(player_url)
    second = page.locator("li.vp-cue").nth(1)
    expect(second).to_contain_text("<script>window.__pwned = true</script> <b>gras</b>", timeout=30_000)
    assert second.locator("script, b").count() == 0
    assert page.evaluate("() => window.__pwned === undefined")
    page.close()


def test_opens_at_an_offset(player_url, page_factory):
    page = page_factory()
    page.goto(player_url + "/?t=6.5")
    expect(page.locator("li.vp-cue")).to_have_count(4, timeout=30_000)
    wait_ready(page)
    page.wait_for_function(
        "() => Math.abs(document.querySelector('video')?.currentTime - 6.5) < 0.3 || "
        "[...document.querySelectorAll('*')].some(e => e.shadowRoot && "
        "Math.abs(e.shadowRoot.querySelector('video')?.currentTime - 6.5) < 0.3)",
        timeout=10_000,
    )
    expect(page.locator("li.vp-cue").nth(3)).to_have_class("vp-cue vp-active")
    page.close()
