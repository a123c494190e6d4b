"""A context with a chat model configured the way production does it (environment variables),
pointing at the strict chat completions fake on loopback, and a transcribed meeting to summarise."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tests.conftest import FAST_HASHER, at
from tests.media_fixtures import make_video
from tests.summary.openai_chat_server import chat_server
from visio_core.domain.srt import Cue
from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.config import Settings
from visio_core.services.jobs import JobRunner

KEY = f"test-{secrets.token_hex(16)}"  # generated per run: no key-shaped literal in git
MODEL = "resume-test"

# A meeting as the scripted transcriber hears it: who said what, when.
LINES = [
    Cue(1, 0.0, 3.0, "Bonjour à tous, on fait le point sur le budget.", "Claire"),
    Cue(2, 3.0, 7.5, "Nous avons décidé de valider le budget du troisième trimestre.", "MiKL"),
    Cue(3, 7.5, 11.0, "Bruno doit envoyer le devis avant vendredi.", "Claire"),
    Cue(4, 11.0, 14.0, "Il faut aussi revoir le planning.", "MiKL"),
    Cue(5, 14.0, 18.25, "Claire doit relire le contrat signé.", "MiKL"),
]


class Scripted:
    name = "scripted"

    def __init__(self, cues: list[Cue]) -> None:
        self.cues = cues

    def transcribe(self, media_path, *, language, on_progress=None, vocabulary=()):
        return list(self.cues)


@pytest.fixture(scope="session")
def meeting_media(tmp_path_factory) -> Path:
    return make_video(
        tmp_path_factory.mktemp("summary-media") / "meeting.mp4", 2.0, video_codec="libx264", audio_codec="aac"
    )


@pytest.fixture
def chat():
    with chat_server(KEY, models=(MODEL,)) as server:
        yield server


def summary_settings(tmp_path: Path, chat, **extra: str) -> Settings:
    env = {
        "VISIO_DATA_DIR": str(tmp_path / "data"),
        "OPENAI_API_KEY": KEY,
        "OPENAI_BASE_URL": chat.base_url,
        "VISIO_SUMMARY_MODEL": MODEL,
        **extra,
    }
    return Settings.load(env=env, secrets_file=tmp_path / "none.toml")


@pytest.fixture
def cues() -> list[Cue]:
    return list(LINES)


@pytest.fixture
def summary_env() -> dict[str, str]:
    return {}


@pytest.fixture
def ctx(tmp_path, chat, engine, cues, clock, summary_env):
    """The whole context, summaries on (the chat model from the settings, as in production)."""
    context = build_context(
        summary_settings(tmp_path, chat, **summary_env),
        engine=engine,
        hasher=FAST_HASHER,
        transcriber=lambda: Scripted(cues),
        clock=clock,
    )
    yield context
    context.db.close()


@pytest.fixture
def transcribed(ctx, people, meeting_media):
    """A finished meeting of client A, its recording transcribed (which asks for its summary)."""
    m = ctx.meetings
    meeting = m.create_meeting(people.op1, client_id=people.client_a.id, title="Revue budget", scheduled_at=at())
    m.start_meeting(people.op1, meeting.id)
    m.end_meeting(people.op1, meeting.id)
    recording = ctx.ingest.ingest_file(meeting.id, meeting_media, source_recording_id="s")[0]
    runner = JobRunner(ctx.job_kinds()[:1], clock=ctx.clock)  # transcription only: summaries wait
    assert runner.run_until_idle() == 1
    return meeting, recording
