"""The Hub's recording tools: import a recording, follow transcriptions, retry failed ones."""

from __future__ import annotations

import uuid
from typing import cast

import streamlit as st

from visio_core.domain.errors import VisioError
from visio_core.domain.i18n import format_size, t
from visio_core.domain.languages import OFFERED_LANGUAGES
from visio_core.domain.media_types import ALLOWED_EXTENSIONS
from visio_core.domain.model import Identity, MeetingStatus, TranscriptionStatus
from visio_core.domain.timefmt import show
from visio_core.services.sessions import UserScope
from visio_core.ui import flash
from visio_core.ui.recordings_view import meeting_link_params
from visio_core.ui.text import md, t_md


def jobs_panel(ctx: UserScope, operator: Identity) -> None:
    """Transcriptions not finished yet, with their progress; failed ones show why and can be retried."""
    jobs = ctx.recordings.jobs_in_progress(operator)
    if not jobs:
        return
    st.subheader(t("jobs.title"))
    for recording, meeting in jobs:
        with st.container(border=True):
            left, right = st.columns([4, 1])
            left.markdown(
                f"**{md(meeting.title)}** · {show(recording.created_at)} · {format_size(recording.file_size_bytes)}"
            )
            status = recording.transcription_status
            if status is TranscriptionStatus.PROCESSING:
                left.progress(
                    recording.progress, text=t("recordings.processing", share=round(recording.progress * 100))
                )
            elif status is TranscriptionStatus.PENDING:
                left.caption(t("jobs.pending", attempts=recording.attempts))
            else:
                left.error(t("recordings.failed", reason=recording.last_error or "?"))
                right.button(
                    t("recordings.retry"),
                    key=f"job-retry-{recording.id}",
                    on_click=_retry,
                    args=(ctx, operator, recording.id),
                )
            right.page_link(
                "pages/recordings.py",
                label=t("hub.recordings"),
                icon=":material/movie:",
                query_params=meeting_link_params(meeting.id, recording.id),
            )


def _retry(ctx: UserScope, operator: Identity, recording_id: uuid.UUID) -> None:
    try:
        ctx.recordings.retry(operator, recording_id)
        flash.push(t("recordings.retried"), slot="hub_live")
    except VisioError as error:
        flash.push(str(error), "error", slot="hub_live")  # the button is in the Hub's live list


def import_form(ctx: UserScope, operator: Identity) -> None:
    with st.expander(t("jobs.import"), expanded=False):
        page = ctx.meetings.list_meetings(
            operator,
            statuses=[MeetingStatus.COMPLETED, MeetingStatus.IN_PROGRESS, MeetingStatus.SCHEDULED],
            page_size=200,
        )
        if not page.items:
            st.info(t("hub.no_meetings"))
            return
        by_id = {m.id: m for m in page.items}
        with st.form("import_recording", clear_on_submit=True):
            st.selectbox(
                t("hub.pick_meeting"),
                list(by_id),
                key="import_meeting",
                format_func=lambda mid: f"{by_id[mid].title} · {show(by_id[mid].scheduled_at)}",
            )
            st.file_uploader(
                t("jobs.file", allowed=", ".join(ALLOWED_EXTENSIONS)), type=list(ALLOWED_EXTENSIONS), key="import_file"
            )
            default = ctx.settings.default_language
            st.selectbox(
                t("recordings.language"),
                OFFERED_LANGUAGES,
                key="import_language",
                index=OFFERED_LANGUAGES.index(default) if default in OFFERED_LANGUAGES else 0,
            )
            # A callback, so a submit landing in the Hub's live list rerun is not lost.
            st.form_submit_button(
                t("jobs.import_submit"),
                type="primary",
                on_click=_import,
                args=(ctx, operator, {m.id: m.title for m in page.items}),
            )


def _import(ctx: UserScope, operator: Identity, titles: dict[uuid.UUID, str]) -> None:
    state = st.session_state
    # The form's selectbox always holds one of its meetings (the form is not shown without any).
    upload, meeting_id = state.get("import_file"), cast(uuid.UUID, state.get("import_meeting"))
    if upload is None:
        flash.push(t("jobs.no_file"), "error")
        return
    try:
        _, created = ctx.recordings.import_recording(
            operator, meeting_id, upload, filename=upload.name, language=state.get("import_language")
        )
    except VisioError as error:
        flash.push(str(error), "error")
        return
    flash.push(t_md("jobs.imported" if created else "jobs.already_imported", title=titles.get(meeting_id, "")))
