"""Page-wide touches Streamlit has no option for."""

from __future__ import annotations

import streamlit as st

# Streamlit writes "Press Enter to submit form" / "Press Ctrl+Enter to apply" under focused fields
# in English, with no setting to translate them; Enter still submits, the hint is hidden.
_STYLE = '<style>[data-testid="InputInstructions"] { display: none; }</style>'


def apply() -> None:
    st.html(_STYLE)
