"""A client's own meetings (an analyst sees his operator's), newest first, with join and recordings links."""

from __future__ import annotations

import streamlit as st

from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import format_duration, t
from visio_core.domain.model import Identity, MeetingStatus, Role
from visio_core.domain.timefmt import show
from visio_core.services.sessions import UserScope
from visio_core.ui.badges import status_badge
from visio_core.ui.text import md

REFRESH_SECONDS = 5


@st.fragment(run_every=REFRESH_SECONDS)
def render(ctx: UserScope, identity: Identity) -> None:
    analyst = identity.role is Role.ANALYST
    st.title(t("mine.title_analyst" if analyst else "mine.title"))
    # An analyst follows every client of his operator: each meeting says whose it is.
    clients = {c.id: c.display_name for c in ctx.accounts.clients_of(identity)} if analyst else {}
    try:
        page = ctx.meetings.list_meetings(identity, page_size=200)
    except VisioError as error:
        st.error(str(error))
        return
    if not page.items:
        st.info(t("mine.none"))
        return
    for meeting in page.items:
        with st.container(border=True):
            left, right = st.columns([3, 1])
            left.markdown(f"**{md(meeting.title)}** · {status_badge(meeting.status)}")
            client = clients.get(meeting.client_id)
            left.caption(
                (f"{t('col.client')} : {md(client)} · " if client else "")
                + f"{t('col.scheduled_at')} {show(meeting.scheduled_at)} · {t('col.duration')} "
                f"{format_duration(meeting.duration_seconds)}"
            )
            if meeting.status is MeetingStatus.IN_PROGRESS and identity.role is Role.CLIENT:
                right.page_link(
                    "pages/room.py",
                    label=t("mine.join"),
                    icon=":material/videocam:",
                    query_params={"meeting": str(meeting.id)},
                )
            if meeting.status is MeetingStatus.COMPLETED:
                right.page_link(
                    "pages/recordings.py",
                    label=t("mine.recordings"),
                    icon=":material/movie:",
                    query_params={"meeting": str(meeting.id)},
                )
