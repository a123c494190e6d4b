"""A page showing only the transcript player, for browser tests."""

import os
from pathlib import Path

import streamlit as st

from visio_core.domain.srt import parse
from visio_core.ui.components.transcript_player import transcript_player

cues = parse(Path(os.environ["PLAYER_SRT"]).read_text("utf-8")).cues
transcript_player("/api/test-video", cues, start_at=float(st.query_params.get("t", 0)), key="player")
