"""The browser's session cookie: claimed after a sign-in, dropped at sign-out, and who holds it.

The page that signed in hands its one-time claim code to /api/session/claim, which answers with
the HttpOnly cookie (adapters/sqlite/web_sessions.py tells why a cookie and a claim code).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from visio_core.adapters.sqlite.web_sessions import COOKIE
from visio_core.domain.errors import AuthenticationFailed
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity
from visio_core.entrypoints.context import AppContext
from visio_core.services.sessions import UserScope


async def signed_in(ctx: AppContext, request: Request) -> tuple[Identity, UserScope]:
    """Who holds the request's session cookie, and the services acting as him; AuthenticationFailed
    for anyone else (BackendUnavailable while Supabase cannot say)."""
    token = request.cookies.get(COOKIE)
    user_id = ctx.web_sessions.resolve(token)
    key = ctx.web_sessions.key_of(cast(str, token)) if user_id else None  # resolved: a non-empty str
    identity = await run_in_threadpool(ctx.sessions.identity_of, user_id, key, token) if user_id else None
    if identity is None:
        raise AuthenticationFailed(t("web.sign_in_required"))
    return identity, await run_in_threadpool(ctx.sessions.scope_for, identity, key)


@dataclass
class SessionRoutes:
    context: Callable[[], AppContext]

    async def claim(self, request: Request) -> Response:
        try:
            body = await request.json()
            code = str(body.get("code", "")) if isinstance(body, dict) else ""
        except ValueError:
            code = ""
        token = self.context().web_sessions.claim(code)
        if token is None:
            raise HTTPException(403, t("web.link_invalid"))
        response = Response(status_code=204)
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="strict", path="/", secure=request.url.scheme == "https"
        )
        return response

    async def logout(self, request: Request) -> Response:
        ctx, token = self.context(), request.cookies.get(COOKIE)
        if isinstance(token, str) and token:
            ctx.sessions.end(ctx.web_sessions.key_of(token))
        response = Response(status_code=204)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response
