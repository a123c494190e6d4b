"""What every room page keeps up to date by itself: whether the meeting is still on, and who is in.

A timed fragment asks the meeting service every LIVE_REFRESH; once the meeting is no longer
in progress (the operator ended it, from this page or any other) the whole page reruns, the
room view is not rendered again, so the browser's call is torn down and the ended notice shows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import streamlit as st

from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Meeting, MeetingStatus
from visio_core.services.sessions import UserScope
from visio_core.ui.recordings_view import meeting_link_params

LIVE_REFRESH = timedelta(seconds=2)  # the end notice must reach everyone within 5 s
STATUS_TTL = 1.5  # seconds: with the refresh, a participant learns of the end ≤ 3.5 s after it


@st.cache_data(ttl=STATUS_TTL, show_spinner=False, max_entries=1000)
def _status(_ctx: UserScope, _identity: Identity, meeting_id: uuid.UUID) -> MeetingStatus:
    """The meeting's status, asked once per STATUS_TTL for everyone in its room (on Supabase each
    ask is an HTTP round trip; ten people refreshing every 2 s were ten). Keyed by the meeting
    only: whoever reads it already passed the room's gate (`enter_room`) for this meeting.
    An error is raised, hence not cached."""
    return _ctx.meetings.get_meeting(_identity, meeting_id).status


def watch(
    ctx: UserScope, identity: Identity, meeting_id: uuid.UUID, show_state: Callable[[], None] | None = None
) -> None:
    """Rerun the page once the meeting ends; meanwhile call `show_state` (the roster) at each refresh."""

    @st.fragment(run_every=LIVE_REFRESH)
    def live() -> None:
        try:
            status = _status(ctx, identity, meeting_id)
        except VisioError:
            return  # a passing store error: the next refresh asks again
        if status is not MeetingStatus.IN_PROGRESS:
            st.rerun(scope="app")
        if show_state is not None:
            show_state()

    live()


def ended_notice(meeting: Meeting) -> None:
    """The room of a meeting that is over: say so, and where its recording will be."""
    if meeting.status is MeetingStatus.CANCELLED:
        st.info(t("room.cancelled_notice"), icon=":material/event_busy:")
        return
    st.info(t("room.ended_notice"), icon=":material/check_circle:")
    st.page_link(
        "pages/recordings.py",
        label=t("room.ended_recording_link"),
        icon=":material/movie:",
        query_params=meeting_link_params(meeting.id),
    )
