"""Benchmark: the OpenVidu webhook under a burst while a worker transcribes, as `make run` serves it.

`python -m visio_core serve` runs the dashboard and one worker process on a fresh data folder,
with a strict fake OpenVidu standing by. A long speech recording is queued first, so the worker
is busy with Whisper during the whole burst. Then 500 deliveries go out at concurrency 50, a fresh
connection each (as OpenVidu sends them): 20 % repeat an earlier delivery, 10 % carry a wrong
secret, 5 % are not JSON; the rest announce distinct recordings. The same burst runs once more
with the worker idle, for comparison.

Goal (issue "production shape"): no 5xx, one queue row per distinct recording, p99 ≤ 200 ms.
Run: .venv/bin/python bench/webhook_under_load.py   (prints markdown for docs/PERFORMANCE.md)
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.openvidu.fake_openvidu import FakeOpenVidu  # noqa: E402
from tests.transcription.helpers import LONG_ENGLISH, say, write_media  # noqa: E402
from visio_core.domain.model import Role, utcnow  # noqa: E402
from visio_core.entrypoints.bootstrap import build_context  # noqa: E402
from visio_core.entrypoints.config import Settings  # noqa: E402

DELIVERIES = 500
CONCURRENCY = 50


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def deliveries(session_id: str, secret: str, offset: int) -> list[tuple[str, bytes, dict[str, str]]]:
    """(kind, body, headers): 65 % new recordings, 20 % duplicates, 10 % forged, 5 % malformed."""
    rng = random.Random(7 + offset)
    good = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json", "Connection": "close"}
    forged = {**good, "Authorization": f"Bearer {secrets.token_urlsafe(24)}"}
    plan: list[tuple[str, bytes, dict[str, str]]] = []
    sent: list[bytes] = []
    for n in range(DELIVERIES):
        roll = rng.random()
        if roll < 0.10:
            plan.append(("forged", b'{"event": "recordingStatusChanged"}', forged))
        elif roll < 0.15:
            plan.append(("malformed", b"{not json", good))
        elif roll < 0.35 and sent:
            plan.append(("duplicate", rng.choice(sent), good))
        else:
            body = json.dumps(
                {
                    "event": "recordingStatusChanged",
                    "timestamp": 1,
                    "sessionId": session_id,
                    "id": f"{session_id}~{offset + n}",
                    "status": "ready",
                    "size": 1000,
                    "duration": 1.0,
                }
            ).encode()
            sent.append(body)
            plan.append(("new", body, good))
    return plan


async def burst(url: str, plan: list[tuple[str, bytes, dict[str, str]]]) -> list[tuple[str, int, float]]:
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as http:

        async def one(kind: str, body: bytes, headers: dict[str, str]) -> tuple[str, int, float]:
            async with gate:
                started = time.perf_counter()
                response = await http.post(f"{url}/api/openvidu/webhook", content=body, headers=headers)
                return kind, response.status_code, (time.perf_counter() - started) * 1000

        return await asyncio.gather(*(one(*d) for d in plan))


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


def row(label: str, results: list[tuple[str, int, float]]) -> str:
    times = [ms for _, _, ms in results]
    server_errors = sum(1 for _, status, _ in results if status >= 500)
    return (
        f"| {label} | {statistics.median(times):.1f} | {pct(times, 95):.1f} | {pct(times, 99):.1f} | "
        f"{max(times):.1f} | {server_errors} |"
    )


def main() -> None:
    secret = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory() as tmp, FakeOpenVidu() as fake:
        data = Path(tmp) / "data"
        env = {
            "VISIO_DATA_DIR": str(data),
            "OPENVIDU_URL": fake.url,
            "OPENVIDU_SECRET": fake.secret,
            "OPENVIDU_WEBHOOK_SECRET": secret,
        }
        ctx = build_context(
            Settings.load(env=env, secrets_file=Path(tmp) / "none.toml"),
            hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
        )
        op = ctx.accounts.add_user(email="o@x.io", display_name="o", role=Role.OPERATOR, password="password-1")
        client = ctx.accounts.add_user(
            email="c@x.io", display_name="c", role=Role.CLIENT, password="password-1", operator_id=op.id
        )
        meeting = ctx.meetings.start_meeting(
            op, ctx.meetings.create_meeting(op, client_id=client.id, title="bench", scheduled_at=utcnow()).id
        )
        speech = say("espeak-ng", Path(tmp), "en", " ".join(s for s, _ in LONG_ENGLISH) * 3, "en", 150, 0.3)
        media = write_media(Path(tmp) / "long.mp4", speech, video=None, audio="aac")
        recording, _ = ctx.ingest.ingest_file(meeting.id, media)

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "visio_core", "serve", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)

            def transcription() -> str:
                with sqlite3.connect(ctx.settings.database_path) as db:
                    return str(
                        db.execute(
                            "SELECT transcription_status FROM meeting_recordings WHERE id = ?", (str(recording.id),)
                        ).fetchone()[0]
                    )

            while transcription() != "processing":
                time.sleep(0.2)
            busy_plan = deliveries(meeting.session_id or "", secret, 0)
            busy = asyncio.run(burst(url, busy_plan))
            status_during = transcription()
            while transcription() == "processing":
                time.sleep(0.5)
            idle_plan = deliveries(meeting.session_id or "", secret, 10_000)
            idle = asyncio.run(burst(url, idle_plan))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        with sqlite3.connect(ctx.settings.database_path) as db:
            rows = db.execute("SELECT COUNT(*) FROM openvidu_downloads").fetchone()[0]
        distinct = len({body for kind, body, _ in busy_plan + idle_plan if kind == "new"})
        statuses: dict[str, set[int]] = {}
        for (kind, _, _), (_, status, _) in zip(busy_plan + idle_plan, busy + idle, strict=True):
            statuses.setdefault(kind, set()).add(status)

    print(f"{DELIVERIES} deliveries at concurrency {CONCURRENCY}, twice; a fresh connection each.\n")
    print("| burst | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | 5xx |")
    print("|---|---|---|---|---|---|")
    print(row(f"while the worker transcribes ({status_during} at the end)", busy))
    print(row("worker idle", idle))
    print(
        f"\nqueue rows: {rows} for {distinct} distinct recordings announced; answers by kind: "
        + ", ".join(f"{kind} {sorted(codes)}" for kind, codes in sorted(statuses.items()))
    )


if __name__ == "__main__":
    main()
