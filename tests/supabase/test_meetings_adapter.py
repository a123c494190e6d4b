"""The PostgREST meetings repository: the meetings service running on it, and the exact requests."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import at
from tests.fakes import FakeMediaEngine
from tests.supabase.fake_postgrest import FakePostgrest
from visio_core.adapters.supabase.meetings import SupabaseMeetingRepository, user_client
from visio_core.domain.errors import BackendUnavailable, IllegalTransition
from visio_core.domain.model import Identity, MeetingStatus, Role
from visio_core.services.meetings import MeetingService

URL = "https://project.supabase.test"
ANON = "anon-key-for-tests"
USER_JWT = "user-access-token-for-tests"
SERVICE_KEY = "service-role-key-for-tests"
COLUMNS = {
    "id",
    "client_id",
    "operator_id",
    "title",
    "description",
    "scheduled_at",
    "started_at",
    "ended_at",
    "language",
    "duration_seconds",
    "session_id",
    "status",
    "created_at",
    "updated_at",
}

OPERATOR = Identity(uuid.uuid4(), "op@x.io", "MiKL", Role.OPERATOR)
CLIENT_A = Identity(uuid.uuid4(), "a@x.io", "A", Role.CLIENT, OPERATOR.id)
CLIENT_B = Identity(uuid.uuid4(), "b@x.io", "B", Role.CLIENT, OPERATOR.id)


class Users:
    """The profile lookups the service needs (Supabase: public.profiles)."""

    def get(self, user_id):
        return {u.id: u for u in (OPERATOR, CLIENT_A, CLIENT_B)}.get(user_id)


@pytest.fixture
def fake() -> FakePostgrest:
    return FakePostgrest(anon_key=ANON, tokens={USER_JWT, SERVICE_KEY}, columns={"meetings": COLUMNS})


@pytest.fixture
def repo(fake) -> SupabaseMeetingRepository:
    client = user_client(URL, ANON, USER_JWT, http_client=httpx.Client(transport=fake.transport()))
    return SupabaseMeetingRepository(client)


@pytest.fixture
def service(repo) -> MeetingService:
    return MeetingService(repo, Users(), FakeMediaEngine())


def test_the_meetings_service_runs_on_postgrest(service, fake):
    a1 = service.create_meeting(OPERATOR, client_id=CLIENT_A.id, title="Revue 100% *budget*", scheduled_at=at(1))
    b1 = service.create_meeting(OPERATOR, client_id=CLIENT_B.id, title="Atelier", scheduled_at=at(2))
    service.create_meeting(OPERATOR, client_id=CLIENT_A.id, title="Bilan", scheduled_at=at(3))
    started = service.start_meeting(OPERATOR, a1.id)
    assert service.get_meeting(OPERATOR, a1.id) == started
    assert service.list_meetings(OPERATOR, statuses=["in_progress"]).total == 1
    assert [m.title for m in service.list_meetings(OPERATOR, page_size=2).items] == ["Bilan", "Atelier"]
    assert service.list_meetings(OPERATOR, page=2, page_size=2).total == 3
    mine = service.list_meetings(CLIENT_A).items
    assert len(mine) == 2 and all(m.client_id == CLIENT_A.id for m in mine)
    assert service.list_meetings(OPERATOR, title_contains="100% *b").total == 1  # taken literally
    assert service.list_meetings(OPERATOR, title_contains="100%%").total == 0
    assert service.list_meetings(OPERATOR, scheduled_from=at(2), scheduled_to=at(3)).items[0].id == b1.id
    counts = service.count_by_status(OPERATOR)
    assert counts[MeetingStatus.SCHEDULED] == 2 and counts[MeetingStatus.IN_PROGRESS] == 1


def test_a_lost_race_writes_nothing(service, fake):
    meeting = service.create_meeting(OPERATOR, client_id=CLIENT_A.id, title="Course", scheduled_at=at())
    fake.rows["meetings"][0]["status"] = "cancelled"  # someone else changed it in between
    with pytest.raises(IllegalTransition):
        service.start_meeting(OPERATOR, meeting.id)
    assert fake.rows["meetings"][0]["status"] == "cancelled"


def test_exact_requests_use_the_users_jwt_never_the_service_key(service, fake):
    meeting = service.create_meeting(OPERATOR, client_id=CLIENT_A.id, title="X", scheduled_at=at())
    service.start_meeting(OPERATOR, meeting.id)
    service.list_meetings(OPERATOR, statuses=["scheduled", "in_progress"], client_id=CLIENT_A.id)
    for request in fake.requests:
        assert request.headers["apikey"] == ANON and request.headers["authorization"] == f"Bearer {USER_JWT}"
        assert SERVICE_KEY not in str(request.headers) and SERVICE_KEY not in request.url.query.decode()
    patch = next(r for r in fake.requests if r.method == "PATCH")
    assert dict(httpx.QueryParams(patch.url.query)) == {"id": f"eq.{meeting.id}", "status": "eq.scheduled"}
    assert "return=representation" in patch.headers["prefer"]
    listing = fake.requests[-1]
    params = httpx.QueryParams(listing.url.query)
    assert params["operator_id"] == f"eq.{OPERATOR.id}" and params["client_id"] == f"eq.{CLIENT_A.id}"
    assert params["status"] == "in.(in_progress,scheduled)" and params["order"] == "scheduled_at.desc,id.desc"
    assert params["offset"] == "0" and params["limit"] == "50" and "count=exact" in listing.headers["prefer"]


def test_an_expired_token_is_a_clear_error(fake):
    repo = SupabaseMeetingRepository(
        user_client(URL, ANON, "expired-token", http_client=httpx.Client(transport=fake.transport()))
    )
    with pytest.raises(BackendUnavailable) as error:
        repo.get(uuid.uuid4())
    assert "expired-token" not in str(error.value)
