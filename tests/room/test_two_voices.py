"""Two people take turns in the embedded room, each with his own voice and sentences; the real
offline Whisper transcribes the recording and every line names who said it."""

from __future__ import annotations

import av
import numpy as np
import pytest

from tests.conftest import at
from tests.room.conftest import ManualClock
from tests.transcription.helpers import LONG_ENGLISH, read_wav, say
from visio_core.adapters.embedded_room.audio import SAMPLES_PER_TICK
from visio_core.domain.model import TranscriptionStatus

pytestmark = pytest.mark.slow  # real media, real model

TURNS = [
    ("op", LONG_ENGLISH[0:3]),
    ("client", LONG_ENGLISH[3:6]),
    ("op", LONG_ENGLISH[6:8]),
    ("client", LONG_ENGLISH[8:10]),
]


@pytest.fixture
def engine(settings):
    return None  # the embedded engine the settings ask for


def speech_48k(tmp_path, name: str, text: str, voice: str) -> np.ndarray:
    speech = say("espeak-ng", tmp_path, name, text, voice, 145, 0.2)
    samples, rate = read_wav(speech.path)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    return np.concatenate([f.to_ndarray().reshape(-1) for f in [*resampler.resample(frame), *resampler.resample(None)]])


def as_frame(block: np.ndarray) -> av.AudioFrame:
    """20 ms as aiortc hands it over: stereo s16 at 48 kHz."""
    frame = av.AudioFrame.from_ndarray(np.stack([block, block], axis=1).reshape(1, -1), format="s16", layout="stereo")
    frame.sample_rate = 48_000
    return frame


def test_each_line_names_the_participant_who_said_it(ctx, people, tmp_path, settings):
    meeting = ctx.meetings.create_meeting(
        people.op1, client_id=people.client_a.id, title="Deux voix", scheduled_at=at(), language="en"
    )
    meeting = ctx.meetings.start_meeting(people.op1, meeting.id)
    room = ctx.engine.room_for(ctx.meetings.enter_room(people.op1, meeting.id))
    room._run_clock = False  # the test drives the room clock
    clock = ManualClock()
    room.clock = clock
    room.admit("tab-op", people.op1.id, "MiKL")
    room.admit("tab-client", people.client_a.id, "Claire Martin")
    voices = {"op": "en-us", "client": "en+f3"}
    silence = np.zeros(SAMPLES_PER_TICK, dtype=np.int16)
    turns: list[tuple[str, float, float]] = []  # (who, from, to) in recording seconds
    position = 0.0
    for n, (who, sentences) in enumerate(TURNS):
        voice = speech_48k(tmp_path, f"turn{n}", " ".join(s for s, _ in sentences), voices[who])
        voice = np.concatenate([voice, np.zeros(48_000 // 2, dtype=np.int16)])  # half a second between turns
        turns.append((who, position, position + voice.size / 48_000))
        for start in range(0, voice.size - SAMPLES_PER_TICK + 1, SAMPLES_PER_TICK):
            clock.now += 0.02
            speaking = voice[start : start + SAMPLES_PER_TICK]
            room.push_audio("tab-op", as_frame(speaking if who == "op" else silence))
            room.push_audio("tab-client", as_frame(speaking if who == "client" else silence))
            room.tick()
        position = turns[-1][2]
    ctx.meetings.end_meeting(people.op1, meeting.id)
    ctx.engine.settle()  # the room's recording is stored in the background

    (recording,) = ctx.recordings.list_recordings(people.op1, meeting.id)
    assert ctx.job_runner().run_until_idle() == 1
    assert ctx.system_recordings.get(recording.id).transcription_status is TranscriptionStatus.COMPLETED
    cues = ctx.recordings.transcript(people.client_a, recording.id).cues
    names = {"op": "MiKL", "client": "Claire Martin"}
    right = total = 0
    for cue in cues:
        middle = (cue.start + cue.end) / 2
        expected = next((names[who] for who, begin, end in turns if begin <= middle < end), None)
        words = len(cue.text.split())
        total += words
        right += words if cue.speaker == expected else 0
    assert total > 40, cues  # the model heard the conversation
    assert right >= 0.9 * total, [(c.speaker, round(c.start, 1), c.text) for c in cues]
    assert {c.speaker for c in cues} == {"MiKL", "Claire Martin"}
