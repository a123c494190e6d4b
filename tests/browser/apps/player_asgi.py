"""The player page with one route serving a test video (Range supported by FileResponse)."""

import os

import streamlit as st
from starlette.responses import FileResponse
from starlette.routing import Route


async def video(request):
    return FileResponse(os.environ["PLAYER_VIDEO"], media_type="video/webm")


app = st.App(os.path.join(os.path.dirname(__file__), "player_page.py"), routes=[Route("/api/test-video", video)])
