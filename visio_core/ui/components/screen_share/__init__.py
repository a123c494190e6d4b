"""Screen share in the embedded room: an st.components.v2 component beside the camera call (room_call).

A share opens a send-only connection of its own, signalled through the dashboard's
/api/rooms/<id>/screen routes, to the same aiortc room, so starting or stopping one never
renegotiates the camera call (nor does the call's reconnection touch the share). It receives the tab's ticket (its own tab only), the ICE settings and French labels.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import streamlit as st

from visio_core.adapters.embedded_room import grid
from visio_core.adapters.embedded_room.recorder import FPS
from visio_core.domain.i18n import t

_HERE = Path(__file__).parent

_LABEL_KEYS = ("start", "stop", "take_over", "help", "sharing", "other", "taken_over", "denied", "failed", "connecting")

_share = st.components.v2.component(
    "visio_screen_share",
    html="",
    css=(_HERE / "share.css").read_text("utf-8"),
    js=(_HERE.parent / "rtc_common.js").read_text("utf-8") + (_HERE / "share.js").read_text("utf-8"),
)


def labels() -> dict[str, str]:
    # Placeholders ({name}, {detail}) are filled in by the JavaScript.
    return {key: t(f"room.share.{key}", name="{name}", detail="{detail}") for key in _LABEL_KEYS}


def screen_share(meeting_id: uuid.UUID, ticket: str, operator: bool, rtc_configuration: dict[str, Any]) -> None:
    """The share button of this tab; `operator` only shows the takeover button (the route decides)."""
    _share(
        data={
            "url": f"/api/rooms/{meeting_id}/screen",
            "ticket": ticket,
            "operator": operator,
            "rtc": rtc_configuration,
            "max_width": grid.SCREEN_W,  # the browser sends no more than the grid shows
            "max_height": grid.SCREEN_H,
            "max_fps": float(FPS),  # nor more often than the grid is composed
            "labels": labels(),
        },
        key=f"screen-share-{meeting_id}",
    )
