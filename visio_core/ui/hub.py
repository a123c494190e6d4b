"""The operator's Hub: counts, filters (status first), the meetings table, actions, creation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

import pandas as pd
import streamlit as st

from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import format_duration, t
from visio_core.domain.languages import AUTO, OFFERED_LANGUAGES, language_label
from visio_core.domain.model import DESCRIPTION_MAX, TITLE_MAX, Identity, Meeting, MeetingStatus, is_past
from visio_core.domain.timefmt import LOCAL_TZ, day_range, local_to_utc, parse_day, show
from visio_core.services.hub_changes import hub_digest
from visio_core.services.sessions import UserScope
from visio_core.ui import flash, recording_jobs
from visio_core.ui.badges import status_css, status_label
from visio_core.ui.components.live_refresh import live_refresh
from visio_core.ui.guard import uuid_param
from visio_core.ui.text import t_md
from visio_core.ui.vocabulary_form import vocabulary_form

PAGE_SIZE = 25
ALL_CLIENTS = "all"  # a real option: Streamlit shows None as "nothing chosen"
REFRESH_SECONDS = 5  # how often the page asks whether its list changed (a small JSON request, no rerun)
CHANGES_URL = "/api/hub/changes"
_PENDING = "hub_pending_action"
LIVE = "hub_live"  # the live list's own message slot (see ui/flash.py)


@dataclass(frozen=True)
class Filters:
    statuses: list[MeetingStatus]
    client_id: uuid.UUID | None
    day_from: date | None
    day_to: date | None
    title: str


def render(ctx: UserScope, operator: Identity) -> None:
    st.title(t("hub.title"))
    flash.show()  # outside the live fragment: its reruns neither redraw nor drop the message
    clients = {c.id: c for c in ctx.accounts.clients_of(operator)}
    # The forms come before the live list: that list redraws itself every few seconds and its
    # height can change, which moved anything below it under the pointer (a click on "Créer le
    # meeting" landed beside the button and was lost).
    _create_form(ctx, operator, clients)
    recording_jobs.import_form(ctx, operator)
    vocabulary_form(ctx, operator)
    filters = _filters(clients)
    _live_meetings(ctx, operator, clients, filters)


# -- filters, mirrored in the URL so a filtered view can be bookmarked -----------------------


def _init_from_query(clients: dict[uuid.UUID, Identity]) -> None:
    if st.session_state.get("hub_filters_ready"):
        return
    st.session_state["hub_filters_ready"] = True
    params = st.query_params
    known = {status.value for status in MeetingStatus}
    statuses = [s for s in params.get_all("status") if s in known]
    bad = [s for s in params.get_all("status") if s not in known]
    if bad:
        st.error(t("error.bad_status", value=", ".join(bad)))
    st.session_state["hub_status"] = [MeetingStatus(s) for s in statuses]
    client = uuid_param("client")
    st.session_state["hub_client"] = client if client in clients else ALL_CLIENTS
    for name, key in (("from", "hub_from"), ("to", "hub_to")):
        try:
            st.session_state[key] = parse_day(params.get(name))
        except VisioError as error:
            st.error(str(error))
            st.session_state[key] = None
    st.session_state["hub_title"] = params.get("q", "")


def _filters(clients: dict[uuid.UUID, Identity]) -> Filters:
    _init_from_query(clients)
    st.multiselect(
        t("hub.filter_status"),
        list(MeetingStatus),
        format_func=status_label,
        key="hub_status",
        placeholder=t("hub.filter_status"),
    )
    c1, c2, c3, c4 = st.columns([2, 1, 1, 2])
    c1.selectbox(
        t("hub.filter_client"),
        [ALL_CLIENTS, *clients],
        format_func=lambda cid: t("hub.filter_all_clients") if cid == ALL_CLIENTS else clients[cid].display_name,
        key="hub_client",
    )
    c2.date_input(t("hub.filter_from"), value=None, key="hub_from", format="DD/MM/YYYY")
    c3.date_input(t("hub.filter_to"), value=None, key="hub_to", format="DD/MM/YYYY")
    c4.text_input(t("hub.filter_title"), key="hub_title", max_chars=200)
    filters = Filters(
        statuses=list(st.session_state["hub_status"]),
        client_id=None if st.session_state["hub_client"] == ALL_CLIENTS else st.session_state["hub_client"],
        day_from=st.session_state["hub_from"],
        day_to=st.session_state["hub_to"],
        title=st.session_state["hub_title"].strip(),
    )
    st.query_params.from_dict(
        {
            k: v
            for k, v in {
                "status": [s.value for s in filters.statuses],
                "client": str(filters.client_id) if filters.client_id else None,
                "from": filters.day_from.isoformat() if filters.day_from else None,
                "to": filters.day_to.isoformat() if filters.day_to else None,
                "q": filters.title or None,
            }.items()
            if v
        }
    )
    return filters


# -- the live part: redrawn when what it shows changes, wherever the change was made ------------


@st.fragment
def _live_meetings(ctx: UserScope, operator: Identity, clients: dict[uuid.UUID, Identity], filters: Filters) -> None:
    flash.show(LIVE)
    try:
        # Taken before the list is read: a change in between shows at the next poll, never lost.
        version = hub_digest(ctx.meetings, ctx.recordings, operator)
        live_refresh(CHANGES_URL, version, REFRESH_SECONDS, key="hub_live_refresh")
        scheduled_from, scheduled_to = day_range(filters.day_from, filters.day_to)
        common: dict[str, Any] = dict(
            client_id=filters.client_id,
            scheduled_from=scheduled_from,
            scheduled_to=scheduled_to,
            title_contains=filters.title,
        )
        counts = ctx.meetings.count_by_status(operator, **common)
        page_number = _page_number(filters)
        page = ctx.meetings.list_meetings(
            operator, statuses=filters.statuses, page=page_number, page_size=PAGE_SIZE, **common
        )
    except VisioError as error:
        st.error(str(error))
        return

    for column, status in zip(st.columns(len(MeetingStatus)), MeetingStatus, strict=True):
        column.metric(status_label(status), counts[status])

    if not page.items:
        st.info(t("hub.no_meetings"))
        return
    table = _table(page.items, clients)
    st.dataframe(
        table.style.map(status_css, subset=[t("col.status")]), hide_index=True, width="stretch", key="hub_table"
    )
    _pagination(page.page, page.pages, page.total)
    _actions(ctx, operator, page.items, clients)
    recording_jobs.jobs_panel(ctx, operator)


def _page_number(filters: Filters) -> int:
    # A new filter starts again at page 1.
    if st.session_state.get("hub_page_filters") != filters:
        st.session_state["hub_page_filters"] = filters
        st.session_state["hub_page"] = 1
    return cast(int, st.session_state.get("hub_page", 1))  # only ever set to a page number


def _pagination(page: int, pages: int, total: int) -> None:
    left, middle, right = st.columns([1, 3, 1])
    left.button(t("hub.previous"), disabled=page <= 1, key="hub_prev", on_click=_go_to_page, args=(page - 1,))
    middle.caption(t("hub.page", page=page, pages=pages, total=total))
    right.button(t("hub.next"), disabled=page >= pages, key="hub_next", on_click=_go_to_page, args=(page + 1,))


def _go_to_page(page: int) -> None:
    st.session_state["hub_page"] = page


def _table(meetings: list[Meeting], clients: dict[uuid.UUID, Identity]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col.title"): [m.title for m in meetings],
            t("col.client"): [clients[m.client_id].display_name if m.client_id in clients else "?" for m in meetings],
            t("col.status"): [status_label(m.status) for m in meetings],
            t("col.scheduled_at"): [show(m.scheduled_at) for m in meetings],
            t("col.started_at"): [show(m.started_at) for m in meetings],
            t("col.duration"): [format_duration(m.duration_seconds) for m in meetings],
        }
    )


# -- actions with a confirmation step ---------------------------------------------------------

_ACTIONS = {
    MeetingStatus.SCHEDULED: ("start", "cancel"),
    MeetingStatus.IN_PROGRESS: ("end",),
    MeetingStatus.COMPLETED: (),
    MeetingStatus.CANCELLED: (),
}
_BUTTONS = {"start": "hub.start", "end": "hub.end", "cancel": "hub.cancel"}


def _actions(ctx: UserScope, operator: Identity, meetings: list[Meeting], clients: dict[uuid.UUID, Identity]) -> None:
    st.subheader(t("hub.actions"))
    by_id = {m.id: m for m in meetings}

    def label(meeting_id: uuid.UUID) -> str:
        meeting = by_id[meeting_id]
        client = clients.get(meeting.client_id)
        return f"{meeting.title} — {client.display_name if client else '?'} · {show(meeting.scheduled_at)}"

    chosen = st.selectbox(t("hub.pick_meeting"), list(by_id), format_func=label, key="hub_selected")
    meeting = by_id[chosen]
    pending = st.session_state.get(_PENDING)
    if pending and pending[1] == meeting.id:
        _confirm(ctx, operator, meeting, pending[0])
        return
    buttons = st.columns(4)
    for column, action in zip(buttons, _ACTIONS[meeting.status], strict=False):
        column.button(
            t(_BUTTONS[action]),
            key=f"hub_{action}",
            type="secondary" if action == "cancel" else "primary",
            on_click=_ask_confirmation,
            args=(action, meeting.id),
        )
    if meeting.status is MeetingStatus.IN_PROGRESS:
        buttons[3].page_link(
            "pages/room.py", label=t("hub.join"), icon=":material/videocam:", query_params={"meeting": str(meeting.id)}
        )
    if meeting.status is MeetingStatus.COMPLETED:
        buttons[3].page_link(
            "pages/recordings.py",
            label=t("hub.recordings"),
            icon=":material/movie:",
            query_params={"meeting": str(meeting.id)},
        )


def _ask_confirmation(action: str, meeting_id: uuid.UUID) -> None:
    st.session_state[_PENDING] = (action, meeting_id)


def _confirm(ctx: UserScope, operator: Identity, meeting: Meeting, action: str) -> None:
    st.warning(t_md("hub.confirm", action=t(f"action.{action}"), title=meeting.title))
    yes, no = st.columns(2)
    yes.button(
        t("hub.confirm_yes"),
        key="hub_confirm_yes",
        type="primary",
        on_click=_run_action,
        args=(ctx, operator, meeting.id, action),
    )
    no.button(t("hub.confirm_no"), key="hub_confirm_no", on_click=st.session_state.pop, args=(_PENDING, None))


def _run_action(ctx: UserScope, operator: Identity, meeting_id: uuid.UUID, action: str) -> None:
    st.session_state.pop(_PENDING, None)
    try:
        if action == "start":
            ctx.meetings.start_meeting(operator, meeting_id)
            message = t("hub.started")
        elif action == "end":
            ended = ctx.meetings.end_meeting(operator, meeting_id)
            message = t("hub.ended", duration=format_duration(ended.duration_seconds))
        else:
            ctx.meetings.cancel_meeting(operator, meeting_id)
            message = t("hub.cancelled")
    except VisioError as error:
        flash.push(str(error), "error", slot=LIVE)
    else:
        flash.push(message, slot=LIVE)  # the button is in the live list: its click reruns only that


# -- creation ---------------------------------------------------------------------------------


def _create_form(ctx: UserScope, operator: Identity, clients: dict[uuid.UUID, Identity]) -> None:
    error = st.session_state.get("create_error")
    with st.expander(t("hub.create"), expanded=error is not None):
        if not clients:
            st.info(t("hub.no_clients"))
            return
        with st.form("hub_create"):
            st.selectbox(
                t("hub.client_field"),
                list(clients),
                format_func=lambda cid: clients[cid].display_name,
                key="create_client",
            )
            st.text_input(t("hub.title_field"), max_chars=TITLE_MAX, key="create_title")
            st.text_area(t("hub.description_field"), max_chars=DESCRIPTION_MAX, key="create_description")
            soon = datetime.now(LOCAL_TZ) + timedelta(hours=1)
            c1, c2 = st.columns(2)
            # A meeting is planned ahead: the picker offers no past day (a past date was accepted silently).
            c1.date_input(
                t("hub.date_field"),
                value=soon.date(),
                min_value=datetime.now(LOCAL_TZ).date(),
                format="DD/MM/YYYY",
                key="create_day",
            )
            c2.time_input(t("hub.time_field"), value=time(soon.hour, 0), key="create_time")
            choices = list(dict.fromkeys([ctx.settings.default_language, AUTO, *OFFERED_LANGUAGES]))
            st.selectbox(
                t("hub.language_field"),
                choices,
                format_func=language_label,
                key="create_language",
                help=t("hub.language_help"),
            )
            # A callback, not `if submitted:`: it runs even when the submit lands in a rerun of the
            # meetings list, which would otherwise swallow it.
            st.form_submit_button(t("hub.create_submit"), type="primary", on_click=_create, args=(ctx, operator))
        if error is not None:
            st.error(error)  # under the button that caused it, not above the page's fold


def _create(ctx: UserScope, operator: Identity) -> None:
    state = st.session_state
    try:
        meeting = ctx.meetings.create_meeting(
            operator,
            client_id=state["create_client"],
            title=state["create_title"],
            description=state["create_description"],
            scheduled_at=local_to_utc(state["create_day"], state["create_time"]),
            language=state.get("create_language"),
        )
    except VisioError as error:
        state["create_error"] = str(error)
        return
    state["create_error"] = None
    state["create_title"] = state["create_description"] = ""
    if is_past(meeting.scheduled_at, ctx.meetings.clock()):  # accepted (a meeting held elsewhere), but said
        flash.push(t_md("hub.created_past", title=meeting.title, when=show(meeting.scheduled_at)), "warning")
    else:
        flash.push(t_md("hub.created", title=meeting.title))
