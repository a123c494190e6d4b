"""HTTP routes served on the dashboard's own port (mounted by `st.App` in app.py).

Under `/api`, one Mount whose routes raise domain errors and let errors.py answer them; the
routes dashboard pages post to are guarded by one middleware (same_origin.py). Outside it, the
signed file URLs of the embedded storage (files.py).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Scope

from visio_core.adapters.openvidu.webhook import WEBHOOK_PATH, make_webhook_endpoint
from visio_core.entrypoints.assets import asset_routes
from visio_core.entrypoints.bootstrap import get_context
from visio_core.entrypoints.context import AppContext
from visio_core.entrypoints.web.browser_session import SessionRoutes
from visio_core.entrypoints.web.errors import DOMAIN_ERRORS
from visio_core.entrypoints.web.files import FileRoutes
from visio_core.entrypoints.web.polls import PollRoutes
from visio_core.entrypoints.web.rooms import MAX_SPEAKING_BODY, MAX_TAB_BODY, RoomRoutes
from visio_core.entrypoints.web.same_origin import SameOriginJSON

API = "/api"


class RoutesMount(Mount):
    """A Mount that claims only the paths its routes know (FULL, or PARTIAL for a wrong method):
    any other path under it goes on to the routes after it (Streamlit's, under `st.App`), as if
    its routes were listed one by one."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE:
            return match, child
        inner = {**scope, **child}
        found = {route.matches(inner)[0] for route in self.routes}
        best = Match.FULL if Match.FULL in found else Match.PARTIAL if Match.PARTIAL in found else Match.NONE
        return best, child if best is not Match.NONE else {}


def make_routes(get_context: Callable[[], AppContext]) -> list[BaseRoute]:
    """Every route, reading the process's context per request through `get_context`."""
    polls, rooms, sessions = PollRoutes(get_context), RoomRoutes(get_context), SessionRoutes(get_context)

    def page_post(path: str, endpoint: Callable[..., object], max_body: int | None = None) -> Route:
        """A route only the dashboard's own pages post to (checked after routing: a wrong method is still a 405)."""
        return Route(path, endpoint, methods=["POST"], middleware=[Middleware(SameOriginJSON, max_body=max_body)])

    webhook = make_webhook_endpoint(
        lambda: get_context().settings.openvidu_webhook_secret, lambda: get_context().downloads
    )
    api: list[BaseRoute] = [
        Route("/health", polls.health, methods=["GET"]),
        Route("/hub/changes", polls.hub_changes, methods=["GET"]),
        Route("/rooms/{meeting_id}", rooms.roster, methods=["GET"]),
        page_post("/rooms/{meeting_id}/speaking", rooms.speaking, MAX_SPEAKING_BODY),
        page_post("/rooms/{meeting_id}/call", rooms.call, MAX_TAB_BODY),
        page_post("/rooms/{meeting_id}/call/leave", rooms.call_leave, MAX_TAB_BODY),
        page_post("/rooms/{meeting_id}/call/state", rooms.call_state, MAX_TAB_BODY),
        page_post("/rooms/{meeting_id}/screen", rooms.screen, MAX_TAB_BODY),
        page_post("/rooms/{meeting_id}/screen/stop", rooms.screen_stop, MAX_TAB_BODY),
        page_post("/rooms/{meeting_id}/screen/status", rooms.screen_status, MAX_TAB_BODY),
        page_post("/session/claim", sessions.claim),
        page_post("/session/logout", sessions.logout),
        # OpenVidu's server, not a page: authenticated by its secret (adapters/openvidu/webhook.py).
        Route(WEBHOOK_PATH.removeprefix(API), webhook, methods=["POST"]),
        *asset_routes(mounted_at=API),
    ]
    return [
        RoutesMount(API, routes=api, middleware=[DOMAIN_ERRORS]),
        Route("/files/{bucket}/{key:path}", FileRoutes(get_context).signed_file, methods=["GET", "HEAD"]),
    ]


routes = make_routes(get_context)
