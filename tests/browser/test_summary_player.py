"""An analyst reads a meeting's summary in headless Chromium and its action items play their moment."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, dashboard, require_chromium, screenshot
from tests.conftest import FAST_HASHER, at
from tests.media_fixtures import make_video
from tests.summary.conftest import KEY, LINES, MODEL, Scripted
from tests.summary.openai_chat_server import chat_server
from visio_core.domain.model import Role
from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.config import Settings
from visio_core.services.jobs import JobRunner

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def summarised(tmp_path_factory):
    """A data dir holding a transcribed meeting and its summary, written through the chat fake; then
    the dashboard on it with the same chat model configured."""
    require_chromium()
    tmp = tmp_path_factory.mktemp("summary-browser")
    data = tmp / "data"
    with chat_server(KEY, models=(MODEL,)) as chat:
        env = {
            "VISIO_DATA_DIR": str(data),
            "OPENAI_API_KEY": KEY,
            "OPENAI_BASE_URL": chat.base_url,
            "VISIO_SUMMARY_MODEL": MODEL,
        }
        ctx = build_context(
            Settings.load(env=env, secrets_file=tmp / "none.toml"),
            hasher=FAST_HASHER,
            transcriber=lambda: Scripted(LINES),
        )
        add = ctx.accounts.add_user
        op = add(email="op@example.com", display_name="MiKL", role=Role.OPERATOR, password=PASSWORD)
        client = add(
            email="client@example.com", display_name="Claire", role=Role.CLIENT, password=PASSWORD, operator_id=op.id
        )
        analyst = add(
            email="analyste@example.com",
            display_name="Analyste",
            role=Role.ANALYST,
            password=PASSWORD,
            operator_id=op.id,
        )
        meeting = ctx.meetings.create_meeting(op, client_id=client.id, title="Revue budget", scheduled_at=at())
        ctx.meetings.start_meeting(op, meeting.id)
        ctx.meetings.end_meeting(op, meeting.id)
        ctx.ingest.ingest_file(meeting.id, make_video(tmp / "meeting.webm", 20), source_recording_id="s")
        assert JobRunner(ctx.job_kinds()).run_until_idle() == 2  # the transcription, then its summary
        assert ctx.summaries.state(analyst, ctx.recordings.list_recordings(analyst, meeting.id)[0].id).summary
        ctx.db.close()
        with dashboard(data, {k: v for k, v in env.items() if k != "VISIO_DATA_DIR"}) as url:
            yield url, meeting


def test_an_action_item_plays_the_recording_from_its_line(summarised):
    url, meeting = summarised
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        page.goto(url)
        page.get_by_label("Email").fill("analyste@example.com")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible(timeout=30_000)
        page.wait_for_timeout(1000)  # the page exchanges its sign-in for the cookie a new page load uses
        page.goto(f"{url}/recordings?meeting={meeting.id}")
        expect(page.get_by_role("heading", name="Résumé")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Claire : Claire doit relire le contrat signé.")).to_be_visible()
        cues = page.locator("li.vp-cue")
        expect(cues).to_have_count(5, timeout=30_000)
        video = page.locator("video.vp-video")
        video.evaluate(
            "v => v.readyState >= 1 || new Promise(r => v.addEventListener('loadedmetadata', r, {once: true}))"
        )
        assert video.evaluate("v => v.currentTime") < 0.5

        page.get_by_role("button", name="Aller à 00:14").click()  # Claire's action item, said at 14.0 s
        expect(cues.nth(4)).to_have_class("vp-cue vp-active", timeout=20_000)
        video = page.locator("video.vp-video")
        video.evaluate(
            "v => v.readyState >= 1 || new Promise(r => v.addEventListener('loadedmetadata', r, {once: true}))"
        )
        for _ in range(40):
            if abs(video.evaluate("v => v.currentTime") - 14.0) < 0.3:
                break
            page.wait_for_timeout(250)
        assert abs(video.evaluate("v => v.currentTime") - 14.0) < 0.3
        assert "t=14.000" in page.url
        page.wait_for_timeout(500)
        screenshot(page, "summary-1-action-item-played")

        page.get_by_role("button", name="Aller à 00:07").click()  # Bruno's, said at 7.5 s
        expect(cues.nth(2)).to_have_class("vp-cue vp-active", timeout=20_000)
        page.close()
        browser.close()
