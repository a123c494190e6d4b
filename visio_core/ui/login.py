"""The sign-in form."""

from __future__ import annotations

import streamlit as st

from visio_core.domain.i18n import t
from visio_core.entrypoints.bootstrap import get_context
from visio_core.ui import session


def render() -> None:
    ctx = get_context()
    st.title(t("app.title"))
    session.render_sign_out_effects()
    notice = session.pop_notice()
    if notice:
        st.info(notice)
    with st.form("login"):
        st.subheader(t("login.title"))
        email = st.text_input(t("login.email"), key="login_email")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        error = session.sign_in(ctx, email, password)
        if error:
            st.error(error)
        else:
            st.rerun()
