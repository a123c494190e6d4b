"""Every outside thing the services need, as a Protocol: the contract each adapter meets.

Services are typed against these and nothing else; `entrypoints/bootstrap.py` picks the
adapters (SQLite or Supabase, local files or Supabase Storage, embedded room or OpenVidu,
offline Whisper or the OpenAI API). The contract tests in tests/contracts run the same
assertions against every implementation of a repository port.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar, runtime_checkable

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
from visio_core.domain.summary import SummaryState

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


# -- browser sessions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedSession:
    """A browser session just opened for a signed-in user."""

    claim: str  # one-time code the browser exchanges for its cookie
    key: str  # the session's id on the server (hash of the token)
    token: str = field(repr=False)  # the cookie's value: kept in server memory only


class SessionSecrets(Protocol):
    """The backend secret (Supabase's refresh token) a browser session carries, sealed under its cookie."""

    def secret(self, token: str) -> str | None: ...
    def set_secret(self, token: str, secret: str) -> bool: ...


class BrowserSessions(Protocol):
    """The dashboard's own sign-ins, one per browser (its HttpOnly cookie), wherever the accounts live."""

    def open_session(self, user_id: uuid.UUID, secret: str | None = None) -> OpenedSession:
        """A new session for a user who just signed in; `secret` (a provider's refresh token) is sealed in it."""
        ...

    def is_open(self, key: str) -> bool: ...
    def close_key(self, key: str | None) -> None: ...


class ProviderSession(Protocol):
    """A user's session at an outside account provider (Supabase Auth)."""

    @property
    def identity(self) -> Identity: ...
    @property
    def access_token(self) -> str: ...
    @property
    def refresh_token(self) -> str: ...


Session = TypeVar("Session", bound=ProviderSession)
Session_co = TypeVar("Session_co", bound=ProviderSession, covariant=True)


class AccountProvider(Protocol[Session_co]):
    """Where the accounts live when the dashboard does not keep them: checks credentials itself
    (with its own limits on attempts)."""

    def sign_in(self, email: str, password: str) -> Session_co:
        """AuthenticationFailed for wrong credentials, BackendUnavailable when it does not answer."""
        ...


class ProviderSessions(Protocol[Session]):
    """The provider's live session behind each browser session key, renewed before it expires."""

    def start(self, opened: OpenedSession, session: Session) -> None: ...

    def current(self, key: str, token: str | None = None) -> Session | None:
        """The session with a valid access token; None once it cannot be renewed. `token` (the
        cookie's value) lets a session this process has not seen resume from its sealed secret."""
        ...

    def end(self, key: str | None) -> None:
        """Forget it here and revoke it at the provider."""
        ...


# -- files -------------------------------------------------------------------------------------


class Storage(Protocol):
    """Private buckets of objects, reached by the browser only through signed URLs."""

    name: str

    def upload_stream(self, bucket: str, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> int:
        """Store the stream's bytes in chunks; returns the size. Nothing is kept if it fails or exceeds max_bytes."""
        ...

    def upload_file(self, bucket: str, key: str, path: Path) -> int: ...

    def move_in(self, bucket: str, key: str, path: Path) -> int:
        """Store a local file, consuming it (a rename when the backend is on the same disk)."""
        ...

    def local_copy(self, bucket: str, key: str) -> AbstractContextManager[Path]:
        """A local file with the object's bytes for the duration of the `with` block."""
        ...

    def open_read(self, bucket: str, key: str) -> BinaryIO: ...
    def download_to(self, bucket: str, key: str, dest: Path) -> None: ...
    def exists(self, bucket: str, key: str) -> bool: ...
    def size(self, bucket: str, key: str) -> int: ...

    def delete(self, bucket: str, key: str) -> None:
        """Remove the object; a missing object is not an error."""
        ...

    def signed_url(
        self, bucket: str, key: str, *, expires_in: int | None = None, download_name: str | None = None
    ) -> str:
        """A URL valid `expires_in` seconds (default from settings); NotFound if the object is missing."""
        ...


MediaProbe = Callable[[Path], float]
"""Duration in seconds of a media file whose audio decodes; InvalidInput (`rec.not_media`/`rec.no_audio`) otherwise."""

PosterMaker = Callable[[Path, Path], bool]
"""Write a media file's poster (the still its player shows before playback) to a JPEG path; False without a picture."""


# -- media engine ------------------------------------------------------------------------------


class MediaEngine(Protocol):
    """The system that hosts a meeting's room and records it (embedded room, or OpenVidu).

    `open_session` makes the session record by itself and is idempotent; `close_session`
    finishes the recording and is idempotent too. What an engine offers beyond that is said
    by its `room` kind: "hosted" (the dashboard process holds the room: EmbeddedEngine's
    `room_for`), "token" (the browser joins a media server with a token: `join_token`).
    """

    name: str
    room: str  # "hosted" or "token": which room view and route serve it

    def open_session(self, meeting: Meeting) -> None: ...
    def close_session(self, meeting: Meeting) -> None: ...

    def start_background(self) -> None:
        """Work the engine does beside the requests, started once by the dashboard process."""
        ...

    def recording_problems(self, meeting_id: uuid.UUID) -> list[str]:
        """Messages for the operator about this meeting's recordings that will not arrive."""
        ...


# -- transcription -------------------------------------------------------------------------------

ProgressCallback = Callable[[float], None]

LanguageDetector = Callable[[Path], tuple[str, float]]
"""(Whisper language code, probability) of the speech in a media file, for recordings set to `auto`."""


@runtime_checkable
class Transcriber(Protocol):
    """Turns the audio of a media file into timed cues (seconds on the media's timeline)."""

    name: str

    def transcribe(
        self,
        media_path: Path,
        *,
        language: str | None,
        on_progress: ProgressCallback | None = None,
        vocabulary: Sequence[str] = (),
    ) -> list[Cue]:
        """`language`: ISO 639-1 code, or None to detect it. `on_progress` receives the
        share of the audio done, from 0 to 1, ending with 1.0. `vocabulary`: names and
        jargon to spell as given (Whisper's prompt / hotwords). Raises InvalidInput for
        a file that is not media with sound, BackendUnavailable when the engine or
        the service cannot do the work."""
        ...


# -- summaries -----------------------------------------------------------------------------------


class ChatModel(Protocol):
    """A chat model that answers with one JSON object following a schema (OpenAI's chat completions)."""

    name: str  # the model's name, kept with what it wrote

    def complete_json(self, system: str, user: str, schema_name: str, schema: dict[str, Any]) -> Any:
        """The parsed JSON answer. Raises PermanentFailure when no retry can help (bad key, unknown
        model, request refused); anything else (rate limit, server down) is worth another try."""
        ...


@dataclass(frozen=True)
class SummaryJob:
    recording_id: uuid.UUID
    attempts: int  # this try included


class SummaryReader(Protocol):
    """A recording's summary and the state of its job (pages read it as the user on Supabase)."""

    def get(self, recording_id: uuid.UUID) -> SummaryState | None: ...


class SummaryQueue(SummaryReader, LeasedQueue[SummaryJob, uuid.UUID], Protocol):
    """Summaries to write, one row per recording; its last summary stays while a new one is made."""

    def request(self, recording_id: uuid.UUID, now: datetime) -> None:
        """Pending now with fresh attempts (a running job's lease is taken back: it may be summarising
        an older transcript)."""
        ...

    def complete(self, key: uuid.UUID, worker: str, summary: str, now: datetime) -> bool: ...


class VoiceClustering(Protocol):
    """Groups a recording's speech spans by voice, for recordings no room told us who spoke in.

    Offline only: the model's weights were installed at setup time, nothing is fetched here."""

    name: str

    def cluster(
        self, media_path: Path, spans: Sequence[tuple[float, float]], *, speakers: int | None = None
    ) -> list[int | None]:
        """A group per span (start, end in seconds): 0, 1, … in the order the groups first speak,
        None for a span with no voice in it. `speakers`: how many people spoke, when it is known;
        otherwise the number is estimated."""
        ...
