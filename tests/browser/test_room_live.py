"""The embedded room keeps everyone up to date: who is in, a dropped network, the end of the meeting.

Two headless Chromiums join the same room. The loopback's UDP (the media; the dashboard's
websocket and the call's signalling are TCP) is cut for a few seconds with nftables, as a Wi-Fi
drop would: both calls fail, the pages say they are reconnecting, the seats are kept, and once the
network is back each page negotiates a new call by itself and is back in its seat, without a
click. Then the operator ends the meeting and the client's page, untouched, tells him within 5 s
and tears its call down: no camera or microphone track left live, no connection left open.
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

from tests.browser.room_support import (
    CALL,
    CONNECTED,
    RECONNECTING,
    join,
    live_media,
    meeting_id,
    playwright_driver,  # noqa: F401 - fixture
    roster,
    status,
    two_people,
    wait_for,
)
from tests.browser_support import screenshot
from tests.transcription.helpers import write_wav

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TABLE = "visio_test_network_cut"
ENDED = "Ce meeting est terminé : l'hôte y a mis fin."


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


def test_roster_automatic_reconnect_and_end_notice_reach_everyone(server, data_dir, microphone, playwright_driver):  # noqa: F811
    meeting = meeting_id(data_dir, "Point d'étape hebdomadaire")  # demo: in progress, MiKL with Claire
    with two_people(playwright_driver, server, (microphone, microphone)) as (operator, op_page, client, client_page):
        join(op_page, server, meeting)
        # The operator's page learns by itself that the client came in (no reload, no click).
        expect(op_page.get_by_text("Dans la salle :")).to_be_visible(timeout=30_000)
        join(client_page, server, meeting)
        expect(op_page.get_by_text("Claire Martin")).to_be_visible(timeout=30_000)

        def both_flowing(ps):
            return len(ps) == 2 and all(p["connected"] and p["video_frames"] > 10 for p in ps)

        wait_for(operator, server, meeting, both_flowing, "both participants send media")
        op_page.wait_for_timeout(1000)  # a second of grid in the pages
        screenshot(op_page, "room-live-1-operator")
        screenshot(client_page, "room-live-1-client")

        # The network drops for a while: both calls fail; the seats stay, shown as reconnecting.
        with media_cut():
            cut = time.monotonic()
            wait_for(
                operator,
                server,
                meeting,
                lambda ps: len(ps) == 2 and not any(p["connected"] for p in ps),
                "the server sees both calls drop",
                timeout=40,
            )
            print(f"the server marked both seats lost {time.monotonic() - cut:.1f} s after the cut")
            for page in (op_page, client_page):
                expect(status(page)).to_have_text(RECONNECTING, timeout=30_000)
            expect(op_page.get_by_text("Claire Martin (connexion perdue)")).to_be_visible(timeout=10_000)
            expect(client_page.get_by_text("Connexion perdue : la page se reconnecte")).to_be_visible(timeout=10_000)
            for page in (op_page, client_page):
                status(page).scroll_into_view_if_needed()  # the room's page scrolls inside its own container
            screenshot(client_page, "room-live-2-client-reconnecting")
            screenshot(op_page, "room-live-2-operator-reconnecting")
            time.sleep(max(0.0, cut + 12 - time.monotonic()))  # a drop long enough for several attempts
            ps = roster(operator, server, meeting)["participants"]
            assert len(ps) == 2 and not any(p["connected"] for p in ps), ps  # seats kept, still lost
            before = {p["name"]: p["video_frames"] for p in ps}
        restored = time.monotonic()

        # Nobody clicks: each page negotiates a new call and is back in his seat, media flowing again.
        def back(ps):
            return len(ps) == 2 and all(p["connected"] and p["video_frames"] > before[p["name"]] + 30 for p in ps)

        wait_for(operator, server, meeting, back, "both back in their seats by themselves", timeout=90)
        print(f"reconnected by itself {time.monotonic() - restored:.1f} s after the network came back")
        for page in (op_page, client_page):
            expect(status(page)).to_have_text(CONNECTED, timeout=10_000)
            # Only the new connection is open (the failed ones were closed), with the same two tracks.
            assert live_media(page) == {"tracks": 2, "connections": 1}, live_media(page)
        expect(op_page.get_by_text("(connexion perdue)")).to_have_count(0, timeout=10_000)
        expect(client_page.get_by_text("Connexion perdue : la page se reconnecte")).to_have_count(0, timeout=10_000)
        op_page.wait_for_timeout(1000)
        for page in (op_page, client_page):
            status(page).scroll_into_view_if_needed()
        screenshot(op_page, "room-live-3-operator-reconnected")
        screenshot(client_page, "room-live-3-client-reconnected")

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
        # His call is torn down: the component is gone, his camera and microphone are stopped.
        expect(client_page.locator(CALL)).to_have_count(0)
        deadline = time.monotonic() + 5
        while live_media(client_page) != {"tracks": 0, "connections": 0} and time.monotonic() < deadline:
            time.sleep(0.2)
        assert live_media(client_page) == {"tracks": 0, "connections": 0}, live_media(client_page)
        expect(client_page.get_by_role("link", name="Voir l'enregistrement")).to_be_visible()
        screenshot(client_page, "room-live-4-client-told")
        screenshot(op_page, "room-live-5-operator-ended")
