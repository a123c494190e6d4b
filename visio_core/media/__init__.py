"""Media engine port: the system that hosts a meeting's room and records it.

`open_session` must make the session record by itself (OpenVidu: recordingMode
ALWAYS; embedded: the server-side recorder) and be idempotent; `close_session`
finishes the recording and is idempotent too (closing a closed session is fine).
"""

from __future__ import annotations

from typing import Protocol

from visio_core.models import Meeting


class MediaEngine(Protocol):
    name: str

    @property
    def room_available(self) -> bool:
        """Whether participants can join a room through this engine."""
        ...

    def open_session(self, meeting: Meeting) -> None: ...

    def close_session(self, meeting: Meeting) -> None: ...
