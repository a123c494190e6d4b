"""What the room's routes and pages read of it, as JSON: the roster, a tab's live state, the share.

The call component polls `state` (POST …/call/state) to show who is in and whether its own seat
waits for its call to come back; the roster route (GET /api/rooms/<id>) gives the whole `roster`
and `screen`; the room page's first run shows the same `state`.
"""

from __future__ import annotations

from typing import Any

from visio_core.adapters.embedded_room.participant import Participant
from visio_core.adapters.embedded_room.screen import Share


def roster(participants: list[Participant], now: float) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "user_id": str(p.user_id),
            "mic_off": p.mic_off(now),
            "camera_off": p.camera_off(now),
            "audio_level_dbfs": round(p.level, 1),
            "audio_frames": p.audio_frames,
            "video_frames": p.video_frames,
            "connected": p.lost_at is None,
        }
        for p in participants
    ]


def state(lost: bool, everyone: list[dict[str, Any]]) -> dict[str, object]:
    """A tab's page while in the room: whether its seat is lost, and who is in (names and connections only)."""
    return {
        "live": True,
        "lost": lost,
        "roster": [{"name": p["name"], "connected": p["connected"]} for p in everyone],
    }


def screen(share: Share | None) -> dict[str, object] | None:
    """Who shares and how many frames arrived, for the roster route."""
    return {"sharer": share.name, "frames": share.frames} if share else None
