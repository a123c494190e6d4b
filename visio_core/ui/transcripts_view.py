"""Search across every transcript the signed-in person may see; open the player at the cue; export CSV."""

from __future__ import annotations

import uuid
from typing import cast

import pandas as pd
import streamlit as st

from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import t
from visio_core.domain.languages import OFFERED_LANGUAGES
from visio_core.domain.model import Identity, Role
from visio_core.domain.search import CueHit
from visio_core.domain.srt import format_timestamp
from visio_core.domain.timefmt import day_range, show
from visio_core.services.sessions import UserScope
from visio_core.ui.recordings_view import meeting_link_params
from visio_core.ui.text import md, spreadsheet_safe

SHOWN = 50
ALL = "all"


_KEPT = "ts_query_kept"


def results_table(hits: list[CueHit]) -> pd.DataFrame:
    """What the page lists and the CSV export contains, one row per matching cue."""
    return pd.DataFrame(
        {
            t("transcripts.col_meeting"): [h.meeting_title for h in hits],
            t("transcripts.col_date"): [show(h.scheduled_at) for h in hits],
            t("transcripts.col_time"): [format_timestamp(h.start).split(",")[0] for h in hits],
            t("rcol.language"): [h.language for h in hits],
            t("transcripts.col_speaker"): [h.speaker or "" for h in hits],
            t("transcripts.col_text"): [h.text for h in hits],
        }
    )


def export_csv(table: pd.DataFrame) -> bytes:
    """The results as CSV for a spreadsheet (UTF-8 with BOM, formula-looking cells kept as text)."""
    csv: str = table.map(spreadsheet_safe).to_csv(index=False)
    return csv.encode("utf-8-sig")


def render(ctx: UserScope, identity: Identity) -> None:
    st.title(t("transcripts.title"))
    if "ts_query" not in st.session_state:  # back on the page: the last search, or the link's
        st.session_state["ts_query"] = st.session_state.get(_KEPT) or str(st.query_params.get("q", ""))[:200]
    query = st.text_input(
        t("transcripts.query"), key="ts_query", max_chars=200, placeholder=t("transcripts.placeholder")
    )
    st.session_state[_KEPT] = query  # Streamlit forgets a widget's value once its page is left
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    clients = {c.id: c for c in ctx.accounts.clients_of(identity)} if identity.role is not Role.CLIENT else {}
    client = c1.selectbox(
        t("hub.filter_client"),
        [ALL, *clients],
        format_func=lambda cid: t("hub.filter_all_clients") if cid == ALL else clients[cid].display_name,
        key="ts_client",
        disabled=not clients,
    )
    day_from = c2.date_input(t("hub.filter_from"), value=None, key="ts_from", format="DD/MM/YYYY")
    day_to = c3.date_input(t("hub.filter_to"), value=None, key="ts_to", format="DD/MM/YYYY")
    language = c4.selectbox(
        t("rcol.language"),
        [ALL, *OFFERED_LANGUAGES],
        key="ts_lang",
        format_func=lambda code: t("transcripts.all_languages") if code == ALL else code,
    )
    speaker = st.text_input(
        t("transcripts.speaker"), key="ts_speaker", max_chars=120, placeholder=t("transcripts.speaker_placeholder")
    )
    if not query.strip():
        st.info(t("transcripts.hint"))
        return
    try:
        scheduled_from, scheduled_to = day_range(day_from, day_to)
        hits = ctx.recordings.search_transcripts(
            identity,
            query,
            client_id=None if client == ALL else cast(uuid.UUID, client),
            scheduled_from=scheduled_from,
            scheduled_to=scheduled_to,
            language=None if language == ALL else language,
            speaker=speaker,
        )
    except VisioError as error:
        st.error(str(error))
        return
    if not hits:
        st.info(t("transcripts.no_results"))
        return
    table = results_table(hits)
    st.caption(t("transcripts.count", count=len(hits)))
    st.download_button(
        t("transcripts.export"),
        export_csv(table),
        file_name="recherche-transcriptions.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    for hit, (_, row) in list(zip(hits, table.iterrows(), strict=True))[:SHOWN]:
        with st.container(border=True):
            left, right = st.columns([4, 1])
            left.caption(" · ".join(md(str(v)) for v in row.iloc[:3]))
            left.text(hit.text)  # st.text: the cue is shown as typed, never as markdown or HTML
            right.page_link(
                "pages/recordings.py",
                label=t("transcripts.open"),
                icon=":material/play_arrow:",
                query_params=meeting_link_params(hit.meeting_id, hit.recording_id, hit.start, query.strip()),
            )
    if len(hits) > SHOWN:
        st.caption(t("transcripts.more", shown=SHOWN, count=len(hits)))
