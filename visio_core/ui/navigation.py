"""Which pages each role sees, and the sidebar with who is signed in."""

from __future__ import annotations

from collections.abc import Callable

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
_HOME = "accueil"  # the reserved name of a role's first page, served at "/"
_BY_ROLE = {
    Role.OPERATOR: ("hub", "room", "recordings", "transcripts"),
    Role.CLIENT: ("my_meetings", "room", "recordings", "transcripts"),
    Role.ANALYST: ("my_meetings", "recordings", "transcripts"),
}


def pages_for(identity: Identity) -> list[st.Page]:
    """His role's pages, then every other page hidden and answering that it is not for him.

    Every known address is registered, so a link to a page of another role (or one followed
    before signing in) gets a French sentence instead of Streamlit's English "Page not found"."""
    pages: list[st.Page] = []
    allowed = _BY_ROLE[identity.role]
    for index, name in enumerate(allowed):
        path, title, icon = _PAGES[name]
        if identity.role is Role.ANALYST and name == "my_meetings":
            title = "nav.clients_meetings"  # he has no meetings of his own
        if index == 0:
            # Streamlit serves the default page at "/" only: "/hub" (a bookmark, a link) answered
            # "Page not found". The default page keeps a name nobody links to, and its own address
            # opens it through a hidden twin.
            pages.append(st.Page(path, title=t(title), icon=icon, url_path=_HOME, default=True))
            pages.append(st.Page(path, title=t(title), icon=icon, url_path=name, visibility="hidden"))
        else:
            pages.append(st.Page(path, title=t(title), icon=icon, url_path=name))
    for name, (_, title, icon) in _PAGES.items():
        if name not in allowed:
            pages.append(st.Page(_not_for_role, title=t(title), icon=icon, url_path=name, visibility="hidden"))
    return pages


def signed_out_pages(sign_in: Callable[[], None]) -> list[st.Page]:
    """The sign-in form at every page's address: a link opened signed out shows the form, and once
    signed in the same address (query included) opens the page it pointed to."""
    pages = [st.Page(sign_in, title=t("login.title"), url_path="login", default=True)]
    for name in _PAGES:
        pages.append(st.Page(sign_in, title=t("login.title"), url_path=name, visibility="hidden"))
    return pages


def _not_for_role() -> None:
    st.warning(t("nav.not_for_role"))


def sidebar(identity: Identity) -> None:
    with st.sidebar:
        st.caption(t_md("login.signed_in_as", name=identity.display_name, role=t(f"role.{identity.role.value}")))
        st.button(t("nav.logout"), key="logout", on_click=session.sign_out)
