"""ASGI app: the dashboard and its HTTP routes (health, signed files, webhook) on one port.

Run with `streamlit run app.py` (what `make run` does) or `uvicorn app:app`.
"""

import streamlit as st

from visio_core.entrypoints.web import routes

app = st.App("Home.py", routes=routes)
