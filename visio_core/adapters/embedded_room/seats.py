"""Who is in a room: the tabs admitted, their tickets, their seats, and how long a seat is kept.

A tab is admitted by its page (`admit`: who it is, and a secret ticket its page sends to the call
and share routes), and takes a seat when its media first arrives, so a page left open without
joining holds no seat. A seat is freed when the user leaves, when no media came for
DROPPED_AFTER, or, once its call dropped (`lost`), after RECONNECT_GRACE.

Every method takes the room's lock (given by the Room, which holds the same lock around its own
steps that must agree with the seats: starting a share, opening the recording).
"""

from __future__ import annotations

import logging
import secrets
import threading
import uuid
from dataclasses import dataclass

from visio_core.adapters.embedded_room.participant import Participant
from visio_core.domain.errors import Forbidden, VisioError
from visio_core.domain.i18n import t

log = logging.getLogger("visio.room")

MAX_PARTICIPANTS = 4
DROPPED_AFTER = 15.0  # no media at all for this long: the connection is gone (network drop, closed tab)
# A call that ended without the user leaving (network drop, closed tab) keeps its seat this long:
# the page negotiates a new call by itself, and a full room must not take the seat meanwhile.
RECONNECT_GRACE = 45.0


class RoomFull(VisioError):
    pass


class NotAdmitted(Forbidden):
    """A call asked for with a ticket this room did not give to this user's tab."""


class NotInRoom(Forbidden):
    """A share asked for by a tab that has no seat in this room (or is another user's)."""


@dataclass(frozen=True)
class Candidate:
    user_id: uuid.UUID
    name: str


class Seats:
    def __init__(self, meeting_id: uuid.UUID, max_participants: int, lock: threading.RLock) -> None:
        self._meeting_id = meeting_id  # for the log lines
        self.max_participants = max_participants
        self._lock = lock
        self._participants: dict[str, Participant] = {}
        self._candidates: dict[str, Candidate] = {}
        self._names: dict[str, str] = {}  # every tab that ever sat → its name (the recording names its speakers)
        self._tickets: dict[str, str] = {}  # ticket → tab: how a tab's page names itself to the call and share routes
        self._ticket_of: dict[str, str] = {}  # tab → its ticket
        self._closed = False

    # -- admission and tickets ----------------------------------------------------------
    def admit(self, key: str, user_id: uuid.UUID, name: str) -> None:
        """Say who a browser tab is, and give it a ticket; RoomFull when no seat is left."""
        with self._lock:
            self.check_room_for(key)
            self._candidates[key] = Candidate(user_id, name)
            if key not in self._ticket_of:
                ticket = secrets.token_urlsafe(16)
                self._tickets[ticket], self._ticket_of[key] = key, ticket

    def check_room_for(self, key: str) -> None:
        """RoomFull unless `key` has a seat or one is free."""
        with self._lock:
            if key not in self._participants and len(self._participants) >= self.max_participants:
                raise RoomFull(t("room.full", max=self.max_participants))

    def ticket(self, key: str) -> str:
        with self._lock:
            return self._ticket_of[key]

    def tab_of(self, ticket: object, user_id: uuid.UUID) -> str:
        """The admitted tab a page's ticket names, if it is this user's; NotAdmitted for a forged,
        foreign or stale ticket, or once the room is closed."""
        with self._lock:
            key = self._tab_of(ticket, user_id)
            if key is None or self._closed:
                raise NotAdmitted(t("room.call.not_admitted"))
            return key

    def seated_tab(self, ticket: object, user_id: uuid.UUID) -> str:
        """The seated tab a page's ticket names, if it is this user's; NotInRoom otherwise."""
        with self._lock:
            key = self._tab_of(ticket, user_id)
            if key is None or key not in self._participants:
                raise NotInRoom(t("room.share.not_in_room"))
            return key

    def _tab_of(self, ticket: object, user_id: uuid.UUID) -> str | None:
        key = self._tickets.get(ticket) if isinstance(ticket, str) else None
        candidate = self._candidates.get(key) if key is not None else None
        return key if candidate is not None and candidate.user_id == user_id else None

    # -- seats ----------------------------------------------------------------------------
    def get(self, key: str) -> Participant | None:
        # No lock: one dict read is atomic, and this runs on every media frame and every audio
        # packet sent; a seat freed just after is ignored by the tick that follows.
        return self._participants.get(key)

    def take(self, key: str, now: float) -> Participant | None:
        """`key`'s seat, taken now if it has none yet; None for a tab never admitted, a full or closed room."""
        with self._lock:
            if self._closed:
                return None
            participant = self._participants.get(key)
            if participant is not None:
                return participant
            candidate = self._candidates.get(key)
            if candidate is None or len(self._participants) >= self.max_participants:
                return None  # media of a tab that was never admitted or came too late: ignored
            participant = Participant(key, candidate.user_id, candidate.name, joined_at=now)
            self._participants[key] = participant
            self._names[key] = candidate.name
            log.info("room %s: a participant joined (%d in)", self._meeting_id, len(self._participants))
            return participant

    def lost(self, key: str, now: float) -> None:
        """The tab's call ended without the user leaving: keep the seat for RECONNECT_GRACE seconds."""
        # Under the lock: the check and the mark are one step against `drop_stale`, `leave` and
        # `close`, which free seats from the room clock's thread and the routes.
        with self._lock:
            participant = self._participants.get(key)
            if participant is not None and participant.lost_at is None:
                participant.lost_at = now
                log.info("room %s: a participant's call dropped, seat kept while the page reconnects", self._meeting_id)

    def is_lost(self, key: str) -> bool:
        # Under the lock, so the seat and its mark are read as `lost` and `drop_stale` left them.
        with self._lock:
            participant = self._participants.get(key)
            return participant is not None and participant.lost_at is not None

    def leave(self, key: str) -> bool:
        """Free `key`'s seat at once; whether it had one."""
        with self._lock:
            if self._participants.pop(key, None) is None:
                return False
            log.info("room %s: a participant left (%d in)", self._meeting_id, len(self._participants))
            return True

    def drop_stale(self, now: float) -> list[str]:
        """Free the seats whose media stopped (or whose grace ran out); the tabs freed."""
        freed = []
        with self._lock:
            for key, participant in list(self._participants.items()):
                limit = DROPPED_AFTER if participant.lost_at is None else RECONNECT_GRACE
                if now - max(participant.last_media(), participant.lost_at or 0.0) > limit:
                    log.info("room %s: a participant's media stopped, seat freed", self._meeting_id)
                    del self._participants[key]
                    freed.append(key)
        return freed

    def participants(self) -> list[Participant]:
        with self._lock:
            return list(self._participants.values())

    def is_in(self, key: str) -> bool:
        return key in self._participants  # one atomic read, as in `get`

    def name_of(self, key: str) -> str:
        """The name `key` sat under, even after he left (the tab's key if he never sat)."""
        return self._names.get(key, key)

    # -- the end ----------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> list[str]:
        """No more seats, admissions or tickets; the tabs that were seated."""
        with self._lock:
            self._closed = True
            seated = list(self._participants)
            self._participants.clear()
            self._candidates.clear()
            return seated
