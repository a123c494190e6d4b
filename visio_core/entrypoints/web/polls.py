"""What is polled: the health report (monitors) and the digest of the operator's Hub list (his page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from visio_core.entrypoints.context import AppContext
from visio_core.entrypoints.web.browser_session import signed_in
from visio_core.services.hub_changes import hub_digest


@dataclass
class PollRoutes:
    context: Callable[[], AppContext]

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "backends": self.context().backends()})

    async def hub_changes(self, request: Request) -> Response:
        """The digest of the operator's Hub list (services/hub_changes.py): his page polls it and
        reruns the list only when it changes. Read-only, so a GET; the answer is a hash."""
        identity, scope = await signed_in(self.context(), request)
        digest = await run_in_threadpool(hub_digest, scope.meetings, scope.recordings, identity)
        return JSONResponse({"version": digest}, headers={"Cache-Control": "no-store"})
