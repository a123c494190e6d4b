"""Download names carry the time the page shows (Paris), not UTC: a recording made at 23:30 UTC on
1 December is the one of 2 December, 00:30, on the page and in its file names."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest

from tests.media_fixtures import make_video
from tests.test_pages import signed_in
from visio_core.entrypoints.bootstrap import set_context

LATE = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)


@pytest.fixture
def ctx_clock():
    return lambda: LATE


def test_the_recordings_page_names_downloads_in_paris_time(ctx, people, tmp_path):
    set_context(ctx)
    try:
        meeting = ctx.meetings.create_meeting(
            people.op1, client_id=people.client_a.id, title="Revue de nuit", scheduled_at=LATE
        )
        ctx.ingest.ingest_file(meeting.id, make_video(tmp_path / "nuit.webm", 1.0))
        test = signed_in(people.client_a, meeting=str(meeting.id))
        test.switch_page("pages/recordings.py")
        test.run()
        assert not test.exception
        shown = [c.value for c in test.dataframe][0]["Enregistré le"].tolist()
        assert shown == ["02/12/2026 00:30"]
        video = next(b for b in test.get("link_button") if "vidéo" in b.proto.label)
        name = parse_qs(urlparse(video.proto.url).query)["download"][0]
        assert name == "revue-de-nuit-20261202-0030.webm"
    finally:
        set_context(None)
