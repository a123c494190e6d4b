"""The dashboard on Supabase in Chromium: a real server process talking HTTP to a fake project on loopback.

Checks what only a real browser shows: signing in through Supabase Auth, staying signed in across a
reload and across a dashboard restart (HttpOnly cookie → refresh token sealed under it), signing out
at Supabase, and that no Supabase credential ever reaches the browser.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, dashboard, require_chromium, screenshot
from tests.supabase.project import ANON, PASSWORD, SERVICE_KEY, FakeSupabase, seeded_project, served
from visio_core.adapters.sqlite.web_sessions import COOKIE

pytestmark = pytest.mark.browser


def no_secret_in_browser(page: Page, project: FakeSupabase) -> None:
    secrets = [SERVICE_KEY, *project.auth.access, *project.auth.refresh, *project.auth.used]
    html = page.content()
    cookies = page.context.cookies()
    assert not [s for s in secrets if s in html or any(s in c["value"] for c in cookies)]


def test_operator_signs_in_survives_reload_and_restart_then_signs_out(tmp_path):
    require_chromium()
    project = seeded_project()
    with served(project) as supabase_url, sync_playwright() as p:
        env = {
            "SUPABASE_URL": supabase_url,
            "SUPABASE_ANON_KEY": ANON,
            "SUPABASE_SERVICE_ROLE_KEY": SERVICE_KEY,
            "VISIO_EMBEDDED_WORKER": "0",
        }
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        with dashboard(tmp_path / "data", env) as url:
            page.goto(url)
            page.get_by_label("Email").fill("mikl@foxeo.fr")
            page.get_by_label("Mot de passe").fill(PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            expect(page.get_by_role("heading", name=re.compile("Hub"))).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Page 1 / 1 — 3 meeting(s)")).to_be_visible(timeout=20_000)
            page.wait_for_timeout(1000)  # let the table's canvas paint for the screenshot
            screenshot(page, "supabase-1-hub")
            for _ in range(100):  # the claim component posts its one-time code for the cookie
                cookies = {c["name"]: c for c in page.context.cookies()}
                if COOKIE in cookies:
                    break
                page.wait_for_timeout(100)
            assert cookies[COOKIE]["httpOnly"] and set(cookies) <= {COOKIE, "_streamlit_xsrf"}
            page.reload()
            expect(page.get_by_text("Page 1 / 1 — 3 meeting(s)")).to_be_visible(timeout=30_000)
            no_secret_in_browser(page, project)
        spent = set(project.auth.used)

        # A new dashboard process (cookies are per host, not per port): it knows nothing in memory and
        # resumes from the refresh token sealed under the browser's cookie, which Supabase rotates.
        with dashboard(tmp_path / "data", env) as url:
            page.goto(url)
            expect(page.get_by_text("Page 1 / 1 — 3 meeting(s)")).to_be_visible(timeout=30_000)
            assert len(project.auth.used) == len(spent) + 1
            no_secret_in_browser(page, project)
            page.get_by_role("button", name="Se déconnecter").click()
            expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=20_000)
        assert any(r.url.path == "/auth/v1/logout" for r in project.auth.requests)
        assert not project.auth.refresh  # revoked at Supabase, not only forgotten here
        browser.close()
