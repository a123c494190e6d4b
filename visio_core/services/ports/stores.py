"""Ports of the stores: the queue shape every queue shares, meetings, people, recordings and their
jobs, search, downloads to fetch, vocabulary, speaking events.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from visio_core.domain.model import (
    Identity,
    Meeting,
    MeetingFilter,
    MeetingStatus,
    Page,
    Recording,
    Role,
    TranscriptionStatus,
)
from visio_core.domain.search import CueFilters, CueHit
from visio_core.domain.speakers import SpeakingEvent
from visio_core.domain.srt import Cue

# -- queues ------------------------------------------------------------------------------------

JobT_co = TypeVar("JobT_co", covariant=True)
KeyT_contra = TypeVar("KeyT_contra", contravariant=True)


class LeasedQueue(Protocol[JobT_co, KeyT_contra]):
    """What every queue shares (services/queues.py describes their tables): a due job is claimed by
    one worker under a lease; every later write holds the lease or changes nothing (False).
    Each queue adds its own `complete(key, worker, …result, now)`. `error`s are kept cut to
    `queues.MAX_ERROR_CHARS` characters."""

    def claim(self, worker: str, now: datetime, lease: timedelta) -> JobT_co | None:
        """The first due job (waiting and due, or leased with its lease run out), now leased to `worker`.
        SQLite decides what is due by `now`; PostgreSQL by its own clock (one clock for every machine)."""
        ...

    def renew(self, key: KeyT_contra, worker: str, until: datetime, progress: float | None = None) -> bool:
        """Extend the lease to `until` (and record the share done, where the queue keeps it)."""
        ...

    def retry(self, key: KeyT_contra, worker: str, error: str, now: datetime, at: datetime) -> bool:
        """Give the job back, due again at `at`."""
        ...

    def fail(self, key: KeyT_contra, worker: str, error: str, now: datetime) -> bool:
        """Give the job up for good."""
        ...


# -- stores ------------------------------------------------------------------------------------


class MeetingRepository(Protocol):
    """Meetings as stored. Scoping by who asks is the service's job (and RLS's, on Supabase)."""

    def add(self, meeting: Meeting) -> None: ...
    def get(self, meeting_id: uuid.UUID) -> Meeting | None: ...
    def get_many(self, meeting_ids: list[uuid.UUID]) -> dict[uuid.UUID, Meeting]: ...
    def get_by_session(self, session_id: str) -> Meeting | None: ...

    def replace_if_status(self, meeting: Meeting, expected: MeetingStatus) -> bool:
        """Write `meeting` only if the stored one still has status `expected` (compare-and-set)."""
        ...

    def list(self, f: MeetingFilter, *, page: int, page_size: int) -> Page: ...
    def count_by_status(self, f: MeetingFilter) -> dict[MeetingStatus, int]: ...


class People(Protocol):
    """Who a page may name: local accounts, or Supabase profiles read under RLS."""

    def get(self, user_id: uuid.UUID) -> Identity | None: ...
    def clients_of(self, operator: Identity) -> list[Identity]: ...


@dataclass(frozen=True)
class LoginState:
    failures: int
    locked_until: datetime | None


class UserRepository(Protocol):
    """The embedded store's accounts (on Supabase, accounts live in Supabase Auth)."""

    def add(self, identity: Identity, password_hash: str, now: datetime) -> None: ...
    def get(self, user_id: uuid.UUID) -> Identity | None: ...
    def get_with_hash(self, email: str) -> tuple[Identity, str] | None: ...
    def set_password_hash(self, user_id: uuid.UUID, password_hash: str) -> bool: ...
    def list(self, *, role: Role | None = None, operator_id: uuid.UUID | None = None) -> list[Identity]: ...
    def count(self) -> int: ...
    # Sign-in throttling, by a key the service chooses (email and client address).
    def login_state(self, key: str) -> LoginState: ...
    def record_failure(self, key: str, now: datetime) -> int: ...
    def lock(self, key: str, until: datetime) -> None: ...
    def clear_failures(self, key: str) -> None: ...


class PasswordHashing(Protocol):
    """A slow password hash (argon2id in production)."""

    def hash(self, password: str) -> str: ...

    def verify(self, stored_hash: str, password: str) -> bool:
        """True on a match; False on a mismatch or an unreadable hash (never raises for those)."""
        ...

    def needs_rehash(self, stored_hash: str) -> bool: ...


class RecordingRepository(Protocol):
    """Recordings as a signed-in user reads them, and the one change he may ask: transcribe again."""

    def get(self, recording_id: uuid.UUID) -> Recording | None: ...
    def list_for_meeting(self, meeting_id: uuid.UUID) -> list[Recording]: ...
    def list_active(self, meeting_ids: list[uuid.UUID] | None = None) -> list[Recording]: ...

    def requeue(
        self,
        recording_id: uuid.UUID,
        now: datetime,
        *,
        language: str | None = None,
        only_if: tuple[TranscriptionStatus, ...],
    ) -> bool:
        """Back to pending (attempts reset) if its status is one of `only_if`; False otherwise."""
        ...


class RecordingStore(Protocol):
    """How the system path files a new recording: once per (meeting, source)."""

    def find_by_source(self, meeting_id: uuid.UUID, source_recording_id: str) -> Recording | None: ...

    def add_if_absent(self, recording: Recording) -> tuple[Recording, bool]:
        """Insert unless the meeting has this source already; (stored row, created)."""
        ...


class TranscriptionQueue(LeasedQueue[Recording, uuid.UUID], Protocol):
    """Transcription jobs (a recording's status is its job's state); renewals record progress."""

    def complete(
        self, key: uuid.UUID, worker: str, transcript_url: str, now: datetime, language: str | None = None
    ) -> bool:
        """Mark the job done (and, for `auto`, record the language it was detected in)."""
        ...


class SystemRecordings(RecordingRepository, RecordingStore, TranscriptionQueue, Protocol):
    """All of the above with system rights: the process's own store (SQLite, or Supabase's service role)."""


class TranscriptSearch(Protocol):
    """Cues matching every word of a query (the last as a prefix), within the filters' scope."""

    def search(self, query: str, filters: CueFilters) -> list[CueHit]: ...


class TranscriptIndex(Protocol):
    """Where a finished transcript's cues are filed for search."""

    def index(self, recording: Recording, cues: list[Cue]) -> None: ...


# -- OpenVidu's recordings to fetch ----------------------------------------------------------


@dataclass(frozen=True)
class DownloadRow:
    """A recording OpenVidu announced (or reconciliation found), waiting to be fetched."""

    recording_id: str
    session_id: str
    meeting_id: uuid.UUID
    state: str  # pending, downloading, ingested, failed (by OpenVidu), abandoned (we gave up)
    source: str  # webhook, reconciliation
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class DownloadQueue(LeasedQueue[DownloadRow, str], Protocol):
    """The durable queue of OpenVidu recordings, shared by every process that serves the store."""

    def enqueue(self, recording_id: str, session_id: str, meeting_id: uuid.UUID, source: str, now: datetime) -> bool:
        """Queue a ready recording; False when it was already known (duplicate)."""
        ...

    def note_failed(
        self, recording_id: str, session_id: str, meeting_id: uuid.UUID, source: str, detail: str, now: datetime
    ) -> bool:
        """Remember that OpenVidu could not produce this recording (shown to the operator)."""
        ...

    def get(self, recording_id: str) -> DownloadRow | None: ...
    def rows(self, meeting_id: uuid.UUID | None = None) -> list[DownloadRow]: ...
    def known_ids(self, ids: list[str]) -> set[str]: ...

    def complete(self, key: str, worker: str, now: datetime) -> bool:
        """Fetched and handed to the recording pipeline (`ingested`)."""
        ...

    def failed_at_source(self, key: str, worker: str, error: str, now: datetime) -> bool:
        """OpenVidu says the recording failed: kept as `failed` for the operator, never retried."""
        ...


# -- an operator's vocabulary ----------------------------------------------------------------------


class VocabularyStore(Protocol):
    """The names and jargon an operator wants spelled right in his meetings' transcripts."""

    def get(self, operator_id: uuid.UUID) -> list[str]: ...
    def set(self, operator_id: uuid.UUID, terms: list[str]) -> None: ...


# -- who spoke when (OpenVidu rooms) ------------------------------------------------------------


class SpeakingLog(Protocol):
    """Speaking events the participants' pages report while a media server hosts the room."""

    def add(self, meeting_id: uuid.UUID, events: list[SpeakingEvent]) -> None: ...

    def between(self, meeting_id: uuid.UUID, start: datetime, end: datetime) -> list[SpeakingEvent]:
        """The meeting's events from `start` (included) to `end` (excluded), oldest first."""
        ...
