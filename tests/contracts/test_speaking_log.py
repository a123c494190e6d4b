"""services.ports.SpeakingLog: what OpenVidu rooms' pages report, read back by time, on both stores."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import at
from visio_core.domain import speakers
from visio_core.domain.speakers import SpeakingEvent


def test_events_read_back_by_meeting_and_time(store):
    meeting, other = store.meeting(), store.meeting()
    events = [
        SpeakingEvent("Claire", "start", at() + timedelta(seconds=1)),
        SpeakingEvent("MiKL", "start", at() + timedelta(seconds=2)),
        SpeakingEvent("Claire", "stop", at() + timedelta(seconds=3)),
    ]
    store.speaking.add(meeting, list(reversed(events)))
    store.speaking.add(other, [SpeakingEvent("Bruno", "start", at() + timedelta(seconds=2))])
    assert store.speaking.between(meeting, at(), at() + timedelta(minutes=1)) == events  # oldest first
    assert store.speaking.between(meeting, at() + timedelta(seconds=2), at() + timedelta(seconds=3)) == events[1:2]
    store.speaking.add(meeting, [])  # nothing to add is fine


def test_a_timeline_from_start_and_stop_events():
    events = [
        SpeakingEvent("MiKL", "start", at(0) + timedelta(seconds=0.5)),
        SpeakingEvent("MiKL", "stop", at(0) + timedelta(seconds=1.5)),
        SpeakingEvent("Claire", "stop", at(0) + timedelta(seconds=0.2)),  # a stop before any start: nothing
        SpeakingEvent("Claire", "start", at(0) + timedelta(seconds=2.0)),
    ]  # never stopped: to the end
    timeline = speakers.timeline_from_events(events, at(0), 3.0)
    assert timeline.level("MiKL", 0.6, 1.4) == speakers.SPEAKING_DBFS
    assert timeline.level("MiKL", 2.0, 3.0) == speakers.SILENCE_DBFS
    assert timeline.level("Claire", 0.0, 1.9) == speakers.SILENCE_DBFS
    assert timeline.level("Claire", 2.0, 3.0) == speakers.SPEAKING_DBFS
