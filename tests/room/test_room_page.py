"""The embedded room page through AppTest.

The call and the screen share are components v2, whose JavaScript needs a browser: here they are
replaced by recorders of their arguments; they run in Chromium in tests/browser.
"""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import at
from tests.test_pages import signed_in, texts
from visio_core.entrypoints.bootstrap import set_context


@pytest.fixture
def calls(monkeypatch) -> list:
    made: list = []
    monkeypatch.setattr("visio_core.ui.embedded_room.room_call", lambda *args: made.append(args))
    return made


@pytest.fixture
def shares(monkeypatch) -> list:
    """The screen-share component's arguments (a v2 component; it runs in Chromium in tests/browser)."""
    made: list = []
    monkeypatch.setattr("visio_core.ui.embedded_room.screen_share", lambda *args: made.append(args))
    return made


@pytest.fixture
def meeting(ctx, people):
    set_context(ctx)
    created = ctx.meetings.create_meeting(people.op1, client_id=people.client_a.id, title="Atelier", scheduled_at=at())
    yield ctx.meetings.start_meeting(people.op1, created.id)
    set_context(None)


def open_room(identity, meeting_id):
    test = signed_in(identity, meeting=str(meeting_id))
    test.switch_page("pages/room.py")
    test.run()
    assert not test.exception, test.exception
    return test


def test_participants_get_the_call_and_the_operator_the_end_button(ctx, people, meeting, calls, shares):
    for identity in (people.op1, people.client_a):
        test = open_room(identity, meeting.id)
        call_meeting, call_ticket, rtc, state = calls[-1]
        room = ctx.engine.room_for(meeting)
        tab = room.tab_of(call_ticket, identity.id)  # the page got a ticket of the room, for its own tab
        assert call_meeting == meeting.id and rtc == {"iceServers": []}
        assert "Cliquez sur « Rejoindre la salle »" in texts(test)
        # The room as the page's first run sees it; the component then polls it (tests/room/test_call_routes.py).
        assert state == {"live": True, "lost": False, "roster": []}
        ends = [b for b in test.button if b.key == f"room_end_{meeting.id}"]
        assert len(ends) == (1 if identity is people.op1 else 0)
        meeting_id, ticket, operator, share_rtc = shares[-1]
        assert meeting_id == meeting.id and ticket == call_ticket == room.ticket(tab) and share_rtc == rtc
        assert operator is (identity is people.op1)  # only the operator is offered the takeover


def test_a_fifth_participant_is_refused_politely(ctx, people, meeting, calls, shares):
    room = ctx.engine.room_for(ctx.meetings.enter_room(people.op1, meeting.id))
    room._run_clock = False
    from tests.room.conftest import quiet

    for n in range(4):
        key = f"tab-{n}"
        room.admit(key, uuid.uuid4(), f"Invité {n}")
        room.push_audio(key, quiet())
    test = open_room(people.client_a, meeting.id)
    assert "La salle est complète (4 participants au maximum)" in texts(test)
    assert not shares and not calls


def test_the_operator_ends_the_meeting_from_the_room(ctx, people, meeting, calls):
    test = open_room(people.op1, meeting.id)
    test.button(key=f"room_end_{meeting.id}").click().run()
    test.button(key=f"room_end_yes_{meeting.id}").click().run()
    assert "Meeting terminé" in texts(test)
    assert ctx.meetings.get_meeting(people.op1, meeting.id).status.value == "completed"
    assert len(calls) == 2  # the call is not rendered again once the meeting has ended
    assert not [b for b in test.button if b.key.startswith("room_end")]  # no confirmation left to click
    assert "Ce meeting est terminé : l'hôte y a mis fin." in texts(test)
    assert any("recordings" in link.proto.page for link in test.get("page_link"))


def test_a_client_in_the_room_learns_that_the_meeting_ended(ctx, people, meeting, calls):
    test = open_room(people.client_a, meeting.id)
    ctx.meetings.end_meeting(people.op1, meeting.id)  # from the Hub, another page, another person
    test.run()  # the rerun the call component triggers when its poll finds the meeting over
    assert "Ce meeting est terminé : l'hôte y a mis fin." in texts(test)
    assert len(calls) == 1  # the call is gone
