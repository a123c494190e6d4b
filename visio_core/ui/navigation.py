"""Which pages each role sees, and the sidebar with who is signed in."""

from __future__ import annotations

import streamlit as st

from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Role
from visio_core.ui import session
from visio_core.ui.text import t_md

_PAGES = {
    "hub": ("pages/hub.py", "nav.hub", ":material/dashboard:"),
    "my_meetings": ("pages/my_meetings.py", "nav.my_meetings", ":material/event:"),
    "room": ("pages/room.py", "nav.room", ":material/videocam:"),
    "recordings": ("pages/recordings.py", "nav.recordings", ":material/movie:"),
    "transcripts": ("pages/transcripts.py", "nav.transcripts", ":material/search:"),
}
_BY_ROLE = {
    Role.OPERATOR: ("hub", "room", "recordings", "transcripts"),
    Role.CLIENT: ("my_meetings", "room", "recordings", "transcripts"),
    Role.ANALYST: ("my_meetings", "recordings", "transcripts"),
}


def pages_for(identity: Identity) -> list[st.Page]:
    pages: list[st.Page] = []
    for index, name in enumerate(_BY_ROLE[identity.role]):
        path, title, icon = _PAGES[name]
        pages.append(st.Page(path, title=t(title), icon=icon, url_path=name, default=index == 0))
    return pages


def sidebar(identity: Identity) -> None:
    with st.sidebar:
        st.caption(t_md("login.signed_in_as", name=identity.display_name, role=t(f"role.{identity.role.value}")))
        st.button(t("nav.logout"), key="logout", on_click=session.sign_out)


_RUNS_AWAY = "_runs_away_from_room"


def remember_page(url_path: str) -> None:
    """Count script runs spent on pages other than the room (see ui/embedded_room.py)."""
    if url_path != "room":
        st.session_state[_RUNS_AWAY] = st.session_state.get(_RUNS_AWAY, 0) + 1


def left_page_since(key: str) -> bool:
    """Whether the user visited another page since the room rendered `key` last time."""
    away = st.session_state.get(_RUNS_AWAY, 0)
    seen_key = f"_runs_away_seen_{key}"
    left: bool = st.session_state.get(seen_key, away) != away
    st.session_state[seen_key] = away
    return left
