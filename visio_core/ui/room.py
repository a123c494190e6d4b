"""The meeting room: who may enter, and the media engine's room when one is configured."""

from __future__ import annotations

import importlib

import streamlit as st

from visio_core.app_context import UserScope
from visio_core.errors import VisioError
from visio_core.i18n import t
from visio_core.models import Identity, MeetingStatus, Role
from visio_core.ui.guard import uuid_param


# Each media engine brings its own room view: a module with `render(ctx, identity, meeting)`.
_ROOM_VIEWS = {
    "embedded": "visio_core.ui.embedded_room",
    "openvidu": "visio_core.ui.openvidu_room",
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
    try:
        meeting = ctx.meetings.get_meeting(identity, meeting_id)
    except VisioError as error:
        st.error(str(error))
        _back(identity)
        return
    st.subheader(meeting.title)
    if meeting.status is not MeetingStatus.IN_PROGRESS:
        st.warning(t("room.not_in_progress", status=t(f"status.{meeting.status.value}")))
        _back(identity)
        return
    renderer = _ROOM_VIEWS.get(ctx.engine.name)
    if renderer is None or not ctx.engine.room_available:
        st.info(t("room.unavailable"))
        _back(identity)
        return
    importlib.import_module(renderer).render(ctx, identity, meeting)
