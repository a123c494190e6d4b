"""Meetings service: every rule about who may see or change a meeting lives here."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from visio_core.domain import model as models
from visio_core.domain.errors import Forbidden, IllegalTransition, InvalidInput, NotFound
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Meeting, MeetingFilter, MeetingStatus, Page, Role
from visio_core.domain.policy import (
    can_change,
    can_see,
    check_room_entry,
    check_share_takeover,
    require_operator,
)
from visio_core.services.ports import MediaEngine, MeetingRepository, People

MAX_PAGE_SIZE = 200


def parse_statuses(values: Iterable[str | MeetingStatus] | None) -> frozenset[MeetingStatus]:
    statuses = set()
    for value in values or ():
        try:
            statuses.add(MeetingStatus(value))
        except ValueError:
            raise InvalidInput(t("error.bad_status", value=value)) from None
    return frozenset(statuses)


@dataclass
class MeetingService:
    meetings: MeetingRepository
    users: People
    engine: MediaEngine
    clock: Callable[[], datetime] = models.utcnow

    # -- reading -----------------------------------------------------------------
    def get_meeting(self, actor: Identity, meeting_id: uuid.UUID | str) -> Meeting:
        meeting = self.meetings.get(models.parse_uuid(meeting_id))
        if meeting is None or not can_see(actor, meeting):
            raise NotFound(t("error.not_found"))
        return meeting

    def enter_room(self, actor: Identity, meeting_id: uuid.UUID | str) -> Meeting:
        """The meeting whose room `actor` may be in now; the one gate every engine and page uses."""
        meeting = self.get_meeting(actor, meeting_id)  # NotFound for other people's meetings
        check_room_entry(actor, meeting)
        return meeting

    def share_screen(self, actor: Identity, meeting_id: uuid.UUID | str, takeover: bool) -> Meeting:
        """The meeting whose room `actor` may share his screen in; taking over someone's share is the operator's."""
        meeting = self.enter_room(actor, meeting_id)
        if takeover:
            check_share_takeover(actor, meeting)
        return meeting

    def list_meetings(
        self,
        actor: Identity,
        *,
        statuses: Iterable[str | MeetingStatus] | None = None,
        client_id: uuid.UUID | str | None = None,
        scheduled_from: datetime | None = None,
        scheduled_to: datetime | None = None,
        title_contains: str | None = None,
        newest_first: bool = True,
        page: int = 1,
        page_size: int = 50,
    ) -> Page:
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(t("error.bad_page"))
        query = self._scoped_filter(
            actor, parse_statuses(statuses), client_id, scheduled_from, scheduled_to, title_contains, newest_first
        )
        return self.meetings.list(query, page=page, page_size=page_size)

    def count_by_status(
        self,
        actor: Identity,
        *,
        client_id: uuid.UUID | str | None = None,
        scheduled_from: datetime | None = None,
        scheduled_to: datetime | None = None,
        title_contains: str | None = None,
    ) -> dict[MeetingStatus, int]:
        query = self._scoped_filter(actor, frozenset(), client_id, scheduled_from, scheduled_to, title_contains, True)
        return self.meetings.count_by_status(query)

    # -- changing ------------------------------------------------------------------
    def create_meeting(
        self,
        actor: Identity,
        *,
        client_id: uuid.UUID | str,
        title: str,
        description: str | None = None,
        scheduled_at: datetime,
        language: str | None = None,
    ) -> Meeting:
        """A scheduled meeting; `language`: its recordings' transcription language ("auto" detects it).

        A date in the past is accepted: a meeting held elsewhere is entered afterwards to import its
        recording, and the demo plans past meetings. The Hub warns when it is (`model.is_past`)."""
        require_operator(actor)
        client = self.users.get(models.parse_uuid(client_id))
        if client is None or client.role is not Role.CLIENT or client.operator_id != actor.id:
            raise InvalidInput(t("error.unknown_client"))
        if scheduled_at is None or scheduled_at.tzinfo is None:
            raise InvalidInput(t("error.bad_date", value=scheduled_at))
        meeting = models.new_meeting(
            operator_id=actor.id,
            client_id=client.id,
            title=title,
            description=description,
            scheduled_at=scheduled_at,
            now=self.clock(),
            language=language,
        )
        self.meetings.add(meeting)
        return meeting

    def start_meeting(self, actor: Identity, meeting_id: uuid.UUID | str) -> Meeting:
        meeting = self._changeable(actor, meeting_id)
        started = models.start(meeting, self.clock())
        # Opening is idempotent (session id derived from the meeting), so a race
        # with another start is harmless; the status write below decides who won.
        self.engine.open_session(started)
        if not self.meetings.replace_if_status(started, MeetingStatus.SCHEDULED):
            current = self._reload(meeting.id)
            if current.status is not MeetingStatus.IN_PROGRESS:
                self.engine.close_session(started)
            models.start(current, self.clock())  # raises the accurate IllegalTransition
        return started

    def end_meeting(self, actor: Identity, meeting_id: uuid.UUID | str) -> Meeting:
        meeting = self._changeable(actor, meeting_id)
        ended = models.end(meeting, self.clock())
        # Close first: if the media server refuses, the meeting stays in progress and can be ended again.
        self.engine.close_session(meeting)
        if not self.meetings.replace_if_status(ended, MeetingStatus.IN_PROGRESS):
            models.end(self._reload(meeting.id), self.clock())
        return ended

    def cancel_meeting(self, actor: Identity, meeting_id: uuid.UUID | str) -> Meeting:
        meeting = self._changeable(actor, meeting_id)
        cancelled = models.cancel(meeting, self.clock())
        if not self.meetings.replace_if_status(cancelled, MeetingStatus.SCHEDULED):
            models.cancel(self._reload(meeting.id), self.clock())
        return cancelled

    # -- helpers -------------------------------------------------------------------
    def _changeable(self, actor: Identity, meeting_id: uuid.UUID | str) -> Meeting:
        meeting = self.get_meeting(actor, meeting_id)
        if not can_change(actor, meeting):
            raise Forbidden(t("error.forbidden"))
        return meeting

    def _reload(self, meeting_id: uuid.UUID) -> Meeting:
        meeting = self.meetings.get(meeting_id)
        if meeting is None:  # deleted under us; nothing to transition
            raise IllegalTransition(t("error.not_found"))
        return meeting

    def _scoped_filter(
        self,
        actor: Identity,
        statuses: frozenset[MeetingStatus],
        client_id: uuid.UUID | str | None,
        scheduled_from: datetime | None,
        scheduled_to: datetime | None,
        title_contains: str | None,
        newest_first: bool,
    ) -> MeetingFilter:
        if scheduled_from and scheduled_to and scheduled_from >= scheduled_to:
            raise InvalidInput(t("error.bad_date_range"))
        return MeetingFilter(
            statuses=statuses,
            client_id=models.parse_uuid(client_id) if client_id else None,
            scheduled_from=scheduled_from,
            scheduled_to=scheduled_to,
            title_contains=(title_contains or "").strip() or None,
            operator_scope=None if actor.role is Role.CLIENT else actor.scope_operator_id,
            client_scope=actor.id if actor.role is Role.CLIENT else None,
            newest_first=newest_first,
        )
