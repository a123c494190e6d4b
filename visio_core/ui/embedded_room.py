"""The embedded room: one camera call per browser tab (our room_call component), wired to the meeting's Room.

The browser sends its camera and microphone; it receives the room's grid (everyone with his
name, itself included, which is the local preview) and the mix of everyone else. The call's own
buttons turn the camera and microphone off by disabling the browser track, so the server really
receives black frames and silence. A dropped network is the component's business: it negotiates
a new connection by itself while the Room keeps the seat (see components/room_call).
"""

from __future__ import annotations

from typing import cast

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from visio_core.adapters.embedded_room.engine import EmbeddedEngine
from visio_core.adapters.embedded_room.room import RoomFull
from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Meeting
from visio_core.domain.policy import can_change
from visio_core.services.sessions import UserScope
from visio_core.ui.components.room_call import room_call
from visio_core.ui.components.screen_share import screen_share
from visio_core.ui.room_end import end_controls


def _tab_id() -> str:
    run = get_script_run_ctx()
    return run.session_id if run is not None else "bare"


def render(ctx: UserScope, identity: Identity, meeting: Meeting) -> None:
    if can_change(identity, meeting):
        end_controls(ctx, identity, meeting)
    engine = cast(EmbeddedEngine, ctx.engine)  # this view serves the "hosted" room kind only
    try:
        room = engine.room_for(meeting)
    except VisioError as error:
        st.error(str(error))
        return
    tab = _tab_id()
    try:
        room.admit(tab, identity.id, identity.display_name)
    except RoomFull as error:
        st.warning(str(error))
        return
    st.info(t("room.embedded.help"), icon=":material/videocam:")
    room_call(meeting.id, room.ticket(tab), engine.rtc_configuration(), room.state_for(tab))
    screen_share(meeting.id, room.ticket(tab), can_change(identity, meeting), engine.rtc_configuration())
    st.caption(t("room.embedded.recording"), help=None)
