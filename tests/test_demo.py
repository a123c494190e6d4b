import pytest

from visio_core.domain.model import MeetingStatus
from visio_core.entrypoints.demo import CLIENT_EMAILS, DEMO_PASSWORD, OPERATOR_EMAIL, seed_demo


def test_demo_has_every_status_and_working_logins(ctx):
    assert seed_demo(ctx) is True
    mikl = ctx.accounts.authenticate(OPERATOR_EMAIL, DEMO_PASSWORD)
    counts = ctx.meetings.count_by_status(mikl)
    assert all(counts[s] >= 1 for s in MeetingStatus)
    completed = ctx.meetings.list_meetings(mikl, statuses=["completed"]).items
    assert all(m.duration_seconds and m.duration_seconds > 60 for m in completed)
    for email in CLIENT_EMAILS:
        client = ctx.accounts.authenticate(email, DEMO_PASSWORD)
        mine = ctx.meetings.list_meetings(client).items
        assert mine and all(m.client_id == client.id for m in mine)
    assert seed_demo(ctx) is False


@pytest.mark.slow  # the real offline model
def test_the_demo_meeting_has_a_recording_with_two_speakers(ctx):
    """What a newcomer opens first: a finished meeting, its recording, a transcript naming both voices."""
    from visio_core.domain.model import TranscriptionStatus

    seed_demo(ctx)
    mikl = ctx.accounts.authenticate(OPERATOR_EMAIL, DEMO_PASSWORD)
    (meeting,) = [
        m for m in ctx.meetings.list_meetings(mikl, statuses=["completed"]).items if m.title.startswith("Weekly")
    ]
    (recording,) = ctx.recordings.list_recordings(mikl, meeting.id)
    assert recording.transcription_status is TranscriptionStatus.PENDING and recording.transcription_language == "en"
    assert recording.recording_duration_seconds > 20
    assert ctx.job_runner().run_until_idle() == 1  # what the worker of `make run` does on its own
    cues = ctx.recordings.transcript(mikl, recording.id).cues
    assert [c.speaker for c in cues[:2]] == ["MiKL", "Claire Martin"]
    assert any("photographer" in c.text for c in cues)
    (hit,) = ctx.recordings.search_transcripts(mikl, "photographer")
    assert hit.speaker == "Claire Martin"
