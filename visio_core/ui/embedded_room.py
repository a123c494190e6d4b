"""The embedded room: one streamlit-webrtc call per browser tab, wired to the meeting's Room.

The browser sends its camera and microphone; it receives the room's grid (everyone
with his name, itself included, which is the local preview) and the mix of everyone
else. The component's own buttons turn the camera and microphone off by disabling
the browser track, so the server really receives black frames and silence.

Joining and leaving are the page's buttons, not the component's: the call is driven by
`desired_playing_state`, so when it drops without the user leaving (network cut, ICE
failure) the component negotiates a new one by itself, and the Room keeps the seat meanwhile.
"""

from __future__ import annotations

from typing import Any, cast

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit_webrtc import (
    WebRtcMode,
    create_audio_sink_track,
    create_audio_source_track,
    create_video_sink_track,
    create_video_source_track,
    webrtc_streamer,
)
from streamlit_webrtc.config import Translations

from visio_core.adapters.embedded_room.engine import EmbeddedEngine
from visio_core.adapters.embedded_room.recorder import FPS
from visio_core.adapters.embedded_room.room import Room, RoomFull
from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Meeting
from visio_core.domain.policy import can_change
from visio_core.entrypoints.bootstrap import UserScope
from visio_core.ui.components.screen_share import screen_share
from visio_core.ui.navigation import left_page_since
from visio_core.ui.room_end import end_controls
from visio_core.ui.room_live import watch
from visio_core.ui.text import t_md

MEDIA_CONSTRAINTS = {
    "video": {"width": {"ideal": 640}, "height": {"ideal": 480}, "frameRate": {"ideal": FPS}},
    "audio": {"echoCancellation": True, "noiseSuppression": True},
}


def _tab_id() -> str:
    run = get_script_run_ctx()
    return run.session_id if run is not None else "bare"


def _translations() -> Translations:
    return {
        "start": t("room.embedded.start"),
        "stop": t("room.embedded.stop"),
        "select_device": t("room.embedded.select_device"),
        "device_access_denied": t("room.embedded.media_denied"),
        "device_not_available": t("room.embedded.no_device"),
        "turn_camera_off": t("room.embedded.camera_off"),
        "turn_camera_on": t("room.embedded.camera_on"),
        "mute_microphone": t("room.embedded.mic_off"),
        "unmute_microphone": t("room.embedded.mic_on"),
        "select_camera": t("room.embedded.select_camera"),
        "select_microphone": t("room.embedded.select_microphone"),
        "device_ask_permission": t("room.embedded.ask_permission"),
        "media_api_not_available": t("room.embedded.no_media_api"),
    }


def _keep_call_mounted(key: str) -> None:
    """streamlit-webrtc resets a live call when a script run did not render it, to recover after
    the user visited another page. A run interrupted by a rerun (a click, a fragment) is not a
    visit elsewhere, but it counts the same and used to cut calls (seen with streamlit-webrtc 0.79). We know which page
    each run was for, so we let the reset happen only after a real visit to another page."""
    context = st.session_state.get(key)
    if context is not None and not left_page_since(key):
        context._last_rendered_run_count = None  # no public way yet; pinned version 0.79.0


def _call(room: Room, tab: str, key: str, rtc_configuration: dict[str, Any], playing: bool) -> None:
    video_out = create_video_source_track(lambda pts, time_base: room.grid_frame(), key=f"{key}-grid", fps=FPS)
    audio_out = create_audio_source_track(lambda pts, time_base: room.audio_for(tab), key=f"{key}-mix")
    # A sink track ends with its call: a drop, or the user leaving (then `leave` already freed the seat).
    video_in = create_video_sink_track(
        lambda frame: room.push_video(tab, frame), key=f"{key}-cam", on_ended=lambda: room.lost(tab)
    )
    audio_in = create_audio_sink_track(
        lambda frame: room.push_audio(tab, frame), key=f"{key}-mic", on_ended=lambda: room.lost(tab)
    )
    _keep_call_mounted(key)
    webrtc_streamer(
        key=key,
        mode=WebRtcMode.SENDRECV,
        desired_playing_state=playing,
        rtc_configuration=rtc_configuration,
        media_stream_constraints=MEDIA_CONSTRAINTS,
        source_video_track=video_out,
        source_audio_track=audio_out,
        sink_video_track=video_in,
        sink_audio_track=audio_in,
        video_html_attrs={"autoPlay": True, "controls": False, "muted": False, "style": {"width": "100%"}},
        translations=_translations(),
    )


def _joined_key(meeting: Meeting) -> str:
    return f"room_joined_{meeting.id}"


def _join_controls(room: Room, tab: str, meeting: Meeting) -> bool:
    """The page's Join / Leave buttons; whether this tab wants to be in the call.

    Callbacks, not `if st.button(...)`: a click landing in the live fragment's timed rerun
    would otherwise be swallowed (seen in Chromium: "Rejoindre" did nothing once in a while)."""
    key = _joined_key(meeting)

    def leave() -> None:
        st.session_state[key] = False
        room.leave(tab)  # on purpose: the seat is free at once, no reconnection

    if not st.session_state.get(key):
        st.button(t("room.embedded.start"), key=f"room_join_{meeting.id}", type="primary", icon=":material/call:",
                  on_click=st.session_state.__setitem__, args=(key, True))
        return False
    st.button(t("room.embedded.stop"), key=f"room_leave_{meeting.id}", icon=":material/call_end:", on_click=leave)
    return True


def _roster(room: Room, tab: str) -> None:
    people = room.roster()
    if room.is_lost(tab):
        st.warning(t("room.embedded.reconnecting"), icon=":material/wifi_off:")
    elif room.reopened_media(tab):
        st.warning(t("room.embedded.reopened"), icon=":material/mic:")
    if not people:
        st.caption(t("room.embedded.nobody"))
        return
    names = [p["name"] if p["connected"] else t("room.embedded.reconnecting_name", name=p["name"]) for p in people]
    st.caption(t_md("room.embedded.in_room", names=", ".join(names)))


def render(ctx: UserScope, identity: Identity, meeting: Meeting) -> None:
    if can_change(identity, meeting):
        end_controls(ctx, identity, meeting, forget=[_joined_key(meeting)])
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
    playing = _join_controls(room, tab, meeting)
    watch(ctx, identity, meeting.id, lambda: _roster(room, tab))
    st.info(t("room.embedded.help"), icon=":material/videocam:")
    _call(room, tab, f"room-{meeting.id}", engine.rtc_configuration(), playing)
    screen_share(meeting.id, room.ticket(tab), can_change(identity, meeting), engine.rtc_configuration())
    st.caption(t("room.embedded.recording"), help=None)
