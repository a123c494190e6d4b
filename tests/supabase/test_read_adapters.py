"""The user-side Supabase adapters (profiles, recordings, search) and the worker's cue index: exact requests."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from tests.supabase.project import ANON, SERVICE_KEY, URL, FakeSupabase, bearer
from visio_core.adapters.supabase.jobs import service_client
from visio_core.adapters.supabase.meetings import user_client
from visio_core.adapters.supabase.profiles import SupabaseProfiles
from visio_core.adapters.supabase.recordings import UserRecordings
from visio_core.adapters.supabase.search import BATCH, SupabaseTranscriptIndex, SupabaseTranscriptSearch
from visio_core.domain.errors import BackendUnavailable
from visio_core.domain.model import Identity, Role, TranscriptionStatus
from visio_core.domain.search import CueFilters
from visio_core.domain.srt import Cue


@pytest.fixture
def project() -> FakeSupabase:
    fake = FakeSupabase()
    fake.op = fake.add_person("mikl@foxeo.fr", "MiKL", "operator")
    fake.add_person("zoe@client.fr", "Zoé", "client", fake.op)
    fake.add_person("anne@client.fr", "Anne", "client", fake.op)
    fake.other = fake.add_person("other@foxeo.fr", "Autre", "operator")
    fake.add_person("x@client.fr", "X", "client", fake.other)
    return fake


def signed_in(project: FakeSupabase, email: str = "mikl@foxeo.fr") -> tuple[str, httpx.Client]:
    response = project.handle(
        httpx.Request(
            "POST",
            f"{URL}/auth/v1/token?grant_type=password",
            headers={"apikey": ANON},
            content=json.dumps({"email": email, "password": "correct-horse-battery"}).encode(),
        )
    )
    return response.json()["access_token"], project.client()


def operator(project) -> Identity:
    return Identity(id=project.op, email="mikl@foxeo.fr", display_name="MiKL", role=Role.OPERATOR)


def test_clients_of_asks_for_the_operators_clients_sorted(project):
    jwt, http = signed_in(project)
    clients = SupabaseProfiles(user_client(URL, ANON, jwt, http_client=http)).clients_of(operator(project))
    assert [c.display_name for c in clients] == ["Anne", "Zoé"]
    request = project.rest.requests[-1]
    assert bearer(request) == jwt and request.headers["apikey"] == ANON
    assert dict(request.url.params) == {
        "select": "id,email,display_name,role,operator_id,tier",
        "role": "eq.client",
        "operator_id": f"eq.{project.op}",
        "order": "display_name.asc",
    }
    client = Identity(id=uuid.uuid4(), email="c@x", display_name="c", role=Role.CLIENT, operator_id=project.op)
    assert SupabaseProfiles(user_client(URL, ANON, jwt, http_client=http)).clients_of(client) == []


def test_user_recordings_list_active_and_requeue_through_the_function(project):
    jwt, http = signed_in(project)
    recordings = UserRecordings(user_client(URL, ANON, jwt, http_client=http))
    assert recordings.list_active() == []
    listing = project.rest.requests[-1]
    assert listing.url.params["transcription_status"] == "neq.completed" and listing.url.params["limit"] == "200"
    assert (
        recordings.requeue(
            uuid.uuid4(),
            datetime.now(UTC),
            language="en",
            only_if=(TranscriptionStatus.FAILED, TranscriptionStatus.COMPLETED),
        )
        is False
    )
    call = project.rest.requests[-1]
    assert call.url.path == "/rest/v1/rpc/requeue_transcription" and bearer(call) == jwt
    assert json.loads(call.content)["only_if"] == ["completed", "failed"]


def test_search_sends_words_not_the_raw_query_and_maps_hits(project):
    jwt, http = signed_in(project)
    search = SupabaseTranscriptSearch(user_client(URL, ANON, jwt, http_client=http))
    assert search.search("  ?! ", CueFilters(operator_id=project.op)) == []
    assert not any(r.url.path.endswith("search_transcripts") for r in project.rest.requests)  # no words, no call
    search.search("budget: 'réu*", CueFilters(operator_id=project.op, language="fr", limit=50))
    args = json.loads(project.rest.requests[-1].content)
    assert args == {
        "words": ["budget", "réu"],
        "operator_scope": str(project.op),
        "client_scope": None,
        "client": None,
        "scheduled_from": None,
        "scheduled_to": None,
        "lang": "fr",
        "max_rows": 50,
        "who": None,
    }


def test_a_postgrest_error_is_reported_without_details(project):
    http = project.client()
    search = SupabaseTranscriptSearch(user_client(URL, ANON, "expired-or-forged-jwt", http_client=http))
    with pytest.raises(BackendUnavailable) as raised:
        search.search("budget", CueFilters())
    assert "jwt" not in str(raised.value).lower()


def test_index_replaces_cues_in_batches_with_the_service_key(project):
    recording = type("R", (), {"id": uuid.uuid4()})()
    project.rest.rows["meeting_recordings"] = []
    index = SupabaseTranscriptIndex(service_client(URL, SERVICE_KEY, http_client=project.client()))
    many = [Cue(i, i * 1.0, i + 0.5, f"phrase {i}") for i in range(BATCH * 2 + 3)]
    index.index(recording, many)
    assert len(project.rest.rows["transcript_cues"]) == len(many)
    index.index(recording, many[:2])  # transcribed again, shorter: the tail goes
    assert sorted(c["text"] for c in project.rest.rows["transcript_cues"]) == ["phrase 0", "phrase 1"]
    writes = [r for r in project.rest.requests if r.url.path == "/rest/v1/transcript_cues"]
    assert [r.method for r in writes] == ["POST", "POST", "POST", "DELETE", "POST", "DELETE"]
    assert all(bearer(r) == SERVICE_KEY for r in writes)
    assert writes[3].url.params["position"] == f"gte.{len(many)}" and writes[-1].url.params["position"] == "gte.2"


def test_many_meetings_in_one_request(project):
    from tests.supabase.project import meeting_row
    from visio_core.adapters.supabase.meetings import SupabaseMeetingRepository

    rows = [meeting_row(project.op, project.op, f"M{i}", "completed", -i) for i in range(3)]
    project.rest.rows["meetings"] = rows
    jwt, http = signed_in(project)
    meetings = SupabaseMeetingRepository(user_client(URL, ANON, jwt, http_client=http))
    before = len(project.rest.requests)
    found = meetings.get_many([uuid.UUID(rows[0]["id"]), uuid.UUID(rows[2]["id"]), uuid.UUID(rows[0]["id"])])
    assert {m.title for m in found.values()} == {"M0", "M2"}
    assert len(project.rest.requests) == before + 1 and meetings.get_many([]) == {}
