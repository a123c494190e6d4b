"""One meeting's embedded room: who is in, their media, the mix each one hears, the recording.

Media arrives on aiortc's event loop (sink callbacks) and leaves through source
tracks on the same loop; a room clock thread does the work in between every 20 ms:
one tick of audio from each participant, everyone-but-me mixes for each of them,
the grid canvas 15 times a second (composed in yuv420p, and encoded to VP8 once for every
receiver by `video_out`), and the recording. Keeping encode and compose off the event loop
keeps the call smooth while the recorder works.

A participant is one browser tab (the Streamlit session), admitted when its media
first arrives, so a page left open without joining holds no seat. Its call (call_link.py)
may drop and come back on a new connection: the seat is kept meanwhile (`lost`). A seated tab may share
its screen (screen.py: one sharer at a time); while it does, the grid shows the screen
large with the cameras in a strip.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np

from visio_core.adapters.embedded_room import grid
from visio_core.adapters.embedded_room.audio import (
    SAMPLE_RATE,
    SAMPLES_PER_TICK,
    SILENCE_DBFS,
    TICK_SECONDS,
    JitterBuffer,
    MonoConverter,
    Outbox,
    level_dbfs,
    mix,
    silence,
)
from visio_core.adapters.embedded_room.recorder import FPS, RoomRecorder
from visio_core.adapters.embedded_room.recording_mix import RecordingMix
from visio_core.adapters.embedded_room.screen import ScreenShares, Share
from visio_core.adapters.embedded_room.speaking import SpeakingRecorder
from visio_core.adapters.embedded_room.video_out import SharedVideo
from visio_core.domain.errors import Forbidden, VisioError
from visio_core.domain.i18n import t

log = logging.getLogger("visio.room")

MAX_PARTICIPANTS = 4
MIC_OFF_DBFS = -90.0  # a disabled browser track sends digital silence (≈ −112 dBFS); a live mic never does
MIC_OFF_AFTER = 1.0
CAMERA_OFF_AFTER = 1.5
DROPPED_AFTER = 15.0  # no media at all for this long: the connection is gone (network drop, closed tab)
# A call that ended without the user leaving (network drop, closed tab) keeps its seat this long:
# the page negotiates a new call by itself, and a full room must not take the seat meanwhile.
RECONNECT_GRACE = 45.0


class RoomFull(VisioError):
    pass


class NotAdmitted(Forbidden):
    """A call asked for with a ticket this room did not give to this user's tab."""


class NotInRoom(Forbidden):
    """A share asked for by a tab that has no seat in this room (or is another user's)."""


@dataclass
class Participant:
    key: str
    user_id: uuid.UUID
    name: str
    joined_at: float
    audio_in: JitterBuffer = field(default_factory=JitterBuffer)
    audio_out: Outbox = field(default_factory=Outbox)
    converter: MonoConverter = field(default_factory=MonoConverter)
    picture: np.ndarray | None = None
    picture_at: float = 0.0
    video_at: float = 0.0
    audio_at: float = 0.0
    loud_at: float = 0.0
    level: float = SILENCE_DBFS
    video_frames: int = 0
    audio_frames: int = 0
    lost_at: float | None = None  # the call ended without the user leaving; cleared by the next media

    def last_media(self) -> float:
        return max(self.video_at, self.audio_at, self.joined_at)

    def mic_off(self, now: float) -> bool:
        return now - max(self.loud_at, self.joined_at) > MIC_OFF_AFTER

    def camera_off(self, now: float) -> bool:
        return self.picture is None or now - self.picture_at > CAMERA_OFF_AFTER


@dataclass(frozen=True)
class Candidate:
    user_id: uuid.UUID
    name: str


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
        self.max_participants = max_participants
        self._run_clock = run_clock  # tests drive `tick()` themselves
        self._participants: dict[str, Participant] = {}
        self._candidates: dict[str, Candidate] = {}
        self._lock = threading.RLock()
        self._recorder: RoomRecorder | None = None
        self._speaking = SpeakingRecorder()  # who spoke when, for naming the transcript's lines
        self._record_mix = RecordingMix()  # the recording's audio: lossless, a little behind the live mix
        self._names: dict[str, str] = {}
        self._frames_due: deque[tuple[int, np.ndarray]] = deque()  # grid canvases waiting for their audio
        self._last_tick: float | None = None
        self._clock_samples = 0.0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._closed = False
        self._yuv = grid.compose([], _labels())
        self._canvas = self._yuv  # the canvas the recording shows now (it runs a little behind)
        self._video_interval = float(1 / FPS)
        self._next_video: float | None = None
        self._shares = ScreenShares(self._video_interval)
        self._tickets: dict[str, str] = {}  # ticket → tab: how a tab's page names itself to the call and share routes
        self._ticket_of: dict[str, str] = {}  # tab → its ticket
        self.video_out = SharedVideo(FPS)  # the grid in VP8, encoded once for every RoomVideoTrack

    # -- membership -----------------------------------------------------------------
    def admit(self, key: str, user_id: uuid.UUID, name: str) -> None:
        """Say who a browser tab is; it takes a seat when its media arrives. RoomFull when no seat is left."""
        with self._lock:
            self._drop_stale(self.clock())
            if key not in self._participants and len(self._participants) >= self.max_participants:
                raise RoomFull(t("room.full", max=self.max_participants))
            self._candidates[key] = Candidate(user_id, name)
            if key not in self._ticket_of:
                ticket = secrets.token_urlsafe(16)
                self._tickets[ticket], self._ticket_of[key] = key, ticket

    def ticket(self, key: str) -> str:
        """The secret a tab's page sends to the call and share routes, so a page can only act for its own tab."""
        with self._lock:
            return self._ticket_of[key]

    def tab_of(self, ticket: object, user_id: uuid.UUID) -> str:
        """The admitted tab a page's ticket names, if it is this user's; NotAdmitted for a forged,
        foreign or stale ticket, or once the room is closed."""
        with self._lock:
            key = self._tickets.get(ticket) if isinstance(ticket, str) else None
            candidate = self._candidates.get(key) if key is not None else None
            if key is None or candidate is None or candidate.user_id != user_id or self._closed:
                raise NotAdmitted(t("room.call.not_admitted"))
            return key

    def caller_tab(self, ticket: object, user_id: uuid.UUID) -> str:
        """The admitted tab a page's ticket names, if it is this user's and may take (or has) a seat.

        NotAdmitted for a forged, foreign or stale ticket; RoomFull when every seat is taken by others."""
        with self._lock:
            key = self.tab_of(ticket, user_id)
            self._drop_stale(self.clock())
            if key not in self._participants and len(self._participants) >= self.max_participants:
                raise RoomFull(t("room.full", max=self.max_participants))
            return key

    def lost(self, key: str) -> None:
        """The tab's call ended without the user leaving: keep the seat for RECONNECT_GRACE seconds."""
        participant = self._participants.get(key)
        if participant is not None and participant.lost_at is None:
            now = self.clock()
            participant.lost_at = now
            log.info("room %s: a participant's call dropped, seat kept while the page reconnects", self.meeting_id)

    def is_lost(self, key: str) -> bool:
        participant = self._participants.get(key)
        return participant is not None and participant.lost_at is not None

    def leave(self, key: str) -> None:
        """The user left on purpose: his seat is free at once."""
        with self._lock:
            self._shares.stop_for(key)
            if self._participants.pop(key, None) is not None:
                log.info("room %s: a participant left (%d in)", self.meeting_id, len(self._participants))

    def _seat(self, key: str, now: float) -> Participant | None:
        participant = self._participants.get(key)
        if participant is not None:
            return participant
        with self._lock:
            if self._closed:
                return None
            participant = self._participants.get(key)
            if participant is not None:
                return participant
            candidate = self._candidates.get(key)
            if candidate is None or len(self._participants) >= self.max_participants:
                return None  # media of a tab that was never admitted or came too late: ignored
            participant = Participant(key, candidate.user_id, candidate.name, joined_at=now)
            self._participants[key] = participant
            self._names[key] = candidate.name
            log.info("room %s: a participant joined (%d in)", self.meeting_id, len(self._participants))
            self._ensure_clock()
            return participant

    def _drop_stale(self, now: float) -> None:
        for key, participant in list(self._participants.items()):
            limit = DROPPED_AFTER if participant.lost_at is None else RECONNECT_GRACE
            if now - max(participant.last_media(), participant.lost_at or 0.0) > limit:
                log.info("room %s: a participant's media stopped, seat freed", self.meeting_id)
                del self._participants[key]
                self._shares.stop_for(key)

    # -- media in (aiortc loop) -------------------------------------------------------
    def push_audio(self, key: str, frame: av.AudioFrame) -> None:
        now = self.clock()
        participant = self._seat(key, now)
        if participant is None:
            return
        stamp = _stamp(frame)
        samples = participant.converter.convert(frame)
        participant.audio_in.push(samples)
        self._record_mix.push(key, samples, stamp)
        participant.audio_at = now
        participant.lost_at = None  # back from a drop, if he was lost
        participant.audio_frames += 1
        participant.level = level_dbfs(samples)
        if participant.level > MIC_OFF_DBFS:
            participant.loud_at = now

    def push_video(self, key: str, frame: av.VideoFrame) -> None:
        now = self.clock()
        participant = self._seat(key, now)
        if participant is None:
            return
        participant.video_at = now
        participant.lost_at = None  # back from a drop, if he was lost
        participant.video_frames += 1
        if now - participant.picture_at < self._video_interval * 0.9 and participant.picture is not None:
            return  # browsers may send more than the grid's 12.5 fps
        picture = grid.to_tile_picture(frame)
        participant.picture = picture
        if picture is not None:
            participant.picture_at = now

    # -- screen share ---------------------------------------------------------------------
    def sharer_tab(self, ticket: str, user_id: uuid.UUID) -> str:
        """The seated tab a page's ticket names, if it is this user's; NotInRoom otherwise."""
        with self._lock:
            key = self._tickets.get(ticket) if isinstance(ticket, str) else None
            candidate = self._candidates.get(key) if key is not None else None
            if key is None or candidate is None or candidate.user_id != user_id or key not in self._participants:
                raise NotInRoom(t("room.share.not_in_room"))
            return key

    def start_share(self, key: str, takeover: bool) -> Share:
        """Start `key`'s share (ShareBusy if another tab shares and no takeover); the link pushes with its id."""
        with self._lock:
            participant = self._participants.get(key)
            if participant is None or self._closed:
                raise NotInRoom(t("room.share.not_in_room"))
            share = self._shares.start(key, participant.name, takeover)
        log.info("room %s: a screen share started", self.meeting_id)
        return share

    def push_screen(self, share_id: str, frame: av.VideoFrame) -> bool:
        """A frame of a share (aiortc loop); False once that share is over: the link then hangs up."""
        return not self._closed and self._shares.push(share_id, frame, self.clock())

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
        share = self._shares.current()
        return {"sharer": share.name, "frames": share.frames} if share else None

    # -- media out (aiortc loop) ------------------------------------------------------
    def grid_frame(self) -> av.VideoFrame:
        return grid.frame_from_yuv(self._yuv)

    def audio_for(self, key: str) -> np.ndarray:
        """The next tick of `key`'s mix (everyone but him), as mono s16 samples."""
        participant = self._participants.get(key)
        return participant.audio_out.take() if participant else silence()

    # -- what the room looks like ------------------------------------------------------
    def state_for(self, key: str) -> dict[str, object]:
        """What a tab's page shows by itself while in the room: who is in, and whether its own seat
        waits for its call to come back."""
        return {
            "live": True,
            "lost": self.is_lost(key),
            "roster": [{"name": p["name"], "connected": p["connected"]} for p in self.roster()],
        }

    def roster(self) -> list[dict[str, Any]]:
        now = self.clock()
        with self._lock:
            participants = list(self._participants.values())
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

    @property
    def closed(self) -> bool:
        return self._closed

    def is_in(self, key: str) -> bool:
        return key in self._participants

    @property
    def recorded_seconds(self) -> float:
        return self._recorder.seconds if self._recorder else 0.0

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
            participants = list(self._participants.values())
        chunks = {p.key: p.audio_in.pop_tick() for p in participants}
        heard = {k: c for k, c in chunks.items() if c is not None}
        for p in participants:
            p.audio_out.put(mix([c for k, c in heard.items() if k != p.key]))
        frame_at = self._next_video
        if frame_at is None or now - frame_at > self._video_interval:
            frame_at = now  # the first frame, or a stall (the machine paused the thread): start the schedule again
        if now >= frame_at - TICK_SECONDS / 2:
            # On the ticks' own schedule, so each frame lands on its tick whatever the clock's jitter.
            self._next_video = frame_at + self._video_interval
            tiles = [
                grid.Tile(p.name, None if p.camera_off(now) else p.picture, p.mic_off(now))
                if p.lost_at is None
                else grid.Tile(t("room.reconnecting_tile", name=p.name), None, True)
                for p in participants
            ]
            share = self._shares.current()
            if share is not None and share.picture is not None:
                label = t("room.share.screen_of", name=share.name)
                self._yuv = grid.compose_share(share.picture, label, tiles, _labels())
            else:
                self._yuv = grid.compose(tiles, _labels())
            self.video_out.encode(self._yuv, now)  # nothing to do while nobody receives it
        elapsed = self._elapsed(now)
        if not participants:
            return  # the recording pauses while the room is empty
        recorder = self._recorder_or_new()
        if recorder is None:
            return
        # The clock's time, not a count of ticks: a stalled clock thread catches up in the recording.
        due, placed = self._record_mix.advance(elapsed)
        for item in placed:
            self._speaking.hear(self._names.get(item.key, item.key), item.position / SAMPLE_RATE, item.samples)
        self._frames_due.append((self._record_mix.position, self._yuv))
        self._write(recorder, due)

    def _elapsed(self, now: float) -> int:
        """Samples of room time since the previous tick."""
        previous, self._last_tick = self._last_tick, now
        if previous is None:
            return SAMPLES_PER_TICK
        before = int(self._clock_samples)
        self._clock_samples += max(0.0, now - previous) * SAMPLE_RATE
        return int(self._clock_samples) - before

    def _write(self, recorder: RoomRecorder, audio: np.ndarray) -> None:
        """Audio in ticks, each preceded by the video frames due at its position (from the canvas of that time)."""
        for start in range(0, audio.size, SAMPLES_PER_TICK):
            # A sample's place in the recording is the room clock's position when it arrived, and
            # a canvas waits for the same position: picture and sound of one moment stay together.
            position = recorder.seconds * SAMPLE_RATE
            while self._frames_due and self._frames_due[0][0] <= position:
                _, canvas = self._frames_due.popleft()
                self._canvas = canvas
            while recorder.frames <= recorder.seconds * FPS:
                recorder.write_video(self._canvas)
            recorder.write_audio(audio[start : start + SAMPLES_PER_TICK])

    def _recorder_or_new(self) -> RoomRecorder | None:
        with self._lock:
            if self._closed:
                return None
            if self._recorder is None:
                self._recorder = RoomRecorder(self.recording_path)
            return self._recorder

    def close(self) -> Path | None:
        """Stop the room; the finished recording's path, or None when nobody ever joined."""
        with self._lock:
            self._closed = True
            for key in list(self._participants):
                self._shares.stop_for(key)
            self._participants.clear()
            self._candidates.clear()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        recorder = self._recorder
        if recorder is None:
            return None
        self._write(recorder, self._record_mix.flush())  # the last DELAY of the meeting
        recorder.close()
        if not recorder.has_media:
            return None
        self._speaking.write(recorder.path)  # beside the MP4: the engine hands both over
        return recorder.path


def _stamp(frame: av.AudioFrame) -> int | None:
    """The sender's timestamp of a frame in samples at SAMPLE_RATE (aiortc: the RTP timestamp), if it has one."""
    if frame.pts is None or frame.time_base is None:
        return None
    return round(frame.pts * frame.time_base * SAMPLE_RATE)


def _labels() -> dict[str, str]:
    return {
        "camera_off": t("room.camera_off"),
        "mic_off": t("room.mic_off"),
        "waiting": t("room.waiting"),
    }
