"""Benchmark: list_meetings and the Hub page on 100,000 meetings over 200 clients.

Run: .venv/bin/python bench/list_meetings.py  (prints a markdown table for docs/PERFORMANCE.md)
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from argon2 import PasswordHasher  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from visio_core.adapters.sqlite.database import to_db_time  # noqa: E402
from visio_core.domain.model import Identity, MeetingStatus, Role, Tier, utcnow  # noqa: E402
from visio_core.entrypoints.bootstrap import build_context, set_context  # noqa: E402
from visio_core.entrypoints.config import Settings  # noqa: E402

MEETINGS = 100_000
CLIENTS = 200
QUERIES = 300


def populate(ctx, hasher: PasswordHasher) -> tuple[Identity, list[Identity]]:
    now = utcnow()
    pw = hasher.hash("bench-password")
    operator = Identity(uuid.uuid4(), "op@bench.io", "Bench operator", Role.OPERATOR)
    ctx.accounts.users.add(operator, pw, now)
    clients = []
    for i in range(CLIENTS):
        client = Identity(uuid.uuid4(), f"c{i}@bench.io", f"Client {i:03d}", Role.CLIENT, operator.id, Tier.LAB)
        ctx.accounts.users.add(client, pw, now)
        clients.append(client)
    rng = random.Random(7)
    statuses = [s.value for s in MeetingStatus]
    rows = []
    for i in range(MEETINGS):
        when = now + timedelta(minutes=rng.randint(-500_000, 500_000))
        rows.append(
            (
                str(uuid.uuid4()),
                str(rng.choice(clients).id),
                str(operator.id),
                f"Meeting {i}",
                "",
                to_db_time(when),
                rng.choice(statuses),
                to_db_time(now),
                to_db_time(now),
            )
        )
    with ctx.db.transaction() as conn:
        conn.executemany(
            "INSERT INTO meetings (id, client_id, operator_id, title, description, scheduled_at, status, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.execute("ANALYZE")
    return operator, clients


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(env={"VISIO_DATA_DIR": tmp}, secrets_file=Path(tmp) / "none.toml")
        hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        ctx = build_context(settings, hasher=hasher)
        start = time.perf_counter()
        operator, clients = populate(ctx, hasher)
        print(f"populated {MEETINGS} meetings in {time.perf_counter() - start:.1f} s", file=sys.stderr)

        rng = random.Random(11)
        timings = []
        for _ in range(QUERIES):
            client = rng.choice(clients)
            status = rng.choice(list(MeetingStatus))
            t0 = time.perf_counter()
            page = ctx.meetings.list_meetings(operator, statuses=[status], client_id=client.id, page_size=50)
            timings.append((time.perf_counter() - t0) * 1000)
            assert all(m.client_id == client.id and m.status is status for m in page.items)
        unfiltered = []
        for _ in range(50):
            t0 = time.perf_counter()
            ctx.meetings.list_meetings(operator, statuses=["scheduled"], page_size=50, page=rng.randint(1, 100))
            ctx.meetings.count_by_status(operator)
            unfiltered.append((time.perf_counter() - t0) * 1000)

        set_context(ctx)
        page_times = []
        root = Path(__file__).resolve().parent.parent
        for i in range(15):
            app = AppTest.from_file(str(root / "Home.py"), default_timeout=60)
            app.session_state["visio_user_id"] = operator.id
            app.session_state["visio_last_seen"] = time.monotonic()
            app.query_params["status"] = "in_progress"
            app.query_params["client"] = str(clients[i].id)
            t0 = time.perf_counter()
            app.run()
            page_times.append((time.perf_counter() - t0) * 1000)
            assert not app.exception and app.dataframe

        print("| measure | p50 (ms) | p95 (ms) |")
        print("|---|---|---|")
        print(
            f"| list_meetings, status + client filter, 50 rows ({QUERIES} queries) | "
            f"{statistics.median(timings):.2f} | {percentile(timings, 95):.2f} |"
        )
        print(
            f"| list_meetings status only (random page) + count_by_status (50 runs) | "
            f"{statistics.median(unfiltered):.2f} | {percentile(unfiltered, 95):.2f} |"
        )
        print(
            f"| Hub page server run through AppTest, status + client filter (15 runs) | "
            f"{statistics.median(page_times):.1f} | {percentile(page_times, 95):.1f} |"
        )


if __name__ == "__main__":
    main()
