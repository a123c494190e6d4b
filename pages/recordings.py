import streamlit as st

from visio_core.i18n import t
from visio_core.ui import guard

ctx, identity = guard.require()
st.title(t("recordings.title"))
st.info(t("recordings.unavailable"))
