"""The embedded room: one streamlit-webrtc call per browser tab, wired to the meeting's Room.

The browser sends its camera and microphone; it receives the room's grid (everyone
with his name, itself included, which is the local preview) and the mix of everyone
else. The component's own buttons turn the camera and microphone off by disabling
the browser track, so the server really receives black frames and silence.

Joining and leaving are the component's own buttons. A call that ends while media was still
flowing is the user leaving (his seat is freed); one that ends after its media had stopped is a
drop (network cut): the Room keeps the seat and the page says to rejoin. We do not let the
component reconnect by itself: driven by `desired_playing_state`, streamlit-webrtc 0.79 starts
two or three peer connections at once, and the one left unanswered fails 15 s later and takes
the live call down with it (seen in Chromium, every call).
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


def _call(room: Room, tab: str, key: str, rtc_configuration: dict[str, Any]) -> None:
    video_out = create_video_source_track(lambda pts, time_base: room.grid_frame(), key=f"{key}-grid", fps=FPS)
    audio_out = create_audio_source_track(lambda pts, time_base: room.audio_for(tab), key=f"{key}-mix")
    # A sink track ends with its call: the user left, closed the tab, or the network dropped it.
    video_in = create_video_sink_track(
        lambda frame: room.push_video(tab, frame), key=f"{key}-cam", on_ended=lambda: room.call_ended(tab)
    )
    audio_in = create_audio_sink_track(
        lambda frame: room.push_audio(tab, frame), key=f"{key}-mic", on_ended=lambda: room.call_ended(tab)
    )
    _keep_call_mounted(key)
    webrtc_streamer(
        key=key,
        mode=WebRtcMode.SENDRECV,
        on_change=lambda: _on_call_change(room, tab, key),
        rtc_configuration=rtc_configuration,
        media_stream_constraints=MEDIA_CONSTRAINTS,
        source_video_track=video_out,
        source_audio_track=audio_out,
        sink_video_track=video_in,
        sink_audio_track=audio_in,
        video_html_attrs={"autoPlay": True, "controls": False, "muted": False, "style": {"width": "100%"}},
        translations=_translations(),
    )


def _on_call_change(room: Room, tab: str, key: str) -> None:
    """The component stopped its call: the user left, or the network dropped it (see the module note)."""
    context = st.session_state.get(key)
    state = getattr(context, "state", None)
    if state is not None and not state.playing and not state.signalling:
        room.call_ended(tab)


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
    watch(ctx, identity, meeting.id, lambda: _roster(room, tab))
    st.info(t("room.embedded.help"), icon=":material/videocam:")
    _call(room, tab, f"room-{meeting.id}", engine.rtc_configuration())
    screen_share(meeting.id, room.ticket(tab), can_change(identity, meeting), engine.rtc_configuration())
    st.caption(t("room.embedded.recording"), help=None)
