"""Benchmark: ingest of a >= 1 GB recording vs a plain copy of the same bytes (peak RSS, wall time).

Run: .venv/bin/python bench/ingest_large.py   (prints a markdown table for docs/PERFORMANCE.md)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE_GB = 1.1

PROBE = r"""
import json, resource, shutil, sys, time
from datetime import datetime, timezone
from pathlib import Path
sys.path.insert(0, sys.argv[4])
mode, source, data = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if mode == "copy":
    t0 = time.perf_counter()
    shutil.copyfile(source, data / "copy.wav")
    elapsed = time.perf_counter() - t0
else:
    from argon2 import PasswordHasher
    from visio_core.entrypoints.bootstrap import build_context
    from visio_core.entrypoints.config import Settings
    from visio_core.domain.model import Role
    ctx = build_context(Settings.load(env={"VISIO_DATA_DIR": str(data)}, secrets_file=Path("/nonexistent")),
                        hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    op = ctx.accounts.add_user(email="o@x.io", display_name="o", role=Role.OPERATOR, password="password-1")
    cl = ctx.accounts.add_user(email="c@x.io", display_name="c", role=Role.CLIENT, password="password-1", operator_id=op.id)
    m = ctx.meetings.create_meeting(op, client_id=cl.id, title="big", scheduled_at=datetime.now(timezone.utc))
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with open(source, "rb") as fh:
        ctx.recordings.import_recording(op, m.id, fh, filename="big.wav")
    elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "grown_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_rss) / 1024}))
"""


def make_wav(path: Path) -> None:
    second = b"\x10\x00\xf0\xff" * 8000  # 16 kHz mono s16, a square wave
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(16000)
        for _ in range(int(SIZE_GB * 1024**3 / len(second))):
            fh.writeframes(second)


def run(mode: str, source: Path, data: Path) -> dict:
    data.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode, str(source), str(data), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    with tempfile.TemporaryDirectory(dir=ROOT / "data" if (ROOT / "data").exists() else None) as tmp:
        tmp = Path(tmp)
        source = tmp / "big.wav"
        make_wav(source)
        size = source.stat().st_size
        subprocess.run(["sync"])
        copy = run("copy", source, tmp / "copy")
        ingest = run("ingest", source, tmp / "ingest")
        print(f"| measure ({size / 1024**3:.2f} GB WAV) | wall time (s) | peak RSS (MB) | RSS growth (MB) |")
        print("|---|---|---|---|")
        print(f"| plain file copy | {copy['seconds']:.2f} | {copy['peak_rss_mb']:.0f} | {copy['grown_mb']:.0f} |")
        print(
            f"| ingest (spool + sha256 + probe + move into storage + row) | {ingest['seconds']:.2f} | "
            f"{ingest['peak_rss_mb']:.0f} | {ingest['grown_mb']:.0f} |"
        )
        print(f"| ratio ingest / copy | {ingest['seconds'] / copy['seconds']:.2f}× | | |")


if __name__ == "__main__":
    main()
