"""kill -9 of a worker process in the middle of a download: another worker finishes it within a
lease, once, and nothing half-written is left behind."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.browser_support import ROOT
from tests.media_fixtures import make_video
from tests.openvidu.conftest import join

pytestmark = pytest.mark.slow

LEASE = 3.0  # seconds (VISIO_JOB_LEASE_SECONDS): the real default is 30


def worker(ov_settings, until_idle: bool) -> subprocess.Popen:
    env = {
        **os.environ,
        "VISIO_DATA_DIR": str(ov_settings.data_dir),
        "OPENVIDU_URL": ov_settings.openvidu_url,
        "OPENVIDU_SECRET": ov_settings.openvidu_secret,
        "VISIO_JOB_LEASE_SECONDS": str(LEASE),
    }
    argv = [sys.executable, "-m", "visio_core.worker", *(["--until-idle"] if until_idle else [])]
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def download_row(ov_settings, recording_id: str) -> dict:
    with sqlite3.connect(ov_settings.database_path) as db:
        db.row_factory = sqlite3.Row
        return dict(db.execute("SELECT * FROM openvidu_downloads WHERE recording_id = ?", (recording_id,)).fetchone())


def test_a_download_cut_by_kill_9_is_finished_by_another_worker(ov_ctx, ov_settings, crew, fake_ov, tmp_path):
    fake_ov.recording_file = make_video(tmp_path / "ov.mp4", 3, video_codec="libx264", audio_codec="aac")
    fake_ov.download_seconds = 30.0  # long enough to be killed in the middle
    meeting = crew.meeting()
    fake_ov.join(join(ov_ctx, crew.client, meeting))
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)  # reconciliation queues the recording
    recording_id = meeting.session_id

    first = worker(ov_settings, until_idle=False)
    deadline = time.monotonic() + 30
    while download_row(ov_settings, recording_id)["state"] != "downloading" and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # some of the file is on disk now
    assert list((ov_settings.data_dir / "tmp").glob(".spool-*")), "the download is under way"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = time.monotonic()

    fake_ov.download_seconds = 0.0
    second = worker(ov_settings, until_idle=False)
    try:
        while download_row(ov_settings, recording_id)["state"] != "ingested":
            assert time.monotonic() - killed_at < 60, download_row(ov_settings, recording_id)
            time.sleep(0.2)
        taken_back_after = time.monotonic() - killed_at
    finally:
        second.terminate()
        second.wait(timeout=20)
    row = download_row(ov_settings, recording_id)
    assert row["attempts"] == 2 and row["lease_owner"] is None
    assert taken_back_after < LEASE + 10  # the lease ran out, then the next poll took it
    with sqlite3.connect(ov_settings.database_path) as db:
        (rows,) = db.execute(
            "SELECT COUNT(*) FROM meeting_recordings WHERE meeting_id = ?", (str(meeting.id),)
        ).fetchone()
    assert rows == 1
    assert list(ov_settings.data_dir.rglob(".spool-*")) == []  # the killed worker's half file is gone
    stored = list((ov_settings.storage_dir / "recordings").rglob("*.mp4"))
    assert [p.read_bytes() for p in stored] == [fake_ov.recording_file.read_bytes()]
