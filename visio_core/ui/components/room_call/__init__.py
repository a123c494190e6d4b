"""The embedded room's camera call: an st.components.v2 component of ours, one WebRTC call per tab.

The page captures the camera and microphone, opens one send-and-receive connection and posts
its complete offer to /api/rooms/<id>/call (the answer comes back in the same request); it
shows the room's grid and plays the mix of the others. When the connection fails or stays
disconnected, the page negotiates a new one with the same tracks (call.js), and the server keeps
the seat meanwhile (adapters/embedded_room/call_link.py). Only "Quitter" (or leaving the page)
frees the seat at once. The component receives the tab's ticket (its own tab only), the ICE
settings, the media constraints and its French labels.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import streamlit as st

from visio_core.adapters.embedded_room.recorder import FPS
from visio_core.domain.i18n import t

_HERE = Path(__file__).parent

_LABEL_KEYS = ("start", "stop", "connecting", "connected", "out", "lost", "failed", "video", "camera_off",
               "camera_on", "mic_off", "mic_on", "select_camera", "select_microphone", "ask_permission",
               "no_media_api", "media_denied", "no_device")

MEDIA_CONSTRAINTS = {
    "video": {"width": {"ideal": 640}, "height": {"ideal": 480}, "frameRate": {"ideal": FPS}},
    "audio": {"echoCancellation": True, "noiseSuppression": True},
}

_call = st.components.v2.component(
    "visio_room_call",
    html="",
    css=(_HERE / "call.css").read_text("utf-8"),
    js=(_HERE / "call.js").read_text("utf-8"),
)


def labels() -> dict[str, str]:
    # Placeholders ({detail}) are filled in by the JavaScript.
    return {key: t(f"room.embedded.{key}", detail="{detail}") for key in _LABEL_KEYS}


def room_call(meeting_id: uuid.UUID, ticket: str, rtc_configuration: dict[str, Any]) -> None:
    """This tab's call; not rendering it on a later run (the meeting ended) hangs it up in the browser."""
    _call(
        data={
            "url": f"/api/rooms/{meeting_id}/call",
            "ticket": ticket,
            "rtc": rtc_configuration,
            "media": MEDIA_CONSTRAINTS,
            "labels": labels(),
        },
        key=f"room-call-{meeting_id}",
    )
