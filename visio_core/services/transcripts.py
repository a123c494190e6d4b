"""Writing a finished transcript: the same cues as JSON (what pages read), WebVTT and SRT.

The worker publishes a new transcript; renaming a speaker publishes it again. Both go through
here, with the system's storage (on Supabase the service role: no user writes transcripts).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from visio_core.domain import srt, webvtt
from visio_core.domain.model import Recording
from visio_core.domain.storage_keys import TRANSCRIPTS, captions_key, object_url, transcript_data_key, transcript_key
from visio_core.domain.transcript import Transcript, to_json
from visio_core.services.ports import Storage, TranscriptIndex


@dataclass
class TranscriptFiles:
    storage: Storage
    index: TranscriptIndex | None = None

    def publish(self, recording: Recording, transcript: Transcript) -> str:
        """Write the three files; returns the SRT's object URL (written last: its URL says "complete")."""
        cues = transcript.cues
        self.storage.upload_stream(TRANSCRIPTS, transcript_data_key(recording.id), io.BytesIO(to_json(transcript).encode()))
        self.storage.upload_stream(TRANSCRIPTS, captions_key(recording.id), io.BytesIO(webvtt.format(cues).encode()))
        key = transcript_key(recording.id)
        self.storage.upload_stream(TRANSCRIPTS, key, io.BytesIO(srt.format(cues).encode()))
        return object_url(TRANSCRIPTS, key)

    def reindex(self, recording: Recording, transcript: Transcript) -> None:
        """File the cues for search (speakers included)."""
        if self.index is not None:
            self.index.index(recording, transcript.cues)
