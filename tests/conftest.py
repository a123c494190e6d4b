from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from tests.fakes import FakeMediaEngine
from visio_core.domain.model import Role, Tier, utcnow
from visio_core.entrypoints.bootstrap import AppContext, build_context
from visio_core.entrypoints.config import Settings

# Real argon2id, cheaper parameters so the suite stays quick.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct-horse-battery"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(
        env={"VISIO_DATA_DIR": str(tmp_path / "data"), "VISIO_EMBEDDED_WORKER": "0"},
        secrets_file=tmp_path / "none.toml",
    )


@pytest.fixture
def engine() -> FakeMediaEngine:
    return FakeMediaEngine()


@pytest.fixture
def clock() -> Clock:
    """A clock tests move by hand; a module runs its context on it by overriding `ctx_clock`."""
    return Clock()


@pytest.fixture
def ctx_clock() -> Callable[[], datetime]:
    """The context's clock; a module overrides this fixture to drive time by hand (see Clock)."""
    return utcnow


@pytest.fixture
def ctx(settings: Settings, engine: FakeMediaEngine, ctx_clock: Callable[[], datetime]) -> AppContext:
    context = build_context(settings, engine=engine, hasher=FAST_HASHER, clock=ctx_clock)
    yield context
    context.db.close()


class People:
    """Two operators; clients A and B of operator 1, client C of operator 2; an analyst of operator 1."""

    def __init__(self, ctx: AppContext) -> None:
        add = ctx.accounts.add_user
        self.op1 = add(email="op1@example.com", display_name="MiKL", role=Role.OPERATOR, password=PASSWORD)
        self.op2 = add(email="op2@example.com", display_name="Other op", role=Role.OPERATOR, password=PASSWORD)
        self.client_a = add(
            email="a@example.com",
            display_name="Client A",
            role=Role.CLIENT,
            password=PASSWORD,
            operator_id=self.op1.id,
            tier=Tier.LAB,
        )
        self.client_b = add(
            email="b@example.com",
            display_name="Client B",
            role=Role.CLIENT,
            password=PASSWORD,
            operator_id=self.op1.id,
            tier=Tier.ONE,
        )
        self.client_c = add(
            email="c@example.com", display_name="Client C", role=Role.CLIENT, password=PASSWORD, operator_id=self.op2.id
        )
        self.analyst = add(
            email="an@example.com",
            display_name="Analyste",
            role=Role.ANALYST,
            password=PASSWORD,
            operator_id=self.op1.id,
        )


@pytest.fixture
def people(ctx: AppContext) -> People:
    return People(ctx)


class Clock:
    """A clock tests move by hand: services take it instead of the wall clock."""

    def __init__(self) -> None:
        self.now = at()

    def __call__(self) -> datetime:
        return self.now


def at(days: float = 0) -> datetime:
    return datetime(2026, 12, 1, 9, 0, tzinfo=UTC) + timedelta(days=days)


@pytest.fixture(scope="session")
def voice_weights() -> Path:
    path = Settings.load().voice_encoder
    if not path.is_file():
        pytest.fail(
            f"voice encoder weights missing at {path}: run `make setup` "
            "(scripts/fetch_voice_encoder.py) or point VISIO_VOICE_ENCODER at Resemblyzer's pretrained.pt"
        )
    return path


@pytest.fixture(scope="session")
def mbrola() -> str:
    """espeak-ng with the mbrola voices of tests/transcription/conversation.py (Debian contrib/non-free)."""
    from tests.transcription.conversation import VoicesMissing, mbrola_espeak

    try:
        return mbrola_espeak()
    except VoicesMissing as missing:
        pytest.skip(str(missing))
