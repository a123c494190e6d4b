"""Two people hold a meeting in the embedded room, in French, with the meeting's language left to
`auto`: the transcript is in the right language and names the right speaker.

One language here: the room's path does not depend on it, and each run costs a minute and a half
of the suite. English turns are named without browsers (tests/transcription/test_speaker_turns.py)
and auto detection is tested on French and English speech (tests/pipeline/test_language.py).

Each headless Chromium's microphone is a WAV of its own sentences (espeak-ng with an mbrola voice
per person), laid on one conversation's timeline: where one speaks, the other's file is silent, so
turns alternate. Both "Rejoindre" are clicked back to back so both files start together, and turns
are separated by TURN_GAP seconds, more than the time between the two starts (≈ 1.3 s seen).
Files loop: each ends with a silence in which the operator ends the meeting. When the room
heard someone only after his first turn (a busy machine), the meeting lasts one more pass.
(Turns 0.6 s apart are covered without browsers in tests/transcription/test_speaker_turns.py.)

Scoring aligns the words of the transcript (in cue order) to the words of the script (in
conversation order) and counts, over the words found in both, those whose cue names the person
who said them.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.room_support import (
    JOIN,
    call,
    open_room,
    playwright_driver,  # noqa: F401 - fixture
    roster,
    two_people,
    wait_for_transcript,
)
from tests.browser_support import dashboard, require_chromium, screenshot
from tests.transcription.helpers import CLIENT, OPERATOR, TWO_SPEAKERS, attribution, require_mbrola
from visio_core.domain.languages import AUTO
from visio_core.domain.model import Role, Tier, utcnow
from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.config import Settings
from visio_core.entrypoints.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RATE = 48_000
LEAD = 10.0  # silence before the first turn: the peer connections are usually up by then
TURN_GAP = 3.0  # silence between two turns: the two files start up to ~1.5 s apart on a busy machine
TAIL = 10.0  # silence after the last turn: the meeting ends in it, before the files loop again


@dataclass(frozen=True)
class Conversation:
    microphones: dict[str, Path]  # speaker -> WAV for his Chromium
    turns: list[tuple[str, str, float, float]]  # speaker, sentence, start, end (seconds in the files)
    seconds: float  # length of each file: Chromium plays it again from the start at its end

    def first_turn(self, speaker: str) -> float:
        return next(start for who, _text, start, _end in self.turns if who == speaker)

    @property
    def spoken(self) -> float:
        """When the last turn ends, in the files."""
        return self.turns[-1][3]


def speak(text: str, voice: str, folder: Path) -> np.ndarray:
    """Mono int16 speech at RATE."""
    raw = folder / "line.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), text], check=True, capture_output=True)
    with wave.open(str(raw)) as fh:
        samples, rate = np.frombuffer(fh.readframes(fh.getnframes()), dtype=np.int16), fh.getframerate()
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    return np.concatenate([f.to_ndarray().reshape(-1) for f in [*resampler.resample(frame), *resampler.resample(None)]])


def conversation(language: str, folder: Path) -> Conversation:
    (operator_voice, client_voice), script = TWO_SPEAKERS[language]
    voices = {OPERATOR: operator_voice, CLIENT: client_voice}
    clips, turns, position = [], [], LEAD
    for speaker, sentence in script:
        clip = speak(sentence, voices[speaker], folder)
        clips.append((speaker, int(position * RATE), clip))
        turns.append((speaker, sentence, position, position + clip.size / RATE))
        position += clip.size / RATE + TURN_GAP
    total = int((position + TAIL) * RATE)
    microphones = {}
    for speaker in voices:
        track = np.zeros(total, dtype=np.int16)
        for who, at, clip in clips:
            if who == speaker:
                track[at : at + clip.size] = clip
        path = folder / f"{language}-{speaker.split()[0].lower()}.wav"
        with wave.open(str(path), "wb") as fh:
            fh.setnchannels(1)
            fh.setsampwidth(2)
            fh.setframerate(RATE)
            fh.writeframes(track.tobytes())
        microphones[speaker] = path
    return Conversation(microphones, turns, total / RATE)


def first_heard(context: BrowserContext, url: str, meeting: str, started: float) -> dict[str, float]:
    """Seconds from `started` until the room first received each participant's audio."""
    heard: dict[str, float] = {}
    deadline = time.monotonic() + 60
    while len(heard) < 2 and time.monotonic() < deadline:
        for p in roster(context, url, meeting)["participants"]:
            if p["audio_frames"] > 0:
                name = OPERATOR if p["name"].startswith(OPERATOR) else CLIENT
                heard.setdefault(name, time.monotonic() - started)
        time.sleep(0.2)
    assert len(heard) == 2, f"the room did not hear both participants: {heard}"
    return heard


def follow(context: BrowserContext, url: str, meeting: str, started: float, until: float) -> list[str]:
    """Wait until `until`, noting every 2 s what the room receives from each participant (for failures)."""
    trace = []
    while (now := time.monotonic()) < until:
        people = roster(context, url, meeting)["participants"]
        trace.append(
            f"{now - started:5.1f} s "
            + "; ".join(f"{p['name']}: {p['audio_frames']} frames, {p['audio_level_dbfs']} dBFS" for p in people)
        )
        time.sleep(min(2.0, max(0.0, until - time.monotonic())))
    return trace


def meeting_in_progress(data_dir: Path) -> str:
    """MiKL and his client Claire Martin, and their meeting, started, its language left to `auto`.

    Not the demo data: its recording would keep the worker busy during the meeting."""
    ctx = build_context(Settings.load(env={"VISIO_DATA_DIR": str(data_dir)}))
    mikl = ctx.accounts.add_user(
        email="mikl@foxeo.demo", display_name=OPERATOR, role=Role.OPERATOR, password=DEMO_PASSWORD
    )
    claire = ctx.accounts.add_user(
        email="claire@client.demo",
        display_name=CLIENT,
        role=Role.CLIENT,
        password=DEMO_PASSWORD,
        operator_id=mikl.id,
        tier=Tier.LAB,
    )
    meeting = ctx.meetings.create_meeting(
        mikl, client_id=claire.id, title="Point client", scheduled_at=utcnow(), language=AUTO
    )
    ctx.meetings.start_meeting(mikl, meeting.id)
    return str(meeting.id)


@pytest.mark.parametrize("language", ["fr"])
def test_two_people_speak_in_turn_and_each_line_names_its_speaker(language, tmp_path, playwright_driver):  # noqa: F811
    require_chromium()
    require_mbrola(TWO_SPEAKERS[language][0])
    talk = conversation(language, tmp_path)
    data_dir = tmp_path / "data"
    meeting = meeting_in_progress(data_dir)
    with (
        dashboard(data_dir) as server,
        two_people(playwright_driver, server, (talk.microphones[OPERATOR], talk.microphones[CLIENT])) as (
            operator,
            op_page,
            client,
            client_page,
        ),
    ):
        buttons = []
        for page in (op_page, client_page):
            open_room(page, server, meeting)
            buttons.append(call(page).get_by_role("button", name=JOIN))
        for button in buttons:  # back to back: both microphone files start together
            button.click()
        started = time.monotonic()
        # The files started at the clicks; the room hears each one once its connection is up,
        # maybe after that person's first turn on a busy machine: then the meeting lasts until the
        # next pass has been said.
        heard = first_heard(operator, server, meeting, started)
        late = any(heard[who] > talk.first_turn(who) for who in (OPERATOR, CLIENT))
        passes = math.ceil(max(heard.values()) / talk.seconds) if late else 0
        trace = follow(operator, server, meeting, started, started + passes * talk.seconds + talk.spoken + 3)
        op_page.get_by_role("button", name="Terminer le meeting pour tous").click()
        op_page.get_by_role("button", name="Oui, terminer").click()
        expect(op_page.get_by_text(re.compile(r"Meeting terminé"))).to_be_visible(timeout=60_000)
        client_page.close()

        ended = time.monotonic()
        recording = wait_for_transcript(data_dir, meeting)
        print(
            f"\nheard after {heard}, meeting {ended - started:.0f} s "
            f"({passes + 1} pass(es)), transcribed {time.monotonic() - ended:.0f} s later"
        )
        op_page.goto(f"{server}/recordings?meeting={meeting}")
        expect(op_page.get_by_role("list", name="Transcription")).to_contain_text(CLIENT, timeout=30_000)
        op_page.wait_for_timeout(1500)  # let the player and the transcript paint
        screenshot(op_page, f"speakers-{language}-recording")

    data = json.loads(next((data_dir / "storage").rglob(f"{recording['id']}.json")).read_text())
    cues = data["cues"]
    lines = "\n".join(f"{c['start']:6.1f} {c['end']:6.1f} {c.get('speaker')}: {c['text']}" for c in cues)
    print(f"\n{language}:\n{lines}\n" + "\n".join(trace))
    assert data["language"] == language, lines
    found, right, total = attribution(cues, [(who, sentence) for who, sentence, _s, _e in talk.turns])
    print(f"{found}/{total} words of the script found, {right} of them under the right name")
    # The words must be there for the names to mean anything: most of the script is heard.
    assert found >= 0.6 * total, (found, total, lines)
    assert right >= 0.9 * found, (right, found, lines)
