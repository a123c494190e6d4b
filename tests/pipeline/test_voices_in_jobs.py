"""Imported recordings get "Intervenant 1/2…" by voice; room recordings keep the names their room gave."""

from __future__ import annotations

import pytest

from tests.conftest import Clock
from tests.transcription import conversation
from visio_core.adapters.transcription.voices import VoiceClusters
from visio_core.domain import speakers
from visio_core.domain.model import TranscriptionStatus
from visio_core.domain.srt import Cue
from visio_core.entrypoints.transcription import build_voice_clustering
from visio_core.services.jobs import JobRunner, TranscriptionJobs


@pytest.fixture
def ctx_clock(clock: Clock) -> Clock:
    return clock


class Dialogue:
    """Three lines, as a transcriber would give them."""

    name = "stub"

    def transcribe(self, media_path, *, language, on_progress=None, vocabulary=()):
        return [Cue(1, 0.1, 1.4, "Bonjour."), Cue(2, 1.6, 2.9, "Bonjour à vous."), Cue(3, 3.0, 3.5, "Euh.")]


class Voices:
    """The VoiceClustering port answering fixed groups (the real one is proven in tests/transcription)."""

    name = "fixed"

    def __init__(self, groups=None, fail=False):
        self.groups, self.fail, self.calls = groups, fail, 0

    def cluster(self, media_path, spans, *, speakers=None):
        self.calls += 1
        if self.fail:
            raise RuntimeError("encoder broke")
        return self.groups[: len(spans)]


def run(ctx, clock, transcriber, voices) -> None:
    jobs = TranscriptionJobs(
        ctx.system_recordings, ctx.storage, lambda: transcriber, ctx.index, clock=clock, voices=voices
    )
    assert JobRunner([jobs], clock=clock).run_once()


def test_an_imported_file_gets_numbered_speakers(ctx, people, meeting, speech_mp4, clock):
    recording, _ = ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="import:1")
    run(ctx, clock, Dialogue(), Voices([0, 1, None]))
    transcript = ctx.recordings.transcript(people.op1, recording.id)
    assert [c.speaker for c in transcript.cues] == ["Intervenant 1", "Intervenant 2", None]
    renamed = ctx.recordings.rename_speaker(people.op1, recording.id, "Intervenant 2", "Claire Martin")
    assert renamed.speakers == ["Intervenant 1", "Claire Martin"]


def test_a_room_timeline_wins_over_voices(ctx, people, meeting, speech_mp4, clock, tmp_path):
    timeline = tmp_path / "t.speakers.json"
    timeline.write_text(speakers.to_json(speakers.SpeakingTimeline({"MiKL": [-20.0] * 40})))
    recording, _ = ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="embedded:1", speaking=timeline)
    voices = Voices([0, 1, 0])
    run(ctx, clock, Dialogue(), voices)
    assert voices.calls == 0
    assert {c.speaker for c in ctx.recordings.transcript(people.op1, recording.id).cues} == {"MiKL"}


def test_a_room_without_speaking_events_is_grouped_by_voice(ctx, people, meeting, speech_mp4, clock, tmp_path):
    """An OpenVidu COMPOSED recording whose pages sent no speaking event has an empty timeline."""
    timeline = tmp_path / "t.speakers.json"
    timeline.write_text(speakers.to_json(speakers.SpeakingTimeline({})))
    recording, _ = ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="openvidu:1", speaking=timeline)
    run(ctx, clock, Dialogue(), Voices([0, 0, 1]))
    assert [c.speaker for c in ctx.recordings.transcript(people.op1, recording.id).cues] == [
        "Intervenant 1",
        "Intervenant 1",
        "Intervenant 2",
    ]


def test_without_voices_or_when_they_fail_nothing_is_invented(ctx, people, meeting, speech_mp4, clock):
    first, _ = ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="import:a")
    run(ctx, clock, Dialogue(), None)
    second, _ = ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="import:b")
    run(ctx, clock, Dialogue(), Voices(fail=True))
    for recording in (first, second):
        assert ctx.system_recordings.get(recording.id).transcription_status is TranscriptionStatus.COMPLETED
        assert ctx.recordings.transcript(people.op1, recording.id).speakers == []


@pytest.mark.slow  # the real weights
def test_voices_are_on_only_when_their_weights_are_installed(settings, tmp_path, voice_weights):
    from dataclasses import replace

    assert build_voice_clustering(replace(settings, voice_encoder=tmp_path / "absent.pt")) is None
    assert isinstance(build_voice_clustering(replace(settings, voice_encoder=voice_weights)), VoiceClusters)


@pytest.mark.slow
def test_an_imported_conversation_through_whisper_names_its_three_voices(
    ctx, people, meeting, clock, tmp_path, voice_weights, mbrola
):
    """Real speech, real Whisper cues, real voice encoder: the lines go to the right person."""
    talk = conversation.build(mbrola, tmp_path / "three.wav", conversation.TURNS)
    recording, _ = ctx.ingest.ingest_file(meeting.id, talk.path, source_recording_id="import:talk", language="en")
    from visio_core.adapters.transcription.local import LocalWhisperTranscriber

    run(ctx, clock, LocalWhisperTranscriber(ctx.settings.whisper_model_dir), VoiceClusters(voice_weights))
    cues = ctx.recordings.transcript(people.op1, recording.id).cues
    assert len(cues) >= len(talk.turns) // 2
    labels = {c.speaker for c in cues}
    assert labels == {"Intervenant 1", "Intervenant 2", "Intervenant 3"}
    truth = [conversation.true_speaker(talk, c.start, c.end) for c in cues]
    assert conversation.share_right(truth, [c.speaker for c in cues]) >= 0.9
