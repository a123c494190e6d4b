"""The operator's "end meeting" in the room, with a confirmation, for every media engine."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import format_duration, t
from visio_core.domain.model import Identity, Meeting
from visio_core.entrypoints.bootstrap import UserScope
from visio_core.ui import flash


def end_controls(ctx: UserScope, identity: Identity, meeting: Meeting, forget: Sequence[str] = ()) -> None:
    """The operator's end-meeting button (with confirmation).

    Once the meeting has ended the page reruns at once: the room is not rendered again (the
    browser leaves the call), the confirmation is gone, and the ended notice takes its place.
    `forget`: session keys of the call (a token, a joined flag) that must not outlive it."""
    confirm_key = f"room_end_confirm_{meeting.id}"
    if not st.session_state.get(confirm_key):
        if st.button(t("room.end"), key=f"room_end_{meeting.id}", type="primary", icon=":material/stop_circle:"):
            st.session_state[confirm_key] = True
            st.rerun()
        return
    st.warning(t("room.end_confirm"))
    yes, no = st.columns(2)
    if no.button(t("room.end_no"), key=f"room_end_no_{meeting.id}"):
        st.session_state[confirm_key] = False
        st.rerun()
    if yes.button(t("room.end_yes"), key=f"room_end_yes_{meeting.id}", type="primary"):
        st.session_state[confirm_key] = False
        try:
            ended = ctx.meetings.end_meeting(identity, meeting.id)
        except VisioError as error:
            st.error(str(error))
            return
        for key in forget:
            st.session_state.pop(key, None)
        flash.push(t("room.ended", duration=format_duration(ended.duration_seconds)))
        st.rerun()
