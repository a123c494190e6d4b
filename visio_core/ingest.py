"""Bringing a recording in: spool it to disk in chunks, check it is real media, store it, queue its transcription.

This is the system path (worker, webhook, embedded recorder). Operators reach it only
through `RecordingService.import_recording`, which checks who they are first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Callable

import httpx

from visio_core.config import Settings
from visio_core.errors import BackendUnavailable, InvalidInput, NotFound
from visio_core.i18n import t
from visio_core.models import Recording, TranscriptionStatus, session_id_for, utcnow
from visio_core.spool import CHUNK, Spooled, spool
from visio_core.storage import RECORDINGS, Storage
from visio_core.store.sqlite_meetings import SqliteMeetingRepository
from visio_core.store.sqlite_recordings import SqliteRecordingRepository
from visio_core.transcription.audio import probe_duration, require_audio

ALLOWED_EXTENSIONS = ("mp4", "webm", "m4a", "mp3", "wav", "ogg")


def probe(path: Path) -> float:
    """Duration in seconds of a media file whose audio decodes; InvalidInput otherwise."""
    try:
        require_audio(path)
        return probe_duration(path)
    except InvalidInput as error:
        if str(error) == t("rec.no_audio"):
            raise
        # The audio module names the file; here it is a spool file the user never saw.
        raise InvalidInput(t("rec.not_media")) from None


def extension_of(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise InvalidInput(t("rec.bad_type", allowed=", ".join(ALLOWED_EXTENSIONS)))
    return ext


@dataclass
class RecordingIngest:
    settings: Settings
    meetings: SqliteMeetingRepository
    recordings: SqliteRecordingRepository
    storage: Storage
    clock: Callable[[], datetime] = utcnow

    @property
    def spool_dir(self) -> Path:
        # Inside the data dir, so moving a spooled file into local storage is a rename.
        return self.settings.data_dir / "tmp"

    def ingest_stream(
        self,
        meeting_id: uuid.UUID,
        stream: BinaryIO,
        *,
        filename: str,
        source_recording_id: str | None = None,
        language: str | None = None,
        max_bytes: int | None = None,
    ) -> tuple[Recording, bool]:
        """Ingest `stream` for the meeting. Returns (recording, created); the same source twice → one row."""
        ext = extension_of(filename)
        if self.meetings.get(meeting_id) is None:
            raise NotFound(t("error.not_found"))
        spooled = spool(stream, self.spool_dir, max_bytes)
        try:
            return self._store(meeting_id, spooled, ext, source_recording_id or f"sha256:{spooled.sha256}", language)
        finally:
            spooled.path.unlink(missing_ok=True)

    def ingest_file(self, meeting_id: uuid.UUID, path: Path, **kwargs) -> tuple[Recording, bool]:
        with open(path, "rb") as source:
            return self.ingest_stream(meeting_id, source, filename=kwargs.pop("filename", Path(path).name), **kwargs)

    def ingest_url(
        self,
        meeting_id: uuid.UUID,
        url: str,
        *,
        filename: str,
        source_recording_id: str,
        auth: httpx.Auth | tuple[str, str] | None = None,
        client: httpx.Client | None = None,
        language: str | None = None,
    ) -> tuple[Recording, bool]:
        """Download (streamed, authenticated) and ingest; a recording already ingested is not fetched again."""
        existing = self.recordings.find_by_source(meeting_id, source_recording_id)
        if existing is not None:
            return existing, False
        http = client or httpx.Client(timeout=httpx.Timeout(30.0, read=300.0), follow_redirects=True)
        try:
            with http.stream("GET", url, auth=auth) as response:
                if response.status_code != 200:
                    raise BackendUnavailable(t("rec.download_failed", status=response.status_code))
                return self.ingest_stream(
                    meeting_id, _IterStream(response.iter_bytes(CHUNK)), filename=filename,
                    source_recording_id=source_recording_id, language=language,
                )
        except httpx.HTTPError as error:
            raise BackendUnavailable(t("rec.download_failed", status=type(error).__name__)) from None
        finally:
            if client is None:
                http.close()

    def _store(
        self, meeting_id: uuid.UUID, spooled: Spooled, ext: str, source: str, language: str | None
    ) -> tuple[Recording, bool]:
        existing = self.recordings.find_by_source(meeting_id, source)
        if existing is not None:
            return existing, False
        duration = probe(spooled.path)  # corrupt or not media: InvalidInput, nothing kept
        meeting = self.meetings.get(meeting_id)
        recording_id = uuid.uuid4()
        key = f"{meeting.session_id or session_id_for(meeting.id)}/{recording_id}.{ext}"
        now = self.clock()
        self.storage.move_in(RECORDINGS, key, spooled.path)
        recording = Recording(
            id=recording_id,
            meeting_id=meeting_id,
            source_recording_id=source,
            recording_url=f"{RECORDINGS}/{key}",
            recording_duration_seconds=round(duration, 3),
            file_size_bytes=spooled.size,
            transcript_url=None,
            transcription_status=TranscriptionStatus.PENDING,
            transcription_language=language or self.settings.default_language,
            attempts=0,
            last_error=None,
            lease_owner=None,
            lease_expires_at=None,
            next_attempt_at=now,
            progress=0.0,
            created_at=now,
            updated_at=now,
        )
        stored, created = self.recordings.add_if_absent(recording)
        if not created:  # lost a race with the same source: keep the winner's file only
            self.storage.delete(RECORDINGS, key)
        return stored, created


class _IterStream:
    """A file-like `read()` over an iterator of byte chunks (httpx's streamed body)."""

    def __init__(self, chunks) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data
