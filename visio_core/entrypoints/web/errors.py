"""The one answer of the /api routes to a domain error: its French message as JSON, with its status."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from visio_core.domain.errors import (
    AuthenticationFailed,
    BackendUnavailable,
    Forbidden,
    IllegalTransition,
    NotFound,
    VisioError,
)

STATUS: dict[type[VisioError], int] = {
    NotFound: 404,
    Forbidden: 403,
    IllegalTransition: 409,
    AuthenticationFailed: 401,
    BackendUnavailable: 503,
}  # any other VisioError (InvalidInput, NeedsConfirmation…): 400


class RoomClosed(IllegalTransition):
    """The meeting is not (or no longer) in progress: a room page that polls it stops on `"live": false`."""


async def domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, VisioError)  # registered for VisioError only
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
    body: dict[str, object] = {"error": str(error)}
    if isinstance(error, RoomClosed):
        body["live"] = False
    return JSONResponse(body, status_code=status)


# Starlette's own exception middleware, for a Mount: its routes raise, this answers.
DOMAIN_ERRORS = Middleware(ExceptionMiddleware, handlers={VisioError: domain_error})
