"""Shared pieces for browser tests: a real dashboard server and Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    """Until the dashboard at `url` answers its health check; RuntimeError with the log when `proc`
    exits first or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dashboard's process exited early:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the dashboard did not answer within {timeout:.0f} s:\n{log.read_text()[-4000:]}")


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m visio_core <args>` on this data folder (seed-demo, worker runs…)."""
    return subprocess.run(
        [sys.executable, "-m", "visio_core", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "VISIO_DATA_DIR": str(data_dir)},
    )


@contextmanager
def dashboard(data_dir: Path, extra_env: dict[str, str] | None = None, script: str = "app.py") -> Iterator[str]:
    """The dashboard on a free loopback port, yields its base URL once healthy.

    app.py runs as `make run` runs it: `python -m visio_core serve`, the dashboard and a worker
    process under the supervisor; another script runs alone under `streamlit run`."""
    port = free_port()
    env = {**os.environ, "VISIO_DATA_DIR": str(data_dir), **(extra_env or {})}
    data_dir.mkdir(parents=True, exist_ok=True)
    log = open(data_dir.parent / f"streamlit-{port}.log", "w")
    if script == "app.py":
        argv = [sys.executable, "-m", "visio_core", "serve", "--port", str(port), "--address", "127.0.0.1"]
    else:
        argv = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ]
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, Path(log.name), timeout=120)  # a cold start on a busy 2-core machine took over 60 s
        yield url
    finally:
        proc.terminate()  # the supervisor stops its dashboard and workers
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# True once the expander labelled `label` is open and has kept its height for one poll with no
# animation running: Streamlit slides an expander open over ~300 ms, and a click aimed at a button
# inside it while it slides lands its press on the button and its release beside it (no click).
_EXPANDER_SETTLED = """(label) => {
  const details = [...document.querySelectorAll('details')]
    .find((d) => d.querySelector('summary')?.innerText.includes(label));
  if (!details || !details.open) return false;
  const key = `${details.getBoundingClientRect().height}|${details.scrollTop}`;
  const unchanged = details.__visioLastBox === key;
  details.__visioLastBox = key;
  return unchanged && details.getAnimations({ subtree: true }).length === 0;
}"""


def open_expander(page, label: str) -> None:
    """Open the expander whose header reads `label` and wait until it has finished sliding open."""
    page.get_by_text(label, exact=True).click()
    page.wait_for_function(_EXPANDER_SETTLED, arg=label, polling=100, timeout=10_000)
