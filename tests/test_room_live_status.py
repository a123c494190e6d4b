"""The room's live refresh asks the store once per STATUS_TTL for everyone in the room, not once per person."""

from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest

from visio_core.domain.errors import VisioError
from visio_core.domain.model import MeetingStatus, utcnow
from visio_core.ui import room_live


class CountingMeetings:
    def __init__(self, meetings, fail: bool = False) -> None:
        self.meetings, self.calls, self.fail = meetings, 0, fail

    def get_meeting(self, actor, meeting_id):
        self.calls += 1
        if self.fail:
            raise VisioError("store unreachable")
        return self.meetings.get_meeting(actor, meeting_id)


@pytest.fixture(autouse=True)
def fresh_cache():
    room_live._status.clear()
    yield
    room_live._status.clear()


def test_participants_of_one_room_share_one_status_read(ctx, people):
    meeting = ctx.meetings.create_meeting(
        people.op1, client_id=people.client_a.id, title="Suivi", scheduled_at=utcnow() + timedelta(hours=1)
    )
    ctx.meetings.start_meeting(people.op1, meeting.id)
    counting = CountingMeetings(ctx.meetings)
    scope = SimpleNamespace(meetings=counting)
    for who in (people.op1, people.client_a, people.op1, people.client_a):  # two people, two refreshes
        assert room_live._status(scope, who, meeting.id) is MeetingStatus.IN_PROGRESS
    assert counting.calls == 1

    ctx.meetings.end_meeting(people.op1, meeting.id)
    time.sleep(room_live.STATUS_TTL + 0.1)
    assert room_live._status(scope, people.client_a, meeting.id) is MeetingStatus.COMPLETED
    assert counting.calls == 2


def test_a_store_error_is_not_remembered(ctx, people):
    meeting = ctx.meetings.create_meeting(
        people.op1, client_id=people.client_a.id, title="Suivi", scheduled_at=utcnow() + timedelta(hours=1)
    )
    ctx.meetings.start_meeting(people.op1, meeting.id)
    failing = CountingMeetings(ctx.meetings, fail=True)
    with pytest.raises(VisioError):
        room_live._status(SimpleNamespace(meetings=failing), people.client_a, meeting.id)
    working = CountingMeetings(ctx.meetings)
    assert (
        room_live._status(SimpleNamespace(meetings=working), people.client_a, meeting.id) is MeetingStatus.IN_PROGRESS
    )
    assert working.calls == 1
