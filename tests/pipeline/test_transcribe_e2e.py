"""A real recording through the real pipeline: ingest, offline Whisper in the worker, SRT, search, links."""

from __future__ import annotations

import pytest

from visio_core.domain.model import TranscriptionStatus
from visio_core.domain.search import CueFilters


@pytest.mark.slow
def test_speech_recording_is_transcribed_indexed_and_downloadable(ctx, people, meeting, speech_mp4):
    with open(speech_mp4, "rb") as fh:
        recording, _ = ctx.recordings.import_recording(people.op1, meeting.id, fh, filename="reunion.mp4")
    worker = ctx.job_runner()
    assert worker.run_once()
    row = ctx.system_recordings.get(recording.id)
    assert row.transcription_status is TranscriptionStatus.COMPLETED, row.last_error
    assert row.progress == 1.0

    transcript = ctx.recordings.transcript(people.client_a, recording.id)
    text = " ".join(c.text for c in transcript.cues).lower()
    assert "budget" in text and "projet" in text
    assert transcript.skipped == 0

    hits = ctx.recordings.search.search("budget", CueFilters(operator_id=people.op1.id))
    assert hits and hits[0].recording_id == recording.id and "budget" in hits[0].text.lower()
    assert ctx.recordings.search.search("budget", CueFilters(operator_id=people.op2.id)) == []

    url = ctx.recordings.transcript_url(people.client_a, recording.id)
    assert url.startswith("/files/transcripts/") and "download=revue-budget" in url
