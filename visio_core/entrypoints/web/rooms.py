"""What a room page asks the server: who is in (embedded room), its camera call and screen share
(embedded room), and when its participant spoke (OpenVidu rooms).

Every request comes from a signed-in user in the meeting's room now. A page's requests about its
own tab (call or screen share) name it by its ticket, given to that page only. Every refusal
changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from visio_core.adapters.embedded_room.engine import EmbeddedEngine
from visio_core.adapters.embedded_room.room import Room
from visio_core.domain.errors import IllegalTransition, InvalidInput, NotFound
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Meeting, utcnow
from visio_core.domain.speakers import SpeakingEvent
from visio_core.entrypoints.context import AppContext
from visio_core.entrypoints.web.browser_session import signed_in
from visio_core.entrypoints.web.errors import RoomClosed

MAX_SPEAKING_BODY = 64 * 1024
MAX_TAB_BODY = 64 * 1024  # a call's offer (audio and video) is 5 to 10 kB, a screen's a few kB
MAX_SPEAKING_EVENTS = 500
MAX_AGO_MS = 10 * 60 * 1000  # a page holds events a few seconds; ten minutes is already suspicious

TabOf = Callable[[Room, object, Identity], str]


def _caller(room: Room, ticket: object, identity: Identity) -> str:
    return room.caller_tab(ticket, identity.id)


def _watcher(room: Room, ticket: object, identity: Identity) -> str:
    return room.tab_of(ticket, identity.id)  # no seat needed to see who is in


def _sharer(room: Room, ticket: object, identity: Identity) -> str:
    return room.sharer_tab(cast(str, ticket), identity.id)


@dataclass
class Tab:
    """A page's request about its own tab, once every check passed."""

    engine: EmbeddedEngine
    room: Room
    key: str
    data: dict[str, Any]  # the request's JSON: {"ticket": …, …}


@dataclass
class RoomRoutes:
    context: Callable[[], AppContext]

    async def roster(self, request: Request) -> Response:
        """Who is in a meeting's embedded room and what the server receives from each."""
        _, meeting = await self._in_room(request, "hosted")
        room = cast(EmbeddedEngine, self.context().engine).room_for(meeting)
        return JSONResponse(
            {
                "participants": room.roster(),
                "recorded_seconds": round(room.recorded_seconds, 2),
                "screen": room.screen(),
            }
        )

    async def call(self, request: Request) -> Response:
        """A page's offer for its camera call (a first one, or a new one after a drop): the answer."""
        tab = await self._tab(request, _caller, "room.call.bad_offer")
        if tab.data.get("type", "offer") != "offer":
            raise InvalidInput(t("room.call.bad_offer"))
        answer = await tab.engine.calls.answer(tab.room, tab.key, tab.data.get("sdp"))
        return JSONResponse({"type": "answer", "sdp": answer})

    async def call_leave(self, request: Request) -> Response:
        tab = await self._tab(request, _caller, "room.call.bad_offer")
        await tab.engine.calls.leave(tab.room, tab.key)
        return Response(status_code=204)

    async def call_state(self, request: Request) -> Response:
        """What a room page polls (every 2 s) instead of rerunning the page: the roster, its own seat,
        and whether the meeting is still live ({"live": false} with 409 once it is over)."""
        tab = await self._tab(request, _watcher, "room.call.bad_offer")
        return JSONResponse(tab.room.state_for(tab.key))

    async def screen(self, request: Request) -> Response:
        tab = await self._tab(request, _sharer, "room.share.bad_offer")
        answer = await tab.engine.screens.answer(
            tab.room, tab.key, tab.data.get("sdp"), takeover=tab.data.get("takeover") is True
        )
        return JSONResponse({"type": "answer", "sdp": answer})

    async def screen_stop(self, request: Request) -> Response:
        tab = await self._tab(request, _sharer, "room.share.bad_offer")
        tab.room.stop_share_of(tab.key)
        return Response(status_code=204)

    async def screen_status(self, request: Request) -> Response:
        tab = await self._tab(request, _sharer, "room.share.bad_offer")
        return JSONResponse(tab.room.share_status(tab.key))

    async def speaking(self, request: Request) -> Response:
        """A participant's page reports when he started and stopped speaking (OpenVidu rooms).

        Body: {"events": [{"kind": "start"|"stop", "ago_ms": n}, …]}; `ago_ms` is how long before
        the request each happened, so the server's clock dates them, not the browser's."""
        received = utcnow()
        reported = speaking_events(await request.body())
        identity, meeting = await self._in_room(request, "token")
        events = [
            SpeakingEvent(identity.display_name, kind, received - timedelta(milliseconds=ago)) for kind, ago in reported
        ]
        await run_in_threadpool(self.context().speaking.add, meeting.id, events)
        return Response(status_code=204)

    async def _in_room(self, request: Request, kind: str, takeover: bool = False) -> tuple[Identity, Meeting]:
        """The signed-in user and the meeting whose room (of this `kind`) he is in now.

        `takeover`: he also asks to end someone else's screen share, which the service allows the operator only."""
        ctx = self.context()
        identity, scope = await signed_in(ctx, request)
        if ctx.engine.room != kind:
            raise NotFound(t("room.unavailable"))
        meeting_id = request.path_params["meeting_id"]
        try:
            if takeover:
                return identity, await run_in_threadpool(scope.meetings.share_screen, identity, meeting_id, True)
            return identity, await run_in_threadpool(scope.meetings.enter_room, identity, meeting_id)
        except IllegalTransition as error:  # the meeting is not (or no longer) in progress
            raise RoomClosed(str(error)) from error

    async def _tab(self, request: Request, tab_of: TabOf, unreadable: str) -> Tab:
        """The tab a page's request names (by its ticket), in the room its user is in now."""
        try:
            data = json.loads(await request.body())
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("ticket"), str):
            raise InvalidInput(t(unreadable))
        takeover = tab_of is _sharer and data.get("takeover") is True  # only a share can take over
        identity, meeting = await self._in_room(request, "hosted", takeover=takeover)
        engine = cast(EmbeddedEngine, self.context().engine)
        room = engine.room_for(meeting)
        return Tab(engine, room, tab_of(room, data["ticket"], identity), data)


def speaking_events(body: bytes) -> list[tuple[str, int]]:
    """(kind, ago_ms) of a speaking report; InvalidInput for anything else, so nothing is stored."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or len(events) > MAX_SPEAKING_EVENTS:
        raise InvalidInput(t("web.bad_speaking"))
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
            raise InvalidInput(t("web.bad_speaking"))
        parsed.append((kind, ago))
    return parsed
