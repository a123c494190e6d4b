"""`python -m visio_core serve`: the dashboard and its workers, as `make run` starts them.

The dashboard (Streamlit, which also answers the webhook and the file routes) and the workers
are separate processes, so a transcription never shares the interpreter that answers requests:
Whisper is loaded by workers only. A worker that exits is started again after a pause that grows
while it keeps failing (1 s, 2 s … 30 s); stopping the supervisor (Ctrl+C, SIGTERM) or the
dashboard exiting stops everything. More workers on other machines run `python -m visio_core.worker`.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("visio.supervisor")

ROOT = Path(__file__).resolve().parents[2]
FIRST_PAUSE = 1.0
MAX_PAUSE = 30.0
HEALTHY_AFTER = 60.0  # a worker that ran this long starts again at once when it exits
STOP_GRACE = 10.0


@dataclass
class Child:
    """One supervised process."""

    name: str
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    pause: float = FIRST_PAUSE
    start_after: float = 0.0
    starts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env)
        self.started_at = time.monotonic()
        self.starts += 1
        log.info("%s started (pid %d)", self.name, self.process.pid)

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def schedule_restart(self) -> None:
        code = self.exited()
        ran = time.monotonic() - self.started_at
        self.pause = FIRST_PAUSE if ran >= HEALTHY_AFTER else min(MAX_PAUSE, self.pause * 2)
        self.start_after = time.monotonic() + (0.0 if ran >= HEALTHY_AFTER else self.pause)
        log.warning(
            "%s exited (code %s) after %.0f s; starting it again in %.0f s",
            self.name,
            code,
            ran,
            max(0.0, self.start_after - time.monotonic()),
        )
        self.process = None


def dashboard_argv(port: int, address: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def worker_argv() -> list[str]:
    return [sys.executable, "-m", "visio_core.worker"]


def serve(port: int, address: str, workers: int, stop: threading.Event | None = None) -> int:
    """Run until stopped or until the dashboard exits; returns the dashboard's exit code."""
    stop = stop or threading.Event()
    env = dict(os.environ)
    dashboard = Child("dashboard", dashboard_argv(port, address), env)
    pool = [Child(f"worker {n + 1}", worker_argv(), env) for n in range(workers)]
    dashboard.start()
    for worker in pool:
        worker.start()
    code = 0
    try:
        while not stop.wait(0.5):
            exited = dashboard.exited()
            if exited is not None:
                log.error("the dashboard exited (code %s): stopping the workers", exited)
                code = exited
                break
            for worker in pool:
                if worker.process is not None and worker.exited() is not None:
                    worker.schedule_restart()
                if worker.process is None and time.monotonic() >= worker.start_after:
                    worker.start()
    finally:
        _stop_all([*pool, dashboard])
    return code


def _stop_all(children: list[Child]) -> None:
    running = [c for c in children if c.process is not None and c.process.poll() is None]
    for child in running:
        assert child.process is not None
        child.process.terminate()
    deadline = time.monotonic() + STOP_GRACE
    for child in running:
        assert child.process is not None
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop in %.0f s: killed", child.name, STOP_GRACE)
            child.process.kill()
            child.process.wait()


def main(port: int, address: str, workers: int) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("Visio on http://%s:%d with %d worker(s)", address, port, workers)
    return serve(port, address, workers, stop)
