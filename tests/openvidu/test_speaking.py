"""Who spoke in an OpenVidu room: each page reports its participant's speaking, the recording's
transcript names the speaker of each line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.openvidu.conftest import fetch_due, join
from tests.pipeline.stubs import StubTranscriber
from visio_core.adapters.sqlite.web_sessions import COOKIE
from visio_core.domain.speakers import SpeakingEvent
from visio_core.domain.srt import Cue
from visio_core.entrypoints.web import make_routes
from visio_core.services.jobs import JobRunner, TranscriptionJobs

BASE = "http://dashboard.test"


@pytest.fixture
def client(ov_ctx):
    return TestClient(Starlette(routes=make_routes(lambda: ov_ctx)), base_url=BASE)


def cookie_of(ov_ctx, identity) -> dict[str, str]:
    return {COOKIE: ov_ctx.web_sessions.claim(ov_ctx.web_sessions.open_session(identity.id).claim)}


def report(client, meeting, cookies, body, **headers):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"/api/rooms/{meeting.id}/speaking",
        content=content,
        cookies=cookies,
        headers={"content-type": "application/json", "origin": BASE, **headers},
    )


def stored(ov_ctx, meeting) -> list[SpeakingEvent]:
    now = datetime.now(UTC)
    return ov_ctx.speaking.between(meeting.id, now - timedelta(hours=1), now + timedelta(hours=1))


def test_a_participant_reports_his_speaking_dated_by_the_server(ov_ctx, crew, client):
    meeting = crew.meeting()
    before = datetime.now(UTC)
    response = report(
        client,
        meeting,
        cookie_of(ov_ctx, crew.client),
        {"events": [{"kind": "start", "ago_ms": 3000}, {"kind": "stop", "ago_ms": 1000}]},
    )
    assert response.status_code == 204
    start, stop = stored(ov_ctx, meeting)
    assert (start.speaker, start.kind, stop.kind) == ("Claire Dupont", "start", "stop")
    assert before - timedelta(seconds=3.5) < start.at < stop.at < datetime.now(UTC)


@pytest.mark.parametrize("who, status", [("analyst", 403), ("stranger", 404), (None, 401)])
def test_only_the_rooms_participants_may_report(ov_ctx, crew, client, who, status):
    meeting = crew.meeting()
    cookies = cookie_of(ov_ctx, getattr(crew, who)) if who else {}
    assert report(client, meeting, cookies, {"events": [{"kind": "start", "ago_ms": 0}]}).status_code == status
    assert stored(ov_ctx, meeting) == []


def test_a_meeting_not_in_progress_takes_no_report(ov_ctx, crew, client):
    meeting = crew.meeting(start=False)
    assert (
        report(
            client, meeting, cookie_of(ov_ctx, crew.client), {"events": [{"kind": "start", "ago_ms": 0}]}
        ).status_code
        == 409
    )


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        {"events": "start"},
        {"events": [{"kind": "shout", "ago_ms": 0}]},
        {"events": [{"kind": "start", "ago_ms": -5}]},
        {"events": [{"kind": "start", "ago_ms": 10**12}]},
        {"events": [{"kind": "start", "ago_ms": True}]},
        {"events": [{"kind": "start", "ago_ms": 0}]} | {"events": [{"kind": "start"}] * 501},
    ],
)
def test_malformed_reports_are_refused_and_change_nothing(ov_ctx, crew, client, body):
    meeting = crew.meeting()
    assert report(client, meeting, cookie_of(ov_ctx, crew.client), body).status_code == 400
    assert stored(ov_ctx, meeting) == []


def test_oversize_and_cross_site_reports_are_refused(ov_ctx, crew, client):
    meeting = crew.meeting()
    cookies = cookie_of(ov_ctx, crew.client)
    assert report(client, meeting, cookies, b"{" + b" " * 70_000 + b"}").status_code == 413
    assert report(client, meeting, cookies, {"events": []}, origin="https://evil.example").status_code == 403
    assert stored(ov_ctx, meeting) == []


def test_the_recordings_transcript_names_who_spoke(ov_ctx, crew, fake_ov, tmp_path):
    from tests.media_fixtures import make_video

    fake_ov.recording_file = make_video(tmp_path / "ov.mp4", 2, video_codec="libx264", audio_codec="aac")
    meeting = crew.meeting()
    fake_ov.join(join(ov_ctx, crew.client, meeting))
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    (recording,) = fake_ov.recordings.values()
    recording.duration = 4.0  # as if the meeting had lasted four seconds
    began = datetime.fromtimestamp(recording.created_at / 1000, UTC)
    ov_ctx.speaking.add(
        meeting.id,
        [
            SpeakingEvent("MiKL", "start", began + timedelta(seconds=0.1)),
            SpeakingEvent("MiKL", "stop", began + timedelta(seconds=1.9)),
            SpeakingEvent("Claire Dupont", "start", began + timedelta(seconds=2.1)),  # still speaking at the end
        ],
    )
    assert fetch_due(ov_ctx.downloads) == 1

    class Dialogue(StubTranscriber):
        def transcribe(self, media_path, *, language, on_progress=None, vocabulary=()):
            return [Cue(1, 0.2, 1.8, "Bonjour Claire."), Cue(2, 2.2, 3.8, "Bonjour !")]

    JobRunner([TranscriptionJobs(ov_ctx.system_recordings, ov_ctx.storage, Dialogue, ov_ctx.index)]).run_until_idle()
    (row,) = ov_ctx.recordings.list_recordings(crew.op, meeting.id)
    cues = ov_ctx.recordings.transcript(crew.client, row.id).cues
    assert [(c.speaker, c.text) for c in cues] == [("MiKL", "Bonjour Claire."), ("Claire Dupont", "Bonjour !")]
