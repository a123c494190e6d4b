"""A recording's summary under its player: overview, decisions, action items with their owner, each
with a button that plays the recording from the line it comes from; and "Régénérer le résumé" after
corrections for those who may correct. Without a chat model configured: how to enable it, nothing else.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Meeting, Recording, TranscriptionStatus
from visio_core.domain.plain_text import timecode
from visio_core.domain.policy import can_edit_transcript
from visio_core.domain.summary import Item, Summary, SummaryState
from visio_core.domain.timefmt import show
from visio_core.domain.transcript import Transcript
from visio_core.services.sessions import UserScope
from visio_core.ui import flash
from visio_core.ui.text import md, t_md

LIVE_REFRESH = timedelta(seconds=3)


def render(ctx: UserScope, identity: Identity, meeting: Meeting, recording: Recording, transcript: Transcript) -> None:
    with st.container(border=True, key=f"summary-{recording.id}"):
        st.subheader(t("summary.title"))
        if not ctx.summaries.configured:
            st.info(t("summary.not_configured"))
            return
        if recording.transcription_status is not TranscriptionStatus.COMPLETED and not transcript.cues:
            st.caption(t("summary.waiting_transcript"))
            return
        state = ctx.summaries.state(identity, recording.id)
        _status(ctx, identity, recording, state)
        if state is not None and state.summary is not None:
            _summary(recording, state.summary, transcript)
        elif state is None:
            st.caption(t("summary.none"))
        if can_edit_transcript(identity, meeting) and recording.transcription_status is TranscriptionStatus.COMPLETED:
            st.button(
                t("summary.regenerate"),
                key=f"summary-again-{recording.id}",
                icon=":material/refresh:",
                disabled=state is not None and state.busy,
                on_click=_regenerate,
                args=(ctx, identity, recording),
            )


def _status(ctx: UserScope, identity: Identity, recording: Recording, state: SummaryState | None) -> None:
    """A failure says why; a summary being written is followed until it is there (then the page reloads)."""
    if state is None:
        return
    if state.status == "failed":
        st.error(t("summary.failed", reason=state.last_error or "?"))
    if not state.busy:
        return

    @st.fragment(run_every=LIVE_REFRESH)
    def follow() -> None:
        now = ctx.summaries.state(identity, recording.id)
        if now is None or not now.busy:
            st.rerun()  # the whole page: the new summary, or why it failed
        else:
            st.info(t(f"summary.{now.status}"))

    follow()


def _summary(recording: Recording, summary: Summary, transcript: Transcript) -> None:
    if summary.stale(transcript.cues):
        st.warning(t("summary.stale"))
    st.markdown(md(summary.overview))
    st.markdown(f"**{t('summary.decisions')}**")
    if not summary.decisions:
        st.caption(t("summary.no_decisions"))
    for n, item in enumerate(summary.decisions):
        _item(recording, item, md(item.text), f"d{n}")
    st.markdown(f"**{t('summary.actions')}**")
    if not summary.actions:
        st.caption(t("summary.no_actions"))
    for n, item in enumerate(summary.actions):
        text = t_md("summary.owner", owner=item.owner, text=item.text) if item.owner else md(item.text)
        _item(recording, item, text, f"a{n}")
    st.caption(t_md("summary.made_by", when=show(summary.created_at), model=summary.model))
    if summary.dropped:
        st.caption(t("summary.dropped", count=summary.dropped))


def _item(recording: Recording, item: Item, text: str, key: str) -> None:
    """One line of the summary, and the button that plays the recording from the line it cites."""
    words, jump = st.columns([5, 1], vertical_alignment="center")
    words.markdown(f"- {text}")
    jump.button(
        t("summary.jump", time=timecode(item.start)),
        key=f"summary-jump-{recording.id}-{key}",
        help=t("summary.jump_help"),
        icon=":material/play_arrow:",
        on_click=_seek,
        args=(recording, item.start),
    )


def _seek(recording: Recording, start: float) -> None:
    """The player opens at `t` of the recording in the address (the page's own deep link), so the
    moment survives a reload and can be shared."""
    st.query_params["recording"] = str(recording.id)
    st.query_params["t"] = f"{start:.3f}"


def _regenerate(ctx: UserScope, identity: Identity, recording: Recording) -> None:
    try:
        ctx.summaries.regenerate(identity, recording.id)
    except VisioError as error:
        flash.push(str(error), "error")
        return
    flash.push(t("summary.requested"))
