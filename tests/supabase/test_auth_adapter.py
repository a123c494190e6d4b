"""Sign-in with Supabase Auth: sessions, profile read with the user's own token, refresh, sign-out."""

from __future__ import annotations

import httpx
import pytest

from tests.supabase.fake_gotrue import FakeGoTrue
from tests.supabase.fake_postgrest import FakePostgrest
from visio_core.adapters.supabase.auth import SupabaseAuth
from visio_core.domain.errors import AuthenticationFailed, BackendUnavailable
from visio_core.domain.model import Role, Tier

URL = "https://project.supabase.test"
ANON = "anon-key-for-tests"
SERVICE_KEY = "service-role-key-for-tests"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def gotrue() -> FakeGoTrue:
    return FakeGoTrue(anon_key=ANON)


@pytest.fixture
def postgrest() -> FakePostgrest:
    return FakePostgrest(
        anon_key=ANON,
        tokens=set(),
        columns={"profiles": {"id", "email", "display_name", "role", "operator_id", "tier", "created_at"}},
    )


@pytest.fixture
def auth(gotrue, postgrest) -> SupabaseAuth:
    def handle(request: httpx.Request) -> httpx.Response:
        postgrest.tokens = set(gotrue.access)  # PostgREST accepts the JWTs Auth issued, while valid
        return gotrue.handle(request) or postgrest.handle(request)

    return SupabaseAuth(URL, ANON, http=httpx.Client(transport=httpx.MockTransport(handle)))


@pytest.fixture
def claire(gotrue, postgrest):
    operator_id = gotrue.add_user("mikl@foxeo.fr", PASSWORD)
    user_id = gotrue.add_user("claire@client.fr", PASSWORD)
    postgrest.rows["profiles"] = [
        {
            "id": str(operator_id),
            "email": "mikl@foxeo.fr",
            "display_name": "MiKL",
            "role": "operator",
            "operator_id": None,
            "tier": None,
        },
        {
            "id": str(user_id),
            "email": "claire@client.fr",
            "display_name": "Claire",
            "role": "client",
            "operator_id": str(operator_id),
            "tier": "lab",
        },
    ]
    return user_id, operator_id


def test_sign_in_gives_a_session_and_the_profile_read_with_the_users_own_token(auth, gotrue, postgrest, claire):
    session = auth.sign_in(" Claire@Client.fr ", PASSWORD)
    user_id, operator_id = claire
    assert session.identity.id == user_id and session.identity.role is Role.CLIENT
    assert session.identity.operator_id == operator_id and session.identity.tier is Tier.LAB
    assert session.access_token in gotrue.access and session.refresh_token in gotrue.refresh
    assert session.access_token not in repr(session) and session.refresh_token not in repr(session)

    token_request = gotrue.requests[0]
    assert token_request.url.path == "/auth/v1/token" and token_request.url.params["grant_type"] == "password"
    assert token_request.headers["apikey"] == ANON
    profile_request = postgrest.requests[-1]
    assert profile_request.url.path == "/rest/v1/profiles"
    assert profile_request.headers["authorization"] == f"Bearer {session.access_token}"  # RLS applies
    assert profile_request.headers["apikey"] == ANON and SERVICE_KEY not in str(profile_request.headers)


def test_wrong_password_and_unknown_email_get_the_same_message(auth, claire):
    with pytest.raises(AuthenticationFailed) as wrong:
        auth.sign_in("claire@client.fr", "nope")
    with pytest.raises(AuthenticationFailed) as unknown:
        auth.sign_in("nobody@client.fr", PASSWORD)
    assert str(wrong.value) == str(unknown.value) == "Email ou mot de passe incorrect."


def test_a_supabase_user_without_a_visio_profile_is_refused(auth, gotrue):
    gotrue.add_user("stranger@x.fr", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        auth.sign_in("stranger@x.fr", PASSWORD)


def test_refresh_rotates_the_token_and_a_used_one_is_refused(auth, claire):
    first = auth.sign_in("claire@client.fr", PASSWORD)
    second = auth.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token and second.identity == first.identity
    with pytest.raises(AuthenticationFailed, match="session a expiré"):
        auth.refresh(first.refresh_token)


def test_sign_out_revokes_the_session_and_is_idempotent(auth, gotrue, claire):
    session = auth.sign_in("claire@client.fr", PASSWORD)
    auth.sign_out(session.access_token)
    logout = gotrue.requests[-1]
    assert logout.url.path == "/auth/v1/logout" and logout.url.params["scope"] == "global"
    assert logout.headers["authorization"] == f"Bearer {session.access_token}"
    with pytest.raises(AuthenticationFailed):
        auth.refresh(session.refresh_token)
    auth.sign_out(session.access_token)  # already signed out: nothing to do


def test_a_wrong_anon_key_or_an_unreachable_project_is_a_clear_backend_error(gotrue, claire):
    wrong_key = SupabaseAuth(URL, "not-the-anon-key", http=httpx.Client(transport=httpx.MockTransport(gotrue.handle)))
    with pytest.raises(BackendUnavailable, match="Supabase"):
        wrong_key.sign_in("claire@client.fr", PASSWORD)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    offline = SupabaseAuth(URL, ANON, http=httpx.Client(transport=httpx.MockTransport(unreachable)))
    with pytest.raises(BackendUnavailable, match="Supabase"):
        offline.sign_in("claire@client.fr", PASSWORD)


def test_supabase_rate_limit_is_told_as_such(auth, gotrue, claire):
    gotrue.rate_limited = True
    with pytest.raises(AuthenticationFailed, match="Trop de tentatives"):
        auth.sign_in("claire@client.fr", PASSWORD)
