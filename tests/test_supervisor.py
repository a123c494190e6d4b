"""`python -m visio_core serve` (what `make run` starts): the dashboard and a worker as separate processes."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.browser_support import ROOT, free_port

pytestmark = pytest.mark.slow


def cli(data_dir: Path, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "visio_core", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "VISIO_DATA_DIR": str(data_dir)},
    ).stdout


def wait(condition, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def pids(log: Path, name: str) -> list[int]:
    return [int(p) for p in re.findall(rf"{name} started \(pid (\d+)\)", log.read_text())]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state not in ("Z", "X")  # a zombie is gone, only not yet reaped


def test_the_dashboard_and_its_supervised_worker(tmp_path):
    from tests.transcription.helpers import FRENCH, say, write_media

    data = tmp_path / "data"
    cli(data, "seed-demo")
    with sqlite3.connect(data / "visio.sqlite3") as db:
        (meeting,) = db.execute("SELECT id FROM meetings WHERE status = 'completed' LIMIT 1").fetchone()
    media = write_media(
        tmp_path / "speech.mp4", say("espeak-ng", tmp_path, "fr", FRENCH, "fr", 120, 0.5), video="libx264", audio="aac"
    )
    cli(data, "ingest", str(media), "--meeting", meeting)  # queued before anything serves

    port, log = free_port(), tmp_path / "serve.log"
    with open(log, "w") as out:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "visio_core", "serve", "--port", str(port), "--workers", "1"],
            cwd=ROOT,
            env={**os.environ, "VISIO_DATA_DIR": str(data)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # No page is ever opened: the worker process transcribes the queue by itself.
        def transcribed():
            with sqlite3.connect(data / "visio.sqlite3") as db:
                row = db.execute(
                    "SELECT transcription_status FROM meeting_recordings WHERE meeting_id = ?", (meeting,)
                ).fetchone()
            return row and row[0] == "completed"

        wait(transcribed, "the worker process to transcribe the queued recording", timeout=180)
        health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5)
        assert health.status_code == 200 and health.json()["backends"]["store"] == "sqlite"

        (dashboard,) = pids(log, "dashboard")
        (worker,) = pids(log, "worker 1")
        maps = Path(f"/proc/{dashboard}/maps").read_text()
        assert "ctranslate2" not in maps and "faster_whisper" not in maps  # Whisper lives in the worker only
        assert "ctranslate2" in Path(f"/proc/{worker}/maps").read_text()

        os.kill(worker, signal.SIGKILL)  # a crash: the supervisor starts another
        restarted = wait(lambda: [p for p in pids(log, "worker 1") if p != worker], "the worker's restart", 30)
        assert alive(restarted[0]) and alive(dashboard)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=30)
    assert supervisor.returncode == 0
    for pid in pids(log, "dashboard") + pids(log, "worker 1"):
        assert not alive(pid), f"process {pid} outlived the supervisor"
