"""Fixtures for the OpenVidu tests: a strict fake server on loopback, the dashboard's context
configured for it (exactly as the environment variables would), and people."""

from __future__ import annotations

import secrets

import pytest
from starlette.applications import Starlette

from tests.conftest import FAST_HASHER, PASSWORD, at
from tests.http_server import serve
from tests.openvidu.fake_openvidu import FakeOpenVidu
from visio_core.adapters.openvidu.client import OpenViduClient
from visio_core.adapters.openvidu.downloads import Ingest, RecordingDownloads
from visio_core.domain.model import Role, Tier
from visio_core.entrypoints.bootstrap import build_context, set_context
from visio_core.entrypoints.config import Settings
from visio_core.entrypoints.web import make_routes
from visio_core.services.jobs import JobRunner


@pytest.fixture
def fake_ov():
    with FakeOpenVidu() as server:
        yield server


@pytest.fixture
def ov_client(fake_ov):
    client = OpenViduClient(fake_ov.url, fake_ov.secret, sleep=lambda s: None)
    yield client
    client.close()


def fetch_due(downloads: RecordingDownloads, ingest: Ingest | None = None) -> int:
    """Serve the download queue as a worker would, until nothing is due; how many recordings were ingested.

    `ingest` stands in for the pipeline during this call."""
    pipeline = downloads.ingest
    downloads.ingest = ingest or pipeline
    before = sum(row.state == "ingested" for row in downloads.queue.rows())
    try:
        JobRunner([downloads], clock=downloads.clock).run_until_idle()
    finally:
        downloads.ingest = pipeline
    return sum(row.state == "ingested" for row in downloads.queue.rows()) - before


def join(ctx, who, meeting) -> str:
    """A connection token, through the room's gate as the room page asks for it."""
    return ctx.engine.join_token(who, ctx.meetings.enter_room(who, meeting.id))


@pytest.fixture
def webhook_secret() -> str:
    return secrets.token_urlsafe(24)


@pytest.fixture
def ov_settings(tmp_path, fake_ov, webhook_secret) -> Settings:
    env = {
        "VISIO_DATA_DIR": str(tmp_path / "data"),
        "OPENVIDU_URL": fake_ov.url,
        "OPENVIDU_SECRET": fake_ov.secret,
        "OPENVIDU_WEBHOOK_SECRET": webhook_secret,
    }
    return Settings.load(env=env, secrets_file=tmp_path / "none.toml")


@pytest.fixture
def ov_ctx(ov_settings):
    """The whole context built from settings: the engine comes from app_context._build_engine."""
    context = build_context(ov_settings, hasher=FAST_HASHER, retry_sleep=lambda s: None)  # retries without waiting
    assert context.engine.name == "openvidu"
    set_context(context)
    yield context
    set_context(None)
    context.engine.client.close()
    context.db.close()


@pytest.fixture
def web(ov_ctx):
    """The dashboard's HTTP routes (web.make_routes) on a real loopback server."""
    with serve(Starlette(routes=make_routes(lambda: ov_ctx))) as url:
        yield url


class Crew:
    """An operator, two of his clients, an analyst, and another operator with his client."""

    def __init__(self, ctx) -> None:
        add = ctx.accounts.add_user
        self.op = add(email="op@example.com", display_name="MiKL", role=Role.OPERATOR, password=PASSWORD)
        self.other_op = add(email="op2@example.com", display_name="Autre", role=Role.OPERATOR, password=PASSWORD)
        self.client = add(
            email="c@example.com",
            display_name="Claire Dupont",
            role=Role.CLIENT,
            password=PASSWORD,
            operator_id=self.op.id,
            tier=Tier.ONE,
        )
        self.client2 = add(
            email="b@example.com",
            display_name="Bruno",
            role=Role.CLIENT,
            password=PASSWORD,
            operator_id=self.op.id,
            tier=Tier.LAB,
        )
        self.stranger = add(
            email="s@example.com", display_name="Sam", role=Role.CLIENT, password=PASSWORD, operator_id=self.other_op.id
        )
        self.analyst = add(
            email="an@example.com", display_name="Ana", role=Role.ANALYST, password=PASSWORD, operator_id=self.op.id
        )
        self.ctx = ctx

    def meeting(self, *, client=None, start: bool = True, title: str = "Point projet"):
        m = self.ctx.meetings.create_meeting(
            self.op, client_id=(client or self.client).id, title=title, scheduled_at=at()
        )
        return self.ctx.meetings.start_meeting(self.op, m.id) if start else m


@pytest.fixture
def crew(ov_ctx) -> Crew:
    return Crew(ov_ctx)
