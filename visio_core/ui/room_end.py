"""The operator's "end meeting" in the room, with a confirmation, for every media engine."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import format_duration, t
from visio_core.domain.model import Identity, Meeting
from visio_core.services.sessions import UserScope
from visio_core.ui import flash


def end_controls(ctx: UserScope, identity: Identity, meeting: Meeting, forget: Sequence[str] = ()) -> None:
    """The operator's end-meeting button (with confirmation).

    Once the meeting has ended the page's next run no longer renders the room (the browser
    leaves the call), the confirmation is gone, and the ended notice takes its place.
    `forget`: session keys of the call (a token, a joined flag) that must not outlive it.
    Callbacks, not `if st.button(...)`: a click landing in the live fragment's timed rerun is not lost."""
    confirm_key = f"room_end_confirm_{meeting.id}"
    error_key = f"room_end_error_{meeting.id}"

    def end() -> None:
        st.session_state[confirm_key] = False
        try:
            ended = ctx.meetings.end_meeting(identity, meeting.id)
        except VisioError as error:
            st.session_state[error_key] = str(error)
            return
        for key in forget:
            st.session_state.pop(key, None)
        flash.push(t("room.ended", duration=format_duration(ended.duration_seconds)))

    if (error := st.session_state.pop(error_key, None)) is not None:
        st.error(error)
    if not st.session_state.get(confirm_key):
        st.button(
            t("room.end"),
            key=f"room_end_{meeting.id}",
            type="primary",
            icon=":material/stop_circle:",
            on_click=st.session_state.__setitem__,
            args=(confirm_key, True),
        )
        return
    st.warning(t("room.end_confirm"))
    yes, no = st.columns(2)
    no.button(
        t("room.end_no"),
        key=f"room_end_no_{meeting.id}",
        on_click=st.session_state.__setitem__,
        args=(confirm_key, False),
    )
    yes.button(t("room.end_yes"), key=f"room_end_yes_{meeting.id}", type="primary", on_click=end)
