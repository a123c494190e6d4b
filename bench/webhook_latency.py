"""Benchmark: how fast the OpenVidu webhook answers (it only queues; the download runs in a worker).

A strict fake OpenVidu (from the test suite) plays the media server; the dashboard's routes run
on uvicorn on loopback; deliveries are real HTTP requests with the Bearer secret.
Run: .venv/bin/python bench/webhook_latency.py  (prints a markdown table for docs/PERFORMANCE.md)
"""

from __future__ import annotations

import asyncio
import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from starlette.applications import Starlette

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.http_server import serve  # noqa: E402
from tests.openvidu.fake_openvidu import FakeOpenVidu  # noqa: E402
from visio_core.domain.model import Role, utcnow  # noqa: E402
from visio_core.entrypoints.bootstrap import build_context  # noqa: E402
from visio_core.entrypoints.config import Settings  # noqa: E402
from visio_core.entrypoints.web import make_routes  # noqa: E402

SEQUENTIAL = 300
CONCURRENT = 200


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


def main() -> None:
    secret = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory() as tmp, FakeOpenVidu() as fake:
        settings = Settings.load(
            env={
                "VISIO_DATA_DIR": tmp,
                "OPENVIDU_URL": fake.url,
                "OPENVIDU_SECRET": fake.secret,
                "OPENVIDU_WEBHOOK_SECRET": secret,
            },
            secrets_file=Path(tmp) / "none.toml",
        )
        ctx = build_context(settings, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        op = ctx.accounts.add_user(email="o@x.io", display_name="o", role=Role.OPERATOR, password="password-1")
        client = ctx.accounts.add_user(
            email="c@x.io", display_name="c", role=Role.CLIENT, password="password-1", operator_id=op.id
        )
        meeting = ctx.meetings.create_meeting(op, client_id=client.id, title="bench", scheduled_at=utcnow())
        meeting = ctx.meetings.start_meeting(op, meeting.id)
        # A fresh connection per delivery, as OpenVidu makes them; it also avoids a 40 ms delayed-ACK
        # stall that httpx keep-alive connections hit on loopback (curl shows < 1 ms for the same call).
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json", "Connection": "close"}

        def body(n: int) -> bytes:
            return json.dumps(
                {
                    "event": "recordingStatusChanged",
                    "timestamp": 1,
                    "sessionId": meeting.session_id,
                    "id": f"{meeting.session_id}~{n}",
                    "status": "ready",
                    "size": 1000,
                    "duration": 1.0,
                }
            ).encode()

        with serve(Starlette(routes=make_routes(lambda: ctx))) as url:
            sequential = []
            with httpx.Client() as http:
                for n in range(SEQUENTIAL):
                    started = time.perf_counter()
                    assert (
                        http.post(f"{url}/api/openvidu/webhook", content=body(n % 100), headers=headers).status_code
                        == 200
                    )
                    sequential.append((time.perf_counter() - started) * 1000)

            async def burst() -> list[float]:
                async with httpx.AsyncClient(timeout=30) as http:

                    async def one(n: int) -> float:
                        started = time.perf_counter()
                        response = await http.post(
                            f"{url}/api/openvidu/webhook", content=body(1000 + n % 50), headers=headers
                        )
                        assert response.status_code == 200
                        return (time.perf_counter() - started) * 1000

                    return await asyncio.gather(*(one(n) for n in range(CONCURRENT)))

            concurrent = asyncio.run(burst())
        print("| measure | p50 (ms) | p95 (ms) | max (ms) |")
        print("|---|---|---|---|")
        print(
            f"| {SEQUENTIAL} sequential deliveries (100 distinct recordings) | {statistics.median(sequential):.1f} | "
            f"{pct(sequential, 95):.1f} | {max(sequential):.1f} |"
        )
        print(
            f"| {CONCURRENT} concurrent deliveries (50 distinct recordings) | {statistics.median(concurrent):.1f} | "
            f"{pct(concurrent, 95):.1f} | {max(concurrent):.1f} |"
        )


if __name__ == "__main__":
    main()
