"""The spine's journey in headless Chromium against a real dashboard server."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, ROOT, dashboard, require_chromium, screenshot
from visio_core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    data = tmp_path_factory.mktemp("journey") / "data"
    env_cmd = [sys.executable, "-m", "visio_core", "seed-demo"]
    subprocess.run(env_cmd, cwd=ROOT, check=True, env={**__import__("os").environ, "VISIO_DATA_DIR": str(data)})
    with dashboard(data) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_operator_creates_starts_and_ends_a_meeting(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in(page, server, "mikl@foxeo.demo")
    expect(page.get_by_role("heading", name=re.compile("Hub"))).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Page 1 / 1 — 6 meeting(s)")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1000)  # let the table's canvas paint for the screenshot
    screenshot(page, "journey-1-hub")

    page.get_by_text("Nouveau meeting").click()
    page.get_by_label("Titre", exact=True).fill("Revue Chromium")
    page.get_by_role("button", name="Créer le meeting").click()
    expect(page.get_by_text("Meeting « Revue Chromium » créé.")).to_be_visible(timeout=20_000)

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
