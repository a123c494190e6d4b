"""Who shares a screen in a room: one sharer at a time, the operator may take over.

A share has its own random id: the media link pushes frames with it, so frames of a share
that was stopped or taken over are refused (and the link knows to hang up), even when the
same tab starts sharing again. The picture is scaled once when it arrives, at most at the
grid's rate, so composing the grid only copies it.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

import av
import numpy as np

from visio_core.adapters.embedded_room import grid
from visio_core.domain.errors import IllegalTransition
from visio_core.domain.i18n import t


class ShareBusy(IllegalTransition):
    """Someone else shares; only the operator may take over."""


@dataclass
class Share:
    id: str
    key: str  # the sharer's tab
    name: str
    picture: np.ndarray | None = None  # SCREEN_H×SCREEN_W×3 RGB, letterboxed
    picture_at: float = 0.0
    frames: int = 0


@dataclass(frozen=True)
class ShareEnded:
    """Why a tab's share ended without it asking: told to its page once."""

    by: str  # who took over


class ScreenShares:
    def __init__(self, frame_interval: float) -> None:
        self._interval = frame_interval
        self._current: Share | None = None
        self._ended: dict[str, ShareEnded] = {}
        self._lock = threading.Lock()

    def start(self, key: str, name: str, takeover: bool) -> Share:
        """A new share for `key`; ShareBusy when another tab shares and `takeover` is false.

        `takeover` must come from the service's authorisation (the operator only)."""
        with self._lock:
            current = self._current
            if current is not None and current.key != key:
                if not takeover:
                    raise ShareBusy(t("room.share.busy", name=current.name))
                self._ended[current.key] = ShareEnded(by=name)
            self._ended.pop(key, None)
            self._current = Share(secrets.token_urlsafe(12), key, name)
            return self._current

    def stop(self, share_id: str) -> bool:
        """End this share if it is still the current one; whether it was."""
        with self._lock:
            if self._current is None or self._current.id != share_id:
                return False
            self._current = None
            return True

    def stop_for(self, key: str) -> bool:
        """End the tab's share (it stopped, or left the room); whether it had one."""
        with self._lock:
            self._ended.pop(key, None)
            if self._current is not None and self._current.key == key:
                self._current = None
                return True
            return False

    def push(self, share_id: str, frame: av.VideoFrame, now: float) -> bool:
        """Take a frame of a share; False once that share is over (the link then hangs up)."""
        share = self._current
        if share is None or share.id != share_id:
            return False
        share.frames += 1
        if share.picture is not None and now - share.picture_at < self._interval * 0.9:
            return True  # browsers may send 30 fps; the grid uses 12.5
        share.picture = grid.to_screen_picture(frame)
        share.picture_at = now
        return True

    def current(self) -> Share | None:
        return self._current

    def status_for(self, key: str) -> dict[str, object]:
        """What a tab's page shows: who shares, whether it is this tab, and a takeover to tell once."""
        with self._lock:
            share = self._current
            ended = self._ended.pop(key, None)
        return {
            "sharer": share.name if share else None,
            "mine": share is not None and share.key == key,
            "taken_over_by": ended.by if ended else None,
        }
