"""Meetings set to `auto`: Whisper detects the language on the speech (past a silent start), and the page says so."""

from __future__ import annotations

import pytest

from tests.conftest import at
from tests.pipeline.test_recording_pages import open_recordings
from tests.transcription.helpers import FRENCH, LONG_ENGLISH, say, write_media
from visio_core.domain.model import TranscriptionStatus
from visio_core.entrypoints.bootstrap import set_context

pytestmark = pytest.mark.slow  # the real offline model


@pytest.mark.parametrize(
    "voice, text, expected, confident",
    [
        ("en", " ".join(line for line, _ in LONG_ENGLISH[:4]), "en", True),
        # espeak's French is a poor voice: Whisper recognises French, without much certainty, and says so
        ("fr", FRENCH, "fr", False),
    ],
)
def test_auto_detects_the_language_after_a_long_silence(ctx, people, tmp_path, voice, text, expected, confident):
    set_context(ctx)
    meeting = ctx.meetings.create_meeting(
        people.op1, client_id=people.client_a.id, title="Auto", scheduled_at=at(), language="auto"
    )
    speech = say("espeak-ng", tmp_path, voice, text, voice, 140, 0.3)
    # 40 s of silence first: Whisper's own detection looks at the first 30 s only.
    media = write_media(tmp_path / "late.mp4", speech, video="libx264", audio="aac", audio_start=40.0)
    recording, _ = ctx.ingest.ingest_file(meeting.id, media)
    assert recording.transcription_language == "auto"
    assert ctx.job_runner().run_until_idle() == 1
    done = ctx.system_recordings.get(recording.id)
    assert done.transcription_status is TranscriptionStatus.COMPLETED and done.transcription_language == expected
    transcript = ctx.recordings.transcript(people.client_a, recording.id)
    assert transcript.language == expected and transcript.low_confidence is not confident and transcript.cues
    assert all(cue.start >= 39.0 for cue in transcript.cues), transcript.cues  # nothing invented in the silence

    page = open_recordings(people.client_a, meeting=str(meeting.id))
    shown = " ".join(str(e.value) for e in (*page.caption, *page.warning))
    assert "Langue détectée" in shown and f"({expected})" in shown
    assert ("peu de certitude" in shown) is not confident
    set_context(None)
