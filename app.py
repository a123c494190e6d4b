"""ASGI app: the dashboard and its HTTP routes (health, signed files, webhook) on one port.

Run with `python -m visio_core serve` (what `make run` does: this app plus its worker processes),
`streamlit run app.py` or `uvicorn app:app`.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

from visio_core.entrypoints.bootstrap import get_context
from visio_core.entrypoints.web import routes


@asynccontextmanager
async def lifespan(app: st.App) -> AsyncIterator[None]:
    """What the dashboard process does beside requests starts with the process, not with a first page view."""
    ctx = get_context()
    ctx.recover_after_crash()
    ctx.engine.start_background()
    yield None


app = st.App("Home.py", routes=routes, lifespan=lifespan)
