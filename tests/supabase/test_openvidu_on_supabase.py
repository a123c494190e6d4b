"""OpenVidu's recordings on a Supabase project: the dashboard's webhook queues them in Postgres, and a
worker on another machine (its own data folder, nothing shared but the project) fetches and transcribes them."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette

from tests.http_server import serve
from tests.media_fixtures import make_video
from tests.openvidu.fake_openvidu import FakeOpenVidu
from tests.supabase.project import ANON, SERVICE_KEY, URL, bearer, seeded_project
from visio_core.adapters.openvidu.webhook import WEBHOOK_PATH
from visio_core.domain.model import Identity, Role
from visio_core.domain.srt import Cue
from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.config import Settings
from visio_core.entrypoints.web import make_routes

WEBHOOK_SECRET = "webhook-secret-for-tests"


class Stub:
    name = "stub"

    def transcribe(self, path, *, language=None, on_progress=None, vocabulary=()):
        return [Cue(1, 0.0, 1.5, "Bonjour à tous")]


def settings_for(folder, ov: FakeOpenVidu) -> Settings:
    return Settings.load(
        env={
            "VISIO_DATA_DIR": str(folder),
            "SUPABASE_URL": URL,
            "SUPABASE_ANON_KEY": ANON,
            "SUPABASE_SERVICE_ROLE_KEY": SERVICE_KEY,
            "OPENVIDU_URL": ov.url,
            "OPENVIDU_SECRET": ov.secret,
            "OPENVIDU_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "VISIO_EMBEDDED_WORKER": "0",
        },
        secrets_file=folder / "none.toml",
    )


@pytest.fixture
def fake_ov(tmp_path):
    with FakeOpenVidu(
        recording_file=make_video(tmp_path / "ov.mp4", 2, video_codec="libx264", audio_codec="aac")
    ) as server:
        yield server


@pytest.mark.slow
def test_a_remote_worker_fetches_what_the_dashboard_webhook_queued(tmp_path, fake_ov):
    project = seeded_project()
    dashboard = build_context(
        settings_for(tmp_path / "dashboard", fake_ov), http=project.client(), retry_sleep=lambda s: None
    )
    worker = build_context(
        settings_for(tmp_path / "worker-machine", fake_ov),
        http=project.client(),
        retry_sleep=lambda s: None,
        transcriber=lambda: Stub(),
    )
    live = next(m for m in project.rest.rows["meetings"] if m["status"] == "in_progress")
    mikl = Identity(project.ids["mikl"], "mikl@foxeo.fr", "MiKL", Role.OPERATOR)
    claire = Identity(project.ids["claire"], "claire@client.fr", "Claire", Role.CLIENT, mikl.id)

    with serve(Starlette(routes=make_routes(lambda: dashboard))) as web:
        fake_ov.webhook_url = web + WEBHOOK_PATH
        fake_ov.webhook_headers = {"Authorization": f"Bearer {WEBHOOK_SECRET}"}
        meeting = dashboard.meetings.enter_room(claire, live["id"])
        dashboard.engine.open_session(meeting)
        fake_ov.join(dashboard.engine.join_token(claire, meeting))
        dashboard.meetings.end_meeting(mikl, meeting.id)  # closing the session stops the recording: ready
        fake_ov.flush_webhooks()
    assert [status for _, status in fake_ov.webhook_log if status is not None] and all(
        status == 200 for _, status in fake_ov.webhook_log
    )
    (queued,) = project.rest.rows["openvidu_downloads"]  # in the project, not in a dashboard's file
    assert queued["state"] == "pending" and queued["meeting_id"] == live["id"]

    assert worker.job_runner().run_until_idle() == 2  # the download, then its transcription
    assert queued["state"] == "ingested" and queued["lease_owner"] is None
    (recording,) = [r for r in project.rest.rows["meeting_recordings"] if r["meeting_id"] == live["id"]]
    assert recording["source_recording_id"] == queued["recording_id"]
    assert recording["transcription_status"] == "completed"
    key = recording["recording_url"].split("/", 1)[1]
    assert project.storage.objects[("recordings", key)] == fake_ov.recording_file.read_bytes()
    assert "Bonjour à tous" in project.storage.objects[("transcripts", f"{recording['id']}.srt")].decode()
    claims = [
        r
        for r in project.rest.requests
        if r.url.path.endswith("/rpc/claim_job") and json.loads(r.content)["queue"] == "openvidu_download"
    ]
    assert claims and {bearer(r) for r in claims} == {SERVICE_KEY}
    assert worker.job_runner().run_until_idle() == 0  # nothing twice
    dashboard.db.close()
    worker.db.close()
