"""The operator's "end meeting" in the room, with a confirmation, for every media engine."""

from __future__ import annotations

import streamlit as st

from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import format_duration, t
from visio_core.domain.model import Identity, Meeting
from visio_core.entrypoints.bootstrap import UserScope


def end_controls(ctx: UserScope, identity: Identity, meeting: Meeting) -> bool:
    """The operator's end-meeting button (with confirmation); True once the meeting has ended."""
    confirm_key = f"room_end_confirm_{meeting.id}"
    if not st.session_state.get(confirm_key):
        if st.button(t("room.end"), key=f"room_end_{meeting.id}", type="primary", icon=":material/stop_circle:"):
            st.session_state[confirm_key] = True
            st.rerun()
        return False
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
            return False
        st.success(t("room.ended", duration=format_duration(ended.duration_seconds)))
        return True
    return False
