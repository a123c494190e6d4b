"""What every page does first: find the signed-in identity and read ids from the URL."""

from __future__ import annotations

import uuid

import streamlit as st

from visio_core.domain.errors import InvalidInput, VisioError
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Role, parse_uuid
from visio_core.entrypoints.bootstrap import get_context
from visio_core.services.sessions import UserScope
from visio_core.ui import session


def require(*roles: Role) -> tuple[UserScope, Identity]:
    """What this user may use, and who he is; stops the page for anyone not signed in or not allowed."""
    ctx = get_context()
    identity = session.current_identity(ctx)
    if identity is None:
        st.warning(t("error.session_expired"))
        st.stop()
    if roles and identity.role not in roles:
        st.error(t("error.forbidden"))
        st.stop()
    try:
        return ctx.sessions.scope_for(identity, session.session_key()), identity
    except VisioError as error:  # the Supabase session could not be renewed
        st.warning(str(error))
        st.stop()


def uuid_param(name: str, quiet: bool = False) -> uuid.UUID | None:
    """A UUID query parameter; a malformed one counts as absent, told once (`quiet` for later reads)."""
    raw = st.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_uuid(raw)
    except InvalidInput:
        if not quiet:
            st.error(t("error.bad_id_param", name=name))
        return None
