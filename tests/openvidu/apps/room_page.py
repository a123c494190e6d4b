"""Only the OpenVidu room component, for browser tests (tokens are made up: the stand-in accepts any)."""

import streamlit as st

from visio_core.ui.components.openvidu_room import openvidu_room

st.session_state.setdefault("attempt", 1)
st.session_state.setdefault("actions", [])


def on_action() -> None:
    action = st.session_state["room"].action or {}
    st.session_state.actions.append(action.get("type", "?"))
    if action.get("type") == "rejoin":
        st.session_state.attempt += 1


show = st.checkbox("Afficher la salle", value=True)
st.button("Relancer la page")
if show:
    result = openvidu_room(
        token=f"wss://ov.test?sessionId=s&token=tok_{st.session_state.attempt}",
        display_name="Claire <b>Dupont</b>",
        attempt=st.session_state.attempt,
        key="room",
        on_action=on_action,
        connect_timeout_s=float(st.query_params.get("timeout", 20)),
    )
    st.text(f"py-status: {result.status}")
st.text("py-actions: " + ",".join(st.session_state.actions))
