"""Meetings service: life cycle, authorisation per role, validation, filters."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest

from tests.conftest import Clock, at
from visio_core.domain.errors import BackendUnavailable, Forbidden, IllegalTransition, InvalidInput, NotFound
from visio_core.domain.model import MeetingStatus


@pytest.fixture
def ctx_clock(clock: Clock) -> Clock:
    return clock  # the whole context runs on the hand-driven clock


def make(ctx, people, client=None, title="Point hebdo", days=0):
    return ctx.meetings.create_meeting(
        people.op1, client_id=(client or people.client_a).id, title=title, scheduled_at=at(days)
    )


def test_full_life_cycle_sets_duration_and_session(ctx, people, engine, clock):
    meeting = make(ctx, people)
    assert meeting.status is MeetingStatus.SCHEDULED
    started = ctx.meetings.start_meeting(people.op1, meeting.id)
    assert started.status is MeetingStatus.IN_PROGRESS
    assert started.session_id and engine.open_sessions == {started.session_id}
    clock.now += timedelta(minutes=42, seconds=29, milliseconds=600)
    ended = ctx.meetings.end_meeting(people.op1, str(meeting.id))
    assert ended.status is MeetingStatus.COMPLETED
    assert ended.duration_seconds == 42 * 60 + 30  # rounded
    assert engine.open_sessions == set()
    stored = ctx.meetings.get_meeting(people.client_a, meeting.id)
    assert stored == ended


def test_cancel_only_from_scheduled(ctx, people, clock):
    meeting = make(ctx, people)
    assert ctx.meetings.cancel_meeting(people.op1, meeting.id).status is MeetingStatus.CANCELLED
    with pytest.raises(IllegalTransition, match="Annulé"):
        ctx.meetings.start_meeting(people.op1, meeting.id)


@pytest.mark.parametrize(
    "prepare, action",
    [
        ([], "end_meeting"),
        (["start_meeting"], "start_meeting"),
        (["start_meeting"], "cancel_meeting"),
        (["start_meeting", "end_meeting"], "end_meeting"),
        (["start_meeting", "end_meeting"], "start_meeting"),
        (["start_meeting", "end_meeting"], "cancel_meeting"),
        (["cancel_meeting"], "cancel_meeting"),
        (["cancel_meeting"], "end_meeting"),
    ],
)
def test_illegal_transitions_are_refused_and_write_nothing(ctx, people, clock, prepare, action):
    meeting = make(ctx, people)
    for step in prepare:
        getattr(ctx.meetings, step)(people.op1, meeting.id)
    before = ctx.meetings.get_meeting(people.op1, meeting.id)
    clock.now += timedelta(hours=1)
    with pytest.raises(IllegalTransition) as error:
        getattr(ctx.meetings, action)(people.op1, meeting.id)
    assert "Impossible de" in str(error.value)
    assert ctx.meetings.get_meeting(people.op1, meeting.id) == before


def test_concurrent_starts_exactly_one_wins(ctx, people):
    meetings = [make(ctx, people, title=f"m{i}") for i in range(10)]
    for meeting in meetings:
        barrier = threading.Barrier(4)
        results: list[str] = []

        def attempt() -> None:
            barrier.wait()
            try:
                ctx.meetings.start_meeting(people.op1, meeting.id)
                results.append("ok")
            except IllegalTransition:
                results.append("refused")

        threads = [threading.Thread(target=attempt) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sorted(results) == ["ok", "refused", "refused", "refused"]
        assert ctx.meetings.get_meeting(people.op1, meeting.id).status is MeetingStatus.IN_PROGRESS


def test_concurrent_end_and_cancel_race(ctx, people):
    meeting = make(ctx, people)
    barrier = threading.Barrier(2)
    results = []

    def run(action):
        barrier.wait()
        try:
            getattr(ctx.meetings, action)(people.op1, meeting.id)
            results.append(action)
        except IllegalTransition:
            results.append("refused")

    threads = [threading.Thread(target=run, args=(a,)) for a in ("start_meeting", "cancel_meeting")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results.count("refused") == 1
    final = ctx.meetings.get_meeting(people.op1, meeting.id).status
    assert final in (MeetingStatus.IN_PROGRESS, MeetingStatus.CANCELLED)


def test_media_failure_on_start_writes_nothing(ctx, people, engine):
    meeting = make(ctx, people)
    engine.fail_with = "serveur injoignable"
    with pytest.raises(BackendUnavailable):
        ctx.meetings.start_meeting(people.op1, meeting.id)
    assert ctx.meetings.get_meeting(people.op1, meeting.id).status is MeetingStatus.SCHEDULED


def test_media_failure_on_end_keeps_meeting_in_progress(ctx, people, engine):
    meeting = make(ctx, people)
    ctx.meetings.start_meeting(people.op1, meeting.id)
    engine.fail_with = "serveur injoignable"
    with pytest.raises(BackendUnavailable):
        ctx.meetings.end_meeting(people.op1, meeting.id)
    assert ctx.meetings.get_meeting(people.op1, meeting.id).status is MeetingStatus.IN_PROGRESS
    engine.fail_with = None
    assert ctx.meetings.end_meeting(people.op1, meeting.id).status is MeetingStatus.COMPLETED


# -- authorisation per role -----------------------------------------------------------


def test_client_sees_only_his_meetings(ctx, people):
    mine = make(ctx, people, people.client_a, "A1")
    other = make(ctx, people, people.client_b, "B1")
    page = ctx.meetings.list_meetings(people.client_a)
    assert [m.id for m in page.items] == [mine.id]
    assert ctx.meetings.get_meeting(people.client_a, mine.id).title == "A1"
    with pytest.raises(NotFound) as foreign:
        ctx.meetings.get_meeting(people.client_a, other.id)
    with pytest.raises(NotFound) as unknown:
        ctx.meetings.get_meeting(people.client_a, uuid.uuid4())
    assert str(foreign.value) == str(unknown.value)
    # a client filtering on another client gets nothing, not the other's meetings
    assert ctx.meetings.list_meetings(people.client_a, client_id=people.client_b.id).total == 0


def test_client_changes_nothing(ctx, people):
    meeting = make(ctx, people)
    for action in ("start_meeting", "cancel_meeting"):
        with pytest.raises(Forbidden):
            getattr(ctx.meetings, action)(people.client_a, meeting.id)
    with pytest.raises(Forbidden):
        ctx.meetings.create_meeting(people.client_a, client_id=people.client_a.id, title="x", scheduled_at=at())
    assert ctx.meetings.get_meeting(people.op1, meeting.id).status is MeetingStatus.SCHEDULED


def test_other_operator_sees_and_changes_nothing(ctx, people):
    meeting = make(ctx, people)
    assert ctx.meetings.list_meetings(people.op2).total == 0
    for action in ("get_meeting", "start_meeting", "end_meeting", "cancel_meeting"):
        with pytest.raises(NotFound):
            getattr(ctx.meetings, action)(people.op2, meeting.id)
    with pytest.raises(InvalidInput, match="client"):
        ctx.meetings.create_meeting(people.op2, client_id=people.client_a.id, title="x", scheduled_at=at())


def test_analyst_reads_his_operators_meetings_but_changes_none(ctx, people):
    meeting = make(ctx, people)
    assert ctx.meetings.list_meetings(people.analyst).total == 1
    with pytest.raises(Forbidden):
        ctx.meetings.start_meeting(people.analyst, meeting.id)


# -- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"title": ""}, "obligatoire"),
        ({"title": "   "}, "obligatoire"),
        ({"title": "x" * 201}, "200"),
        ({"description": "d" * 5001}, "5000"),
        ({"client_id": "not-a-uuid"}, "Identifiant invalide"),
        ({"client_id": uuid.uuid4()}, "client"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(ctx, people, kwargs, message):
    args = {"client_id": people.client_a.id, "title": "ok", "scheduled_at": at()} | kwargs
    with pytest.raises(InvalidInput, match=message):
        ctx.meetings.create_meeting(people.op1, **args)
    assert ctx.meetings.list_meetings(people.op1).total == 0


def test_create_trims_and_accepts_limits(ctx, people):
    meeting = ctx.meetings.create_meeting(
        people.op1,
        client_id=people.client_a.id,
        title="  " + "x" * 200 + " ",
        description="d" * 5000,
        scheduled_at=at(),
    )
    assert len(meeting.title) == 200


def test_malformed_ids_are_refused(ctx, people):
    for bad in ("", "123", "../../etc", "'; DROP TABLE meetings; --"):
        with pytest.raises(InvalidInput):
            ctx.meetings.get_meeting(people.op1, bad)


# -- listing ---------------------------------------------------------------------------


def test_filters_sort_and_pagination(ctx, people, clock):
    ids = {}
    for i in range(12):
        client = people.client_a if i % 2 == 0 else people.client_b
        ids[i] = make(ctx, people, client, title=f"Revue {i:02d}" if i < 6 else f"Atelier {i:02d}", days=i).id
    for i in (0, 1, 2):
        ctx.meetings.start_meeting(people.op1, ids[i])
    ctx.meetings.end_meeting(people.op1, ids[0])
    ctx.meetings.cancel_meeting(people.op1, ids[5])

    op = people.op1
    assert ctx.meetings.list_meetings(op, statuses=["in_progress"]).total == 2
    assert ctx.meetings.list_meetings(op, statuses=["in_progress", "completed"]).total == 3
    assert ctx.meetings.list_meetings(op, statuses=["scheduled"], client_id=people.client_b.id).total == 4
    assert ctx.meetings.list_meetings(op, title_contains="revue").total == 6
    assert ctx.meetings.list_meetings(op, title_contains="%").total == 0
    window = ctx.meetings.list_meetings(op, scheduled_from=at(3), scheduled_to=at(6))
    assert sorted(m.title for m in window.items) == ["Revue 03", "Revue 04", "Revue 05"]

    first = ctx.meetings.list_meetings(op, page=1, page_size=5)
    third = ctx.meetings.list_meetings(op, page=3, page_size=5)
    assert first.total == 12 and first.pages == 3
    assert [m.title for m in first.items][:2] == ["Atelier 11", "Atelier 10"]
    assert len(third.items) == 2
    oldest = ctx.meetings.list_meetings(op, newest_first=False, page_size=1).items[0]
    assert oldest.title == "Revue 00"

    counts = ctx.meetings.count_by_status(op)
    assert counts == {
        MeetingStatus.SCHEDULED: 8,
        MeetingStatus.IN_PROGRESS: 2,
        MeetingStatus.COMPLETED: 1,
        MeetingStatus.CANCELLED: 1,
    }


@pytest.mark.parametrize(
    "kwargs",
    [
        {"statuses": ["finished"]},
        {"page": 0},
        {"page_size": 0},
        {"page_size": 1000},
        {"client_id": "nope"},
        {"scheduled_from": at(2), "scheduled_to": at(1)},
    ],
)
def test_list_rejects_bad_filters(ctx, people, kwargs):
    with pytest.raises(InvalidInput):
        ctx.meetings.list_meetings(people.op1, **kwargs)


def test_a_meeting_has_the_language_its_recordings_are_transcribed_in(ctx, people):
    english = ctx.meetings.create_meeting(
        people.op1, client_id=people.client_a.id, title="Weekly", scheduled_at=at(1), language=" EN "
    )
    detected = ctx.meetings.create_meeting(
        people.op1, client_id=people.client_a.id, title="?", scheduled_at=at(1), language="auto"
    )
    default = ctx.meetings.create_meeting(people.op1, client_id=people.client_a.id, title="Point", scheduled_at=at(1))
    assert (english.language, detected.language, default.language) == ("en", "auto", None)
    before = ctx.meetings.count_by_status(people.op1)
    for bad in ("xx", "english", "fr-FR", "e" * 300):
        with pytest.raises(InvalidInput, match="Langue inconnue"):
            ctx.meetings.create_meeting(
                people.op1, client_id=people.client_a.id, title="x", scheduled_at=at(1), language=bad
            )
    assert ctx.meetings.count_by_status(people.op1) == before  # nothing written
