"""Workers: the processes (or the dashboard's thread) that serve the job queues.

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

from visio_core.entrypoints.bootstrap import AppContext, build_context
from visio_core.entrypoints.config import Settings

log = logging.getLogger("visio.worker")

_background_lock = threading.Lock()
_background: threading.Thread | None = None


def start_dashboard_background(ctx: AppContext) -> None:
    """The dashboard's background work, once per process (called on every run): the media
    engine's own (the embedded room's recovery of recordings a previous process left), and
    the in-process worker unless VISIO_EMBEDDED_WORKER=0."""
    ctx.engine.start_background()
    if not ctx.settings.embedded_worker:
        return
    global _background
    with _background_lock:
        if _background is not None and _background.is_alive():
            return
        runner = ctx.job_runner()
        _background = threading.Thread(
            target=runner.run_forever, args=(threading.Event(),), name="visio-worker", daemon=True
        )
        _background.start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m visio_core.worker", description="Visio worker")
    parser.add_argument("--until-idle", action="store_true", help="stop when no job is left")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    runner = build_context(Settings.load()).job_runner()
    if args.until_idle:
        log.info("processed %d job(s)", runner.run_until_idle())
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log.info("worker %s started", runner.worker_id)
    runner.run_forever(stop)
    return 0
