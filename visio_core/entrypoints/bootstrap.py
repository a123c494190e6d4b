"""The composition root: the only place that picks adapters and wires them to services.

Every process builds its context here, once: the dashboard (pages and web routes share it,
through `get_context()`), the CLI and the workers. Which adapters run is decided by the
settings (entrypoints/config.py): Supabase or SQLite (entrypoints/stores.py), Supabase Storage
or local files, OpenVidu or the embedded room, the OpenAI API or offline Whisper. Tests replace
parts through `build_context`'s keyword arguments, never by patching an object after it was built.

What a page may use for one signed-in user comes from `AppContext.sessions` (services/sessions.py).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from argon2 import PasswordHasher

from visio_core.adapters.argon2_passwords import Argon2Passwords
from visio_core.adapters.exports.docx_export import transcript_docx
from visio_core.adapters.openvidu.client import OpenViduClient
from visio_core.adapters.openvidu.downloads import RecordingDownloads, pipeline_ingest
from visio_core.adapters.openvidu.engine import OpenViduEngine
from visio_core.adapters.poster import write_poster
from visio_core.adapters.sqlite.database import Database
from visio_core.adapters.sqlite.users import SqliteUserRepository
from visio_core.adapters.sqlite.web_sessions import WebSessions
from visio_core.adapters.transcription.audio import probe_recording
from visio_core.domain.model import utcnow
from visio_core.entrypoints.config import Settings
from visio_core.entrypoints.context import AppContext
from visio_core.entrypoints.stores import SupabaseScopes, sqlite_store, supabase_project
from visio_core.entrypoints.transcription import build_transcriber
from visio_core.services.accounts import AccountService
from visio_core.services.ingest import RecordingIngest
from visio_core.services.meetings import MeetingService
from visio_core.services.ports import ChatModel, MediaEngine, Transcriber
from visio_core.services.recordings import RecordingService
from visio_core.services.sessions import EmbeddedSessions, ProviderBackedSessions, Sessions, UserScope
from visio_core.services.summaries import SummaryService
from visio_core.services.transcripts import TranscriptFiles
from visio_core.services.vocabulary import VocabularyService


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
    accounts = AccountService(SqliteUserRepository(db), Argon2Passwords(hasher), clock)
    web_sessions = WebSessions(db, timedelta(minutes=settings.session_timeout_minutes), clock)
    supabase = supabase_project(settings, web_sessions, http) if settings.store_backend == "supabase" else None
    store = supabase.store if supabase is not None else sqlite_store(settings, db, accounts)
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
    chat_model = _chat_model(settings)
    summary_requests = store.summaries if chat_model is not None else None
    files = TranscriptFiles(store.storage, store.index, transcript_docx)
    recordings = RecordingService(
        store.recordings,
        store.meetings,
        store.storage,
        ingest,
        store.search,
        settings.max_upload_bytes,
        files,
        clock,
    )
    meetings = MeetingService(store.meetings, store.people, engine, clock)
    vocabulary = VocabularyService(store.vocabulary)
    summaries = SummaryService(recordings, store.summaries, summary_requests, clock)
    sessions: Sessions
    if supabase is None:
        shared = UserScope(settings, engine, accounts, meetings, recordings, vocabulary, summaries)
        sessions = EmbeddedSessions(accounts, web_sessions, shared)
    else:
        scopes = SupabaseScopes(settings, supabase.http, engine, ingest, files, summary_requests)
        sessions = ProviderBackedSessions(supabase.auth, supabase.sessions, web_sessions, scopes)
    return AppContext(
        settings=settings,
        db=db,
        storage=store.storage,
        engine=engine,
        accounts=accounts,
        meetings=meetings,
        recordings=recordings,
        system_recordings=store.recordings,
        ingest=ingest,
        index=store.index,
        web_sessions=web_sessions,
        downloads=downloads,
        speaking=store.speaking,
        vocabulary=vocabulary,
        # Built on the first job, once: loading a model is not free.
        transcriber=transcriber or functools.cache(functools.partial(build_transcriber, settings)),
        summaries=summaries,
        summary_queue=store.summaries,
        chat_model=chat_model,
        sessions=sessions,
        clock=clock,
    )


def _engine(settings: Settings, ingest: RecordingIngest, downloads: RecordingDownloads | None) -> MediaEngine:
    if downloads is not None:
        return OpenViduEngine(downloads.client, downloads)
    from visio_core.adapters.embedded_room.engine import EmbeddedEngine

    return EmbeddedEngine(
        ingest, settings.data_dir / "rooms", settings.ice_servers, settings.turn_username, settings.turn_credential
    )


def _chat_model(settings: Settings) -> Callable[[], ChatModel] | None:
    """The summaries' chat model when one is configured, built on the first job; None otherwise."""
    if settings.summary_backend is None:
        return None

    @functools.cache
    def chat_model() -> ChatModel:
        from visio_core.adapters.summary.openai_chat import OpenAIChatModel

        return OpenAIChatModel(
            settings.openai_api_key or "", settings.summary_model or "", base_url=settings.openai_base_url
        )

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
