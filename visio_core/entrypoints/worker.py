"""Workers: the processes that serve the job queues.

`python -m visio_core.worker` runs one on the store the settings name: SQLite on this machine,
or a Supabase project from any machine. It serves every queue of the context (transcriptions,
and OpenVidu's recordings to fetch when OpenVidu is configured). Claims are atomic and every
write is conditional on holding the lease, so any number of workers can share the queues.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.config import Settings

log = logging.getLogger("visio.worker")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m visio_core.worker", description="Visio worker")
    parser.add_argument("--until-idle", action="store_true", help="stop when no job is left")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    ctx = build_context(Settings.load())
    ctx.recover_after_crash()
    runner = ctx.job_runner()
    if args.until_idle:
        log.info("processed %d job(s)", runner.run_until_idle())
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log.info("worker %s started", runner.worker_id)
    runner.run_forever(stop)
    return 0
