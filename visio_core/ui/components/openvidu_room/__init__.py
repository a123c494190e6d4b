"""The meeting room in the browser: an openvidu-browser session in an st.components.v2 component.

The component receives only a connection token (made on the server, see
`OpenViduEngine.join_token`), the participant's name and French labels. It loads the
openvidu-browser 2.32.2 bundle from `/api/assets/openvidu-browser.js`, a route on the
dashboard's own port serving the copy the setup installed from the npm registry (the
bundle is git-ignored, never committed). v2 components cannot import a local file by
bare path; a classic <script> added once to the page defines `window.OpenVidu`.

Browser → Python: the state value `status` (connecting, connected, reconnecting,
disconnected, error) and the trigger `action` ({"type": "rejoin"} when the participant
asks to join again, which needs a fresh token; {"type": "left"} when he leaves).
Tests inject a stand-in library through `window.__OV_FACTORY__`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from visio_core.domain.i18n import t
from visio_core.entrypoints.assets import OPENVIDU_BROWSER_PATH

_HERE = Path(__file__).parent

_LABEL_KEYS = (
    "connecting",
    "connected",
    "reconnecting",
    "disconnected",
    "error",
    "left",
    "session_closed",
    "network_lost",
    "evicted",
    "connect_failed",
    "library_missing",
    "retry",
    "rejoin",
    "leave",
    "mic_on",
    "mic_off",
    "cam_on",
    "cam_off",
    "share_start",
    "share_stop",
    "you",
    "screen_of",
    "nobody",
    "media_denied",
    "media_missing",
    "join_without_media",
    "no_media",
    "enable_media",
    "share_denied",
    "participant",
    "timeout",
    "muted",
    "camera_off",
)

_room = st.components.v2.component(
    "visio_openvidu_room",
    html="",
    css=(_HERE / "room.css").read_text("utf-8"),
    js=(_HERE / "room.js").read_text("utf-8"),
)


def labels() -> dict[str, str]:
    # Placeholders ({name}, {detail}) are filled in by the JavaScript.
    return {key: t(f"ov.ui.{key}", name="{name}", detail="{detail}") for key in _LABEL_KEYS}


def openvidu_room(
    *,
    token: str,
    display_name: str,
    attempt: int,
    key: str,
    on_action: Callable[[], None] | None = None,
    connect_timeout_s: float = 20.0,
    speaking_url: str | None = None,
) -> Any:
    """Mount the room. `key` is stable per meeting; a new `attempt` (with a new token) reconnects."""
    data = {
        "token": token,
        "attempt": attempt,
        "name": display_name,
        "library_url": OPENVIDU_BROWSER_PATH,
        "connect_timeout_ms": int(connect_timeout_s * 1000),
        "speaking_url": speaking_url,  # where the page reports when its participant speaks
        "labels": labels(),
    }
    return _room(
        data=data,
        key=key,
        default={"status": "connecting"},
        on_status_change=lambda: None,
        on_action_change=on_action or (lambda: None),
    )
