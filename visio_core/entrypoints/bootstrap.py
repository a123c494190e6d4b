"""The composition root: the only place that picks adapters and wires them to services.

Every process builds its context here, once: the dashboard (pages and web routes share it,
through `get_context()`), the CLI and the workers. Which adapters run is decided by the
settings (entrypoints/config.py): Supabase or SQLite, Supabase Storage or local files,
OpenVidu or the embedded room, the OpenAI API or offline Whisper. Tests replace parts through
`build_context`'s keyword arguments, never by patching an object after it was built.

What a page may use for one signed-in user is a `UserScope`: the shared services on the
embedded store; on Supabase, services acting with the user's own JWT, so RLS applies.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher

from visio_core.adapters.argon2_passwords import Argon2Passwords
from visio_core.adapters.exports.docx_export import transcript_docx
from visio_core.adapters.local_storage import LocalStorage
from visio_core.adapters.openvidu.client import OpenViduClient
from visio_core.adapters.openvidu.downloads import RecordingDownloads, pipeline_ingest
from visio_core.adapters.openvidu.engine import OpenViduEngine
from visio_core.adapters.poster import write_poster
from visio_core.adapters.sqlite.database import Database
from visio_core.adapters.sqlite.downloads import SqliteDownloadQueue
from visio_core.adapters.sqlite.meetings import SqliteMeetingRepository
from visio_core.adapters.sqlite.recordings import SqliteRecordingRepository
from visio_core.adapters.sqlite.search import SqliteTranscriptSearch
from visio_core.adapters.sqlite.speaking import SqliteSpeakingLog
from visio_core.adapters.sqlite.summaries import SqliteSummaries
from visio_core.adapters.sqlite.users import SqliteUserRepository
from visio_core.adapters.sqlite.vocabulary import SqliteVocabularyStore
from visio_core.adapters.sqlite.web_sessions import WebSessions
from visio_core.adapters.supabase.auth import SupabaseAuth, SupabaseSession
from visio_core.adapters.supabase.sessions import SupabaseSessions
from visio_core.adapters.transcription.audio import probe_recording
from visio_core.domain.errors import AuthenticationFailed, InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Recording, utcnow
from visio_core.entrypoints.config import Settings
from visio_core.entrypoints.transcription import build_voice_clustering
from visio_core.services.accounts import AccountService
from visio_core.services.ingest import RecordingIngest
from visio_core.services.jobs import JobKind, JobRunner, TranscriptionJobs
from visio_core.services.meetings import MeetingService
from visio_core.services.ports import (
    ChatModel,
    DownloadQueue,
    MediaEngine,
    MeetingRepository,
    OpenedSession,
    People,
    SpeakingLog,
    Storage,
    SummaryQueue,
    SystemRecordings,
    Transcriber,
    TranscriptIndex,
    TranscriptSearch,
    VocabularyStore,
)
from visio_core.services.recordings import RecordingService
from visio_core.services.spool import remove_orphans
from visio_core.services.summaries import SummaryJobs, SummaryService
from visio_core.services.transcripts import TranscriptFiles
from visio_core.services.vocabulary import VocabularyService

log = logging.getLogger("visio")


@dataclass
class UserScope:
    """What a page may use on behalf of one signed-in user."""

    settings: Settings
    engine: MediaEngine
    accounts: People
    meetings: MeetingService
    recordings: RecordingService
    vocabulary: VocabularyService
    summaries: SummaryService


@dataclass
class SupabaseBackend:
    """The signed-in side of a Supabase project: Auth, live sessions, and services per user."""

    settings: Settings
    http: httpx.Client
    auth: SupabaseAuth
    sessions: SupabaseSessions

    def scope_for(
        self,
        session: SupabaseSession,
        engine: MediaEngine,
        ingest: RecordingIngest,
        files: TranscriptFiles,
        summary_queue: SummaryQueue | None,
    ) -> UserScope:
        """Services acting as this user: every request carries his JWT, so RLS applies (the system's
        `ingest` and transcript `files` write only after the services checked his rights)."""
        from visio_core.adapters.supabase.meetings import SupabaseMeetingRepository, user_client
        from visio_core.adapters.supabase.profiles import SupabaseProfiles
        from visio_core.adapters.supabase.recordings import UserRecordings
        from visio_core.adapters.supabase.search import SupabaseTranscriptSearch
        from visio_core.adapters.supabase.storage import SupabaseStorage
        from visio_core.adapters.supabase.summaries import SupabaseSummaries
        from visio_core.adapters.supabase.vocabulary import SupabaseVocabularyStore

        url, anon = self.settings.supabase_url or "", self.settings.supabase_anon_key or ""
        client = user_client(url, anon, session.access_token, http_client=self.http)
        profiles = SupabaseProfiles(client)
        meetings = SupabaseMeetingRepository(client)
        storage = SupabaseStorage(
            url,
            anon,
            default_ttl=self.settings.signed_url_ttl_seconds,
            http=self.http,
            spool_dir=self.settings.data_dir / "tmp",
            bearer=session.access_token,
        )
        recordings = RecordingService(
            UserRecordings(client),
            meetings,
            storage,
            ingest,
            SupabaseTranscriptSearch(client),
            self.settings.max_upload_bytes,
            files,
        )
        return UserScope(
            self.settings,
            engine,
            profiles,
            MeetingService(meetings, profiles, engine),
            recordings,
            VocabularyService(SupabaseVocabularyStore(client)),
            SummaryService(recordings, SupabaseSummaries(client), summary_queue),
        )


@dataclass
class AppContext:
    """The process-wide services; on Supabase these act with the service role (system paths only)."""

    settings: Settings
    db: Database  # embedded store; on Supabase only the browser sessions
    storage: Storage
    engine: MediaEngine
    accounts: AccountService
    meetings: MeetingService
    recordings: RecordingService
    system_recordings: SystemRecordings  # the worker's queue and the ingest's store
    ingest: RecordingIngest  # system path (worker, webhook, recorder); pages use `recordings`
    index: TranscriptIndex
    web_sessions: WebSessions
    downloads: RecordingDownloads | None  # OpenVidu's recordings to fetch; None on the embedded room
    speaking: SpeakingLog  # who spoke when, as OpenVidu rooms' pages report it
    vocabulary: VocabularyService
    transcriber: Callable[[], Transcriber]  # built on first use: loading a model is not free
    summaries: SummaryService
    summary_queue: SummaryQueue  # system rights
    chat_model: Callable[[], ChatModel] | None  # None: no summaries
    clock: Callable[[], datetime] = utcnow
    supabase: SupabaseBackend | None = None

    def request_summary(self, recording: Recording) -> None:
        """After each transcription: its summary, when a chat model is configured."""
        if self.chat_model is not None:
            self.summary_queue.request(recording.id, self.clock())

    def vocabulary_for(self, recording: Recording) -> list[str]:
        """The vocabulary of the operator whose meeting this recording is (system access)."""
        meeting = self.meetings.meetings.get(recording.meeting_id)
        return self.vocabulary.for_operator(meeting.operator_id) if meeting is not None else []

    def detect_language(self, media_path: Path) -> tuple[str, float]:
        """For recordings set to "auto": the offline model's detection on the speech (loaded on first use)."""
        from visio_core.adapters.transcription.language import detect_language

        return detect_language(self.settings.whisper_model_dir, media_path)

    def recover_after_crash(self) -> int:
        """At a process's start: remove the half-written spool files of processes that died here."""
        removed = remove_orphans(self.settings.data_dir)
        if removed:
            log.warning("removed %d half-written file(s) left by a process that stopped mid-write", removed)
        return removed

    def job_kinds(self) -> list[JobKind[Any]]:
        """Every queue a worker serves."""
        lease = timedelta(seconds=self.settings.job_lease_seconds)
        kinds: list[JobKind[Any]] = [
            TranscriptionJobs(
                self.system_recordings,
                self.storage,
                self.transcriber,
                self.index,
                detect_language=self.detect_language,
                document=transcript_docx,
                vocabulary=self.vocabulary_for,
                voices=build_voice_clustering(self.settings),
                lease=lease,
                clock=self.clock,
                on_complete=self.request_summary,
            )
        ]
        if self.chat_model is not None:
            kinds.append(
                SummaryJobs(
                    self.summary_queue,
                    self.system_recordings,
                    self.storage,
                    self.chat_model,
                    chunk_chars=self.settings.summary_chunk_chars,
                    lease=lease,
                    clock=self.clock,
                )
            )
        if self.downloads is not None:
            kinds.append(self.downloads)
        return kinds

    def job_runner(self) -> JobRunner:
        return JobRunner(self.job_kinds(), clock=self.clock)

    def backends(self) -> dict[str, str]:
        """What actually runs (not what the settings ask for), for /api/health."""
        return {
            "store": "supabase" if self.supabase else "sqlite",
            "storage": self.storage.name,
            "media": self.engine.name,
            "transcription": self.settings.transcription_backend,
            "summary": "openai" if self.chat_model is not None else "off",
        }

    # -- signed-in users ---------------------------------------------------------------------
    def sign_in(self, email: str, password: str, client: str | None = None) -> tuple[Identity, OpenedSession]:
        """Check the credentials where the accounts live and open a browser session.

        `client`: the browser's address, for throttling (Supabase Auth applies its own limits)."""
        if self.supabase is None:
            identity = self.accounts.authenticate(email, password, client)
            return identity, self.web_sessions.open_session(identity.id)
        if not (email or "").strip() or not password:
            raise InvalidInput(t("error.login_missing"))
        session = self.supabase.auth.sign_in(email, password)
        opened = self.web_sessions.open_session(session.identity.id, secret=session.refresh_token)
        self.supabase.sessions.start(opened, session)
        return session.identity, opened

    def identity_of(self, user_id: uuid.UUID, key: str | None, token: str | None = None) -> Identity | None:
        """Who holds this browser session now; None once it was closed (sign-out in any tab) or his
        account says he may not."""
        if self.supabase is None:
            if key is not None and not self.web_sessions.is_open(key):
                return None
            return self.accounts.get(user_id)
        session = self.supabase.sessions.current(key, token) if key else None
        return session.identity if session is not None and session.identity.id == user_id else None

    def scope_for(self, identity: Identity, key: str | None) -> UserScope:
        if self.supabase is None:
            return UserScope(
                self.settings,
                self.engine,
                self.accounts,
                self.meetings,
                self.recordings,
                self.vocabulary,
                self.summaries,
            )
        session = self.supabase.sessions.current(key) if key else None
        if session is None or session.identity.id != identity.id:
            raise AuthenticationFailed(t("error.session_expired"))
        return self.supabase.scope_for(
            session,
            self.engine,
            self.ingest,
            TranscriptFiles(self.storage, self.index, transcript_docx),
            self.summary_queue if self.chat_model is not None else None,
        )

    def end_session(self, key: str | None) -> None:
        if self.supabase is not None:
            self.supabase.sessions.end(key)
        self.web_sessions.close_key(key)


@dataclass
class _Store:
    """One store's adapters, with system rights."""

    meetings: MeetingRepository
    people: People
    recordings: SystemRecordings
    storage: Storage
    search: TranscriptSearch
    index: TranscriptIndex
    downloads: DownloadQueue
    speaking: SpeakingLog
    vocabulary: VocabularyStore
    summaries: SummaryQueue
    supabase: SupabaseBackend | None = None


def build_context(
    settings: Settings,
    *,
    engine: MediaEngine | None = None,
    hasher: PasswordHasher | None = None,
    http: httpx.Client | None = None,
    openvidu_transport: httpx.BaseTransport | None = None,
    retry_sleep: Callable[[float], None] = time.sleep,
    transcriber: Callable[[], Transcriber] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> AppContext:
    """Everything a process needs, from its settings.

    Test seams: `engine` replaces the media engine; `http` carries every Supabase request;
    `openvidu_transport` every OpenVidu request (under the retrying transport, whose pauses
    go to `retry_sleep`); `transcriber` replaces the Whisper provider; `clock` the wall clock.
    The summaries' chat model comes from the settings only (tests point OPENAI_BASE_URL at a fake).
    """
    db = Database(settings.database_path)
    users = SqliteUserRepository(db)
    accounts = AccountService(users, Argon2Passwords(hasher), clock)
    web_sessions = WebSessions(db, timedelta(minutes=settings.session_timeout_minutes), clock)
    if settings.store_backend == "supabase":
        store = _supabase_store(settings, web_sessions, http)
    else:
        recordings = SqliteRecordingRepository(db)
        search = SqliteTranscriptSearch(db)
        store = _Store(
            SqliteMeetingRepository(db),
            accounts,
            recordings,
            _local_storage(settings),
            search,
            search,
            SqliteDownloadQueue(db),
            SqliteSpeakingLog(db),
            SqliteVocabularyStore(db),
            SqliteSummaries(db),
        )
    ingest = RecordingIngest(
        store.meetings,
        store.recordings,
        store.storage,
        probe_recording,
        settings.data_dir / "tmp",
        settings.default_language,
        clock,
        poster=write_poster,
    )
    downloads = None
    if settings.media_backend == "openvidu":
        client = OpenViduClient(
            settings.openvidu_url or "", settings.openvidu_secret or "", transport=openvidu_transport, sleep=retry_sleep
        )
        downloads = RecordingDownloads(
            store.downloads,
            client,
            store.meetings,
            pipeline_ingest(ingest, store.speaking),
            clock,
            lease=timedelta(seconds=settings.job_lease_seconds),
        )
    engine = engine or _engine(settings, ingest, downloads)
    chat_model = lazy_chat_model(settings)
    recordings_service = RecordingService(
        store.recordings,
        store.meetings,
        store.storage,
        ingest,
        store.search,
        settings.max_upload_bytes,
        TranscriptFiles(store.storage, store.index, transcript_docx),
        clock,
    )
    return AppContext(
        settings=settings,
        db=db,
        storage=store.storage,
        engine=engine,
        accounts=accounts,
        meetings=MeetingService(store.meetings, store.people, engine, clock),
        recordings=recordings_service,
        system_recordings=store.recordings,
        ingest=ingest,
        index=store.index,
        web_sessions=web_sessions,
        downloads=downloads,
        speaking=store.speaking,
        vocabulary=VocabularyService(store.vocabulary),
        transcriber=transcriber or lazy_transcriber(settings),
        summaries=SummaryService(
            recordings_service, store.summaries, store.summaries if chat_model is not None else None, clock
        ),
        summary_queue=store.summaries,
        chat_model=chat_model,
        clock=clock,
        supabase=store.supabase,
    )


def _local_storage(settings: Settings) -> LocalStorage:
    return LocalStorage(settings.storage_dir, settings.signing_key(), settings.signed_url_ttl_seconds)


def _supabase_store(settings: Settings, web_sessions: WebSessions, http: httpx.Client | None) -> _Store:
    """System access with the service role; pages get a UserScope acting with the user's JWT instead."""
    from visio_core.adapters.supabase.downloads import SupabaseDownloadQueue
    from visio_core.adapters.supabase.jobs import SupabaseRecordingJobs, service_client
    from visio_core.adapters.supabase.meetings import SupabaseMeetingRepository
    from visio_core.adapters.supabase.profiles import SupabaseProfiles
    from visio_core.adapters.supabase.search import SupabaseTranscriptIndex
    from visio_core.adapters.supabase.speaking import SupabaseSpeakingLog
    from visio_core.adapters.supabase.storage import SupabaseStorage
    from visio_core.adapters.supabase.summaries import SupabaseSummaries
    from visio_core.adapters.supabase.vocabulary import SupabaseVocabularyStore

    key = settings.supabase_service_role_key
    if not key:
        # Recordings are written by the system (RLS lets no user insert them): without the key,
        # every meeting's recording would be lost at its end. Refuse to start instead.
        raise SystemExit("SUPABASE_SERVICE_ROLE_KEY is required: the dashboard stores recordings with it")
    url = settings.supabase_url or ""
    http = http or httpx.Client(timeout=httpx.Timeout(30.0, read=300.0))
    service = service_client(url, key, http_client=http)
    auth = SupabaseAuth(url, settings.supabase_anon_key or "", http=http)
    storage = SupabaseStorage(
        url, key, default_ttl=settings.signed_url_ttl_seconds, http=http, spool_dir=settings.data_dir / "tmp"
    )
    index = SupabaseTranscriptIndex(service)
    return _Store(
        meetings=SupabaseMeetingRepository(service),
        people=SupabaseProfiles(service),
        recordings=SupabaseRecordingJobs(service),
        storage=storage,
        search=_NoSystemSearch(),
        index=index,
        downloads=SupabaseDownloadQueue(service),
        speaking=SupabaseSpeakingLog(service),
        vocabulary=SupabaseVocabularyStore(service),
        summaries=SupabaseSummaries(service),
        supabase=SupabaseBackend(settings, http, auth, SupabaseSessions(auth, web_sessions)),
    )


class _NoSystemSearch:
    """On Supabase, search runs as the user (RLS scopes hits): the system context never searches."""

    def search(self, query: str, filters: Any) -> list[Any]:
        raise AuthenticationFailed(t("error.session_expired"))


def _engine(settings: Settings, ingest: RecordingIngest, downloads: RecordingDownloads | None) -> MediaEngine:
    if downloads is not None:
        return OpenViduEngine(downloads.client, downloads)
    from visio_core.adapters.embedded_room.engine import EmbeddedEngine

    return EmbeddedEngine(
        ingest, settings.data_dir / "rooms", settings.ice_servers, settings.turn_username, settings.turn_credential
    )


def lazy_transcriber(settings: Settings) -> Callable[[], Transcriber]:
    """The transcriber the settings ask for, built on the first job (loading a model is not free)."""
    made: list[Transcriber] = []

    def transcriber() -> Transcriber:
        if not made:
            from visio_core.entrypoints.transcription import build_transcriber

            made.append(build_transcriber(settings))
        return made[0]

    return transcriber


def lazy_chat_model(settings: Settings) -> Callable[[], ChatModel] | None:
    """The summaries' chat model when one is configured, built on the first job; None otherwise."""
    if settings.summary_backend is None:
        return None
    made: list[ChatModel] = []

    def chat_model() -> ChatModel:
        if not made:
            from visio_core.adapters.summary.openai_chat import OpenAIChatModel

            made.append(
                OpenAIChatModel(
                    settings.openai_api_key or "", settings.summary_model or "", base_url=settings.openai_base_url
                )
            )
        return made[0]

    return chat_model


_lock = threading.Lock()
_context: AppContext | None = None


def get_context() -> AppContext:
    """This process's context, built on first use from the environment."""
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
