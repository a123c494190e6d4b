"""The room on OpenVidu: a token made on the server, the browser session in the component,
and the operator's "end meeting" on the page.

Tokens are single-use on OpenVidu, so one is kept per (meeting, attempt) in the
Streamlit session and a new one is made only when the component asks to rejoin.
Only the token, the participant's name and labels go to the browser.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, cast

import streamlit as st

from visio_core.adapters.openvidu.engine import OpenViduEngine
from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Meeting
from visio_core.domain.policy import can_change
from visio_core.services.sessions import UserScope
from visio_core.ui.components.openvidu_room import openvidu_room
from visio_core.ui.room_end import end_controls
from visio_core.ui.room_live import watch
from visio_core.ui.text import t_md

PROBLEMS_REFRESH = timedelta(seconds=30)


def _join_key(meeting_id: uuid.UUID) -> str:
    return f"ov_join_{meeting_id}"


def _component_key(meeting_id: uuid.UUID) -> str:
    return f"ov_room_{meeting_id}"


def _on_action(meeting_id: uuid.UUID) -> None:
    """The component's trigger: a rejoin needs a fresh token on the next run."""
    value = st.session_state.get(_component_key(meeting_id))
    action = getattr(value, "action", None) if value is not None else None
    if action is None and isinstance(value, dict):
        action = value.get("action")
    if isinstance(action, dict) and action.get("type") == "rejoin":
        joined = st.session_state.get(_join_key(meeting_id)) or {"attempt": 0}
        st.session_state[_join_key(meeting_id)] = {"attempt": joined["attempt"], "token": None}


def _token(ctx: UserScope, identity: Identity, meeting: Meeting) -> dict[str, Any] | None:
    joined: dict[str, Any] | None = st.session_state.get(_join_key(meeting.id))
    if joined and joined.get("token"):
        return joined
    attempt = (joined or {"attempt": 0})["attempt"] + 1
    try:
        token = cast(OpenViduEngine, ctx.engine).join_token(identity, meeting)
    except VisioError as error:
        st.error(t("ov.room.token_failed", error=error))
        if st.button(t("ov.ui.retry"), key=f"ov_token_retry_{meeting.id}"):
            st.rerun()
        return None
    joined = {"attempt": attempt, "token": token}
    st.session_state[_join_key(meeting.id)] = joined
    return joined


def _problems(ctx: UserScope, meeting: Meeting) -> None:
    """Recording failures OpenVidu reported for this meeting, refreshed while the call goes on."""

    @st.fragment(run_every=PROBLEMS_REFRESH)
    def problems() -> None:
        messages = ctx.engine.recording_problems(meeting.id)
        if messages:
            st.warning(t("ov.recording_problems") + "\n\n" + "\n".join(f"- {m}" for m in messages))

    problems()


def render(ctx: UserScope, identity: Identity, meeting: Meeting) -> None:
    operator = can_change(identity, meeting)
    if operator:
        end_controls(ctx, identity, meeting, forget=[_join_key(meeting.id)])
        _problems(ctx, meeting)
    joined = _token(ctx, identity, meeting)
    if joined is None:
        return
    st.caption(t_md("room.joining_as", name=identity.display_name))
    watch(ctx, identity, meeting.id)
    openvidu_room(
        token=joined["token"],
        display_name=identity.display_name,
        attempt=joined["attempt"],
        key=_component_key(meeting.id),
        on_action=lambda: _on_action(meeting.id),
        speaking_url=f"/api/rooms/{meeting.id}/speaking",
    )
