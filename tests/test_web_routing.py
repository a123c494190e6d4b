"""How the dashboard's routes are assembled: the /api Mount claims only the paths its routes know,
and domain errors become their status with the French message."""

from __future__ import annotations

import asyncio
import json

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount
from starlette.testclient import TestClient

from visio_core.domain.errors import (
    AuthenticationFailed,
    BackendUnavailable,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NeedsConfirmation,
    NotFound,
)
from visio_core.entrypoints.web import make_routes
from visio_core.entrypoints.web.errors import RoomClosed, domain_error


async def _fallback(scope, receive, send):
    await PlainTextResponse("the dashboard's page")(scope, receive, send)


def test_other_paths_under_api_go_on_to_the_routes_after_the_mount(ctx):
    # Under st.App, Streamlit's own routes come after ours: /api paths we do not serve stay theirs.
    client = TestClient(Starlette(routes=[*make_routes(lambda: ctx), Mount("", app=_fallback)]))
    assert client.get("/api/health").json()["status"] == "ok"
    for path in ("/api", "/api/", "/api/nope", "/api/rooms/x/nope", "/api/session/nope"):
        response = client.get(path, follow_redirects=False)
        assert (response.status_code, response.text) == (200, "the dashboard's page"), path


def test_a_wrong_method_is_still_a_405_with_its_allow_header(ctx):
    client = TestClient(Starlette(routes=make_routes(lambda: ctx)))
    for method, path, allow in (
        ("POST", "/api/health", {"GET", "HEAD"}),
        ("GET", "/api/session/claim", {"POST"}),
        ("GET", "/api/openvidu/webhook", {"POST"}),
    ):
        response = client.request(method, path)
        assert response.status_code == 405 and set(response.headers["allow"].split(", ")) == allow, path
    assert client.get("/api/nope").status_code == 404


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("introuvable"), 404),
        (Forbidden("interdit"), 403),
        (IllegalTransition("pas en cours"), 409),
        (AuthenticationFailed("connectez-vous"), 401),
        (BackendUnavailable("ne répond pas"), 503),
        (InvalidInput("illisible"), 400),
        (NeedsConfirmation("confirmez"), 400),
    ],
)
def test_each_domain_error_answers_its_status_and_message(error, status):
    response = asyncio.run(domain_error(None, error))
    assert response.status_code == status and json.loads(response.body) == {"error": str(error)}


def test_a_closed_room_also_tells_the_polling_page_it_is_over():
    response = asyncio.run(domain_error(None, RoomClosed("Terminé")))
    assert response.status_code == 409 and json.loads(response.body) == {"error": "Terminé", "live": False}
