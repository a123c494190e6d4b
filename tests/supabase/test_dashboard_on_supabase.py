"""The dashboard's pages on Supabase, against one strict fake project (Auth, PostgREST, Storage).

What is checked is who asks: after sign-in every request a page makes carries the signed-in
user's own JWT (so the database's row-level security applies, proven in tests/postgres), and
the service-role key is only ever sent by system paths.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from tests.conftest import FAST_HASHER
from tests.fakes import FakeMediaEngine
from tests.supabase.project import ANON, PASSWORD, SERVICE_KEY, URL, FakeSupabase, bearer, seeded_project
from visio_core.adapters.embedded_room.engine import EmbeddedEngine
from visio_core.adapters.sqlite.web_sessions import COOKIE
from visio_core.adapters.supabase.sessions import REFRESH_MARGIN_SECONDS, SupabaseSessions
from visio_core.domain.errors import AuthenticationFailed, Forbidden
from visio_core.entrypoints.bootstrap import build_context, set_context
from visio_core.entrypoints.config import Settings
from visio_core.entrypoints.web import make_routes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project() -> FakeSupabase:
    return seeded_project()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.load(
        env={
            "VISIO_DATA_DIR": str(tmp_path / "data"),
            "VISIO_EMBEDDED_WORKER": "0",
            "SUPABASE_URL": URL,
            "SUPABASE_ANON_KEY": ANON,
            "SUPABASE_SERVICE_ROLE_KEY": SERVICE_KEY,
        },
        secrets_file=tmp_path / "none.toml",
    )


@pytest.fixture
def ctx(settings, project):
    context = build_context(settings, engine=FakeMediaEngine(), hasher=FAST_HASHER, http=project.client())
    set_context(context)
    yield context
    set_context(None)
    context.db.close()


def texts(test: AppTest) -> str:
    parts = [e.value for e in (*test.markdown, *test.caption, *test.info, *test.warning, *test.error, *test.success)]
    return "\n".join(str(p) for p in parts)


def sign_in(email: str, password: str = PASSWORD) -> AppTest:
    test = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=30)
    test.run()
    test.text_input(key="login_email").input(email)
    test.text_input(key="login_password").input(password)
    test.button[0].click()
    test.run()
    assert not test.exception, test.exception
    return test


def page_tokens(project: FakeSupabase, since: tuple[int, int]) -> set[str]:
    """Bearer tokens of every PostgREST and Storage request made after `since`."""
    rest, files = since
    return {bearer(r) for r in project.rest.requests[rest:] + project.storage.requests[files:]}


def mark(project: FakeSupabase) -> tuple[int, int]:
    return len(project.rest.requests), len(project.storage.requests)


def test_health_reports_the_supabase_store(ctx):
    assert ctx.backends()["store"] == "supabase" and ctx.backends()["storage"] == "supabase"


def test_operator_signs_in_with_supabase_auth_and_the_hub_reads_as_him(ctx, project):
    wrong = sign_in("mikl@foxeo.fr", "not-his-password")
    assert "Email ou mot de passe incorrect." in texts(wrong)
    since = mark(project)
    test = sign_in("mikl@foxeo.fr")
    assert test.title[0].value.startswith("Hub")
    counts = {m.label: m.value for m in test.metric}
    assert counts == {"Planifié": "1", "En cours": "1", "Terminé": "1", "Annulé": "0"}
    assert set(test.dataframe[0].value["Titre"]) == {"Lancement", "Point hebdo", "Atelier Bruno"}
    tokens = page_tokens(project, since)
    assert len(tokens) == 1 and tokens <= set(project.auth.access)  # his JWT, nothing else
    assert all(r.headers["apikey"] == ANON for r in project.rest.requests[since[0] :])
    # the local accounts table plays no part: nobody was created there
    assert ctx.accounts.users.count() == 0


def test_operator_creates_a_meeting_as_himself(ctx, project):
    test = sign_in("mikl@foxeo.fr")
    since = mark(project)
    test.text_input(key="create_title").input("Kick-off Bruno")
    test.selectbox(key="create_client").select(project.ids["bruno"])
    test.button(key="FormSubmitter:hub_create-Créer le meeting").click()
    test.run()
    assert not test.exception, test.exception
    created = [r for r in project.rest.requests[since[0] :] if r.method == "POST" and r.url.path == "/rest/v1/meetings"]
    assert len(created) == 1 and bearer(created[0]) in project.auth.access
    body = json.loads(created[0].content)
    assert body["operator_id"] == str(project.ids["mikl"]) and body["status"] == "scheduled"
    assert "Kick-off Bruno" in {m["title"] for m in project.rest.rows["meetings"]}


def test_client_sees_his_meetings_and_plays_a_recording_through_a_signed_url(ctx, project):
    test = sign_in("claire@client.fr")
    assert not test.exception
    test.query_params["meeting"] = project.ids["done"]
    test.query_params["recording"] = project.ids["ok"]
    since = mark(project)
    test.switch_page("pages/recordings.py")
    test.run()
    assert not test.exception, test.exception
    raw = str(test.get("bidi_component")[0].proto)
    assert "Le budget est valid" in raw and "Merci" in raw  # the SRT, downloaded with his JWT
    urls = [b.proto.url for b in test.get("link_button")]
    assert all(u.startswith(f"{URL}/storage/v1/object/sign/") for u in urls) and len(urls) == 2
    signs = [r for r in project.storage.requests[since[1] :] if "/object/sign/" in r.url.path]
    assert signs and {int(json.loads(r.content)["expiresIn"]) for r in signs} == {3600}
    assert page_tokens(project, since) <= set(project.auth.access)
    assert "Relancer" not in str(test.button)


def test_operator_retries_a_failed_transcription_through_the_database_function(ctx, project):
    test = sign_in("mikl@foxeo.fr")
    test.query_params["meeting"] = project.ids["done"]
    test.query_params["recording"] = project.ids["failed"]
    test.switch_page("pages/recordings.py")
    test.run()
    assert "La transcription a échoué : modèle introuvable" in texts(test)
    since = mark(project)
    test.button(key=f"retry-{project.ids['failed']}").click()
    test.run()
    assert not test.exception, test.exception
    calls = [r for r in project.rest.requests[since[0] :] if r.url.path == "/rest/v1/rpc/requeue_transcription"]
    assert len(calls) == 1 and bearer(calls[0]) in project.auth.access
    assert json.loads(calls[0].content) == {"recording": project.ids["failed"], "lang": None, "only_if": ["failed"]}
    row = next(r for r in project.rest.rows["meeting_recordings"] if r["id"] == project.ids["failed"])
    assert row["transcription_status"] == "pending"
    assert SERVICE_KEY not in page_tokens(project, since)


def test_analyst_searches_transcripts_with_his_own_token(ctx, project):
    test = sign_in("ines@foxeo.fr")
    since = mark(project)
    test.switch_page("pages/transcripts.py")
    test.run()
    test.text_input(key="ts_query").input("budg")
    test.run()
    assert not test.exception, test.exception
    assert "1 passage(s) trouvé(s)." in texts(test)
    calls = [r for r in project.rest.requests[since[0] :] if r.url.path == "/rest/v1/rpc/search_transcripts"]
    assert calls and bearer(calls[-1]) in project.auth.access
    args = json.loads(calls[-1].content)
    assert args["words"] == ["budg"] and args["operator_scope"] == str(project.ids["mikl"])
    assert page_tokens(project, since) <= set(project.auth.access)


def test_a_revoked_session_signs_the_tab_out(ctx, project):
    test = sign_in("claire@client.fr")
    project.auth.access.clear()
    project.auth.refresh.clear()  # revoked at Supabase (signed out elsewhere, or by an admin)
    ctx.sessions.provider._clock = lambda: time.time() + 3600  # the access token is due for refresh
    test.run()
    assert not test.exception, test.exception
    assert "Votre session a expiré" in texts(test)
    assert not test.dataframe and "visio_user_id" not in test.session_state  # nothing shown, signed out


# -- the cookie session: reload, restart, route, sign-out -------------------------------------------
def claim_cookie(ctx, client: TestClient, email: str) -> str:
    _, opened = ctx.sessions.sign_in(email, PASSWORD)
    response = client.post("/api/session/claim", json={"code": opened.claim})
    assert response.status_code == 204
    client.cookies.clear()  # each request below says which cookie it sends
    return response.cookies[COOKIE]


def test_refresh_token_is_sealed_in_the_session_and_rotates(ctx, project):
    identity, opened = ctx.sessions.sign_in("claire@client.fr", PASSWORD)
    token = ctx.web_sessions.claim(opened.claim)
    stored = ctx.db.connection().execute("SELECT backend_secret FROM web_sessions").fetchone()[0]
    first_refresh = ctx.web_sessions.secret(token)
    assert first_refresh in project.auth.refresh and first_refresh.encode() not in stored
    assert ctx.web_sessions.secret("someone-elses-token") is None

    later = time.time() + 3600 - REFRESH_MARGIN_SECONDS + 1
    ctx.sessions.provider._clock = lambda: later
    assert ctx.sessions.identity_of(identity.id, opened.key).id == identity.id
    assert first_refresh in project.auth.used  # rotated: the old one is spent
    assert ctx.web_sessions.secret(token) in project.auth.refresh  # and the new one sealed in its place


def test_a_restarted_dashboard_resumes_from_the_cookie(ctx, project):
    identity, opened = ctx.sessions.sign_in("bruno@client.fr", PASSWORD)
    token = ctx.web_sessions.claim(opened.claim)
    ctx.sessions.provider = SupabaseSessions(ctx.sessions.auth, ctx.web_sessions)  # a new process
    assert ctx.sessions.identity_of(identity.id, opened.key) is None  # nothing in memory without the cookie
    assert ctx.sessions.identity_of(identity.id, opened.key, token).email == "bruno@client.fr"
    scope = ctx.sessions.scope_for(identity, opened.key)
    assert [m.title for m in scope.meetings.list_meetings(identity).items] == ["Atelier Bruno"]


def test_sign_out_revokes_the_supabase_session(ctx, project):
    identity, opened = ctx.sessions.sign_in("bruno@client.fr", PASSWORD)
    ctx.sessions.end(opened.key)
    assert not any(v == identity.id for v in project.auth.refresh.values())
    assert any(r.url.path == "/auth/v1/logout" for r in project.auth.requests)
    with pytest.raises(AuthenticationFailed):
        ctx.sessions.scope_for(identity, opened.key)


def test_room_route_acts_as_the_cookies_user(settings, project, tmp_path):
    context = build_context(settings, hasher=FAST_HASHER, http=project.client())  # the real embedded engine
    assert isinstance(context.engine, EmbeddedEngine)
    client = TestClient(Starlette(routes=make_routes(lambda: context)))
    cookie = claim_cookie(context, client, "claire@client.fr")
    since = mark(project)
    room = client.get(f"/api/rooms/{project.ids['live']}", cookies={COOKIE: cookie})
    assert room.status_code == 200 and room.json()["participants"] == []
    assert page_tokens(project, since) <= set(project.auth.access)
    assert client.get(f"/api/rooms/{project.ids['done']}", cookies={COOKIE: cookie}).status_code == 409
    assert client.get("/api/rooms/not-a-uuid", cookies={COOKIE: cookie}).status_code == 400
    assert client.get(f"/api/rooms/{project.ids['live']}", cookies={COOKIE: "forged"}).status_code == 401
    context.sessions.provider._clock = lambda: time.time() + 3600
    project.down = True  # a refresh is due and Supabase is unreachable: say so, do not pretend
    assert client.get(f"/api/rooms/{project.ids['live']}", cookies={COOKIE: cookie}).status_code == 503
    project.down = False
    out = client.post("/api/session/logout", json={}, cookies={COOKIE: cookie})
    assert out.status_code == 204
    assert client.get(f"/api/rooms/{project.ids['live']}", cookies={COOKIE: cookie}).status_code == 401
    context.db.close()


def test_supabase_needs_the_service_role_key_for_recordings(tmp_path, project):
    settings = Settings.load(
        env={"VISIO_DATA_DIR": str(tmp_path / "d"), "SUPABASE_URL": URL, "SUPABASE_ANON_KEY": ANON},
        secrets_file=tmp_path / "none.toml",
    )
    with pytest.raises(SystemExit, match="SUPABASE_SERVICE_ROLE_KEY"):
        build_context(settings, http=project.client())


def test_unreachable_supabase_gives_a_clear_sign_in_error(settings, tmp_path):
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    context = build_context(
        settings, engine=FakeMediaEngine(), hasher=FAST_HASHER, http=httpx.Client(transport=httpx.MockTransport(down))
    )
    set_context(context)
    try:
        test = sign_in("mikl@foxeo.fr")
        assert "Supabase" in texts(test) or "indisponible" in texts(test).lower()
        assert not test.metric  # still on the sign-in page
    finally:
        set_context(None)
        context.db.close()


def test_operator_imports_a_recording_stored_by_the_system_path(ctx, project, tmp_path):
    from tests.media_fixtures import make_video

    operator, opened = ctx.sessions.sign_in("mikl@foxeo.fr", PASSWORD)
    scope = ctx.sessions.scope_for(operator, opened.key)
    video = make_video(tmp_path / "meeting.webm", 1.0)
    since = mark(project)
    with open(video, "rb") as stream:
        recording, created = scope.recordings.import_recording(
            operator, project.ids["done"], stream, filename="meeting.webm", language="en"
        )
    assert created and recording.transcription_language == "en"
    # the operator's right was checked with his JWT; the row and the file were written by the system
    rest = project.rest.requests[since[0] :]
    assert bearer(next(r for r in rest if r.url.path == "/rest/v1/meetings")) in project.auth.access
    assert {bearer(r) for r in rest if r.url.path == "/rest/v1/meeting_recordings"} == {SERVICE_KEY}
    uploads = [r for r in project.storage.requests[since[1] :] if r.method == "POST"]
    assert uploads and {bearer(r) for r in uploads} == {SERVICE_KEY}
    assert ("recordings", recording.storage_key) in project.storage.objects

    client, client_session = ctx.sessions.sign_in("claire@client.fr", PASSWORD)
    before = mark(project)
    with open(video, "rb") as stream, pytest.raises(Forbidden):
        ctx.sessions.scope_for(client, client_session.key).recordings.import_recording(
            client, project.ids["done"], stream, filename="meeting.webm"
        )
    assert SERVICE_KEY not in page_tokens(project, before)  # refused before any system write


def test_openvidu_downloads_find_meetings_on_supabase(tmp_path, project):
    from visio_core.adapters.openvidu.engine import OpenViduEngine
    from visio_core.adapters.supabase.meetings import SupabaseMeetingRepository

    settings = Settings.load(
        env={
            "VISIO_DATA_DIR": str(tmp_path / "d"),
            "SUPABASE_URL": URL,
            "SUPABASE_ANON_KEY": ANON,
            "SUPABASE_SERVICE_ROLE_KEY": SERVICE_KEY,
            "OPENVIDU_URL": "https://openvidu.test",
            "OPENVIDU_SECRET": "s",
        },
        secrets_file=tmp_path / "none.toml",
    )
    context = build_context(settings, http=project.client())
    assert isinstance(context.engine, OpenViduEngine)
    meetings = context.downloads.meetings
    assert isinstance(meetings, SupabaseMeetingRepository)  # the webhook's session lookups use the service role
    live = next(m for m in project.rest.rows["meetings"] if m["status"] == "in_progress")
    assert meetings.get_by_session(live["session_id"]).title == "Point hebdo"
    assert bearer(project.rest.requests[-1]) == SERVICE_KEY
    context.db.close()


def test_supabase_unreachable_mid_session_says_so_and_keeps_the_user_signed_in(ctx, project):
    test = sign_in("mikl@foxeo.fr")
    project.down = True
    ctx.sessions.provider._clock = lambda: time.time() + 3600  # a refresh is due, and cannot happen
    test.run()
    assert not test.exception, test.exception
    assert "Supabase ne répond pas" in texts(test) and not test.dataframe
    assert "visio_user_id" in test.session_state  # not signed out by an outage
    project.down = False
    test.run()
    assert not test.exception and test.title[0].value.startswith("Hub")
