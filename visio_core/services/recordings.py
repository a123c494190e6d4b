"""Recordings service: who may list, play, download, import, retry and re-transcribe."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from visio_core.domain import model as models
from visio_core.domain import speakers, srt
from visio_core.domain.errors import Forbidden, IllegalTransition, InvalidInput, NeedsConfirmation, NotFound
from visio_core.domain.i18n import t
from visio_core.domain.languages import check_language
from visio_core.domain.model import Identity, Meeting, Recording, TranscriptionStatus
from visio_core.domain.policy import can_change, can_edit_transcript, can_see
from visio_core.domain.search import CueFilters, CueHit
from visio_core.domain.storage_keys import (
    EXPORTS,
    RECORDINGS,
    TRANSCRIPTS,
    edited_key,
    export_key,
    poster_key,
)
from visio_core.domain.timefmt import LOCAL_TZ
from visio_core.domain.transcript import Transcript, correct, undo
from visio_core.services.ingest import RecordingIngest
from visio_core.services.ports import MeetingRepository, RecordingRepository, Storage, TranscriptSearch
from visio_core.services.transcripts import TranscriptFiles, read_transcript

SPEAKER_MAX = 120


@dataclass
class RecordingService:
    recordings: RecordingRepository
    meetings: MeetingRepository
    storage: Storage
    ingest: RecordingIngest
    search: TranscriptSearch
    max_upload_bytes: int
    files: TranscriptFiles  # writes transcripts with the system's rights, after the checks below
    clock: Callable[[], datetime] = models.utcnow

    # -- reading -----------------------------------------------------------------------------
    def list_recordings(self, actor: Identity, meeting_id: uuid.UUID | str) -> list[Recording]:
        meeting = self._visible_meeting(actor, meeting_id)
        return self.recordings.list_for_meeting(meeting.id)

    def get_recording(self, actor: Identity, recording_id: uuid.UUID | str) -> tuple[Recording, Meeting]:
        recording = self.recordings.get(models.parse_uuid(recording_id))
        meeting = self.meetings.get(recording.meeting_id) if recording else None
        if recording is None or meeting is None or not can_see(actor, meeting):
            raise NotFound(t("error.recording_not_found"))
        return recording, meeting

    def video_url(self, actor: Identity, recording_id: uuid.UUID | str, *, download: bool = False) -> str:
        recording, meeting = self.get_recording(actor, recording_id)
        name = (
            f"{_slug(meeting.title)}-{_local(recording.created_at):%Y%m%d-%H%M}.{recording.extension}"
            if download
            else None
        )
        return self.storage.signed_url(RECORDINGS, recording.storage_key, download_name=name)

    def poster_url(self, actor: Identity, recording_id: uuid.UUID | str) -> str | None:
        """A signed link to the still the player shows before playback; None when the recording has none."""
        recording, _ = self.get_recording(actor, recording_id)
        key = poster_key(recording.storage_key)
        return self.storage.signed_url(RECORDINGS, key) if self.storage.exists(RECORDINGS, key) else None

    def transcript_url(
        self, actor: Identity, recording_id: uuid.UUID | str, kind: str = "srt", *, download: bool = True
    ) -> str:
        """A signed link to the transcript as SRT, WebVTT (voice tags), plain text or DOCX; a download
        (with a file name) unless `download` is False (the player's subtitle track)."""
        recording, meeting = self.get_recording(actor, recording_id)
        if recording.transcription_status is not TranscriptionStatus.COMPLETED:
            raise NotFound(t("rec.no_transcript"))
        if kind not in EXPORTS:
            raise InvalidInput(t("rec.bad_format", value=kind))
        key = export_key(recording.id, kind)
        if kind != "srt" and not self.storage.exists(TRANSCRIPTS, key):
            raise NotFound(t("rec.no_transcript"))  # transcribed before this form was written: transcribe again
        name = f"{_slug(meeting.title)}-{_local(recording.created_at):%Y%m%d-%H%M}.{recording.transcription_language}.{kind}"
        return self.storage.signed_url(TRANSCRIPTS, key, download_name=name if download else None)

    def transcript(self, actor: Identity, recording_id: uuid.UUID | str) -> Transcript:
        """The cues of the recording's transcript (see `read_transcript`), if the actor may see it."""
        recording, _ = self.get_recording(actor, recording_id)
        return read_transcript(self.storage, recording)

    def search_transcripts(
        self,
        actor: Identity,
        query: str,
        *,
        client_id: uuid.UUID | str | None = None,
        scheduled_from: datetime | None = None,
        scheduled_to: datetime | None = None,
        language: str | None = None,
        speaker: str | None = None,
        limit: int = 500,
    ) -> list[CueHit]:
        """Cues matching every word of `query` in the transcripts the actor may see, best first."""
        is_client = actor.role is models.Role.CLIENT
        return self.search.search(
            query,
            CueFilters(
                operator_id=None if is_client else actor.scope_operator_id,
                client_scope=actor.id if is_client else None,
                client_id=models.parse_uuid(client_id) if client_id else None,
                scheduled_from=scheduled_from,
                scheduled_to=scheduled_to,
                language=check_language(language) if language else None,
                speaker=_speaker_name(speaker),
                limit=limit,
            ),
        )

    def jobs_in_progress(self, actor: Identity) -> list[tuple[Recording, Meeting]]:
        """Recordings not transcribed yet (pending, processing, failed) of the meetings the actor may change."""
        active = self.recordings.list_active()
        meetings = self.meetings.get_many([r.meeting_id for r in active])
        return [
            (r, meetings[r.meeting_id])
            for r in active
            if r.meeting_id in meetings and can_change(actor, meetings[r.meeting_id])
        ]

    # -- changing (operator of the meeting only) ------------------------------------------
    def import_recording(
        self,
        actor: Identity,
        meeting_id: uuid.UUID | str,
        stream: BinaryIO,
        *,
        filename: str,
        language: str | None = None,
    ) -> tuple[Recording, bool]:
        meeting = self._changeable_meeting(actor, meeting_id)
        return self.ingest.ingest_stream(
            meeting.id,
            stream,
            filename=filename,
            max_bytes=self.max_upload_bytes,
            language=check_language(language) if language else None,
        )

    def retry(self, actor: Identity, recording_id: uuid.UUID | str) -> None:
        recording = self._changeable_recording(actor, recording_id)
        if not self.recordings.requeue(recording.id, self.clock(), only_if=(TranscriptionStatus.FAILED,)):
            raise IllegalTransition(t("rec.retry_not_failed"))

    def change_language(
        self, actor: Identity, recording_id: uuid.UUID | str, language: str, *, replace_corrections: bool = False
    ) -> None:
        """Transcribe again in another language (a running transcription finishes first).

        A transcript corrected by hand is only replaced when `replace_corrections` says the user
        agreed (NeedsConfirmation otherwise); its corrected SRT stays downloadable (`edited_url`)."""
        recording = self._changeable_recording(actor, recording_id)
        code = check_language(language)
        corrected = self.transcript(actor, recording.id)
        if corrected.edits:
            if not replace_corrections:
                raise NeedsConfirmation(t("rec.has_edits", count=len(corrected.edits)))
            self.files.keep_corrected(recording)
        allowed = (TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED, TranscriptionStatus.PENDING)
        if not self.recordings.requeue(recording.id, self.clock(), language=code, only_if=allowed):
            raise IllegalTransition(t("rec.busy"))

    def correct_cue(
        self,
        actor: Identity,
        recording_id: uuid.UUID | str,
        position: int,
        text: str,
        revision: int,
        speaker: str | None = None,
    ) -> Transcript:
        """Correct one line's text (and its speaker when given: how an imported recording gets names);
        kept in the history with who and when, in downloads and search."""
        return self._edit(
            actor,
            recording_id,
            lambda transcript: correct(transcript, position, text, actor.display_name, self.clock(), revision, speaker),
        )

    def undo_correction(self, actor: Identity, recording_id: uuid.UUID | str, revision: int) -> Transcript:
        return self._edit(actor, recording_id, lambda transcript: undo(transcript, revision))

    def edited_url(self, actor: Identity, recording_id: uuid.UUID | str) -> str | None:
        """The corrected SRT kept when the recording was transcribed again, if there is one."""
        recording, meeting = self.get_recording(actor, recording_id)
        key = edited_key(recording.id)
        if not self.storage.exists(TRANSCRIPTS, key):
            return None
        name = f"{_slug(meeting.title)}-{_local(recording.created_at):%Y%m%d-%H%M}.corrige.srt"
        return self.storage.signed_url(TRANSCRIPTS, key, download_name=name)

    def _edit(
        self, actor: Identity, recording_id: uuid.UUID | str, change: Callable[[Transcript], Transcript]
    ) -> Transcript:
        recording, meeting = self.get_recording(actor, recording_id)
        if not can_edit_transcript(actor, meeting):
            raise Forbidden(t("error.forbidden"))
        if recording.transcription_status is not TranscriptionStatus.COMPLETED:
            raise IllegalTransition(t("rec.no_transcript"))
        with _editing(recording.id):  # read, change, write: one edit at a time per recording here
            before = self.transcript(actor, recording.id)
            after = change(before)
            if after is not before:
                self.files.publish(recording, after)
                self.files.reindex(recording, after)
        return after

    def rename_speaker(self, actor: Identity, recording_id: uuid.UUID | str, current: str, new: str) -> Transcript:
        """Give every line of `current` to `new`, in the transcript, its downloads and search."""
        recording, meeting = self.get_recording(actor, recording_id)
        if not can_edit_transcript(actor, meeting):
            raise Forbidden(t("error.forbidden"))
        name = speakers.check_name(new)
        transcript = self.transcript(actor, recording.id)
        if recording.transcription_status is not TranscriptionStatus.COMPLETED:
            raise IllegalTransition(t("rec.no_transcript"))
        cues = speakers.rename(transcript.cues, current, name)
        renamed = dataclasses.replace(transcript, cues=cues, speakers=srt.speakers_of(cues), skipped=0)
        self.files.publish(recording, renamed)
        self.files.reindex(recording, renamed)
        return renamed

    # -- helpers ------------------------------------------------------------------------------
    def _visible_meeting(self, actor: Identity, meeting_id: uuid.UUID | str) -> Meeting:
        meeting = self.meetings.get(models.parse_uuid(meeting_id))
        if meeting is None or not can_see(actor, meeting):
            raise NotFound(t("error.not_found"))
        return meeting

    def _changeable_meeting(self, actor: Identity, meeting_id: uuid.UUID | str) -> Meeting:
        meeting = self._visible_meeting(actor, meeting_id)
        if not can_change(actor, meeting):
            raise Forbidden(t("error.forbidden"))
        return meeting

    def _changeable_recording(self, actor: Identity, recording_id: uuid.UUID | str) -> Recording:
        recording, meeting = self.get_recording(actor, recording_id)
        if not can_change(actor, meeting):
            raise Forbidden(t("error.forbidden"))
        return recording


_edit_locks: dict[uuid.UUID, threading.Lock] = {}
_edit_locks_guard = threading.Lock()


def _editing(recording_id: uuid.UUID) -> threading.Lock:
    with _edit_locks_guard:
        return _edit_locks.setdefault(recording_id, threading.Lock())


def _local(moment: datetime) -> datetime:
    """File names say the time the page shows (Paris), not UTC."""
    return moment.astimezone(LOCAL_TZ)


def _speaker_name(name: str | None) -> str | None:
    """A speaker filter as typed: trimmed; InvalidInput past the length of any name."""
    cleaned = (name or "").strip()
    if len(cleaned) > SPEAKER_MAX:
        raise InvalidInput(t("rec.bad_speaker", max=SPEAKER_MAX))
    return cleaned or None


def _slug(title: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in title.lower())
    return "-".join(part for part in cleaned.split("-") if part)[:60] or "meeting"
