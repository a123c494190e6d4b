"""The embedded room's camera call: an st.components.v2 component of ours, one WebRTC call per tab.

The page captures the camera and microphone, opens one send-and-receive connection and posts
its complete offer to /api/rooms/<id>/call (the answer comes back in the same request); it
shows the room's grid and plays the mix of the others. When the connection fails or stays
disconnected, the page negotiates a new one with the same tracks (call.js), and the server keeps
the seat meanwhile (adapters/embedded_room/call_link.py). Only "Quitter" (or leaving the page)
frees the seat at once. The page polls /state every 2 s for the roster, its own seat and the end
of the meeting (no Streamlit rerun while nothing changes). The component receives the tab's ticket (its own tab only), the ICE
settings, the media constraints and its French labels.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import streamlit as st

from visio_core.adapters.embedded_room.grid import TILE_H, TILE_W
from visio_core.adapters.embedded_room.recorder import FPS
from visio_core.adapters.embedded_room.room import RECONNECT_GRACE
from visio_core.domain.i18n import format_seconds, t

_HERE = Path(__file__).parent

_LABEL_KEYS = (
    "start",
    "stop",
    "connecting",
    "connected",
    "out",
    "lost",
    "failed",
    "video",
    "camera_off",
    "camera_on",
    "mic_off",
    "mic_on",
    "select_camera",
    "select_microphone",
    "ask_permission",
    "no_media_api",
    "media_denied",
    "no_device",
    "in_room",
    "nobody",
    "reconnecting",
    "reconnecting_name",
    "over",
)

# The room shows a camera at TILE_W×TILE_H at most (a lone participant's tile is that picture
# doubled), so a bigger camera would only cost the server a bigger decode and more packets.
MEDIA_CONSTRAINTS = {
    "video": {"width": {"ideal": TILE_W}, "height": {"ideal": TILE_H}, "frameRate": {"ideal": float(FPS)}},
    "audio": {"echoCancellation": True, "noiseSuppression": True},
}
# What the browser may send for that camera: plenty for 320×240 at the grid's 12.5 fps, and a
# ceiling on the packets the server decrypts (Chromium would otherwise climb towards 1–2 Mbit/s).
CAMERA_ENCODING = {"maxBitrate": 300_000, "maxFramerate": float(FPS)}

_call = st.components.v2.component(
    "visio_room_call",
    html="",
    css=(_HERE / "call.css").read_text("utf-8"),
    js=(_HERE.parent / "rtc_common.js").read_text("utf-8") + (_HERE / "call.js").read_text("utf-8"),
)


def labels() -> dict[str, str]:
    # Placeholders ({detail}, {names}, {name}) are filled in by the JavaScript; the seat's grace is the room's.
    grace = format_seconds(RECONNECT_GRACE)
    return {
        key: t(f"room.embedded.{key}", detail="{detail}", names="{names}", name="{name}", grace=grace)
        for key in _LABEL_KEYS
    }


def room_call(meeting_id: uuid.UUID, ticket: str, rtc_configuration: dict[str, Any], state: dict[str, object]) -> None:
    """This tab's call; not rendering it on a later run (the meeting ended) hangs it up in the browser.

    `state`: the room as this run sees it (Room.state_for), drawn at once; the page then polls it.
    When a poll finds the meeting over, the component triggers a rerun of the page."""
    _call(
        data={
            "url": f"/api/rooms/{meeting_id}/call",
            "ticket": ticket,
            "rtc": rtc_configuration,
            "media": MEDIA_CONSTRAINTS,
            "camera_encoding": CAMERA_ENCODING,
            "labels": labels(),
            "state": state,
        },
        key=f"room-call-{meeting_id}",
        on_ended_change=lambda: None,  # the trigger's rerun is all we need
    )
