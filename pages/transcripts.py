import streamlit as st

from visio_core.i18n import t
from visio_core.models import Role
from visio_core.ui import guard

ctx, identity = guard.require(Role.OPERATOR, Role.ANALYST)
st.title(t("transcripts.title"))
st.info(t("transcripts.unavailable"))
