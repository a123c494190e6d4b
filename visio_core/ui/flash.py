"""Messages after an action, shown by the page's next full run wherever the action happened.

A page's message is drawn outside any timed fragment, so the fragments' timer reruns never
redraw or drop it: it stays on screen until a full run (the user's next action) comes after it
was shown and after SHOW_SECONDS. A fragment's own actions (whose clicks rerun only the fragment)
draw theirs in the fragment's slot, retired the same way: never before it was drawn. It used to be drawn inside the Hub's timed fragment with an 8-second
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


def push(message: str, kind: str = "success", slot: str = "page") -> None:
    """`slot`: where it is drawn — "page" (the page's top, by its full runs) or the name a timed
    fragment draws its own actions' messages under (a click inside a fragment reruns it alone)."""
    st.session_state[_KEY + slot] = _Flash(kind, message, time.monotonic() + SHOW_SECONDS)


def show(slot: str = "page") -> None:
    """Draw the pending message of `slot`: "page" from a page's full run, a fragment's own slot
    from inside that fragment.

    Always one slot, message or not: an element that comes and goes would move every element
    after it, and the browser would briefly show the timed fragment twice (old place and new)."""
    place = st.container()
    entry: _Flash | None = st.session_state.get(_KEY + slot)
    if entry is None:
        return
    if entry.shown and time.monotonic() > entry.until:
        del st.session_state[_KEY + slot]
        return
    entry.shown = True
    getattr(place, entry.kind)(entry.message)
