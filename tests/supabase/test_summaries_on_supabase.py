"""Summaries on Supabase (strict fake project), the chat model configured by the environment and
served by the chat completions fake: pages read with the user's JWT (RLS decides, proven in
tests/postgres), the system writes after the service checked the user, workers claim and write."""

from __future__ import annotations

import pytest

from tests.conftest import FAST_HASHER
from tests.fakes import FakeMediaEngine
from tests.summary.conftest import KEY, MODEL
from tests.summary.openai_chat_server import chat_server
from tests.supabase.project import ANON, PASSWORD, SERVICE_KEY, URL, bearer, seeded_project
from visio_core.domain.errors import Forbidden
from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.config import Settings
from visio_core.services.jobs import JobRunner


@pytest.fixture
def world(tmp_path):
    project = seeded_project()
    with chat_server(KEY, models=(MODEL,)) as chat:
        settings = Settings.load(
            env={
                "VISIO_DATA_DIR": str(tmp_path / "data"),
                "SUPABASE_URL": URL,
                "SUPABASE_ANON_KEY": ANON,
                "SUPABASE_SERVICE_ROLE_KEY": SERVICE_KEY,
                "OPENAI_API_KEY": KEY,
                "OPENAI_BASE_URL": chat.base_url,
                "VISIO_SUMMARY_MODEL": MODEL,
            },
            secrets_file=tmp_path / "none.toml",
        )
        ctx = build_context(settings, engine=FakeMediaEngine(), hasher=FAST_HASHER, http=project.client())
        yield project, ctx, chat
        ctx.db.close()


def summary_requests(project, since: int):
    return [r for r in project.rest.requests[since:] if r.url.path == "/rest/v1/recording_summaries"]


def test_asked_by_the_operator_written_by_a_worker_read_by_the_client_with_his_jwt(world):
    project, ctx, chat = world
    recording = project.ids["ok"]
    operator, opened = ctx.sessions.sign_in("mikl@foxeo.fr", PASSWORD)
    scope = ctx.sessions.scope_for(operator, opened.key)
    since = len(project.rest.requests)
    scope.summaries.regenerate(operator, recording)
    requests = summary_requests(project, since)
    assert {bearer(r) for r in requests if r.method == "GET"} == {opened_token(project, operator)}
    assert {bearer(r) for r in requests if r.method == "POST"} == {SERVICE_KEY}  # written by the system

    assert JobRunner(ctx.job_kinds()).run_until_idle() == 1
    assert "[#1 00:01] Le budget est validé" in chat.received[0].user  # read from the stored SRT

    client, client_session = ctx.sessions.sign_in("claire@client.fr", PASSWORD)
    mine = ctx.sessions.scope_for(client, client_session.key)
    since = len(project.rest.requests)
    state = mine.summaries.state(client, recording)
    assert state.status == "completed" and state.summary.overview == "Lignes 1 à 2 (2 répliques)."
    assert [d.start for d in state.summary.decisions] == []  # nothing was decided in these two lines
    assert {bearer(r) for r in summary_requests(project, since)} == {opened_token(project, client)}
    since = len(project.rest.requests)
    with pytest.raises(Forbidden):
        mine.summaries.regenerate(client, recording)
    assert not [r for r in summary_requests(project, since) if r.method != "GET"]


def opened_token(project, identity) -> str:
    """The access token Auth issued to this user (his live session's)."""
    tokens = [t for t, uid in project.auth.access.items() if uid == identity.id]
    assert len(tokens) == 1
    return tokens[0]
