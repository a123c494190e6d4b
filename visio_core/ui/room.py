"""The meeting room: who may enter, and the media engine's room when one is configured."""

from __future__ import annotations

import importlib

import streamlit as st

from visio_core.domain.errors import IllegalTransition, VisioError
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, MeetingStatus, Role
from visio_core.services.sessions import UserScope
from visio_core.ui import flash
from visio_core.ui.guard import uuid_param
from visio_core.ui.room_live import ended_notice
from visio_core.ui.text import md

# Each kind of room (MediaEngine.room) has its own view: a module with `render(ctx, identity, meeting)`.
_ROOM_VIEWS = {
    "hosted": "visio_core.ui.embedded_room",
    "token": "visio_core.ui.openvidu_room",
}


def _back(identity: Identity) -> None:
    target = "pages/hub.py" if identity.role is Role.OPERATOR else "pages/my_meetings.py"
    st.page_link(target, label=t("room.back"), icon=":material/arrow_back:")


def render(ctx: UserScope, identity: Identity) -> None:
    st.title(t("room.title"))
    meeting_id = uuid_param("meeting")
    if meeting_id is None:
        st.info(t("room.pick_meeting"))
        _back(identity)
        return
    flash.show()
    try:
        meeting = ctx.meetings.enter_room(identity, meeting_id)
    except IllegalTransition as error:  # a meeting he may see, not in progress
        seen = ctx.meetings.get_meeting(identity, meeting_id)
        if seen.status in (MeetingStatus.COMPLETED, MeetingStatus.CANCELLED):
            st.subheader(md(seen.title))
            ended_notice(seen)
        else:
            st.warning(str(error))
        _back(identity)
        return
    except VisioError as error:
        st.error(str(error))
        _back(identity)
        return
    st.subheader(md(meeting.title))
    renderer = _ROOM_VIEWS.get(ctx.engine.room)
    if renderer is None:
        st.info(t("room.unavailable"))
        _back(identity)
        return
    importlib.import_module(renderer).render(ctx, identity, meeting)
