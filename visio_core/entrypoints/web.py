"""HTTP routes served on the dashboard's own port (mounted by `st.App` in app.py)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, cast

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from visio_core.adapters.embedded_room.engine import EmbeddedEngine
from visio_core.adapters.embedded_room.room import Room
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
from visio_core.domain.model import Identity, Meeting, utcnow
from visio_core.domain.speakers import SpeakingEvent
from visio_core.entrypoints.assets import asset_routes
from visio_core.entrypoints.bootstrap import get_context
from visio_core.entrypoints.context import AppContext
from visio_core.services.hub_changes import hub_digest
from visio_core.services.sessions import UserScope

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
            ctx.sessions.end(ctx.web_sessions.key_of(token))
        response = Response(status_code=204)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    async def signed_in(request: Request) -> tuple[Identity, UserScope] | Response:
        """Who holds the request's session cookie, and the services acting as him; else the refusal."""
        ctx, token = get_context(), request.cookies.get(COOKIE)
        user_id = ctx.web_sessions.resolve(token)
        key = ctx.web_sessions.key_of(cast(str, token)) if user_id else None  # resolved: a non-empty str
        try:
            identity = await run_in_threadpool(ctx.sessions.identity_of, user_id, key, token) if user_id else None
            if identity is None:
                return JSONResponse({"error": t("web.sign_in_required")}, status_code=401)
            return identity, await run_in_threadpool(ctx.sessions.scope_for, identity, key)
        except BackendUnavailable as error:
            return JSONResponse({"error": str(error)}, status_code=503)

    async def hub_changes(request: Request) -> Response:
        """The digest of the operator's Hub list (services/hub_changes.py): his page polls it and
        reruns the list only when it changes. Read-only, so a GET; the answer is a hash."""
        signed = await signed_in(request)
        if isinstance(signed, Response):
            return signed
        identity, scope = signed
        try:
            digest = await run_in_threadpool(hub_digest, scope.meetings, scope.recordings, identity)
        except VisioError as error:
            status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
            return JSONResponse({"error": str(error)}, status_code=status)
        return JSONResponse({"version": digest}, headers={"Cache-Control": "no-store"})

    async def in_room(request: Request, kind: str, takeover: bool = False) -> tuple[Identity, Meeting] | Response:
        """The signed-in user and the meeting whose room (of this `kind`) he is in now; else the refusal.

        `takeover`: he also asks to end someone else's screen share, which the service allows the operator only."""
        signed = await signed_in(request)
        if isinstance(signed, Response):
            return signed
        identity, scope = signed
        if get_context().engine.room != kind:
            return JSONResponse({"error": t("room.unavailable")}, status_code=404)
        try:
            meeting_id = request.path_params["meeting_id"]
            if takeover:
                meeting = await run_in_threadpool(scope.meetings.share_screen, identity, meeting_id, True)
            else:
                meeting = await run_in_threadpool(scope.meetings.enter_room, identity, meeting_id)
        except IllegalTransition as error:  # the meeting is not (or no longer) in progress
            return JSONResponse({"error": str(error), "live": False}, status_code=409)
        except VisioError as error:
            return JSONResponse({"error": str(error)}, status_code=_STATUS.get(type(error), 400))
        return identity, meeting

    async def room_roster(request: Request) -> Response:
        """Who is in a meeting's embedded room and what the server receives from each (signed-in users only)."""
        entered = await in_room(request, "hosted")
        if isinstance(entered, Response):
            return entered
        room = cast(EmbeddedEngine, get_context().engine).room_for(entered[1])
        return JSONResponse(
            {
                "participants": room.roster(),
                "recorded_seconds": round(room.recorded_seconds, 2),
                "screen": room.screen(),
            }
        )

    async def tab_request(
        request: Request,
        act: Callable[[EmbeddedEngine, Room, str, dict[str, Any]], Awaitable[Response]],
        tab_of: Callable[[Room, object, Identity], str],
        unreadable: str,
    ) -> Response:
        """A page's request about its own tab (call or screen share): same origin, small JSON, signed in,
        in the room. Body: {"ticket": the tab's ticket (given to its page only), …}. Every refusal changes nothing."""
        refusal = _cross_site(request)
        if refusal is not None:
            return refusal
        body = await request.body()
        if len(body) > MAX_TAB_BODY:
            return JSONResponse({"error": t("web.body_too_large")}, status_code=413)
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("ticket"), str):
            return JSONResponse({"error": t(unreadable)}, status_code=400)
        takeover = tab_of is sharer and data.get("takeover") is True  # only a share can take over
        entered = await in_room(request, "hosted", takeover=takeover)
        if isinstance(entered, Response):
            return entered
        identity, meeting = entered
        engine = cast(EmbeddedEngine, get_context().engine)
        room = engine.room_for(meeting)
        try:
            return await act(engine, room, tab_of(room, data["ticket"], identity), data)
        except VisioError as error:
            status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
            return JSONResponse({"error": str(error)}, status_code=status)

    def sharer(room: Room, ticket: object, identity: Identity) -> str:
        return room.sharer_tab(cast(str, ticket), identity.id)

    def caller(room: Room, ticket: object, identity: Identity) -> str:
        return room.caller_tab(ticket, identity.id)

    def watcher(room: Room, ticket: object, identity: Identity) -> str:
        return room.tab_of(ticket, identity.id)  # no seat needed to see who is in

    async def screen_request(
        request: Request, act: Callable[[EmbeddedEngine, Room, str, dict[str, Any]], Awaitable[Response]]
    ) -> Response:
        return await tab_request(request, act, sharer, "room.share.bad_offer")

    async def call_start(request: Request) -> Response:
        """A page's offer for its camera call (a first one, or a new one after a drop): the answer."""
        return await tab_request(request, call_answer, caller, "room.call.bad_offer")

    async def call_leave(request: Request) -> Response:
        return await tab_request(request, call_hang_up, caller, "room.call.bad_offer")

    async def call_state(request: Request) -> Response:
        """What a room page polls (every 2 s) instead of rerunning the page: the roster, its own seat,
        and whether the meeting is still live ({"live": false} with 409 once it is over)."""
        return await tab_request(request, room_state, watcher, "room.call.bad_offer")

    async def room_state(engine: EmbeddedEngine, room: Room, tab: str, data: dict[str, Any]) -> Response:
        return JSONResponse(room.state_for(tab))

    async def call_answer(engine: EmbeddedEngine, room: Room, tab: str, data: dict[str, Any]) -> Response:
        if data.get("type", "offer") != "offer":
            return JSONResponse({"error": t("room.call.bad_offer")}, status_code=400)
        answer = await engine.calls.answer(room, tab, data.get("sdp"))
        return JSONResponse({"type": "answer", "sdp": answer})

    async def call_hang_up(engine: EmbeddedEngine, room: Room, tab: str, data: dict[str, Any]) -> Response:
        await engine.calls.leave(room, tab)
        return Response(status_code=204)

    async def screen_start(request: Request) -> Response:
        return await screen_request(request, share_start)

    async def screen_stop(request: Request) -> Response:
        return await screen_request(request, share_stop)

    async def screen_status(request: Request) -> Response:
        return await screen_request(request, share_status)

    async def share_start(engine: EmbeddedEngine, room: Room, tab: str, data: dict[str, Any]) -> Response:
        answer = await engine.screens.answer(room, tab, data.get("sdp"), takeover=data.get("takeover") is True)
        return JSONResponse({"type": "answer", "sdp": answer})

    async def share_stop(engine: EmbeddedEngine, room: Room, tab: str, data: dict[str, Any]) -> Response:
        room.stop_share_of(tab)
        return Response(status_code=204)

    async def share_status(engine: EmbeddedEngine, room: Room, tab: str, data: dict[str, Any]) -> Response:
        return JSONResponse(room.share_status(tab))

    async def room_speaking(request: Request) -> Response:
        """A participant's page reports when he started and stopped speaking (OpenVidu rooms).

        Body: {"events": [{"kind": "start"|"stop", "ago_ms": n}, …]}; `ago_ms` is how long before
        the request each happened, so the server's clock dates them, not the browser's."""
        refusal = _cross_site(request)
        if refusal is not None:
            return refusal
        received = utcnow()
        body = await request.body()
        if len(body) > MAX_SPEAKING_BODY:
            return JSONResponse({"error": t("web.body_too_large")}, status_code=413)
        try:
            reported = _speaking_events(body)
        except ValueError:
            return JSONResponse({"error": t("web.bad_speaking")}, status_code=400)
        entered = await in_room(request, "token")
        if isinstance(entered, Response):
            return entered
        identity, meeting = entered
        events = [
            SpeakingEvent(identity.display_name, kind, received - timedelta(milliseconds=ago)) for kind, ago in reported
        ]
        await run_in_threadpool(get_context().speaking.add, meeting.id, events)
        return Response(status_code=204)

    return [
        Route("/api/health", health, methods=["GET"]),
        Route("/api/hub/changes", hub_changes, methods=["GET"]),
        Route("/api/rooms/{meeting_id}", room_roster, methods=["GET"]),
        Route("/api/rooms/{meeting_id}/speaking", room_speaking, methods=["POST"]),
        Route("/api/rooms/{meeting_id}/call", call_start, methods=["POST"]),
        Route("/api/rooms/{meeting_id}/call/leave", call_leave, methods=["POST"]),
        Route("/api/rooms/{meeting_id}/call/state", call_state, methods=["POST"]),
        Route("/api/rooms/{meeting_id}/screen", screen_start, methods=["POST"]),
        Route("/api/rooms/{meeting_id}/screen/stop", screen_stop, methods=["POST"]),
        Route("/api/rooms/{meeting_id}/screen/status", screen_status, methods=["POST"]),
        Route("/api/session/claim", claim_session, methods=["POST"]),
        Route("/api/session/logout", end_session, methods=["POST"]),
        Route("/files/{bucket}/{key:path}", signed_file, methods=["GET", "HEAD"]),
        Route(
            WEBHOOK_PATH,
            make_webhook_endpoint(
                lambda: get_context().settings.openvidu_webhook_secret, lambda: get_context().downloads
            ),
            methods=["POST"],
        ),
        *asset_routes(),
    ]


MAX_SPEAKING_BODY = 64 * 1024
MAX_TAB_BODY = 64 * 1024  # a call's offer (audio and video) is 5 to 10 kB, a screen's a few kB
MAX_SPEAKING_EVENTS = 500
MAX_AGO_MS = 10 * 60 * 1000  # a page holds events a few seconds; ten minutes is already suspicious


def _speaking_events(body: bytes) -> list[tuple[str, int]]:
    """(kind, ago_ms) of a speaking report; ValueError for anything else, so nothing is stored."""
    data = json.loads(body)
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or len(events) > MAX_SPEAKING_EVENTS:
        raise ValueError("events")
    parsed = []
    for event in events:
        kind = event.get("kind") if isinstance(event, dict) else None
        ago = event.get("ago_ms") if isinstance(event, dict) else None
        if (
            kind not in ("start", "stop")
            or not isinstance(ago, int)
            or isinstance(ago, bool)
            or not 0 <= ago <= MAX_AGO_MS
        ):
            raise ValueError("event")
        parsed.append((kind, ago))
    return parsed


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
