"""Wires settings to adapters and services, once per process.

Pages and web routes run in one process (st.App) and both call `get_context()`,
so they share the same store, storage and media engine. What a page may use for one
signed-in user is a `UserScope`: the shared services on the embedded store, services
acting with the user's own JWT on Supabase (visio_core.supabase_backend).
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher

from typing import Protocol

from visio_core.auth import AccountService
from visio_core.config import Settings
from visio_core.errors import AuthenticationFailed, InvalidInput
from visio_core.i18n import t
from visio_core.media import MediaEngine
from visio_core.ingest import RecordingIngest
from visio_core.meetings import MeetingService
from visio_core.models import Identity, Recording
from visio_core.recordings import RecordingService
from visio_core.storage import Storage
from visio_core.transcript_search import TranscriptIndex
from visio_core.web_sessions import OpenedSession, WebSessions
from visio_core.store.sqlite import Database
from visio_core.store.sqlite_meetings import SqliteMeetingRepository
from visio_core.store.sqlite_recordings import SqliteRecordingRepository
from visio_core.store.sqlite_search import SqliteTranscriptSearch
from visio_core.store.sqlite_users import SqliteUserRepository

if TYPE_CHECKING:
    import httpx

    from visio_core.supabase_backend import SupabaseBackend

log = logging.getLogger("visio")
JobQueueStore = Any  # SqliteRecordingRepository or SupabaseRecordingJobs (see worker.JobQueue)


class People(Protocol):
    """Who a page may name: AccountService (embedded) or SupabaseProfiles (read under RLS)."""

    def get(self, user_id: uuid.UUID) -> Identity | None: ...
    def clients_of(self, operator: Identity) -> list[Identity]: ...


@dataclass
class UserScope:
    """What a page may use on behalf of one signed-in user."""

    settings: Settings
    engine: MediaEngine
    accounts: People
    meetings: MeetingService
    recordings: RecordingService


@dataclass
class AppContext:
    settings: Settings
    db: Database  # embedded store; on Supabase only the browser sessions (and OpenVidu's download queue)
    storage: Storage  # system path, like `ingest`
    engine: MediaEngine
    accounts: AccountService
    meetings: MeetingService
    recordings: RecordingService
    recording_jobs: JobQueueStore
    ingest: RecordingIngest  # system path (worker, webhook, recorder); pages use `recordings`
    search: TranscriptIndex
    web_sessions: WebSessions
    supabase: "SupabaseBackend | None" = None

    def on_transcript_completed(self, recording: Recording, cues: list) -> None:
        self.search.index(recording, cues)

    def backends(self) -> dict[str, str]:
        """What actually runs (not what the settings ask for), for /api/health."""
        return {
            "store": "supabase" if self.supabase else "sqlite",
            "storage": self.storage.name,
            "media": self.engine.name,
            "transcription": self.settings.transcription_backend,
        }

    # -- signed-in users ---------------------------------------------------------------------
    def sign_in(self, email: str, password: str) -> tuple[Identity, OpenedSession]:
        """Check the credentials where the accounts live and open a browser session."""
        if self.supabase is None:
            identity = self.accounts.authenticate(email, password)
            return identity, self.web_sessions.open_session(identity.id)
        if not (email or "").strip() or not password:
            raise InvalidInput(t("error.login_failed"))
        session = self.supabase.auth.sign_in(email, password)
        opened = self.web_sessions.open_session(session.identity.id, secret=session.refresh_token)
        self.supabase.sessions.start(opened, session)
        return session.identity, opened

    def identity_of(self, user_id: uuid.UUID, key: str | None, token: str | None = None) -> Identity | None:
        """Who holds this browser session now; None once his accounts say he may not."""
        if self.supabase is None:
            return self.accounts.get(user_id)
        session = self.supabase.sessions.current(key, token) if key else None
        return session.identity if session is not None and session.identity.id == user_id else None

    def scope_for(self, identity: Identity, key: str | None) -> UserScope:
        if self.supabase is None:
            return UserScope(self.settings, self.engine, self.accounts, self.meetings, self.recordings)
        session = self.supabase.sessions.current(key) if key else None
        if session is None or session.identity.id != identity.id:
            raise AuthenticationFailed(t("error.session_expired"))
        people, meetings, recordings = self.supabase.services_for(session, self.engine, self.ingest)
        return UserScope(self.settings, self.engine, people, meetings, recordings)

    def end_session(self, key: str | None) -> None:
        if self.supabase is not None:
            self.supabase.sessions.end(key)
        self.web_sessions.close_key(key)


def build_context(
    settings: Settings,
    *,
    engine: MediaEngine | None = None,
    hasher: PasswordHasher | None = None,
    http: "httpx.Client | None" = None,
) -> AppContext:
    """`http` carries every Supabase request (tests pass one bound to strict fakes)."""
    db = Database(settings.database_path)
    users = SqliteUserRepository(db)
    accounts = AccountService(users, hasher or PasswordHasher())
    web_sessions = WebSessions(db, timedelta(minutes=settings.session_timeout_minutes))
    if settings.store_backend == "supabase":
        return _supabase_context(settings, db, accounts, web_sessions, engine, http)
    from visio_core.storage.local import LocalStorage

    recordings = SqliteRecordingRepository(db)
    return _assemble(settings, db, accounts, web_sessions, engine, meetings=SqliteMeetingRepository(db),
                     people=users, jobs=recordings, storage=LocalStorage.from_settings(settings),
                     search=SqliteTranscriptSearch(db))


def _assemble(settings: Settings, db: Database, accounts: AccountService, web_sessions: WebSessions,
              engine: MediaEngine | None, *, meetings: Any, people: Any, jobs: Any, storage: Storage,
              search: TranscriptIndex, supabase: "SupabaseBackend | None" = None) -> AppContext:
    """The process-wide services over one store's repositories (system access on Supabase)."""
    ingest = RecordingIngest(settings, meetings, jobs, storage)
    engine = engine or _build_engine(settings, ingest, meetings)
    return AppContext(
        settings=settings,
        db=db,
        storage=storage,
        engine=engine,
        accounts=accounts,
        meetings=MeetingService(meetings, people, engine),
        recordings=RecordingService(jobs, meetings, storage, ingest, search, settings.max_upload_bytes),
        recording_jobs=jobs,
        ingest=ingest,
        search=search,
        web_sessions=web_sessions,
        supabase=supabase,
    )


def _supabase_context(settings: Settings, db: Database, accounts: AccountService, web_sessions: WebSessions,
                      engine: MediaEngine | None, http: "httpx.Client | None") -> AppContext:
    """Pages act as the signed-in user (UserScope); the fields below are the system's, service role."""
    import httpx

    from visio_core.auth_supabase import SupabaseAuth
    from visio_core.storage.supabase import SupabaseStorage
    from visio_core.store.supabase_jobs import SupabaseRecordingJobs, service_client
    from visio_core.store.supabase_meetings import SupabaseMeetingRepository
    from visio_core.store.supabase_profiles import SupabaseProfiles
    from visio_core.store.supabase_search import SupabaseTranscriptIndex
    from visio_core.supabase_backend import SupabaseBackend, SupabaseSessions

    key = settings.supabase_service_role_key
    if not key:
        # Recordings are written by the system (RLS lets no user insert them): without the key,
        # every meeting's recording would be lost at its end. Refuse to start instead.
        raise SystemExit("SUPABASE_SERVICE_ROLE_KEY is required: the dashboard stores recordings with it")
    url = settings.supabase_url or ""
    http = http or httpx.Client(timeout=httpx.Timeout(30.0, read=300.0))
    service = service_client(url, key, http_client=http)
    auth = SupabaseAuth(url, settings.supabase_anon_key or "", http=http)
    storage = SupabaseStorage(url, key, default_ttl=settings.signed_url_ttl_seconds, http=http,
                              spool_dir=settings.data_dir / "tmp")
    # Pages never use these services: they get a UserScope acting with the user's JWT (scope_for).
    return _assemble(settings, db, accounts, web_sessions, engine, meetings=SupabaseMeetingRepository(service),
                     people=SupabaseProfiles(service), jobs=SupabaseRecordingJobs(service), storage=storage,
                     search=SupabaseTranscriptIndex(service),
                     supabase=SupabaseBackend(settings, http, auth, SupabaseSessions(auth, web_sessions)))


def _build_engine(settings: Settings, ingest: RecordingIngest, meetings: Any) -> MediaEngine:
    """The media engine the settings ask for. Each engine's module adds its branch here."""
    if settings.media_backend == "openvidu":
        from visio_core.media.openvidu import OpenViduEngine

        return OpenViduEngine.from_settings(settings, meetings)
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
