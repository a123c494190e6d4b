"""The Hub's change digest: the same while nothing changes, a new one for every change its list
shows (made by anyone, anywhere), and only for the operator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.conftest import Clock, at
from tests.room.route_support import cookie
from visio_core.adapters.sqlite.web_sessions import COOKIE
from visio_core.domain.errors import Forbidden
from visio_core.entrypoints.web import make_routes
from visio_core.services.hub_changes import hub_digest


@pytest.fixture
def ctx_clock(clock: Clock) -> Clock:
    return clock  # the whole context runs on the hand-driven clock (leases, heartbeats)


def digest(ctx, who) -> str:
    return hub_digest(ctx.meetings, ctx.recordings, who)


def test_the_digest_moves_with_every_change_the_hub_shows(ctx, people, meeting, speech_mp4, clock):
    before = digest(ctx, people.op1)
    assert digest(ctx, people.op1) == before  # nothing changed: no rerun

    seen = {before}
    ctx.meetings.start_meeting(people.op1, meeting.id)  # from the room, another tab, a webhook…
    seen.add(digest(ctx, people.op1))
    ctx.meetings.create_meeting(people.op1, client_id=people.client_a.id, title="Autre", scheduled_at=at())
    seen.add(digest(ctx, people.op1))
    recording = ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="src-hub")[0]  # a new job
    seen.add(digest(ctx, people.op1))
    ctx.system_recordings.claim("w", clock(), timedelta(minutes=5))
    seen.add(digest(ctx, people.op1))
    assert ctx.system_recordings.renew(recording.id, "w", clock() + timedelta(seconds=30), 0.4)  # progress
    seen.add(digest(ctx, people.op1))
    assert len(seen) == 6

    for outsider in (people.client_a, people.analyst):
        with pytest.raises(Forbidden):
            digest(ctx, outsider)


def test_the_route_answers_the_operator_only(ctx, people):
    with TestClient(Starlette(routes=make_routes(lambda: ctx)), base_url="http://dashboard.test") as client:
        assert client.get("/api/hub/changes").status_code == 401
        client.cookies.set(COOKIE, "forged-session")
        assert client.get("/api/hub/changes").status_code == 401
        for who, status in ((people.client_a, 403), (people.analyst, 403), (people.op1, 200)):
            client.cookies.clear()
            for name, value in cookie(ctx, who).items():
                client.cookies.set(name, value)
            answer = client.get("/api/hub/changes")
            assert answer.status_code == status, answer.text
            if status == 200:
                assert answer.json() == {"version": digest(ctx, people.op1)}
                assert answer.headers["cache-control"] == "no-store"
            else:
                assert "version" not in answer.json() and answer.json()["error"]
