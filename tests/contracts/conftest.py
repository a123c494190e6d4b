"""Each repository port's implementations, side by side: the embedded SQLite store and the Supabase
adapters on the strict PostgREST fake (service role). Every contract test runs against both."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import at
from tests.supabase.database_functions import (
    DOWNLOAD_COLUMNS,
    SPEAKING_COLUMNS,
    SUMMARY_COLUMNS,
    VOCABULARY_COLUMNS,
    claim_job,
)
from tests.supabase.fake_postgrest import FakePostgrest
from tests.supabase.test_jobs_on_supabase import (
    ANON,
    MEETING_COLUMNS,
    RECORDING_COLUMNS,
    SERVICE_KEY,
    URL,
)
from visio_core.adapters.sqlite.database import Database
from visio_core.adapters.sqlite.downloads import SqliteDownloadQueue
from visio_core.adapters.sqlite.meetings import SqliteMeetingRepository
from visio_core.adapters.sqlite.recordings import SqliteRecordingRepository
from visio_core.adapters.sqlite.speaking import SqliteSpeakingLog
from visio_core.adapters.sqlite.summaries import SqliteSummaries
from visio_core.adapters.sqlite.users import SqliteUserRepository
from visio_core.adapters.sqlite.vocabulary import SqliteVocabularyStore
from visio_core.adapters.supabase.downloads import SupabaseDownloadQueue
from visio_core.adapters.supabase.jobs import SupabaseRecordingJobs, service_client
from visio_core.adapters.supabase.meetings import SupabaseMeetingRepository
from visio_core.adapters.supabase.speaking import SupabaseSpeakingLog
from visio_core.adapters.supabase.summaries import SupabaseSummaries
from visio_core.adapters.supabase.vocabulary import SupabaseVocabularyStore
from visio_core.domain import model
from visio_core.domain.model import Identity, Role


class Store:
    """One backend's adapters, built on one database."""

    def __init__(
        self, name: str, meetings, recordings, downloads, speaking, vocabulary, users=None, summaries=None
    ) -> None:
        self.name = name
        self.summaries = summaries
        self.meetings = meetings
        self.recordings = recordings
        self.downloads = downloads
        self.speaking = speaking
        self.vocabulary = vocabulary
        self._users = users

    def person(self, person_id: uuid.UUID, role: Role, operator: uuid.UUID | None = None) -> None:
        """The account a meeting refers to (SQLite enforces the key; on Supabase it is Auth's, outside PostgREST)."""
        if self._users is not None and self._users.get(person_id) is None:
            self._users.add(Identity(person_id, f"{person_id}@example.com", "Someone", role, operator), "x", at())

    def meeting(self) -> uuid.UUID:
        """A stored meeting, for rows that refer to one."""
        operator, client = uuid.uuid4(), uuid.uuid4()
        self.person(operator, Role.OPERATOR)
        self.person(client, Role.CLIENT, operator)
        m = model.new_meeting(
            operator_id=operator, client_id=client, title="Réunion", description="", scheduled_at=at(), now=at()
        )
        self.meetings.add(m)
        return m.id


def sqlite_store(folder: Path) -> Store:
    db = Database(folder / "contract.sqlite3")
    return Store(
        "sqlite",
        SqliteMeetingRepository(db),
        SqliteRecordingRepository(db),
        SqliteDownloadQueue(db),
        SqliteSpeakingLog(db),
        SqliteVocabularyStore(db),
        SqliteUserRepository(db),
        SqliteSummaries(db),
    )


def supabase_store() -> Store:
    fake = FakePostgrest(
        anon_key=ANON,
        tokens={SERVICE_KEY},
        columns={
            "meetings": MEETING_COLUMNS,
            "meeting_recordings": RECORDING_COLUMNS,
            "openvidu_downloads": DOWNLOAD_COLUMNS,
            "speaking_events": SPEAKING_COLUMNS,
            "vocabularies": VOCABULARY_COLUMNS,
            "recording_summaries": SUMMARY_COLUMNS,
        },
        unique={
            "meeting_recordings": [("meeting_id", "source_recording_id")],
            "openvidu_downloads": [("recording_id",)],
            "vocabularies": [("operator_id",)],
            "recording_summaries": [("recording_id",)],
        },
        functions={
            "claim_job": claim_job,
        },
    )
    service = service_client(URL, SERVICE_KEY, http_client=httpx.Client(transport=fake.transport()))
    return Store(
        "supabase",
        SupabaseMeetingRepository(service),
        SupabaseRecordingJobs(service),
        SupabaseDownloadQueue(service),
        SupabaseSpeakingLog(service),
        SupabaseVocabularyStore(service),
        summaries=SupabaseSummaries(service),
    )


@pytest.fixture(params=["sqlite", "supabase"])
def store(request, tmp_path) -> Store:
    return sqlite_store(tmp_path) if request.param == "sqlite" else supabase_store()
