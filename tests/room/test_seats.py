"""Seats on their own: tickets, seats taken by media, a lost call's grace, and the lock they share with the room."""

from __future__ import annotations

import threading
import uuid

import pytest

from visio_core.adapters.embedded_room.seats import (
    DROPPED_AFTER,
    RECONNECT_GRACE,
    NotAdmitted,
    NotInRoom,
    RoomFull,
    Seats,
)

ANA, BOB = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def lock() -> threading.RLock:
    return threading.RLock()


@pytest.fixture
def seats(lock) -> Seats:
    seats = Seats(uuid.uuid4(), 2, lock)
    seats.admit("ana", ANA, "Ana")
    seats.admit("bob", BOB, "Bob")
    return seats


def test_a_ticket_names_its_tab_for_its_user_only(seats):
    ticket = seats.ticket("ana")
    assert seats.tab_of(ticket, ANA) == "ana"
    assert seats.ticket("ana") == ticket  # admitted again (a rerun): the same ticket
    seats.admit("ana", ANA, "Ana")
    assert seats.ticket("ana") == ticket
    for forged, user in ((ticket, BOB), ("forged", ANA), (None, ANA)):
        with pytest.raises(NotAdmitted):
            seats.tab_of(forged, user)
    with pytest.raises(NotInRoom):
        seats.seated_tab(ticket, ANA)  # admitted, not seated yet
    seats.take("ana", 0.0)
    assert seats.seated_tab(ticket, ANA) == "ana"


def test_media_takes_a_seat_once_and_only_for_an_admitted_tab(seats):
    first = seats.take("ana", 1.0)
    assert first is not None and seats.take("ana", 2.0) is first and first.joined_at == 1.0
    assert seats.take("stranger", 1.0) is None
    seats.admit("cam", uuid.uuid4(), "Cam")  # admitted while a seat is free…
    seats.take("bob", 1.0)
    assert seats.take("cam", 1.0) is None  # …but the last seat was taken before his media came
    with pytest.raises(RoomFull):
        seats.admit("dan", uuid.uuid4(), "Dan")
    assert [p.key for p in seats.participants()] == ["ana", "bob"]
    assert seats.leave("bob") and not seats.leave("bob")
    assert seats.take("cam", 1.0) is not None


def test_a_lost_seat_is_kept_for_the_grace_then_freed(seats):
    seats.take("ana", 0.0)
    seats.take("bob", 0.0)
    seats.lost("ana", 1.0)
    seats.lost("ana", 5.0)  # once: the grace counts from the first drop
    assert seats.is_lost("ana") and not seats.is_lost("bob") and not seats.is_lost("nobody")
    assert seats.drop_stale(DROPPED_AFTER + 0.5) == ["bob"]  # no media from Bob; Ana's seat waits
    assert seats.drop_stale(1.0 + RECONNECT_GRACE + 0.5) == ["ana"]
    assert seats.name_of("ana") == "Ana" and seats.name_of("never") == "never"  # names outlive seats


def test_lost_and_is_lost_wait_for_the_rooms_lock(seats, lock):
    seats.take("ana", 0.0)
    for step, expected in ((lambda: seats.lost("ana", 1.0), None), (lambda: seats.is_lost("ana"), True)):
        done = []
        with lock:  # the room holds it (a tick freeing seats, a share starting)
            waiting = threading.Thread(target=lambda: done.append(step()))  # step: called before the loop moves on
            waiting.start()
            waiting.join(0.2)
            assert done == []
        waiting.join(5)
        assert done == [expected]
    assert seats.get("ana").lost_at == 1.0


def test_a_closed_room_seats_nobody_and_honours_no_ticket(seats):
    ticket = seats.ticket("ana")
    seats.take("ana", 0.0)
    assert seats.close() == ["ana"]
    assert seats.closed and seats.participants() == [] and seats.take("bob", 0.0) is None
    with pytest.raises(NotAdmitted):
        seats.tab_of(ticket, ANA)
