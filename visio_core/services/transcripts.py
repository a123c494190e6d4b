"""Writing a finished transcript: the same cues as JSON (what pages read), WebVTT and SRT.

The worker publishes a new transcript; renaming a speaker publishes it again. Both go through
here, with the system's storage (on Supabase the service role: no user writes transcripts).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from visio_core.domain import plain_text, srt, webvtt
from visio_core.domain.i18n import t
from visio_core.domain.model import Recording, TranscriptionStatus
from visio_core.domain.storage_keys import (
    TRANSCRIPTS,
    captions_key,
    edited_key,
    export_key,
    object_url,
    transcript_data_key,
    transcript_key,
)
from visio_core.domain.timefmt import show
from visio_core.domain.transcript import Transcript, from_json, to_json
from visio_core.services.ports import Storage, TranscriptIndex

DocumentWriter = Callable[[Transcript, str], bytes]
"""A transcript as a word-processor document (DOCX), given a heading."""


@dataclass
class TranscriptFiles:
    storage: Storage
    index: TranscriptIndex | None = None
    document: DocumentWriter | None = None

    def publish(self, recording: Recording, transcript: Transcript) -> str:
        """Write every form; returns the SRT's object URL (written last: its URL says "complete")."""
        cues = transcript.cues
        heading = t("export.heading", when=show(recording.created_at))
        self.storage.upload_stream(
            TRANSCRIPTS, transcript_data_key(recording.id), io.BytesIO(to_json(transcript).encode())
        )
        self.storage.upload_stream(
            TRANSCRIPTS, captions_key(recording.id), io.BytesIO(webvtt.render_webvtt(cues).encode())
        )
        self.storage.upload_stream(
            TRANSCRIPTS,
            export_key(recording.id, "txt"),
            io.BytesIO(plain_text.render_plain_text(cues, heading).encode()),
        )
        if self.document is not None:
            self.storage.upload_stream(
                TRANSCRIPTS, export_key(recording.id, "docx"), io.BytesIO(self.document(transcript, heading))
            )
        key = transcript_key(recording.id)
        self.storage.upload_stream(TRANSCRIPTS, key, io.BytesIO(srt.render_srt(cues).encode()))
        return object_url(TRANSCRIPTS, key)

    def keep_corrected(self, recording: Recording) -> None:
        """Set the corrected SRT aside before a new transcription overwrites it."""
        with self.storage.open_read(TRANSCRIPTS, transcript_key(recording.id)) as corrected:
            self.storage.upload_stream(TRANSCRIPTS, edited_key(recording.id), io.BytesIO(corrected.read()))

    def reindex(self, recording: Recording, transcript: Transcript) -> None:
        """File the cues for search (speakers included)."""
        if self.index is not None:
            self.index.index(recording, transcript.cues)


def read_transcript(storage: Storage, recording: Recording) -> Transcript:
    """The cues of the recording's transcript, with their speakers when known (none before the
    first one is done; the previous one while it is transcribed again).

    Read from the transcript's JSON (speakers kept as such); a recording transcribed before
    there was one, or whose JSON is unreadable, is read from its SRT."""
    # Transcribing again keeps the previous transcript in place until the new one is written.
    if storage.exists(TRANSCRIPTS, transcript_data_key(recording.id)):
        with storage.open_read(TRANSCRIPTS, transcript_data_key(recording.id)) as fh:
            stored = from_json(fh.read().decode("utf-8", errors="replace"))
        if stored is not None:
            return stored
    if recording.transcription_status is not TranscriptionStatus.COMPLETED:
        return Transcript([])
    with storage.open_read(TRANSCRIPTS, transcript_key(recording.id)) as fh:
        parsed = srt.parse(fh.read().decode("utf-8", errors="replace"))
    return Transcript(parsed.cues, recording.transcription_language, skipped=parsed.skipped)
