"""What the call tells a user whose browser cannot join: camera refused, no camera at all, no media API.

Each case is a real Chromium set up that way (no fake consent, no fake device, a page where
navigator.mediaDevices does not exist, as on a plain-HTTP site); the call must say so in French,
stay out of the room and hold no seat.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.room_support import (
    INSTRUMENT,
    JOIN,
    VIEWPORT,
    call,
    live_media,
    meeting_id,
    open_room,
    playwright_driver,  # noqa: F401 - fixture
    roster,
    status,
)
from tests.browser.test_journey import sign_in
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NO_MEDIA_API = "Object.defineProperty(Navigator.prototype, 'mediaDevices', { get: () => undefined });"
CASES = {
    # name: (Chromium flags, init script, the message)
    "denied": (
        ["--use-fake-device-for-media-stream", "--deny-permission-prompts"],
        "",
        "Caméra ou micro refusés par le navigateur",
    ),
    "no-device": (["--use-fake-ui-for-media-stream"], "", "Aucune caméra ni aucun micro trouvés"),
    "no-media-api": (
        ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
        NO_MEDIA_API,
        "Ce navigateur ne permet pas la visio",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_browser_that_cannot_join_is_told_why_in_french(case, server, data_dir, playwright_driver):  # noqa: F811
    flags, script, message = CASES[case]
    meeting = meeting_id(data_dir, "Point d'étape hebdomadaire")
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *flags])
    try:
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(INSTRUMENT + script)
        page = context.new_page()
        sign_in(page, server, "claire@client.demo")
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible(timeout=60_000)
        open_room(page, server, meeting)
        call(page).get_by_role("button", name=JOIN).click()
        expect(call(page).get_by_role("alert")).to_contain_text(message, timeout=30_000)
        expect(call(page).get_by_role("button", name=JOIN)).to_be_visible()  # still out, can try again
        expect(status(page)).to_have_text("Vous n'êtes pas dans la salle.")
        assert roster(context, server, meeting)["participants"] == []
        assert live_media(page) == {"tracks": 0, "connections": 0}
        call(page).scroll_into_view_if_needed()
        screenshot(page, f"room-call-{case}")
    finally:
        browser.close()
