"""How statuses look in tables and headers."""

from __future__ import annotations

from visio_core.i18n import t
from visio_core.models import MeetingStatus

_DOTS = {
    MeetingStatus.SCHEDULED: "🔵",
    MeetingStatus.IN_PROGRESS: "🟢",
    MeetingStatus.COMPLETED: "⚪",
    MeetingStatus.CANCELLED: "🔴",
}


def status_badge(status: MeetingStatus) -> str:
    return f"{_DOTS[status]} {t(f'status.{status.value}')}"
