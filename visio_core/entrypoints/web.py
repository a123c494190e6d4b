"""HTTP routes served on the dashboard's own port (mounted by `st.App` in app.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from visio_core.adapters.embedded_room.engine import EmbeddedEngine
from visio_core.adapters.local_storage import LocalStorage
from visio_core.adapters.openvidu.webhook import WEBHOOK_PATH, make_webhook_endpoint
from visio_core.adapters.sqlite.web_sessions import COOKIE
from visio_core.domain.errors import (
    AuthenticationFailed,
    BackendUnavailable,
    Forbidden,
    IllegalTransition,
    NotFound,
    VisioError,
)
from visio_core.domain.i18n import t
from visio_core.domain.media_types import content_type
from visio_core.entrypoints.assets import asset_routes
from visio_core.entrypoints.bootstrap import AppContext, get_context

_STATUS = {NotFound: 404, Forbidden: 403, IllegalTransition: 409, AuthenticationFailed: 401, BackendUnavailable: 503}


def make_routes(get_context: Callable[[], AppContext]) -> list[BaseRoute]:
    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "backends": get_context().backends()})

    async def signed_file(request: Request) -> Response:
        # Signed file URLs of this port exist only for local storage (Supabase Storage signs its own).
        storage = cast(LocalStorage, get_context().storage)
        bucket, key = request.path_params["bucket"], request.path_params["key"]
        params = request.query_params
        download = params.get("download", "")
        problem = storage.verify(bucket, key, params.get("expires", ""), params.get("sig", ""), download)
        if problem:
            message = t("web.link_expired") if problem == "expired" else t("web.link_invalid")
            return PlainTextResponse(message, status_code=403)
        path = storage.path_of(bucket, key)
        if not path.is_file():
            return PlainTextResponse(t("storage.not_found"), status_code=404)
        response = FileResponse(
            path,
            media_type=content_type(key),
            filename=download or None,
            content_disposition_type="attachment" if download else "inline",
        )
        response.headers["Cache-Control"] = "private, max-age=300"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    async def claim_session(request: Request) -> Response:
        refusal = _cross_site(request)
        if refusal is not None:
            return refusal
        ctx = get_context()
        try:
            body = await request.json()
            code = str(body.get("code", "")) if isinstance(body, dict) else ""
        except ValueError:
            code = ""
        token = ctx.web_sessions.claim(code)
        if token is None:
            return PlainTextResponse(t("web.link_invalid"), status_code=403)
        response = Response(status_code=204)
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="strict", path="/", secure=request.url.scheme == "https"
        )
        return response

    async def end_session(request: Request) -> Response:
        refusal = _cross_site(request)
        if refusal is not None:
            return refusal
        ctx, token = get_context(), request.cookies.get(COOKIE)
        if isinstance(token, str) and token:
            ctx.end_session(ctx.web_sessions.key_of(token))
        response = Response(status_code=204)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    async def room_roster(request: Request) -> Response:
        """Who is in a meeting's embedded room and what the server receives from each (signed-in users only)."""
        ctx, token = get_context(), request.cookies.get(COOKIE)
        user_id = ctx.web_sessions.resolve(token)
        key = ctx.web_sessions.key_of(cast(str, token)) if user_id else None  # resolved: a non-empty str
        try:
            identity = await run_in_threadpool(ctx.identity_of, user_id, key, token) if user_id else None
        except BackendUnavailable as error:
            return JSONResponse({"error": str(error)}, status_code=503)
        if identity is None:
            return JSONResponse({"error": t("web.sign_in_required")}, status_code=401)
        if ctx.engine.room != "hosted":
            return JSONResponse({"error": t("room.unavailable")}, status_code=404)
        engine = cast(EmbeddedEngine, ctx.engine)
        try:
            scope = await run_in_threadpool(ctx.scope_for, identity, key)
            meeting = await run_in_threadpool(scope.meetings.enter_room, identity, request.path_params["meeting_id"])
        except VisioError as error:
            return JSONResponse({"error": str(error)}, status_code=_STATUS.get(type(error), 400))
        room = engine.room_for(meeting)
        return JSONResponse({"participants": room.roster(), "recorded_seconds": round(room.recorded_seconds, 2)})

    return [
        Route("/api/health", health, methods=["GET"]),
        Route("/api/rooms/{meeting_id}", room_roster, methods=["GET"]),
        Route("/api/session/claim", claim_session, methods=["POST"]),
        Route("/api/session/logout", end_session, methods=["POST"]),
        Route("/files/{bucket}/{key:path}", signed_file, methods=["GET", "HEAD"]),
        Route(WEBHOOK_PATH, make_webhook_endpoint(lambda: get_context().settings.openvidu_webhook_secret,
                                                  lambda: get_context().downloads), methods=["POST"]),
        *asset_routes(),
    ]


def _cross_site(request: Request) -> Response | None:
    """A refusal for a session request another site could have made; None for the dashboard's own page.

    Without this, any site could post a claim code of the attacker's account from a victim's
    browser and sign the victim into it (login CSRF). A page of ours posts JSON with an Origin
    of our own; a cross-site form can only send text/plain, urlencoded or multipart bodies, and
    browsers add Origin (and Sec-Fetch-Site) to every cross-site POST.
    """
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return PlainTextResponse(t("web.json_required"), status_code=415)
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    site = request.headers.get("sec-fetch-site")
    if (origin is not None and origin != own) or (site is not None and site not in ("same-origin", "none")):
        return PlainTextResponse(t("web.cross_site"), status_code=403)
    return None


routes = make_routes(get_context)
