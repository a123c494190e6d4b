"""The operator's vocabulary on the Hub: names and jargon Whisper should spell right."""

from __future__ import annotations

import streamlit as st

from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity
from visio_core.services.sessions import UserScope
from visio_core.ui import flash


def vocabulary_form(ctx: UserScope, operator: Identity) -> None:
    with st.expander(t("vocabulary.title")):
        st.caption(t("vocabulary.help"))
        with st.form("vocabulary"):
            st.text_area(
                t("vocabulary.field"),
                value="\n".join(ctx.vocabulary.terms(operator)),
                height=150,
                key="vocabulary_terms",
            )
            st.form_submit_button(t("vocabulary.save"), on_click=_save, args=(ctx, operator))


def _save(ctx: UserScope, operator: Identity) -> None:
    try:
        terms = ctx.vocabulary.set_terms(operator, st.session_state.get("vocabulary_terms", ""))
    except VisioError as error:
        flash.push(str(error), "error")
        return
    flash.push(t("vocabulary.saved", count=len(terms)))
