"""Every page for every role (signed out, the operator, a client, the analyst) on the demo data,
in Chromium: each page is French, shows no Streamlit error or English dialog, and is captured in
test-artifacts/tour-*.png for a person to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, open_expander, screenshot
from visio_core.entrypoints.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# Streamlit's own English, as it would show up on a page (the hints are hidden by ui/chrome.py).
NOT_FOR_ROLE = re.compile("Cette page n'est pas ouverte à votre rôle")
ENGLISH = ("Page not found", "Press Enter", "Press Ctrl", "No results", "Traceback", "Error")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def signed_in(browser, url: str, email: str | None, locale: str = "fr-FR") -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    page = context.new_page()
    page.goto(url)
    if email is None:
        return page
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible(timeout=60_000)
    for _ in range(100):  # the browser exchanges its claim code for the cookie a new page load uses
        if any(c["name"] == "visio_session" for c in context.cookies()):
            break
        page.wait_for_timeout(100)
    return page


def visit(page: Page, url: str, path: str, name: str, heading: str | re.Pattern | None) -> None:
    """`heading` None: a page of another role, which says so."""
    page.goto(url + path)
    shown = page.get_by_text(NOT_FOR_ROLE) if heading is None else page.get_by_role("heading", name=heading).first
    expect(shown).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)  # tables paint on a canvas; let them
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=30_000)  # every element drawn
    check_french(page, name)
    screenshot(page, f"tour-{name}")


def check_french(page: Page, name: str) -> None:
    body = page.locator("body").inner_text()
    for word in ENGLISH:
        assert word not in body, f"{name}: {word!r} on the page"
    assert page.locator("[data-testid=stException]").count() == 0, name


def test_signed_out(server, browser):
    page = signed_in(browser, server, None)
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=60_000)
    check_french(page, "signed-out")
    screenshot(page, "tour-signed-out-login")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Saisissez votre email et votre mot de passe.")).to_be_visible(timeout=30_000)
    screenshot(page, "tour-signed-out-empty-fields")
    page.goto(server + "/recordings?meeting=00000000-0000-0000-0000-000000000000")  # a link opened signed out
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=60_000)
    check_french(page, "signed-out-deep-link")
    page.goto(server + "/nowhere")  # an address no page has
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Page introuvable")).to_be_visible(timeout=30_000)  # Streamlit's dialog, in French
    screenshot(page, "tour-signed-out-unknown-page")
    check_french(page, "signed-out-unknown-page")
    page.context.close()


def test_operator(server, browser):
    page = signed_in(browser, server, "mikl@foxeo.demo")
    visit(page, server, "/hub", "operator-hub", re.compile("^Hub"))
    open_calendar(page)
    # A French browser: the calendar follows its language (weeks from Monday).
    expect(page.locator("thead.react-aria-CalendarGridHeader")).to_have_text(re.compile("^LMMJVSD$"), timeout=10_000)
    screenshot(page, "tour-operator-hub-create")
    page.keyboard.press("Escape")
    visit(page, server, "/room", "operator-room", "Salle")
    visit(page, server, "/recordings", "operator-recordings", "Enregistrements")
    visit(page, server, "/transcripts", "operator-transcripts", "Transcriptions")
    visit(page, server, "/my_meetings", "operator-other-role-page", None)
    page.context.close()


def open_calendar(page: Page) -> None:
    open_expander(page, "Nouveau meeting")
    page.get_by_label("Date prévue").first.click()
    expect(
        page.get_by_text(
            re.compile(
                r"^(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
                r"novembre|décembre)$"
            )
        ).first
    ).to_be_visible(timeout=10_000)


def test_an_english_browser_gets_the_calendar_in_french_too(server, browser):
    page = signed_in(browser, server, "mikl@foxeo.demo", locale="en-US")
    expect(page.get_by_role("heading", name=re.compile("^Hub"))).to_be_visible(timeout=60_000)
    open_calendar(page)  # the month names rewritten
    expect(page.locator("thead.react-aria-CalendarGridHeader")).to_have_text(re.compile("^DLMMJVS$"), timeout=10_000)
    screenshot(page, "tour-operator-hub-create-english-browser")
    page.context.close()


def test_client(server, browser):
    page = signed_in(browser, server, "claire@client.demo")
    visit(page, server, "/my_meetings", "client-my-meetings", "Mes meetings")
    body = page.locator("body").inner_text()
    assert "(Lab)" not in body and "(Client)" not in body.replace("Connecté : Claire Martin (Client)", "")
    visit(page, server, "/room", "client-room", "Salle")
    visit(page, server, "/recordings", "client-recordings", "Enregistrements")
    visit(page, server, "/transcripts", "client-transcripts", "Transcriptions")
    visit(page, server, "/hub", "client-hub-refused", None)
    page.context.close()


def test_analyst(server, browser):
    page = signed_in(browser, server, "analyste@foxeo.demo")
    visit(page, server, "/my_meetings", "analyst-home", "Meetings des clients")
    expect(page.get_by_text(re.compile("Client : Claire Martin")).first).to_be_visible()
    visit(page, server, "/recordings", "analyst-recordings", "Enregistrements")
    visit(page, server, "/transcripts", "analyst-transcripts", "Transcriptions")
    page.context.close()
