"""The two stores' adapters: the embedded one (SQLite and local files), or a Supabase project.

A `Store` holds the adapters with system rights (on Supabase, the service-role key: ingest,
webhook and worker). Pages on Supabase never use them: `SupabaseScopes` builds their services
acting with the signed-in user's own JWT, so row-level security applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from visio_core.adapters.local_storage import LocalStorage
from visio_core.adapters.sqlite.database import Database
from visio_core.adapters.sqlite.downloads import SqliteDownloadQueue
from visio_core.adapters.sqlite.meetings import SqliteMeetingRepository
from visio_core.adapters.sqlite.recordings import SqliteRecordingRepository
from visio_core.adapters.sqlite.search import SqliteTranscriptSearch
from visio_core.adapters.sqlite.speaking import SqliteSpeakingLog
from visio_core.adapters.sqlite.summaries import SqliteSummaries
from visio_core.adapters.sqlite.vocabulary import SqliteVocabularyStore
from visio_core.adapters.sqlite.web_sessions import WebSessions
from visio_core.adapters.supabase.auth import SupabaseAuth
from visio_core.adapters.supabase.sessions import SupabaseSessions
from visio_core.entrypoints.config import Settings
from visio_core.services.ingest import RecordingIngest
from visio_core.services.meetings import MeetingService
from visio_core.services.ports import (
    DownloadQueue,
    MediaEngine,
    MeetingRepository,
    People,
    SpeakingLog,
    Storage,
    SummaryQueue,
    SystemRecordings,
    TranscriptIndex,
    TranscriptSearch,
    VocabularyStore,
)
from visio_core.services.recordings import RecordingService
from visio_core.services.sessions import UserScope
from visio_core.services.summaries import SummaryService
from visio_core.services.transcripts import TranscriptFiles
from visio_core.services.vocabulary import VocabularyService


@dataclass
class Store:
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


def sqlite_store(settings: Settings, db: Database, people: People) -> Store:
    search = SqliteTranscriptSearch(db)
    return Store(
        meetings=SqliteMeetingRepository(db),
        people=people,
        recordings=SqliteRecordingRepository(db),
        storage=LocalStorage(settings.storage_dir, settings.signing_key(), settings.signed_url_ttl_seconds),
        search=search,
        index=search,
        downloads=SqliteDownloadQueue(db),
        speaking=SqliteSpeakingLog(db),
        vocabulary=SqliteVocabularyStore(db),
        summaries=SqliteSummaries(db),
    )


@dataclass
class SupabaseProject:
    """A Supabase project: the system's store, and Auth with the live session of each browser."""

    store: Store
    http: httpx.Client
    auth: SupabaseAuth
    sessions: SupabaseSessions


def supabase_project(settings: Settings, web_sessions: WebSessions, http: httpx.Client | None) -> SupabaseProject:
    from visio_core.adapters.supabase.downloads import SupabaseDownloadQueue
    from visio_core.adapters.supabase.jobs import SupabaseRecordingJobs, service_client
    from visio_core.adapters.supabase.meetings import SupabaseMeetingRepository
    from visio_core.adapters.supabase.profiles import SupabaseProfiles
    from visio_core.adapters.supabase.search import NoSystemSearch, SupabaseTranscriptIndex
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
    store = Store(
        meetings=SupabaseMeetingRepository(service),
        people=SupabaseProfiles(service),
        recordings=SupabaseRecordingJobs(service),
        storage=storage,
        search=NoSystemSearch(),
        index=SupabaseTranscriptIndex(service),
        downloads=SupabaseDownloadQueue(service),
        speaking=SupabaseSpeakingLog(service),
        vocabulary=SupabaseVocabularyStore(service),
        summaries=SupabaseSummaries(service),
    )
    return SupabaseProject(store, http, auth, SupabaseSessions(auth, web_sessions))


@dataclass
class SupabaseScopes:
    """Services acting as the holder of an access token: every request carries his JWT, so RLS
    applies (the system's `ingest` and transcript `files` write only after the services checked
    his rights)."""

    settings: Settings
    http: httpx.Client
    engine: MediaEngine
    ingest: RecordingIngest
    files: TranscriptFiles
    summary_queue: SummaryQueue | None  # None: no chat model, no summaries to ask for

    def __call__(self, access_token: str) -> UserScope:
        from visio_core.adapters.supabase.meetings import SupabaseMeetingRepository, user_client
        from visio_core.adapters.supabase.profiles import SupabaseProfiles
        from visio_core.adapters.supabase.recordings import UserRecordings
        from visio_core.adapters.supabase.search import SupabaseTranscriptSearch
        from visio_core.adapters.supabase.storage import SupabaseStorage
        from visio_core.adapters.supabase.summaries import SupabaseSummaries
        from visio_core.adapters.supabase.vocabulary import SupabaseVocabularyStore

        url, anon = self.settings.supabase_url or "", self.settings.supabase_anon_key or ""
        client = user_client(url, anon, access_token, http_client=self.http)
        profiles = SupabaseProfiles(client)
        meetings = SupabaseMeetingRepository(client)
        storage = SupabaseStorage(
            url,
            anon,
            default_ttl=self.settings.signed_url_ttl_seconds,
            http=self.http,
            spool_dir=self.settings.data_dir / "tmp",
            bearer=access_token,
        )
        recordings = RecordingService(
            UserRecordings(client),
            meetings,
            storage,
            self.ingest,
            SupabaseTranscriptSearch(client),
            self.settings.max_upload_bytes,
            self.files,
        )
        return UserScope(
            self.settings,
            self.engine,
            profiles,
            MeetingService(meetings, profiles, self.engine),
            recordings,
            VocabularyService(SupabaseVocabularyStore(client)),
            SummaryService(recordings, SupabaseSummaries(client), self.summary_queue),
        )
