"""What every request a dashboard page posts must be: JSON, from the dashboard's own origin, small.

Without this, any site could post a claim code of the attacker's account from a victim's browser
and sign the victim into it (login CSRF), or act in a room with the victim's cookie. A page of
ours posts JSON with an Origin of our own; a cross-site form can only send text/plain,
urlencoded or multipart bodies, and browsers add Origin (and Sec-Fetch-Site) to every
cross-site POST. Every refusal comes before the route reads anything, so it changes nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from visio_core.domain.i18n import t


class SameOriginJSON:
    """Route middleware: 415 unless the body is declared JSON, 403 for another site's request,
    413 past `max_body` bytes (None: the route reads what it needs itself)."""

    def __init__(self, app: ASGIApp, max_body: int | None = None) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        refusal = _foreign(request)
        if refusal is None and self.max_body is not None:
            body = bytearray()
            async for chunk in request.stream():
                body += chunk
                if len(body) > self.max_body:
                    refusal = JSONResponse({"error": t("web.body_too_large")}, status_code=413)
                    break
            receive = _replay(bytes(body), receive)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _foreign(request: Request) -> Response | None:
    """The refusal of a request that is not JSON or that another site could have made; None for our own pages."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return PlainTextResponse(t("web.json_required"), status_code=415)
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    site = request.headers.get("sec-fetch-site")
    if (origin is not None and origin != own) or (site is not None and site not in ("same-origin", "none")):
        return PlainTextResponse(t("web.cross_site"), status_code=403)
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, handed to the route as if it came from the client."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # what comes after the body: the client's disconnect
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
