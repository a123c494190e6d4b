"""Two people meet in the embedded room, in two headless Chromiums with fake cameras.

The client's microphone is an espeak-ng speech WAV, the operator's a faint noise (a live
microphone, but nothing Whisper would mistake for words). The speech is English, transcribed
as English (VISIO_DEFAULT_LANGUAGE=en): whisper-base hears espeak's English reliably once it
has been through Opus and the browser's echo canceller, while espeak's French came out with a
word or two (French transcription itself is covered on files in tests/pipeline). The client says
thirteen different sentences (Chromium loops its fake microphone file): one short sentence on a
loop made Whisper copy its first hearing over every repetition, which no real meeting does.
What the server receives is read from the room's roster route, with each browser's own session cookie.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import av
import numpy as np
import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from tests.browser.test_journey import cli, sign_in
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, dashboard, require_chromium, screenshot
from tests.transcription.helpers import LONG_ENGLISH, found, say, write_wav

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COMPONENT = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'
MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("room") / "data"


@pytest.fixture(scope="module")
def server(data_dir):
    require_chromium()
    cli(data_dir, "seed-demo")
    with dashboard(data_dir, {"VISIO_DEFAULT_LANGUAGE": "en"}) as url:
        yield url


@pytest.fixture(scope="module")
def microphones(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("room-mics")
    speech = say("espeak-ng", folder, "client", " ".join(line for line, _ in LONG_ENGLISH), "en", 140, 0.3)
    noise = (np.random.default_rng(7).normal(0, 60, 48_000 * 5)).astype(np.int16)  # ≈ −55 dBFS
    write_wav(folder / "operator.wav", noise, 48_000)
    return {"client": speech.path, "operator": folder / "operator.wav"}


@pytest.fixture(scope="module")
def playwright_driver():
    with sync_playwright() as p:
        yield p


def open_browser(driver, microphone: Path):
    return driver.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, *MEDIA_ARGS, f"--use-file-for-fake-audio-capture={microphone}"],
    )


def meeting_id(data_dir: Path, title: str) -> str:
    with sqlite3.connect(data_dir / "visio.sqlite3") as db:
        return db.execute("SELECT id FROM meetings WHERE title = ?", (title,)).fetchone()[0]


def roster(context: BrowserContext, url: str, meeting: str) -> dict:
    response = context.request.get(f"{url}/api/rooms/{meeting}")
    assert response.status == 200, response.text()
    return response.json()


def wait_for(context: BrowserContext, url: str, meeting: str, check, what: str, timeout: float = 40) -> dict:
    deadline = time.monotonic() + timeout
    state = {}
    while time.monotonic() < deadline:
        state = roster(context, url, meeting)
        if check(state["participants"]):
            return state
        time.sleep(0.5)
    raise AssertionError(f"{what}: room state {state}")


def person(participants: list[dict], name: str) -> dict | None:
    return next((p for p in participants if p["name"].startswith(name)), None)


def join(page: Page, url: str, meeting: str) -> None:
    page.goto(f"{url}/room?meeting={meeting}")
    component = page.frame_locator(COMPONENT)
    component.get_by_role("button", name="Rejoindre").click(timeout=60_000)
    expect(component.get_by_role("button", name="Quitter")).to_be_visible(timeout=60_000)


def video_is_moving(page: Page) -> tuple[int, float]:
    """Width of the received video and how much its pixels changed over one second."""
    frame = page.frame_locator(COMPONENT).locator("video").first
    expect(frame).to_be_visible(timeout=30_000)
    sample = """async (video) => {
        const grab = () => { const c = document.createElement('canvas'); c.width = 160; c.height = 120;
            const g = c.getContext('2d'); g.drawImage(video, 0, 0, 160, 120); return g.getImageData(0, 0, 160, 120).data; };
        const a = grab(); await new Promise(r => setTimeout(r, 1000)); const b = grab();
        let diff = 0; for (let i = 0; i < a.length; i += 4) diff += Math.abs(a[i] - b[i]) + Math.abs(a[i+1] - b[i+1]);
        return [video.videoWidth, diff / (a.length / 4)];
    }"""
    width, change = frame.evaluate(sample)
    return int(width), float(change)


def test_two_people_meet_mute_leave_rejoin_and_the_meeting_is_recorded_and_transcribed(
    server, data_dir, microphones, playwright_driver
):
    meeting = meeting_id(data_dir, "Point d'étape hebdomadaire")  # demo: in progress, MiKL with Claire
    operator_browser = open_browser(playwright_driver, microphones["operator"])
    client_browser = open_browser(playwright_driver, microphones["client"])
    try:
        operator = operator_browser.new_context(viewport={"width": 1300, "height": 1100})
        client = client_browser.new_context(viewport={"width": 1300, "height": 1100})
        op_page, client_page = operator.new_page(), client.new_page()
        sign_in(op_page, server, "mikl@foxeo.demo")
        sign_in(client_page, server, "claire@client.demo")
        expect(op_page.get_by_role("heading", name=re.compile("Hub"))).to_be_visible(timeout=30_000)
        expect(client_page.get_by_role("heading", name="Mes meetings")).to_be_visible(timeout=30_000)

        join(op_page, server, meeting)
        join(client_page, server, meeting)
        def both_live(ps):
            return len(ps) == 2 and all(p["video_frames"] > 10 and p["audio_frames"] > 50 for p in ps)

        wait_for(operator, server, meeting, both_live, "both participants send audio and video")
        wait_for(client, server, meeting, lambda ps: (person(ps, "Claire") or {}).get("mic_off") is False,
                 "the server hears the client's speech")

        # Each page shows the room grid, live: pixels change from one second to the next.
        for page in (op_page, client_page):
            width, change = video_is_moving(page)
            assert width == 640 and change > 1.0, (width, change)
        screenshot(op_page, "room-1-operator")
        screenshot(client_page, "room-2-client")

        # The client mutes: the server receives silence, and keeps receiving it.
        client_page.frame_locator(COMPONENT).get_by_role("button", name="Couper le micro").click()
        wait_for(client, server, meeting, lambda ps: person(ps, "Claire")["mic_off"], "client muted")
        for _ in range(4):
            claire = person(roster(client, server, meeting)["participants"], "Claire")
            assert claire["mic_off"] and claire["audio_level_dbfs"] <= -90, claire
            time.sleep(0.5)
        client_page.frame_locator(COMPONENT).get_by_role("button", name="Activer le micro").click()
        wait_for(client, server, meeting, lambda ps: not person(ps, "Claire")["mic_off"], "client unmuted")

        # The operator turns his camera off and on: the server receives black frames, then pictures.
        op_page.frame_locator(COMPONENT).get_by_role("button", name="Couper la caméra").click()
        wait_for(operator, server, meeting, lambda ps: person(ps, "MiKL")["camera_off"], "operator camera off")
        screenshot(client_page, "room-3-operator-camera-off")
        op_page.frame_locator(COMPONENT).get_by_role("button", name="Activer la caméra").click()
        wait_for(operator, server, meeting, lambda ps: not person(ps, "MiKL")["camera_off"], "operator camera on")

        # The client leaves and comes back.
        client_page.frame_locator(COMPONENT).get_by_role("button", name="Quitter").click()
        wait_for(operator, server, meeting, lambda ps: [p["name"] for p in ps] == [person(ps, "MiKL")["name"]],
                 "client left")
        client_page.frame_locator(COMPONENT).get_by_role("button", name="Rejoindre").click()
        wait_for(operator, server, meeting, lambda ps: len(ps) == 2 and not person(ps, "Claire")["mic_off"],
                 "client back and heard")
        time.sleep(15)  # a full pass of the client's sentence in the recording

        # The operator ends the meeting from the room.
        op_page.get_by_role("button", name="Terminer le meeting pour tous").click()
        op_page.get_by_role("button", name="Oui, terminer").click()
        expect(op_page.get_by_text(re.compile(r"Meeting terminé"))).to_be_visible(timeout=60_000)
    finally:
        operator_browser.close()
        client_browser.close()

    recording = wait_for_transcript(data_dir, meeting)
    path = next((data_dir / "storage").rglob(Path(recording["recording_url"]).name))
    assert recording_level(path) > -50, "the recording's audio is silent"
    transcript = next((data_dir / "storage").rglob(f"{recording['id']}.srt")).read_text()
    # ≈25 s of the client's voice reach the recording (minus the muted and the rejoin seconds): his
    # first five sentences, whose keywords whisper-base hears 3 to 5 of through Opus and the echo canceller.
    assert len(found(transcript, [word for _, word in LONG_ENGLISH])) >= 3, transcript
    # Who said it: only the client spoke (the operator's microphone carries faint noise), and the
    # room heard each track apart, so his name is on the lines that carry ≥ 90 % of the words.
    cues = json.loads(next((data_dir / "storage").rglob(f"{recording['id']}.json")).read_text())["cues"]
    words = {}
    for cue in cues:
        words[cue["speaker"]] = words.get(cue["speaker"], 0) + len(cue["text"].split())
    assert words.get("Claire Martin", 0) >= 0.9 * sum(words.values()), words
    assert "Claire Martin: " in transcript  # the SRT carries the name as a prefix


def wait_for_transcript(data_dir: Path, meeting: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    row = None
    while time.monotonic() < deadline:
        with sqlite3.connect(data_dir / "visio.sqlite3") as db:
            db.row_factory = sqlite3.Row
            rows = [dict(r) for r in db.execute("SELECT * FROM meeting_recordings WHERE meeting_id = ?", (meeting,))]
        assert len(rows) <= 1, rows
        row = rows[0] if rows else None
        if row and row["transcription_status"] in ("completed", "failed"):
            assert row["transcription_status"] == "completed", row
            assert row["recording_duration_seconds"] > 20, row
            return row
        time.sleep(1)
    raise AssertionError(f"no transcribed recording: {row}")


def recording_level(path: Path) -> float:
    with av.open(str(path)) as container:
        samples = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    return 20 * np.log10(max(rms, 1e-9))  # AAC decodes to float samples in [-1, 1]
