"""The media engine for OpenVidu 2.x: sessions that record themselves, tokens on demand.

Facts this relies on (openvidu-server 2.32): `recordingMode: ALWAYS` starts the recording
when the first participant publishes and closing the session stops it; `POST /sessions`
accepts an ALWAYS session even when recording is disabled on the server, so opening asks
the recordings API first. Only the token leaves `join_token`; the secret stays in the client.
"""

from __future__ import annotations

import logging
import uuid

from visio_core.adapters.openvidu.client import OpenViduClient
from visio_core.adapters.openvidu.downloads import RecordingDownloads
from visio_core.domain.errors import NotFound
from visio_core.domain.model import Identity, Meeting, session_id_for

log = logging.getLogger(__name__)


class OpenViduEngine:
    """Rooms on an OpenVidu server: the browser joins with a token (`room = "token"`)."""

    name = "openvidu"
    room = "token"

    def __init__(self, client: OpenViduClient, downloads: RecordingDownloads | None = None) -> None:
        self.client = client
        # When set, closing a session also looks for ready recordings at once (the workers'
        # periodic reconciliation covers the ones still processing).
        self.downloads = downloads

    def __repr__(self) -> str:
        return f"OpenViduEngine({self.client!r})"

    def open_session(self, meeting: Meeting) -> None:
        session_id = _session_of(meeting)
        # Ask first whether the server records at all: POST /sessions would accept an
        # ALWAYS session even with recording disabled, and the meeting would be lost.
        self.client.check_recording_enabled(session_id)
        self.client.create_session(session_id)

    def close_session(self, meeting: Meeting) -> None:
        session_id = _session_of(meeting)
        self.client.close_session(session_id)
        if self.downloads is not None:
            try:
                self.downloads.reconcile(session_id=session_id)
            except Exception:  # noqa: BLE001 - the meeting is ended either way; the workers reconcile again
                log.exception("reconciliation after closing %s failed", session_id)

    def start_background(self) -> None:
        """Nothing runs beside the requests: downloads are the workers' job."""

    def recording_problems(self, meeting_id: uuid.UUID) -> list[str]:
        return self.downloads.problems_for(meeting_id) if self.downloads is not None else []

    def join_token(self, actor: Identity, meeting: Meeting) -> str:
        """A connection token for `actor` in `meeting`, which MeetingService.enter_room let him into."""
        session_id = _session_of(meeting)
        try:
            return self.client.create_token(session_id, actor.display_name)
        except NotFound:
            # OpenVidu drops a session after its last participant leaves (or on restart);
            # the meeting is still in progress here, so open it again and retry once.
            log.info("session %s gone on OpenVidu, re-creating it", session_id)
            self.client.create_session(session_id)
            return self.client.create_token(session_id, actor.display_name)


def _session_of(meeting: Meeting) -> str:
    return meeting.session_id or session_id_for(meeting.id)
