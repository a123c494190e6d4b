"""One meeting's embedded room: who is in, their media, the mix each one hears, the recording.

Media arrives on aiortc's event loop (sink callbacks) and leaves through source tracks on the
same loop; a room clock thread does the work in between every TICK_SECONDS (20 ms): one tick of
audio from each participant, everyone-but-me mixes for each of them, the grid canvas FPS times a
second (composed in yuv420p, and encoded to VP8 once for every receiver by `video_out`), and the
recording. Keeping encode and compose off the event loop keeps the call smooth while the
recorder works.

`Room` is what the engine, the routes and the page use; each job is a module of its own:
- seats.py — admission, tickets, seats, and a lost call's RECONNECT_GRACE;
- participant.py — a seat's media: frames taken in, the mix sent back;
- screen.py — the screen share (one sharer at a time; the grid then shows it large with the
  cameras in a strip);
- composition.py — the grid on the ticks' schedule; recording.py — the MP4 as the clock advances;
- live_state.py — the JSON shapes the routes and the page read.

A participant is one browser tab (the Streamlit session), admitted when its page opens, seated
when its media first arrives. Its call (call_link.py) may drop and come back on a new
connection: the seat is kept meanwhile (`lost`).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np

from visio_core.adapters.embedded_room import grid, live_state
from visio_core.adapters.embedded_room.audio import TICK_SECONDS, silence
from visio_core.adapters.embedded_room.composition import GridComposer
from visio_core.adapters.embedded_room.participant import Participant, mix_for_each, sender_stamp
from visio_core.adapters.embedded_room.recorder import FPS, FRAME_SECONDS
from visio_core.adapters.embedded_room.recording import Recording
from visio_core.adapters.embedded_room.screen import ScreenShares, Share
from visio_core.adapters.embedded_room.seats import (
    DROPPED_AFTER,
    MAX_PARTICIPANTS,
    RECONNECT_GRACE,
    NotAdmitted,
    NotInRoom,
    RoomFull,
    Seats,
)
from visio_core.adapters.embedded_room.video_out import SharedVideo
from visio_core.domain.i18n import t

# What callers import from here: the room is their one door.
__all__ = ["DROPPED_AFTER", "MAX_PARTICIPANTS", "RECONNECT_GRACE", "NotAdmitted", "NotInRoom", "Room", "RoomFull"]

log = logging.getLogger("visio.room")


class Room:
    def __init__(
        self,
        meeting_id: uuid.UUID,
        recording_path: Path,
        clock: Callable[[], float] = time.monotonic,
        max_participants: int = MAX_PARTICIPANTS,
        run_clock: bool = True,
    ) -> None:
        self.meeting_id = meeting_id
        self.recording_path = recording_path
        self.clock = clock
        self._run_clock = run_clock  # tests drive `tick()` themselves
        # One lock for who is in and whether the room is closed (the seats take it), held here too
        # around what must agree with the seats: a share started, the recording opened.
        self._lock = threading.RLock()
        self._seats = Seats(meeting_id, max_participants, self._lock)
        self._shares = ScreenShares(FRAME_SECONDS)
        self.video_out = SharedVideo(FPS)  # the grid in VP8, encoded once for every RoomVideoTrack
        self._composer = GridComposer(self._shares, self.video_out)
        self._recording = Recording(recording_path, self._composer.canvas)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def max_participants(self) -> int:
        return self._seats.max_participants

    @max_participants.setter
    def max_participants(self, seats: int) -> None:
        self._seats.max_participants = seats

    # -- membership -----------------------------------------------------------------
    def admit(self, key: str, user_id: uuid.UUID, name: str) -> None:
        """Say who a browser tab is; it takes a seat when its media arrives. RoomFull when no seat is left."""
        with self._lock:
            self._drop_stale(self.clock())
            self._seats.admit(key, user_id, name)

    def ticket(self, key: str) -> str:
        """The secret a tab's page sends to the call and share routes, so a page can only act for its own tab."""
        return self._seats.ticket(key)

    def tab_of(self, ticket: object, user_id: uuid.UUID) -> str:
        """The admitted tab a page's ticket names, if it is this user's; NotAdmitted for a forged,
        foreign or stale ticket, or once the room is closed."""
        return self._seats.tab_of(ticket, user_id)

    def caller_tab(self, ticket: object, user_id: uuid.UUID) -> str:
        """The admitted tab a page's ticket names, if it is this user's and may take (or has) a seat.

        NotAdmitted for a forged, foreign or stale ticket; RoomFull when every seat is taken by others."""
        with self._lock:
            key = self._seats.tab_of(ticket, user_id)
            self._drop_stale(self.clock())
            self._seats.check_room_for(key)
            return key

    def lost(self, key: str) -> None:
        """The tab's call ended without the user leaving: keep the seat for RECONNECT_GRACE seconds."""
        self._seats.lost(key, self.clock())  # under the seats' lock (seats.py)

    def is_lost(self, key: str) -> bool:
        return self._seats.is_lost(key)  # under the seats' lock (seats.py)

    def leave(self, key: str) -> None:
        """The user left on purpose: his seat is free at once."""
        with self._lock:
            self._shares.stop_for(key)
            self._seats.leave(key)

    def _drop_stale(self, now: float) -> None:
        with self._lock:
            for key in self._seats.drop_stale(now):
                self._shares.stop_for(key)

    def _seat(self, key: str, now: float) -> Participant | None:
        participant = self._seats.get(key)  # the seated tab's every frame: no lock
        if participant is not None:
            return participant
        with self._lock:
            participant = self._seats.take(key, now)
            if participant is not None:
                self._ensure_clock()
            return participant

    # -- media in (aiortc loop) -------------------------------------------------------
    def push_audio(self, key: str, frame: av.AudioFrame) -> None:
        now = self.clock()
        participant = self._seat(key, now)
        if participant is None:
            return
        stamp = sender_stamp(frame)  # before the conversion, which may clear the frame's pts
        samples = participant.take_audio(frame, now)
        self._recording.push(key, samples, stamp)

    def push_video(self, key: str, frame: av.VideoFrame) -> None:
        now = self.clock()
        participant = self._seat(key, now)
        if participant is not None:
            participant.take_video(frame, now)

    # -- screen share ---------------------------------------------------------------------
    def sharer_tab(self, ticket: str, user_id: uuid.UUID) -> str:
        """The seated tab a page's ticket names, if it is this user's; NotInRoom otherwise."""
        return self._seats.seated_tab(ticket, user_id)

    def start_share(self, key: str, takeover: bool) -> Share:
        """Start `key`'s share (ShareBusy if another tab shares and no takeover); the link pushes with its id."""
        with self._lock:  # the seat cannot be freed between its check and the share's start
            participant = self._seats.get(key)
            if participant is None or self._seats.closed:
                raise NotInRoom(t("room.share.not_in_room"))
            share = self._shares.start(key, participant.name, takeover)
        log.info("room %s: a screen share started", self.meeting_id)
        return share

    def push_screen(self, share_id: str, frame: av.VideoFrame) -> bool:
        """A frame of a share (aiortc loop); False once that share is over: the link then hangs up."""
        return not self._seats.closed and self._shares.push(share_id, frame, self.clock())

    def stop_share(self, share_id: str) -> bool:
        stopped = self._shares.stop(share_id)
        if stopped:
            log.info("room %s: a screen share stopped", self.meeting_id)
        return stopped

    def stop_share_of(self, key: str) -> None:
        """The tab's page stopped sharing (its button, or the browser's own "stop sharing")."""
        if self._shares.stop_for(key):
            log.info("room %s: a screen share stopped", self.meeting_id)

    def share_status(self, key: str) -> dict[str, object]:
        return self._shares.status_for(key)

    def screen(self) -> dict[str, object] | None:
        """Who shares and how many frames arrived, for the roster route."""
        return live_state.screen(self._shares.current())

    # -- media out (aiortc loop) ------------------------------------------------------
    def grid_frame(self) -> av.VideoFrame:
        return grid.frame_from_yuv(self._composer.canvas)

    def audio_for(self, key: str) -> np.ndarray:
        """The next tick of `key`'s mix (everyone but him), as mono s16 samples."""
        participant = self._seats.get(key)
        return participant.audio_out.take() if participant else silence()

    # -- what the room looks like ------------------------------------------------------
    def state_for(self, key: str) -> dict[str, object]:
        """What a tab's page shows by itself while in the room: who is in, and whether its own seat
        waits for its call to come back."""
        return live_state.state(self.is_lost(key), self.roster())

    def roster(self) -> list[dict[str, Any]]:
        now = self.clock()
        return live_state.roster(self._seats.participants(), now)

    @property
    def closed(self) -> bool:
        return self._seats.closed

    def is_in(self, key: str) -> bool:
        return self._seats.is_in(key)

    @property
    def recorded_seconds(self) -> float:
        return self._recording.seconds

    # -- the clock ------------------------------------------------------------------------
    def _ensure_clock(self) -> None:
        if self._thread is None and self._run_clock:
            self._thread = threading.Thread(target=self._run, name=f"room-{self.meeting_id}", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        next_tick = time.monotonic()
        while not self._stop.is_set():
            delay = next_tick - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
                continue
            try:
                self.tick()
            except Exception:  # a bad frame must not end the meeting's recording
                log.exception("room %s: tick failed", self.meeting_id)
            next_tick += TICK_SECONDS
            if time.monotonic() - next_tick > 1.0:
                next_tick = time.monotonic()  # far behind (machine stalled): skip ahead instead of bursting

    def tick(self) -> None:
        """One 20 ms step: mix audio for everyone, compose the grid when due, record while someone is in."""
        now = self.clock()
        with self._lock:
            self._drop_stale(now)
            participants = self._seats.participants()
        mix_for_each(participants)
        self._composer.tick(participants, now)
        elapsed = self._recording.elapsed(now)
        if not participants:
            return  # the recording pauses while the room is empty
        with self._lock:  # opened only while the room is open: `close` reads it once the clock stopped
            recorder = None if self._seats.closed else self._recording.recorder()
        if recorder is None:
            return
        self._recording.advance(recorder, elapsed, self._composer.canvas, self._seats.name_of)

    def close(self) -> Path | None:
        """Stop the room; the finished recording's path, or None when nobody ever joined."""
        with self._lock:
            for key in self._seats.close():
                self._shares.stop_for(key)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        return self._recording.finish()
