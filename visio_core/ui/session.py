"""Who is signed in to this browser: the tab's session state, else the HttpOnly cookie; idle timeout."""

from __future__ import annotations

import time
from typing import cast

import streamlit as st

from visio_core.adapters.sqlite.web_sessions import COOKIE
from visio_core.domain.errors import AuthenticationFailed, BackendUnavailable, InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity
from visio_core.entrypoints.context import AppContext
from visio_core.ui.components.session_cookie import claim_cookie, clear_cookie

_USER = "visio_user_id"
_SEEN = "visio_last_seen"
_NOTICE = "visio_notice"
_KEY = "visio_session_key"
_CLAIM = "visio_session_claim"
_TOUCHED = "visio_session_touched"
_SIGNED_OUT = "visio_signed_out"
TOUCH_SECONDS = 60


def current_identity(ctx: AppContext) -> Identity | None:
    """The signed-in identity, reloaded from the store each run; None after the idle timeout."""
    if st.session_state.get(_USER) is None and not st.session_state.get(_SIGNED_OUT):
        _restore_from_cookie(ctx)
    user_id = st.session_state.get(_USER)
    if user_id is None:
        return None
    idle = time.monotonic() - st.session_state.get(_SEEN, 0.0)
    if idle > ctx.settings.session_timeout_minutes * 60:
        sign_out(ctx)
        st.session_state[_NOTICE] = t("error.session_expired")
        return None
    try:
        identity = ctx.sessions.identity_of(user_id, st.session_state.get(_KEY))
    except BackendUnavailable as error:  # Supabase unreachable: say so, keep the session for when it is back
        st.error(str(error))
        st.stop()
    if identity is None:
        sign_out(ctx)
        st.session_state[_NOTICE] = t("error.session_expired")
        return None
    st.session_state[_SEEN] = time.monotonic()
    _keep_cookie_session_alive(ctx)
    return identity


def _restore_from_cookie(ctx: AppContext) -> None:
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no browser context (AppTest, bare mode)
        token = None
    if not isinstance(token, str):
        return
    user_id = ctx.web_sessions.resolve(token)
    key = ctx.web_sessions.key_of(token)
    try:
        # On Supabase this resumes the user's session from the refresh token sealed under the cookie.
        identity = ctx.sessions.identity_of(user_id, key, token) if user_id is not None else None
    except BackendUnavailable as error:
        st.session_state[_NOTICE] = str(error)
        return
    if identity is not None:
        st.session_state[_USER] = user_id
        st.session_state[_SEEN] = time.monotonic()
        st.session_state[_KEY] = key
        st.session_state[_TOUCHED] = time.monotonic()


def session_key() -> str | None:
    """This tab's browser-session key (what a UserScope is built for)."""
    return st.session_state.get(_KEY)


def render_cookie_claim() -> None:
    """Once per run (from Home.py): let the browser exchange its claim code for the cookie.

    Rendered on every run while the tab lives; the JavaScript posts each code only once.
    """
    claim = st.session_state.get(_CLAIM)
    if claim:
        claim_cookie(claim)


def _keep_cookie_session_alive(ctx: AppContext) -> None:
    key = st.session_state.get(_KEY)
    if key and time.monotonic() - st.session_state.get(_TOUCHED, 0.0) > TOUCH_SECONDS:
        st.session_state[_TOUCHED] = time.monotonic()
        ctx.web_sessions.touch(key)  # a closed session is noticed by identity_of, on this very run


def sign_in(ctx: AppContext, email: str, password: str) -> str | None:
    """Sign in; returns an error message to show, or None on success."""
    try:
        identity, opened = ctx.sessions.sign_in(email, password, _client_address())
    except (AuthenticationFailed, InvalidInput, BackendUnavailable) as error:
        return str(error)
    st.session_state.pop(_SIGNED_OUT, None)
    st.session_state[_USER] = identity.id
    st.session_state[_SEEN] = time.monotonic()
    st.session_state[_CLAIM] = opened.claim
    st.session_state[_KEY] = opened.key
    st.session_state[_TOUCHED] = time.monotonic()
    return None


def _client_address() -> str | None:
    """The browser's address as the server sees it (a proxy in front shows as itself)."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - no browser context (bare mode)
        return None
    # AppTest hands a mock here, a new one per run: every attempt would count for a new address.
    return address if isinstance(address, str) else None


def sign_out(ctx: AppContext | None = None) -> None:
    """Forget the identity in this tab and close the cookie session on the server."""
    if ctx is None:
        from visio_core.entrypoints.bootstrap import get_context

        ctx = get_context()
    ctx.sessions.end(st.session_state.get(_KEY))
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    # The cookie still names the closed session: never restore from it in this tab again.
    st.session_state[_SIGNED_OUT] = True


def render_sign_out_effects() -> None:
    """On the sign-in page after a sign-out: ask the browser to drop its (now useless) cookie."""
    if st.session_state.get(_SIGNED_OUT):
        clear_cookie()


def pop_notice() -> str | None:
    return cast("str | None", st.session_state.pop(_NOTICE, None))  # only ever set to a message
