"""Who said each line in a room recording: each participant's own track, as the room hears it."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.room.conftest import ManualClock, quiet, tone
from tests.room.test_room import admit, run
from visio_core.adapters.embedded_room.room import Room
from visio_core.adapters.embedded_room.speaking import timeline_path
from visio_core.domain import speakers
from visio_core.domain.srt import Cue


def test_the_room_keeps_each_participants_speaking_beside_the_recording(tmp_path):
    clock = ManualClock()
    room = Room(uuid.uuid4(), tmp_path / "rooms" / "meeting.mp4", clock=clock, run_clock=False)
    admit(room, "ana", "bob")
    # Ana speaks 2 s, then Bob 2 s, then both (Bob louder) 1 s, then nobody 1 s.
    run(room, clock, 100, {"ana": lambda i: tone(440, tick=i), "bob": lambda i: quiet()})
    run(room, clock, 100, {"ana": lambda i: quiet(), "bob": lambda i: tone(700, tick=i)})
    run(room, clock, 50, {"ana": lambda i: tone(440, 1500, tick=i), "bob": lambda i: tone(700, 9000, tick=i)})
    run(room, clock, 50, {"ana": lambda i: quiet(), "bob": lambda i: quiet()})
    recording = room.close()
    assert recording is not None
    stored = json.loads(timeline_path(recording).read_text())
    assert set(stored["levels"]) == {"Ana", "Bob"} and stored["step"] == 0.1

    timeline = speakers.from_json(timeline_path(recording).read_text())
    cues = [
        Cue(1, 0.2, 1.8, "Bonjour"),
        Cue(2, 2.2, 3.8, "Salut"),
        Cue(3, 4.1, 4.9, "En même temps"),
        Cue(4, 5.2, 5.9, "…"),
    ]
    assert [c.speaker for c in speakers.attribute(cues, timeline)] == ["Ana", "Bob", "Bob", None]


def test_attribution_rules():
    timeline = speakers.SpeakingTimeline({"Claire": [-20.0] * 10 + [-90.0] * 10, "MiKL": [-90.0] * 10 + [-25.0] * 10})
    named = speakers.attribute(
        [Cue(1, 0.0, 0.9, "a"), Cue(2, 1.0, 1.9, "b"), Cue(3, 0.5, 1.5, "c"), Cue(4, 5.0, 6.0, "after the end")],
        timeline,
    )
    assert [c.speaker for c in named] == ["Claire", "MiKL", "Claire", None]  # overlap: the dominant one


@pytest.mark.parametrize(
    "broken",
    [
        "",
        "{",
        "[]",
        '{"step": 0, "levels": {}}',
        '{"step": "x", "levels": {}}',
        '{"step": 0.1, "levels": {"a": ["loud"]}}',
        '{"step": NaN, "levels": {}}',
    ],
)
def test_a_broken_timeline_names_nobody(broken):
    assert speakers.from_json(broken) is None
