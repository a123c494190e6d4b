"""Test doubles for outside systems only (never for our own store or services)."""

from __future__ import annotations

import threading
import uuid

from visio_core.domain.errors import BackendUnavailable
from visio_core.domain.model import Meeting


class FakeMediaEngine:
    """A media engine that remembers which sessions are open; can be told to fail."""

    name = "fake"
    room = "none"  # no room view: the room page says the room is unavailable

    def __init__(self) -> None:
        self.open_sessions: set[str] = set()
        self.opened: list[str] = []
        self.closed: list[str] = []
        self.fail_with: str | None = None
        self._lock = threading.Lock()

    def open_session(self, meeting: Meeting) -> None:
        if self.fail_with:
            raise BackendUnavailable(self.fail_with)
        assert meeting.session_id, "a session is opened for a meeting that has its session id"
        with self._lock:
            self.open_sessions.add(meeting.session_id)
            self.opened.append(meeting.session_id)

    def close_session(self, meeting: Meeting) -> None:
        if self.fail_with:
            raise BackendUnavailable(self.fail_with)
        with self._lock:
            self.open_sessions.discard(meeting.session_id)
            self.closed.append(meeting.session_id)

    def start_background(self) -> None:
        return None

    def recording_problems(self, meeting_id: uuid.UUID) -> list[str]:
        return []
