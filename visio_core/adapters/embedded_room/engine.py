"""The embedded media engine: rooms held by the dashboard process, recorded on the server.

Ending a meeting finishes its room's recording and hands the file to the recording
pipeline's ingest service, the same path as any imported or OpenVidu recording. Both happen
on a thread of their own, so the operator's click returns at once (flushing the encoders and
storing an hour of video took seconds); the file stays in the rooms folder until it is
stored, so a process that stops meanwhile leaves a left-over for the next start. Files a
previous process left in the rooms folder (it stopped mid-meeting, or an ingest failed) are
finished and handed over when the next dashboard process starts, in the background.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from visio_core.adapters.embedded_room.call_link import CallLinks
from visio_core.adapters.embedded_room.recorder import PARTIAL_SUFFIX, finish
from visio_core.adapters.embedded_room.room import Room
from visio_core.adapters.embedded_room.screen_link import ScreenLinks
from visio_core.adapters.embedded_room.speaking import timeline_path
from visio_core.domain.errors import VisioError
from visio_core.domain.model import Meeting

if TYPE_CHECKING:
    from visio_core.services.ingest import RecordingIngest

log = logging.getLogger("visio.room")


class EmbeddedEngine:
    """Rooms held by this process (`room = "hosted"`): the page's WebRTC call talks to `room_for`."""

    name = "embedded"
    room = "hosted"

    def __init__(
        self,
        ingest: RecordingIngest,
        work_dir: Path,
        ice_servers: tuple[str, ...] = (),
        turn_username: str | None = None,
        turn_credential: str | None = None,
    ) -> None:
        self.ingest = ingest
        self.work_dir = work_dir
        self.ice_servers = ice_servers
        self._turn = (turn_username, turn_credential)
        self._rooms: dict[uuid.UUID, Room] = {}
        self._lock = threading.Lock()
        # Listed now, before any room of this process writes there: all of these are left-overs.
        self._leftovers = sorted(work_dir.glob("*.mp4")) if work_dir.is_dir() else []
        self.recovery: threading.Thread | None = None
        self._finishing: list[threading.Thread] = []
        self.calls = CallLinks(self.rtc_configuration())  # the camera calls of every room
        self.screens = ScreenLinks(self.rtc_configuration())  # the screen-share connections of every room

    def start_background(self) -> None:
        """Hand over the left-overs, in the background; the dashboard calls this once (not CLI runs)."""
        with self._lock:
            if self.recovery is not None or not self._leftovers:
                return
            self.recovery = threading.Thread(
                target=self.recover, args=(self._leftovers,), name="room-recovery", daemon=True
            )
        self.recovery.start()

    # -- MediaEngine port ---------------------------------------------------------
    def open_session(self, meeting: Meeting) -> None:
        self._room(meeting.id)

    def close_session(self, meeting: Meeting) -> None:
        with self._lock:
            room = self._rooms.pop(meeting.id, None)
        if room is None:
            return  # nobody ever opened the room in this process
        # Not a daemon: a process asked to stop finishes storing the recording first.
        finishing = threading.Thread(target=self._finish, args=(meeting.id, room), name=f"room-finish-{meeting.id}")
        with self._lock:
            self._finishing = [t for t in self._finishing if t.is_alive()] + [finishing]
        finishing.start()

    def settle(self, timeout: float | None = None) -> None:
        """Wait until the recordings of ended meetings are stored (tests, command-line runs)."""
        with self._lock:
            pending = list(self._finishing)
        for thread in pending:
            thread.join(timeout)

    def _finish(self, meeting_id: uuid.UUID, room: Room) -> None:
        path = room.close()
        if path is None:
            log.info("meeting %s ended with nobody in its room: no recording", meeting_id)
            return
        self._hand_over(meeting_id, path)

    def recording_problems(self, meeting_id: uuid.UUID) -> list[str]:
        """A room recording that cannot be ingested is kept and logged; nothing to tell the page yet."""
        return []

    def recover(self, files: list[Path]) -> int:
        """Finish and ingest recordings a previous process left behind; how many were handed over."""
        handed = 0
        for path in files:
            meeting_id = _meeting_of(path)
            if meeting_id is None:
                continue  # not one of ours
            if path.name.endswith(PARTIAL_SUFFIX):
                final = path.with_name(path.name.removesuffix(PARTIAL_SUFFIX) + ".mp4")
                try:
                    kept = finish(path, final)
                except Exception:  # noqa: BLE001 - an unreadable left-over must not stop the others
                    log.exception("room recording %s could not be read; left in place", path.name)
                    continue
                path.unlink(missing_ok=True)
                if not kept:
                    continue  # the process stopped before anything was recorded
                path = final
            log.info("meeting %s: recovering the room recording %s", meeting_id, path.name)
            handed += self._hand_over(meeting_id, path)
        return handed

    def _hand_over(self, meeting_id: uuid.UUID, path: Path) -> bool:
        """Ingest a finished room recording; on failure keep the file (the next start tries again)."""
        timeline = timeline_path(path)
        try:
            recording, _ = self.ingest.ingest_file(
                meeting_id,
                path,
                filename=path.name,
                source_recording_id=f"embedded:{path.stem}",
                speaking=timeline if timeline.is_file() else None,
            )
        except VisioError:
            # Ending the meeting must not fail because of the file; it stays for the next start
            # or for `python -m visio_core ingest`.
            log.exception("meeting %s: the room recording could not be ingested, kept at %s", meeting_id, path)
            return False
        log.info("meeting %s: room recording ingested as %s", meeting_id, recording.id)
        path.unlink(missing_ok=True)
        timeline.unlink(missing_ok=True)
        return True

    # -- rooms ---------------------------------------------------------------------------
    def room_for(self, meeting: Meeting) -> Room:
        """The room of a meeting that MeetingService.enter_room let the caller into.

        Made lazily: a meeting started before this process (restart, or another engine) still gets its room.
        """
        return self._room(meeting.id)

    def rtc_configuration(self) -> dict[str, Any]:
        """Only ICE servers the operator configured; none means host candidates, enough on a LAN or loopback.

        An empty list matters: the pages and aiortc then contact no public STUN server, which this
        product must not do unasked. TURN credentials necessarily reach the
        browser (that is how TURN works), so use a TURN user that can do nothing else.
        """
        stun = [url for url in self.ice_servers if not url.startswith(("turn:", "turns:"))]
        turn = [url for url in self.ice_servers if url.startswith(("turn:", "turns:"))]
        servers: list[dict[str, Any]] = [{"urls": stun}] if stun else []
        username, credential = self._turn
        if turn:
            servers.append({"urls": turn, "username": username or "", "credential": credential or ""})
        return {"iceServers": servers}

    def _room(self, meeting_id: uuid.UUID) -> Room:
        with self._lock:
            room = self._rooms.get(meeting_id)
            if room is None:
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
                path = self.work_dir / f"{meeting_id}-{stamp}-{uuid.uuid4().hex[:6]}.mp4"
                room = self._rooms[meeting_id] = Room(meeting_id, path)
            return room


def _meeting_of(path: Path) -> uuid.UUID | None:
    """Room files are named `<meeting id>-<UTC time>-<random>.mp4` (see _room)."""
    try:
        return uuid.UUID(path.name[:36])
    except ValueError:
        return None
