"""Messages that survive reruns: shown for a few seconds after an action, whatever reruns in between.

Popping a message on first display loses it when a timed fragment rerun and a full rerun
race; keeping it until it expires does not.
"""

from __future__ import annotations

import time

import streamlit as st

SHOW_SECONDS = 8.0
_KEY = "visio_flash"


def push(message: str, kind: str = "success") -> None:
    st.session_state[_KEY] = (kind, message, time.monotonic() + SHOW_SECONDS)


def show() -> None:
    entry = st.session_state.get(_KEY)
    if entry is None:
        return
    kind, message, until = entry
    if time.monotonic() > until:
        del st.session_state[_KEY]
        return
    getattr(st, kind)(message)
