"""Messages after an action, shown by the page's next full run wherever the action happened.

A message is drawn outside any timed fragment, so the fragments' timer reruns never redraw or
drop it: it stays on screen until a full run (the user's next action) comes after it was shown
and after SHOW_SECONDS. It used to be drawn inside the Hub's timed fragment with an 8-second
lifetime, so on a busy machine it could expire before the browser painted it (the journey test
then missed "Meeting … créé."). A run that draws it but is interrupted by another full run
draws it again: only the time shown AND a later run retire it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

SHOW_SECONDS = 8.0
_KEY = "visio_flash"


@dataclass
class _Flash:
    kind: str
    message: str
    until: float  # shown at least until then (monotonic clock)
    shown: bool = False


def push(message: str, kind: str = "success") -> None:
    st.session_state[_KEY] = _Flash(kind, message, time.monotonic() + SHOW_SECONDS)


def show() -> None:
    """Draw the pending message; call it from a page's full run, never inside a timed fragment.

    Always one slot, message or not: an element that comes and goes would move every element
    after it, and the browser would briefly show the timed fragment twice (old place and new)."""
    slot = st.container()
    entry: _Flash | None = st.session_state.get(_KEY)
    if entry is None:
        return
    if entry.shown and time.monotonic() > entry.until:
        del st.session_state[_KEY]
        return
    entry.shown = True
    getattr(slot, entry.kind)(entry.message)
