"""The spine's journey in headless Chromium against a real dashboard server."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, ROOT, cli, open_expander, screenshot
from visio_core.adapters.sqlite.web_sessions import COOKIE
from visio_core.entrypoints.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def sign_in(page: Page, url: str, email: str) -> None:
    """Sign in and wait for the session cookie: the page asks a route to set it just after the
    sign-in, and a test that opens another address before then lands on the sign-in form."""
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    deadline = time.monotonic() + 60
    while not any(c["name"] == COOKIE for c in page.context.cookies()):
        assert time.monotonic() < deadline, f"{email}: no session cookie 60 s after signing in"
        page.wait_for_timeout(200)


def test_operator_creates_starts_and_ends_a_meeting(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in(page, server, "mikl@foxeo.demo")
    expect(page.get_by_role("heading", name=re.compile("Hub"))).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Page 1 / 1 — 7 meeting(s)")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1000)  # let the table's canvas paint for the screenshot
    screenshot(page, "journey-1-hub")

    open_expander(page, "Nouveau meeting")
    page.get_by_label("Titre", exact=True).fill("Revue Chromium")
    page.get_by_role("button", name="Créer le meeting").click()
    try:
        expect(page.get_by_text("Meeting « Revue Chromium » créé.")).to_be_visible(timeout=20_000)
    except AssertionError:
        screenshot(page, "journey-failure-create")  # what the page showed instead
        raise

    page.get_by_label("Titre contient").fill("Revue Chromium")
    page.get_by_label("Titre contient").press("Enter")
    expect(page.get_by_text("Page 1 / 1 — 1 meeting(s)")).to_be_visible(timeout=20_000)

    page.get_by_role("button", name="Démarrer").click()
    page.get_by_role("button", name="Oui, confirmer").click()
    expect(page.get_by_text("Meeting démarré.")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("link", name=re.compile("Rejoindre la salle"))).to_be_visible()
    screenshot(page, "journey-2-started")

    page.get_by_role("button", name="Terminer").click()
    page.get_by_role("button", name="Oui, confirmer").click()
    expect(page.get_by_text(re.compile(r"Meeting terminé \(durée : 0 min \d\d s\)"))).to_be_visible(timeout=20_000)
    screenshot(page, "journey-3-ended")
    page.close()


def test_client_sees_only_his_meetings(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in(page, server, "claire@client.demo")
    expect(page.get_by_role("heading", name="Mes meetings")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Point d'étape hebdomadaire")).to_be_visible()
    expect(page.get_by_text("Atelier stratégie")).to_have_count(0)  # Bruno's
    expect(page.get_by_role("link", name=re.compile("Rejoindre"))).to_have_count(1)
    screenshot(page, "journey-4-client")
    # the Hub is not among a client's pages
    page.goto(server + "/hub")
    expect(page.get_by_role("heading", name=re.compile("^Hub"))).to_have_count(0)
    page.close()


def test_client_watches_a_transcribed_recording(server, browser, data_dir, tmp_path):
    from tests.transcription.helpers import FRENCH, say, write_media

    speech = say("espeak-ng", tmp_path, "fr", FRENCH, "fr", 110, 0.7)
    media = write_media(tmp_path / "reunion.webm", speech, video="libvpx-vp9", audio="libopus")
    db = sqlite3.connect(data_dir / "visio.sqlite3")
    meeting_id = db.execute("SELECT id FROM meetings WHERE title = 'Lancement du projet'").fetchone()[0]
    cli(data_dir, "ingest", str(media), "--meeting", meeting_id)  # the dashboard's own worker transcribes it

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in(page, server, "claire@client.demo")
    expect(page.get_by_role("heading", name="Mes meetings")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)  # the page exchanges its sign-in for the cookie a new page load uses
    page.goto(f"{server}/recordings?meeting={meeting_id}")
    expect(page.get_by_role("heading", name="Lancement du projet")).to_be_visible(timeout=30_000)
    cues = page.locator("li.vp-cue")
    # Nobody reloads: the page follows the worker by itself and shows the transcript when it is ready.
    expect(cues.first).to_be_visible(timeout=120_000)
    assert "budget" in " ".join(cues.all_inner_texts()).lower()
    video = page.locator("video.vp-video")
    video.evaluate("v => v.readyState >= 1 || new Promise(r => v.addEventListener('loadedmetadata', r, {once: true}))")
    # The transcript is also the video's own subtitle track, so full-screen playback keeps it.
    for _ in range(40):  # the <video> lives in the component's shadow root: the locator reaches it
        if video.evaluate(
            "v => { const t = v.textTracks[0]; return !!(t && t.mode === 'showing' && t.cues && t.cues.length > 0); }"
        ):
            break
        page.wait_for_timeout(500)
    # What the caption shows: the cue's text without its WebVTT voice tag (an imported file's lines
    # carry "Intervenant 1" by voice).
    first_caption = video.evaluate("v => v.textTracks[0].cues[0].getCueAsHTML().textContent")
    assert first_caption and first_caption == cues.first.locator(".vp-text").inner_text()
    video.evaluate("v => { v.currentTime = v.duration - 0.1; }")
    cues.first.click()
    start = float(cues.first.get_attribute("data-start"))
    assert abs(video.evaluate("v => v.currentTime") - start) < 0.3
    srt_link = page.get_by_role("link", name=re.compile(r"Sous-titres \(SRT\)"))
    href = srt_link.get_attribute("href")
    response = page.request.get(href if href.startswith("http") else server + href)
    assert response.status == 200 and "-->" in response.text()
    tampered = page.request.get((href if href.startswith("http") else server + href).replace("sig=", "sig=0"))
    assert tampered.status == 403
    page.wait_for_timeout(500)
    screenshot(page, "journey-5-recording")
    page.close()


def test_a_search_hit_opens_on_its_line_and_back_keeps_the_search(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in(page, server, "mikl@foxeo.demo")
    expect(page.get_by_role("heading", name=re.compile("Hub"))).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="Transcriptions").click()
    page.get_by_label("Rechercher dans les transcriptions").fill("projet")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile("Ouvrir")).first.click()
    active = page.locator("li.vp-cue.vp-active")
    expect(active).to_have_count(1, timeout=30_000)  # the hit's own line, marked and in view
    expect(active.locator("mark").first).to_have_text(re.compile("projet", re.IGNORECASE))
    assert abs(float(active.get_attribute("data-start")) - float(page.url.split("t=")[1].split("&")[0])) < 0.001
    screenshot(page, "journey-5b-search-hit")
    page.go_back()
    expect(page.get_by_label("Rechercher dans les transcriptions")).to_have_value("projet", timeout=30_000)
    expect(page.get_by_role("link", name=re.compile("Ouvrir")).first).to_be_visible(timeout=30_000)

    # Transcribing again in another language keeps the transcript on screen until the new one is in.
    page.get_by_role("link", name=re.compile("Ouvrir")).first.click()
    expect(page.locator("li.vp-cue").first).to_be_visible(timeout=30_000)
    language = page.get_by_role("combobox", name=re.compile("Langue de la transcription"))
    language.click()
    page.keyboard.type("en")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Transcrire à nouveau").click()
    expect(page.get_by_text(re.compile("précédente reste affichée"))).to_be_visible(timeout=30_000)
    assert page.locator("li.vp-cue").count() > 0
    expect(page.get_by_text(re.compile("précédente reste affichée"))).to_have_count(0, timeout=120_000)
    expect(page.locator("li.vp-cue").first).to_be_visible()
    page.close()


def test_sign_in_survives_a_reload_and_sign_out_ends_it(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    sign_in(page, server, "mikl@foxeo.demo")
    expect(page.get_by_role("heading", name=re.compile("^Hub"))).to_be_visible(timeout=30_000)
    for _ in range(50):  # the browser exchanges its claim code for the cookie right after sign-in
        if any(c["name"] == "visio_session" for c in context.cookies()):
            break
        page.wait_for_timeout(100)
    cookie = next(c for c in context.cookies() if c["name"] == "visio_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("() => document.cookie").find("visio_session") == -1  # invisible to scripts

    page.reload()
    expect(page.get_by_role("heading", name=re.compile("^Hub"))).to_be_visible(timeout=30_000)
    other_tab = context.new_page()
    other_tab.goto(server + "/hub")
    expect(other_tab.get_by_role("heading", name=re.compile("^Hub"))).to_be_visible(timeout=30_000)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=20_000)
    page.reload()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=20_000)
    other_tab.reload()  # the session is closed on the server: every tab is signed out
    expect(other_tab.get_by_role("button", name="Se connecter")).to_be_visible(timeout=20_000)
    context.close()


START_ELSEWHERE = """
import sys
from visio_core.entrypoints.bootstrap import get_context
ctx = get_context()
mikl = ctx.accounts.users.get_with_hash("mikl@foxeo.demo")[0]
meeting = ctx.meetings.list_meetings(mikl, title_contains="Atelier strat").items[0]
ctx.meetings.start_meeting(mikl, meeting.id)
"""


def test_hub_shows_a_change_made_elsewhere_without_reload(server, browser, data_dir):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in(page, server, "mikl@foxeo.demo")
    page.get_by_label("Titre contient").fill("Atelier strat")
    page.get_by_label("Titre contient").press("Enter")
    expect(page.get_by_role("button", name="Démarrer")).to_be_visible(timeout=20_000)
    subprocess.run(
        [sys.executable, "-c", START_ELSEWHERE],
        cwd=ROOT,
        check=True,
        env={**os.environ, "VISIO_DATA_DIR": str(data_dir), "VISIO_EMBEDDED_WORKER": "0"},
    )
    # no reload, no click: the Hub's timed refresh picks the change up
    expect(page.get_by_role("button", name="Terminer")).to_be_visible(timeout=15_000)
    page.close()


def test_operator_imports_a_recording_from_the_hub(server, browser, tmp_path):
    from tests.media_fixtures import make_video

    media = make_video(tmp_path / "atelier.webm", 3)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 4096)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in(page, server, "mikl@foxeo.demo")
    open_expander(page, "Importer un enregistrement")
    page.locator("input[type=file]").set_input_files(str(broken))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text("pas un enregistrement lisible")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1500)  # let the page settle (the Hub's list refreshes itself) before the next upload
    page.locator("input[type=file]").set_input_files(str(media))
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text(re.compile("Enregistrement importé pour"))).to_be_visible(timeout=40_000)
    screenshot(page, "journey-6-import")
    page.close()


def test_no_page_contacts_an_outside_host(server, browser):
    """The embedded default talks to nobody but the dashboard: no font, icon or script host on the Internet."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not re.match(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/|^(data|blob):", request.url)
            else None
        ),
    )
    sign_in(page, server, "mikl@foxeo.demo")
    expect(page.get_by_role("heading", name=re.compile("Hub"))).to_be_visible(timeout=30_000)
    for path in ("recordings", "transcripts"):
        page.goto(f"{server}/{path}")
        page.wait_for_timeout(2500)
    page.goto(server)
    page.wait_for_timeout(2500)
    assert outside == []
