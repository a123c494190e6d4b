"""The room page plus the route serving the openvidu-browser bundle."""

import os

import streamlit as st

from visio_core.entrypoints.assets import asset_routes

app = st.App(os.path.join(os.path.dirname(__file__), "room_page.py"), routes=asset_routes())
