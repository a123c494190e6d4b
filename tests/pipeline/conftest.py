from __future__ import annotations

from pathlib import Path

import pytest

from tests.transcription.helpers import FRENCH, say, write_media


@pytest.fixture(scope="session")
def speech_mp4(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pipeline-media")
    # espeak's French is hard for whisper-base: slow speech with pauses around it works.
    speech = say("espeak-ng", folder, "fr", FRENCH, "fr", 110, 0.7)
    return write_media(folder / "meeting.mp4", speech, video="libx264", audio="aac")


@pytest.fixture(scope="session")
def video_only(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pipeline-video")
    return write_media(folder / "silent.mp4", None, video="libx264", audio=None, seconds=1.0)


@pytest.fixture
def meeting(ctx, people):
    from tests.conftest import at

    return ctx.meetings.create_meeting(
        people.op1, client_id=people.client_a.id, title="Revue budget", scheduled_at=at()
    )
