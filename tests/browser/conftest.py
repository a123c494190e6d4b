"""Each browser test module gets its own demo dashboard (module scope), seeded fresh: a module's
tests change its data (meetings started and ended), so modules never share one. A module that
needs other settings overrides `dashboard_env`, or the fixtures themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import cli, dashboard, require_chromium


@pytest.fixture(scope="module")
def dashboard_env() -> dict[str, str]:
    return {}


@pytest.fixture(scope="module")
def data_dir(request, tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]) / "data"


@pytest.fixture(scope="module")
def server(data_dir: Path, dashboard_env: dict[str, str]) -> Iterator[str]:
    require_chromium()
    cli(data_dir, "seed-demo")
    with dashboard(data_dir, dashboard_env) as url:
        yield url
