"""services.ports.MeetingRepository: what the meetings service relies on, on both stores."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

import pytest

from tests.conftest import at
from visio_core.domain import model
from visio_core.domain.model import Meeting, MeetingFilter, MeetingStatus, Role

OPERATOR, OTHER_OPERATOR = uuid.uuid4(), uuid.uuid4()
CLIENT_A, CLIENT_B = uuid.uuid4(), uuid.uuid4()


@pytest.fixture(autouse=True)
def people(store) -> None:
    store.person(OPERATOR, Role.OPERATOR)
    store.person(OTHER_OPERATOR, Role.OPERATOR)
    store.person(CLIENT_A, Role.CLIENT, OPERATOR)
    store.person(CLIENT_B, Role.CLIENT, OPERATOR)


def meeting(title: str, client: uuid.UUID = CLIENT_A, days: float = 0, operator: uuid.UUID = OPERATOR) -> Meeting:
    return model.new_meeting(
        operator_id=operator, client_id=client, title=title, description="", scheduled_at=at(days), now=at(-10)
    )


def test_a_meeting_reads_back_as_written(store):
    m = meeting("Revue budget")
    store.meetings.add(m)
    assert store.meetings.get(m.id) == m
    for language in ("en", "auto"):
        other = model.new_meeting(
            operator_id=OPERATOR,
            client_id=CLIENT_A,
            title=language,
            description="",
            scheduled_at=at(5),
            now=at(-10),
            language=language,
        )
        store.meetings.add(other)
        assert store.meetings.get(other.id).language == language
    assert store.meetings.get(uuid.uuid4()) is None
    started = model.start(m, at(0.1))
    assert store.meetings.replace_if_status(started, MeetingStatus.SCHEDULED)
    assert store.meetings.get(m.id) == started
    assert store.meetings.get_by_session(started.session_id) == started
    assert store.meetings.get_by_session("visio-unknown") is None


def test_replace_is_a_compare_and_set_on_the_status(store):
    m = meeting("Atelier")
    store.meetings.add(m)
    started = model.start(m, at(0.1))
    cancelled = model.cancel(m, at(0.1))
    assert store.meetings.replace_if_status(started, MeetingStatus.SCHEDULED)
    assert not store.meetings.replace_if_status(cancelled, MeetingStatus.SCHEDULED)  # lost the race
    assert store.meetings.get(m.id).status is MeetingStatus.IN_PROGRESS


def test_get_many_returns_what_exists(store):
    a, b = meeting("A"), meeting("B")
    store.meetings.add(a)
    store.meetings.add(b)
    found = store.meetings.get_many([a.id, b.id, uuid.uuid4()])
    assert found == {a.id: a, b.id: b}
    assert store.meetings.get_many([]) == {}


def test_lists_filter_sort_and_page_the_same_way(store):
    rows = [
        meeting("Revue 100% budget", CLIENT_A, 1),
        meeting("Atelier_design", CLIENT_B, 2),
        meeting("revue trimestrielle", CLIENT_A, 3),
        meeting("Autre opérateur", CLIENT_A, 4, OTHER_OPERATOR),
    ]
    for m in rows:
        store.meetings.add(m)
    store.meetings.replace_if_status(model.start(rows[1], at(2)), MeetingStatus.SCHEDULED)
    mine = MeetingFilter(operator_scope=OPERATOR)

    page = store.meetings.list(mine, page=1, page_size=2)
    assert page.total == 3 and [m.title for m in page.items] == ["revue trimestrielle", "Atelier_design"]
    assert [m.title for m in store.meetings.list(mine, page=2, page_size=2).items] == ["Revue 100% budget"]
    oldest = dataclasses.replace(mine, newest_first=False)
    assert [m.title for m in store.meetings.list(oldest, page=1, page_size=5).items][0] == "Revue 100% budget"

    def titles(**narrow) -> list[str]:
        return sorted(
            m.title for m in store.meetings.list(dataclasses.replace(mine, **narrow), page=1, page_size=50).items
        )

    assert titles(title_contains="REVUE") == ["Revue 100% budget", "revue trimestrielle"]  # any case
    assert titles(title_contains="100%") == ["Revue 100% budget"]  # % is a character, not a wildcard
    assert titles(title_contains="_") == ["Atelier_design"]  # so is _
    assert titles(title_contains="0%b") == []
    assert titles(client_scope=CLIENT_B) == ["Atelier_design"]
    assert titles(statuses=frozenset({MeetingStatus.IN_PROGRESS})) == ["Atelier_design"]
    assert titles(scheduled_from=at(2), scheduled_to=at(3)) == ["Atelier_design"]  # [from, to)
    assert titles(scheduled_from=at(2) + timedelta(seconds=1)) == ["revue trimestrielle"]

    counts = store.meetings.count_by_status(mine)
    assert counts == {
        MeetingStatus.SCHEDULED: 2,
        MeetingStatus.IN_PROGRESS: 1,
        MeetingStatus.COMPLETED: 0,
        MeetingStatus.CANCELLED: 0,
    }
    assert (
        store.meetings.count_by_status(dataclasses.replace(mine, client_scope=CLIENT_B))[MeetingStatus.IN_PROGRESS] == 1
    )
