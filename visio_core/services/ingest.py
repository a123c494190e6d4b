"""Bringing a recording in: spool it to disk in chunks, check it is real media, store it, queue its transcription.

This is the system path (worker, webhook, embedded recorder). Operators reach it only
through `RecordingService.import_recording`, which checks who they are first.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from visio_core.domain.errors import NotFound
from visio_core.domain.i18n import t
from visio_core.domain.media_types import extension_of
from visio_core.domain.model import Recording, TranscriptionStatus, session_id_for, utcnow
from visio_core.domain.storage_keys import RECORDINGS, object_url, poster_key, recording_key, speaking_key
from visio_core.services.ports import MediaProbe, MeetingRepository, PosterMaker, RecordingStore, Storage
from visio_core.services.spool import Readable, Spooled, spool

log = logging.getLogger("visio")


@dataclass
class RecordingIngest:
    meetings: MeetingRepository
    recordings: RecordingStore
    storage: Storage
    probe: MediaProbe
    spool_dir: Path  # inside the data dir, so moving a spooled file into local storage is a rename
    default_language: str
    clock: Callable[[], datetime] = utcnow
    poster: PosterMaker | None = None  # the still the player shows before playback

    def ingest_stream(
        self,
        meeting_id: uuid.UUID,
        stream: Readable,
        *,
        filename: str,
        source_recording_id: str | None = None,
        language: str | None = None,
        max_bytes: int | None = None,
        speaking: Path | None = None,
    ) -> tuple[Recording, bool]:
        """Ingest `stream` for the meeting. Returns (recording, created); the same source twice → one row.

        `speaking`: the recording's speaking timeline (domain.speakers), stored beside it."""
        ext = extension_of(filename)
        if self.meetings.get(meeting_id) is None:
            raise NotFound(t("error.not_found"))
        spooled = spool(stream, self.spool_dir, max_bytes)
        try:
            return self._store(
                meeting_id, spooled, ext, source_recording_id or f"sha256:{spooled.sha256}", language, speaking
            )
        finally:
            spooled.path.unlink(missing_ok=True)

    def ingest_file(
        self,
        meeting_id: uuid.UUID,
        path: Path,
        *,
        filename: str | None = None,
        source_recording_id: str | None = None,
        language: str | None = None,
        speaking: Path | None = None,
    ) -> tuple[Recording, bool]:
        with open(path, "rb") as source:
            return self.ingest_stream(
                meeting_id,
                source,
                filename=filename or Path(path).name,
                source_recording_id=source_recording_id,
                language=language,
                speaking=speaking,
            )

    def existing(self, meeting_id: uuid.UUID, source_recording_id: str) -> Recording | None:
        """The recording already ingested from this source, if any (so a caller need not fetch it again)."""
        return self.recordings.find_by_source(meeting_id, source_recording_id)

    def ingest_chunks(
        self,
        meeting_id: uuid.UUID,
        chunks: Iterable[bytes],
        *,
        filename: str,
        source_recording_id: str,
        language: str | None = None,
        speaking: Path | None = None,
    ) -> tuple[Recording, bool]:
        """Ingest a body that arrives in chunks (a download); an error while reading keeps nothing."""
        return self.ingest_stream(
            meeting_id,
            _ChunkReader(chunks),
            filename=filename,
            source_recording_id=source_recording_id,
            language=language,
            speaking=speaking,
        )

    def _store(
        self,
        meeting_id: uuid.UUID,
        spooled: Spooled,
        ext: str,
        source: str,
        language: str | None,
        speaking: Path | None,
    ) -> tuple[Recording, bool]:
        existing = self.recordings.find_by_source(meeting_id, source)
        if existing is not None:
            return existing, False
        duration = self.probe(spooled.path)  # corrupt or not media: InvalidInput, nothing kept
        meeting = self.meetings.get(meeting_id)
        if meeting is None:
            raise NotFound(t("error.not_found"))
        recording_id = uuid.uuid4()
        key = recording_key(meeting.session_id or session_id_for(meeting.id), recording_id, ext)
        now = self.clock()
        still = self._poster_of(spooled.path)  # from the spooled file: no second copy of the media
        self.storage.move_in(RECORDINGS, key, spooled.path)
        if still is not None:
            try:
                self.storage.upload_file(RECORDINGS, poster_key(key), still)
            finally:
                still.unlink(missing_ok=True)
        if speaking is not None:
            self.storage.upload_file(RECORDINGS, speaking_key(key), speaking)
        recording = Recording(
            id=recording_id,
            meeting_id=meeting_id,
            source_recording_id=source,
            recording_url=object_url(RECORDINGS, key),
            recording_duration_seconds=round(duration, 3),
            file_size_bytes=spooled.size,
            transcript_url=None,
            transcription_status=TranscriptionStatus.PENDING,
            transcription_language=language or meeting.language or self.default_language,
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
        if not created:  # lost a race with the same source: keep the winner's files only
            self.storage.delete(RECORDINGS, key)
            self.storage.delete(RECORDINGS, speaking_key(key))
            self.storage.delete(RECORDINGS, poster_key(key))
        return stored, created

    def _poster_of(self, media: Path) -> Path | None:
        """The recording's poster as a spooled JPEG, stored beside the media under the same access
        rules (private bucket, signed links); None without a picture."""
        if self.poster is None:
            return None
        still = self.spool_dir / f"{uuid.uuid4()}.poster.jpg"
        try:
            if self.poster(media, still):
                return still
        except Exception:  # noqa: BLE001 - a poster is a nicety: the recording is kept and plays without it
            log.warning("no poster for %s", media.name, exc_info=True)
        still.unlink(missing_ok=True)
        return None


class _ChunkReader:
    """A file-like `read()` over an iterator of byte chunks (a streamed HTTP body)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
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
