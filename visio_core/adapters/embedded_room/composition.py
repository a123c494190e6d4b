"""The room's grid: composed on the room clock's ticks at the recorder's FPS, encoded once for every receiver.

Each frame is due on the ticks' own schedule (every FRAME_SECONDS: every fourth 20 ms tick), so a tick that
wakes a few ms late does not push its frame to the next tick; a stall restarts the schedule. The
canvas is yuv420p (grid.py); while a screen is shared it shows large with the cameras in a strip.
"""

from __future__ import annotations

import numpy as np

from visio_core.adapters.embedded_room import grid
from visio_core.adapters.embedded_room.audio import TICK_SECONDS
from visio_core.adapters.embedded_room.participant import Participant
from visio_core.adapters.embedded_room.recorder import FRAME_SECONDS
from visio_core.adapters.embedded_room.screen import ScreenShares
from visio_core.adapters.embedded_room.video_out import SharedVideo
from visio_core.domain.i18n import t


class GridComposer:
    def __init__(self, shares: ScreenShares, video_out: SharedVideo) -> None:
        self._shares = shares
        self._video_out = video_out
        self.canvas: np.ndarray = grid.compose([], labels())  # the latest grid, yuv420p
        self._next_frame: float | None = None

    def tick(self, participants: list[Participant], now: float) -> None:
        """Compose and encode the grid if a frame is due at `now`."""
        frame_at = self._next_frame
        if frame_at is None or now - frame_at > FRAME_SECONDS:
            frame_at = now  # the first frame, or a stall (the machine paused the thread): start the schedule again
        if now < frame_at - TICK_SECONDS / 2:
            return
        # On the ticks' own schedule, so each frame lands on its tick whatever the clock's jitter.
        self._next_frame = frame_at + FRAME_SECONDS
        seen = tiles(participants, now)
        share = self._shares.current()
        if share is not None and share.picture is not None:
            label = t("room.share.screen_of", name=share.name)
            self.canvas = grid.compose_share(share.picture, label, seen, labels())
        else:
            self.canvas = grid.compose(seen, labels())
        self._video_out.encode(self.canvas, now)  # nothing to do while nobody receives it


def tiles(participants: list[Participant], now: float) -> list[grid.Tile]:
    """A tile each: his camera (or "camera off"), his mic state; a lost seat says it reconnects."""
    return [
        grid.Tile(p.name, None if p.camera_off(now) else p.picture, p.mic_off(now))
        if p.lost_at is None
        else grid.Tile(t("room.reconnecting_tile", name=p.name), None, True)
        for p in participants
    ]


def labels() -> dict[str, str]:
    return {
        "camera_off": t("room.camera_off"),
        "mic_off": t("room.mic_off"),
        "waiting": t("room.waiting"),
    }
