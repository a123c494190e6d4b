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
import time
from pathlib import Path

import av
import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.room_support import (
    JOIN,
    LEAVE,
    join,
    live_media,
    meeting_id,
    person,
    playwright_driver,  # noqa: F401 - fixture
    press,
    roster,
    two_people,
    video_is_moving,
    wait_for,
    wait_for_transcript,
)
from tests.browser_support import screenshot
from tests.transcription.helpers import LONG_ENGLISH, found, say, write_wav

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def dashboard_env() -> dict[str, str]:
    return {"VISIO_DEFAULT_LANGUAGE": "en"}


@pytest.fixture(scope="module")
def microphones(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("room-mics")
    speech = say("espeak-ng", folder, "client", " ".join(line for line, _ in LONG_ENGLISH), "en", 140, 0.3)
    noise = (np.random.default_rng(7).normal(0, 60, 48_000 * 5)).astype(np.int16)  # ≈ −55 dBFS
    write_wav(folder / "operator.wav", noise, 48_000)
    return {"client": speech.path, "operator": folder / "operator.wav"}


def test_two_people_meet_mute_leave_rejoin_and_the_meeting_is_recorded_and_transcribed(
    server,
    data_dir,
    microphones,
    playwright_driver,  # noqa: F811 - fixture
):
    meeting = meeting_id(data_dir, "Point d'étape hebdomadaire")  # demo: in progress, MiKL with Claire
    with two_people(playwright_driver, server, (microphones["operator"], microphones["client"])) as (
        operator,
        op_page,
        client,
        client_page,
    ):
        expect(op_page.get_by_role("heading", name=re.compile("Hub"))).to_be_visible(timeout=30_000)
        expect(client_page.get_by_role("heading", name="Mes meetings")).to_be_visible(timeout=30_000)

        join(op_page, server, meeting)
        join(client_page, server, meeting)

        def both_live(ps):
            return len(ps) == 2 and all(p["video_frames"] > 10 and p["audio_frames"] > 50 for p in ps)

        wait_for(operator, server, meeting, both_live, "both participants send audio and video")
        wait_for(
            client,
            server,
            meeting,
            lambda ps: (person(ps, "Claire") or {}).get("mic_off") is False,
            "the server hears the client's speech",
        )

        # Each page shows the room grid, live: pixels change from one second to the next.
        for page in (op_page, client_page):
            width, change = video_is_moving(page)
            assert width == 640 and change > 1.0, (width, change)
        screenshot(op_page, "room-1-operator")
        screenshot(client_page, "room-2-client")

        # The client mutes: the server receives silence, and keeps receiving it.
        press(client_page, "Couper le micro")
        wait_for(client, server, meeting, lambda ps: person(ps, "Claire")["mic_off"], "client muted")
        for _ in range(4):
            claire = person(roster(client, server, meeting)["participants"], "Claire")
            assert claire["mic_off"] and claire["audio_level_dbfs"] <= -90, claire
            time.sleep(0.5)
        press(client_page, "Activer le micro")
        wait_for(client, server, meeting, lambda ps: not person(ps, "Claire")["mic_off"], "client unmuted")

        # The operator turns his camera off and on: the server receives black frames, then pictures.
        press(op_page, "Couper la caméra")
        wait_for(operator, server, meeting, lambda ps: person(ps, "MiKL")["camera_off"], "operator camera off")
        client_page.wait_for_timeout(1500)  # the grid she receives runs a moment behind the server
        screenshot(client_page, "room-3-operator-camera-off")
        press(op_page, "Activer la caméra")
        wait_for(operator, server, meeting, lambda ps: not person(ps, "MiKL")["camera_off"], "operator camera on")

        # The client leaves (her seat is free at once, her camera off) and comes back.
        press(client_page, LEAVE)
        wait_for(
            operator,
            server,
            meeting,
            lambda ps: [p["name"] for p in ps] == [person(ps, "MiKL")["name"]],
            "client left",
            timeout=5,
        )
        assert live_media(client_page) == {"tracks": 0, "connections": 0}
        press(client_page, JOIN)
        wait_for(
            operator,
            server,
            meeting,
            lambda ps: len(ps) == 2 and not person(ps, "Claire")["mic_off"],
            "client back and heard",
        )
        time.sleep(15)  # a full pass of the client's sentence in the recording

        # The operator ends the meeting from the room.
        op_page.get_by_role("button", name="Terminer le meeting pour tous").click()
        op_page.get_by_role("button", name="Oui, terminer").click()
        expect(op_page.get_by_text(re.compile(r"Meeting terminé"))).to_be_visible(timeout=60_000)

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


def recording_level(path: Path) -> float:
    with av.open(str(path)) as container:
        samples = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    return 20 * np.log10(max(rms, 1e-9))  # AAC decodes to float samples in [-1, 1]
