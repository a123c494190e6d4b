"""Entry point: sign-in, then the pages the signed-in role may use."""

import streamlit as st

from visio_core.domain.i18n import t
from visio_core.entrypoints.bootstrap import get_context
from visio_core.ui import chrome, login, navigation, session
from visio_core.ui.icon import page_icon

st.set_page_config(page_title=t("app.title"), page_icon=page_icon(), layout="wide")
chrome.apply()

ctx = get_context()
identity = session.current_identity(ctx)
if identity is None:
    st.navigation(navigation.signed_out_pages(login.render), position="hidden").run()
else:
    session.render_cookie_claim()
    navigation.sidebar(identity)
    st.navigation(navigation.pages_for(identity)).run()
