"""Ports of files, the media engine, transcription, summaries and voice clustering."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

from visio_core.domain.model import (
    Meeting,
)
from visio_core.domain.srt import Cue
from visio_core.domain.summary import SummaryState
from visio_core.services.ports.stores import LeasedQueue

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
