"""Who is signed in to this browser session, with an idle timeout."""

from __future__ import annotations

import time

import streamlit as st

from visio_core.app_context import AppContext
from visio_core.errors import AuthenticationFailed
from visio_core.i18n import t
from visio_core.models import Identity

_USER = "visio_user_id"
_SEEN = "visio_last_seen"
_NOTICE = "visio_notice"


def current_identity(ctx: AppContext) -> Identity | None:
    """The signed-in identity, reloaded from the store each run; None after the idle timeout."""
    user_id = st.session_state.get(_USER)
    if user_id is None:
        return None
    idle = time.monotonic() - st.session_state.get(_SEEN, 0.0)
    if idle > ctx.settings.session_timeout_minutes * 60:
        sign_out()
        st.session_state[_NOTICE] = t("error.session_expired")
        return None
    identity = ctx.accounts.get(user_id)
    if identity is None:
        sign_out()
        return None
    st.session_state[_SEEN] = time.monotonic()
    return identity


def sign_in(ctx: AppContext, email: str, password: str) -> str | None:
    """Sign in; returns an error message to show, or None on success."""
    try:
        identity = ctx.accounts.authenticate(email, password)
    except AuthenticationFailed as error:
        return str(error)
    st.session_state[_USER] = identity.id
    st.session_state[_SEEN] = time.monotonic()
    return None


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def pop_notice() -> str | None:
    return st.session_state.pop(_NOTICE, None)
