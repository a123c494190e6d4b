"""Wires settings to adapters and services, once per process.

Pages and web routes run in one process (st.App) and both call `get_context()`,
so they share the same store, storage and media engine.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher

from visio_core.auth import AccountService
from visio_core.config import Settings
from visio_core.media import MediaEngine
from visio_core.ingest import RecordingIngest
from visio_core.meetings import MeetingService
from visio_core.models import Recording
from visio_core.recordings import RecordingService
from visio_core.storage import Storage
from visio_core.web_sessions import WebSessions
from visio_core.store.sqlite import Database
from visio_core.store.sqlite_meetings import SqliteMeetingRepository
from visio_core.store.sqlite_recordings import SqliteRecordingRepository
from visio_core.store.sqlite_search import SqliteTranscriptSearch
from visio_core.store.sqlite_users import SqliteUserRepository

log = logging.getLogger("visio")


@dataclass
class AppContext:
    settings: Settings
    db: Database
    storage: Storage
    engine: MediaEngine
    accounts: AccountService
    meetings: MeetingService
    recordings: RecordingService
    recording_jobs: SqliteRecordingRepository
    ingest: RecordingIngest  # system path (worker, webhook, recorder); pages use `recordings`
    search: SqliteTranscriptSearch
    web_sessions: WebSessions

    def on_transcript_completed(self, recording: Recording, cues: list) -> None:
        self.search.index(recording, cues)

    def backends(self) -> dict[str, str]:
        """What actually runs (not what the settings ask for), for /api/health."""
        return {
            "store": "sqlite",
            "storage": self.storage.name,
            "media": self.engine.name,
            "transcription": self.settings.transcription_backend,
        }


def build_context(
    settings: Settings,
    *,
    engine: MediaEngine | None = None,
    hasher: PasswordHasher | None = None,
) -> AppContext:
    from visio_core.storage.local import LocalStorage

    if settings.store_backend == "supabase":
        # The Supabase adapters exist (store/supabase_meetings.py, storage/supabase.py) but are not
        # wired per signed-in user yet: say so rather than pretend.
        log.warning("SUPABASE_URL is set but the Supabase store is not wired yet; using the embedded store")
    db = Database(settings.database_path)
    users = SqliteUserRepository(db)
    meetings = SqliteMeetingRepository(db)
    recordings = SqliteRecordingRepository(db)
    storage = LocalStorage.from_settings(settings)
    ingest = RecordingIngest(settings, meetings, recordings, storage)
    engine = engine or _build_engine(settings, ingest)
    search = SqliteTranscriptSearch(db)
    return AppContext(
        settings=settings,
        db=db,
        storage=storage,
        engine=engine,
        accounts=AccountService(users, hasher or PasswordHasher()),
        meetings=MeetingService(meetings, users, engine),
        recordings=RecordingService(recordings, meetings, storage, ingest, search, settings.max_upload_bytes),
        recording_jobs=recordings,
        ingest=ingest,
        search=search,
        web_sessions=WebSessions(db, timedelta(minutes=settings.session_timeout_minutes)),
    )


def _build_engine(settings: Settings, ingest: RecordingIngest) -> MediaEngine:
    """The media engine the settings ask for. Each engine's module adds its branch here."""
    if settings.media_backend == "openvidu":
        from visio_core.media.openvidu import OpenViduEngine

        return OpenViduEngine.from_settings(settings)
    from visio_core.media.embedded.engine import EmbeddedEngine

    return EmbeddedEngine(
        ingest,
        settings.data_dir / "rooms",
        settings.ice_servers,
        settings.turn_username,
        settings.turn_credential,
    )


_lock = threading.Lock()
_context: AppContext | None = None


def get_context() -> AppContext:
    global _context
    with _lock:
        if _context is None:
            _context = build_context(Settings.load())
        return _context


def set_context(context: AppContext | None) -> None:
    """Tests install a context built on a temporary data dir."""
    global _context
    with _lock:
        _context = context
