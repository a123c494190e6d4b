"""How statuses look: coloured badges in markdown, coloured text in tables."""

from __future__ import annotations

from visio_core.domain.i18n import t
from visio_core.domain.model import MeetingStatus

COLOURS = {
    MeetingStatus.SCHEDULED: "blue",
    MeetingStatus.IN_PROGRESS: "green",
    MeetingStatus.COMPLETED: "gray",
    MeetingStatus.CANCELLED: "red",
}
_CSS = {"blue": "#1c6fd1", "green": "#168a45", "gray": "#6b6b6b", "red": "#c62828"}


def status_label(status: MeetingStatus) -> str:
    return t(f"status.{status.value}")


def status_badge(status: MeetingStatus) -> str:
    """Markdown: a coloured badge (Streamlit's `:color-badge[...]`)."""
    return f":{COLOURS[status]}-badge[{status_label(status)}]"


def status_css(label: str) -> str:
    """Table cell style for a status label."""
    for status, colour in COLOURS.items():
        if label == status_label(status):
            return f"color: {_CSS[colour]}; font-weight: 600"
    return ""
