"""Who may see, change or enter a meeting: the rules every service and engine asks, written once."""

from __future__ import annotations

from visio_core.domain.errors import Forbidden, IllegalTransition
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Meeting, MeetingStatus, Role


def can_see(actor: Identity, meeting: Meeting) -> bool:
    """A client sees his own meetings; an operator and his analysts see the operator's."""
    if actor.role is Role.CLIENT:
        return meeting.client_id == actor.id
    return meeting.operator_id == actor.scope_operator_id


def can_change(actor: Identity, meeting: Meeting) -> bool:
    """Only the meeting's operator starts, ends, cancels it and manages its recordings."""
    return actor.role is Role.OPERATOR and meeting.operator_id == actor.id


def can_edit_transcript(actor: Identity, meeting: Meeting) -> bool:
    """The meeting's operator and his analysts correct its transcripts; clients only read them."""
    return actor.role in (Role.OPERATOR, Role.ANALYST) and meeting.operator_id == actor.scope_operator_id


def check_room_entry(actor: Identity, meeting: Meeting) -> None:
    """Raise unless `actor` (who can see the meeting) may be in its room now.

    The room is for the meeting's operator and its client (analysts review afterwards), and
    only while the meeting is in progress.
    """
    if actor.role not in (Role.OPERATOR, Role.CLIENT):
        raise Forbidden(t("error.forbidden"))
    if meeting.status is not MeetingStatus.IN_PROGRESS:
        raise IllegalTransition(t("room.not_in_progress", status=t(f"status.{meeting.status.value}")))


def check_share_takeover(actor: Identity, meeting: Meeting) -> None:
    """Raise unless `actor` may end someone else's screen share by sharing his own: the meeting's operator."""
    if not can_change(actor, meeting):
        raise Forbidden(t("room.share.takeover_forbidden"))


def require_operator(actor: Identity) -> None:
    if actor.role is not Role.OPERATOR:
        raise Forbidden(t("error.forbidden"))
