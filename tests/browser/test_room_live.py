"""The embedded room keeps everyone up to date: who is in, a dropped network, the end of the meeting.

Two headless Chromiums join the same room. The loopback's UDP (the media; the dashboard's
websocket is TCP) is cut for a few seconds with nftables, as a Wi-Fi drop would: both calls fail,
the pages say so, the seats are kept, and "Rejoindre" brings each back to his seat. Then the
operator ends the meeting and the client's page, untouched, tells him within 5 s and tears its
call down.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.test_embedded_room import (
    COMPONENT,
    join,
    meeting_id,
    open_browser,
    playwright_driver,  # noqa: F401 - fixture
    roster,
    wait_for,
)
from tests.browser.test_journey import cli, sign_in
from tests.browser_support import dashboard, require_chromium, screenshot
from tests.transcription.helpers import write_wav

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TABLE = "visio_test_network_cut"
ENDED = "Ce meeting est terminé : l'hôte y a mis fin."


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("room-live") / "data"


@pytest.fixture(scope="module")
def server(data_dir):
    require_chromium()
    cli(data_dir, "seed-demo")
    with dashboard(data_dir) as url:
        yield url


@pytest.fixture(scope="module")
def microphone(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("live-mic") / "noise.wav"
    write_wav(path, np.random.default_rng(3).normal(0, 3000, 48_000 * 3).astype(np.int16), 48_000)  # a live mic
    return path


def _nft(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["nft", *args], capture_output=True, text=True)


@contextmanager
def media_cut() -> Iterator[None]:
    """Drop every UDP packet on the loopback (root and nftables needed; make test installs nftables)."""
    if shutil.which("nft") is None or _nft("add", "table", "inet", TABLE).returncode != 0:
        pytest.skip("nftables cannot filter packets here (needs root and the nftables package)")
    try:
        _nft("add", "chain", "inet", TABLE, "input", "{ type filter hook input priority 0 ; }")
        rule = _nft("add", "rule", "inet", TABLE, "input", "iifname", "lo", "meta", "l4proto", "udp", "drop")
        assert rule.returncode == 0, rule.stderr
        yield
    finally:
        _nft("delete", "table", "inet", TABLE)


def test_roster_reconnect_and_end_notice_reach_everyone(server, data_dir, microphone, playwright_driver):  # noqa: F811
    meeting = meeting_id(data_dir, "Point d'étape hebdomadaire")  # demo: in progress, MiKL with Claire
    browsers = [open_browser(playwright_driver, microphone) for _ in range(2)]
    try:
        operator, client = (b.new_context(viewport={"width": 1300, "height": 1100}) for b in browsers)
        op_page, client_page = operator.new_page(), client.new_page()
        sign_in(op_page, server, "mikl@foxeo.demo")
        sign_in(client_page, server, "claire@client.demo")
        join(op_page, server, meeting)
        # The operator's page learns by itself that the client came in (no reload, no click).
        expect(op_page.get_by_text("Dans la salle :")).to_be_visible(timeout=30_000)
        join(client_page, server, meeting)
        expect(op_page.get_by_text("Claire Martin")).to_be_visible(timeout=30_000)

        def both_flowing(ps):
            return len(ps) == 2 and all(p["connected"] and p["video_frames"] > 10 for p in ps)

        wait_for(operator, server, meeting, both_flowing, "both participants send media")
        screenshot(op_page, "room-live-1-both-in")

        # The network drops for 8 s: both calls fail; the seats stay, shown as reconnecting.
        before = {p["name"]: p["video_frames"] for p in roster(operator, server, meeting)["participants"]}
        with media_cut():
            wait_for(operator, server, meeting, lambda ps: len(ps) == 2 and not all(p["connected"] for p in ps),
                     "the server sees a call drop", timeout=40)
            expect(client_page.get_by_text("Connexion perdue. Cliquez")).to_be_visible(timeout=20_000)
            screenshot(client_page, "room-live-2-reconnecting")
            time.sleep(8)
            assert len(roster(operator, server, meeting)["participants"]) == 2  # seats kept
        restored = time.monotonic()
        for page in (op_page, client_page):  # as the notice says
            page.frame_locator(COMPONENT).get_by_role("button", name="Rejoindre").click(timeout=30_000)

        def back(ps):
            return len(ps) == 2 and all(p["connected"] and p["video_frames"] > before.get(p["name"], 0) + 30
                                        for p in ps)

        wait_for(operator, server, meeting, back, "both back in their seats", timeout=90)
        print(f"reconnected {time.monotonic() - restored:.1f} s after the network came back")
        expect(client_page.get_by_text("Connexion perdue. Cliquez")).to_have_count(0, timeout=10_000)
        expect(op_page.get_by_text("(connexion perdue)")).to_have_count(0, timeout=10_000)
        screenshot(op_page, "room-live-3-reconnected")

        # The operator ends the meeting: his confirmation resolves, the client is told within 5 s.
        op_page.get_by_role("button", name="Terminer le meeting pour tous").click()
        clicked = time.monotonic()
        op_page.get_by_role("button", name="Oui, terminer").click()
        expect(op_page.get_by_text("Meeting terminé")).to_be_visible(timeout=30_000)
        ended = time.monotonic()
        expect(op_page.get_by_role("button", name="Oui, terminer")).to_have_count(0)
        expect(client_page.get_by_text(ENDED)).to_be_visible(timeout=5_000)
        told = time.monotonic()
        print(f"end took {ended - clicked:.1f} s for the operator; the client was told {told - ended:.1f} s later")
        expect(client_page.locator(COMPONENT)).to_have_count(0)  # his call is torn down
        expect(client_page.get_by_role("link", name="Voir l'enregistrement")).to_be_visible()
        screenshot(client_page, "room-live-4-client-told")
        screenshot(op_page, "room-live-5-operator-ended")
    finally:
        for browser in browsers:
            browser.close()
