"""Recordings of one meeting: history, the player beside the transcript, downloads, retry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pandas as pd
import streamlit as st

from visio_core.domain.errors import InvalidInput, NeedsConfirmation, NotFound, VisioError
from visio_core.domain.i18n import format_duration, format_size, t
from visio_core.domain.languages import OFFERED_LANGUAGES, language_label
from visio_core.domain.model import Identity, Meeting, MeetingStatus, Recording, TranscriptionStatus
from visio_core.domain.plain_text import timecode
from visio_core.domain.policy import can_change, can_edit_transcript
from visio_core.domain.srt import Cue, speakers_of
from visio_core.domain.timefmt import parse_offset, show
from visio_core.domain.transcript import TEXT_MAX, Transcript
from visio_core.services.sessions import UserScope
from visio_core.ui import flash, summary_view
from visio_core.ui.components.transcript_player import transcript_player
from visio_core.ui.guard import uuid_param
from visio_core.ui.text import md, t_md


def transcription_label(recording: Recording) -> str:
    return t(f"tstatus.{recording.transcription_status.value}")


def render(ctx: UserScope, identity: Identity) -> None:
    st.title(t("recordings.title"))
    flash.show()
    meeting = _meeting(ctx, identity)
    if meeting is None:
        return
    st.subheader(md(meeting.title))
    st.caption(
        f"{t('col.scheduled_at')} {show(meeting.scheduled_at)} · {t('col.duration')} "
        f"{format_duration(meeting.duration_seconds)}"
    )
    if can_change(identity, meeting):
        _media_server_problems(ctx, meeting)
    recordings = ctx.recordings.list_recordings(identity, meeting.id)
    if not recordings:
        st.info(t("recordings.none_in_progress" if meeting.status is MeetingStatus.IN_PROGRESS else "recordings.none"))
        return
    st.dataframe(_history(recordings), hide_index=True, width="stretch")
    chosen = _pick(recordings)
    _show(ctx, identity, meeting, chosen)


def _media_server_problems(ctx: UserScope, meeting: Meeting) -> None:
    """Recordings the media server announced but that will not arrive (OpenVidu only)."""
    for message in ctx.engine.recording_problems(meeting.id):
        st.warning(message)


def _meeting(ctx: UserScope, identity: Identity) -> Meeting | None:
    meeting_id = uuid_param("meeting")
    if meeting_id is None:
        page = ctx.meetings.list_meetings(identity, statuses=["completed", "in_progress"], page_size=200)
        if not page.items:
            st.info(t("recordings.no_meeting"))
            return None
        # Finished meetings first (they have recordings to play), newest first within each group.
        by_id = {m.id: m for m in sorted(page.items, key=lambda m: m.status is not MeetingStatus.COMPLETED)}
        meeting_id = st.selectbox(
            t("hub.pick_meeting"),
            list(by_id),
            format_func=lambda mid: f"{by_id[mid].title} · {show(by_id[mid].scheduled_at)}",
        )
    try:
        return ctx.meetings.get_meeting(identity, meeting_id)
    except VisioError as error:
        st.error(str(error))
        return None


def _history(recordings: list[Recording]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("rcol.date"): [show(r.created_at) for r in recordings],
            t("col.duration"): [format_duration(round(r.recording_duration_seconds or 0)) for r in recordings],
            t("rcol.size"): [format_size(r.file_size_bytes) for r in recordings],
            t("rcol.transcription"): [transcription_label(r) for r in recordings],
            t("rcol.language"): [r.transcription_language for r in recordings],
        }
    )


def _pick(recordings: list[Recording]) -> Recording:
    by_id = {r.id: r for r in recordings}
    wanted = uuid_param("recording")
    options = list(by_id)
    index = options.index(wanted) if wanted in by_id else 0
    if len(options) == 1:
        return recordings[0]
    chosen = st.selectbox(
        t("recordings.pick"),
        options,
        index=index,
        format_func=lambda rid: (
            f"{show(by_id[rid].created_at)} · {format_duration(round(by_id[rid].recording_duration_seconds or 0))}"
        ),
    )
    return by_id[chosen]


_DOWNLOADS = (
    ("srt", "recordings.download_srt", ":material/subtitles:"),
    ("vtt", "recordings.download_vtt", ":material/closed_caption:"),
    ("txt", "recordings.download_txt", ":material/description:"),
    ("docx", "recordings.download_docx", ":material/article:"),
)


def _captions(ctx: UserScope, identity: Identity, recording: Recording) -> str | None:
    """The WebVTT subtitles of a finished transcript (None before, or for one written before WebVTT)."""
    if recording.transcription_status is not TranscriptionStatus.COMPLETED:
        return None
    try:
        return ctx.recordings.transcript_url(identity, recording.id, "vtt", download=False)
    except NotFound:
        return None


def _transcript_downloads(ctx: UserScope, identity: Identity, recording: Recording) -> None:
    """The transcript in every form it was written in (older transcripts may lack the newer forms)."""
    st.caption(t("recordings.downloads"))
    for column, (kind, label, icon) in zip(st.columns(len(_DOWNLOADS)), _DOWNLOADS, strict=True):
        try:
            column.link_button(t(label), ctx.recordings.transcript_url(identity, recording.id, kind), icon=icon)
        except NotFound:
            pass


def _correction_form(ctx: UserScope, identity: Identity, recording: Recording, transcript: Transcript) -> None:
    """Correct a line's text; each correction is kept (who, when, before, after) and can be undone."""
    with st.expander(t("recordings.edit_title")):
        lines = list(range(len(transcript.cues)))

        def label(i: int) -> str:
            cue = transcript.cues[i]
            return f"{timecode(cue.start)} — {cue.line[:80]}"

        position = st.selectbox(t("recordings.edit_line"), lines, format_func=label, key=f"edit-line-{recording.id}")
        text_key = f"edit-text-{recording.id}-{position}-{transcript.revision}"
        st.text_area(t("recordings.edit_text"), value=transcript.cues[position].text, max_chars=TEXT_MAX, key=text_key)
        st.text_input(
            t("recordings.edit_speaker"),
            value=transcript.cues[position].speaker or "",
            max_chars=80,
            key=f"{text_key}-speaker",
            help=t("recordings.edit_speaker_help"),
        )
        save, back = st.columns(2)
        save.button(
            t("recordings.edit_save"),
            key=f"edit-save-{recording.id}",
            type="primary",
            on_click=_correct,
            args=(ctx, identity, recording, position, text_key, transcript.revision),
        )
        if transcript.edits:
            back.button(
                t("recordings.edit_undo"),
                key=f"edit-undo-{recording.id}",
                on_click=_undo,
                args=(ctx, identity, recording, transcript.revision),
            )
            for edit in reversed(transcript.edits[-10:]):
                st.caption(
                    t_md(
                        "recordings.edit_history", when=show(edit.at), by=edit.by, before=edit.before, after=edit.after
                    )
                )


def _correct(
    ctx: UserScope, identity: Identity, recording: Recording, position: int, text_key: str, revision: int
) -> None:
    try:
        ctx.recordings.correct_cue(
            identity,
            recording.id,
            position,
            st.session_state.get(text_key, ""),
            revision,
            speaker=st.session_state.get(f"{text_key}-speaker", ""),
        )
    except VisioError as error:
        flash.push(str(error), "error")
        return
    flash.push(t("recordings.edit_saved"))


def _undo(ctx: UserScope, identity: Identity, recording: Recording, revision: int) -> None:
    try:
        ctx.recordings.undo_correction(identity, recording.id, revision)
    except VisioError as error:
        flash.push(str(error), "error")
        return
    flash.push(t("recordings.edit_undone"))


def _rename_form(ctx: UserScope, identity: Identity, recording: Recording, names: list[str]) -> None:
    """Name the speakers once for the whole recording ("Intervenant 2" → "Claire Martin")."""
    with st.expander(t("recordings.rename_title")), st.form(f"rename-{recording.id}"):
        for n, name in enumerate(names):
            st.text_input(
                t("recordings.rename_field", name=name), value=name, max_chars=80, key=f"rename-{recording.id}-{n}"
            )
        st.form_submit_button(t("recordings.rename_submit"), on_click=_rename, args=(ctx, identity, recording, names))


def _rename(ctx: UserScope, identity: Identity, recording: Recording, names: list[str]) -> None:
    for n, name in enumerate(names):
        new = st.session_state.get(f"rename-{recording.id}-{n}", name)
        if new.strip() == name:
            continue
        try:
            ctx.recordings.rename_speaker(identity, recording.id, name, new)
        except VisioError as error:
            flash.push(str(error), "error")
            return
        flash.push(t_md("recordings.renamed", old=name, new=" ".join(new.split())))


def _by_speaker(cues: list[Cue], recording: Recording) -> list[Cue]:
    """The cues of the speaker picked above the player (all of them by default)."""
    names = speakers_of(cues)
    if len(names) < 2:
        return cues
    everyone = t("recordings.all_speakers")
    picked = st.selectbox(t("recordings.speaker"), [everyone, *names], key=f"speaker-{recording.id}")
    return cues if picked == everyone else [c for c in cues if c.speaker == picked]


LIVE_REFRESH = timedelta(seconds=3)


def _status(ctx: UserScope, identity: Identity, recording: Recording) -> None:
    """The transcription's state; while it is not done it follows the worker by itself, and the page
    reloads once when the new transcript is ready (no manual reload)."""
    status = recording.transcription_status
    if status is TranscriptionStatus.FAILED:
        st.error(t("recordings.failed", reason=recording.last_error or "?"))
    if status not in (TranscriptionStatus.PENDING, TranscriptionStatus.PROCESSING):
        return

    @st.fragment(run_every=LIVE_REFRESH)
    def follow() -> None:
        now, _ = ctx.recordings.get_recording(identity, recording.id)
        if now.transcription_status is not status and now.transcription_status in (
            TranscriptionStatus.COMPLETED,
            TranscriptionStatus.FAILED,
        ):
            st.rerun()  # the whole page: the player shows the new transcript
        if now.transcription_status is TranscriptionStatus.PROCESSING:
            st.progress(now.progress, text=t("recordings.processing", share=round(now.progress * 100)))
        else:
            st.info(t("recordings.pending"))

    follow()


def _show(ctx: UserScope, identity: Identity, meeting: Meeting, recording: Recording) -> None:
    _status(ctx, identity, recording)
    cues = ctx.recordings.transcript(identity, recording.id)
    if cues.cues and recording.transcription_status is not TranscriptionStatus.COMPLETED:
        st.caption(t("recordings.previous_kept"))
    if cues.skipped:
        st.warning(t("recordings.skipped_cues", count=cues.skipped))
    if cues.detected:
        percent = round((cues.language_probability or 0) * 100)
        if cues.low_confidence:
            st.warning(t("recordings.language_doubtful", language=language_label(cues.language), percent=percent))
        else:
            st.caption(t("recordings.language_detected", language=language_label(cues.language), percent=percent))
    start_at = 0.0
    if uuid_param("recording", quiet=True) == recording.id:
        try:
            start_at = parse_offset(st.query_params.get("t", 0) or 0)
        except InvalidInput as error:
            st.error(str(error))
    query = str(st.query_params.get("q", ""))[:200] if uuid_param("recording", quiet=True) == recording.id else ""
    transcript_player(
        ctx.recordings.video_url(identity, recording.id),
        _by_speaker(cues.cues, recording),
        start_at=start_at,
        key=f"player-{recording.id}",
        captions_url=_captions(ctx, identity, recording),
        language=cues.language,
        query=query,
        poster_url=ctx.recordings.poster_url(identity, recording.id),
    )
    summary_view.render(ctx, identity, meeting, recording, cues)
    if (
        cues.cues
        and can_edit_transcript(identity, meeting)
        and recording.transcription_status is TranscriptionStatus.COMPLETED
    ):
        _correction_form(ctx, identity, recording, cues)
        if cues.speakers:
            _rename_form(ctx, identity, recording, cues.speakers)

    st.link_button(
        t("recordings.download_video"),
        ctx.recordings.video_url(identity, recording.id, download=True),
        icon=":material/download:",
    )
    if recording.transcription_status is TranscriptionStatus.COMPLETED:
        _transcript_downloads(ctx, identity, recording)
    st.caption(t("recordings.links_valid", minutes=ctx.settings.signed_url_ttl_seconds // 60))
    if can_change(identity, meeting):
        _operator_actions(ctx, identity, recording)


def _operator_actions(ctx: UserScope, operator: Identity, recording: Recording) -> None:
    with st.container(border=True):
        failed = recording.transcription_status is TranscriptionStatus.FAILED
        if failed and st.button(t("recordings.retry"), key=f"retry-{recording.id}", type="primary"):
            _act(lambda: ctx.recordings.retry(operator, recording.id), t("recordings.retried"))
        c1, c2 = st.columns([2, 1])
        current = recording.transcription_language
        options = list(dict.fromkeys([current, *OFFERED_LANGUAGES]))
        language = c1.selectbox(t("recordings.language"), options, key=f"lang-{recording.id}")
        confirm = f"retranscribe-confirm-{recording.id}"
        if c2.button(
            t("recordings.retranscribe"),
            key=f"retranscribe-{recording.id}",
            disabled=language == current and recording.transcription_status is not TranscriptionStatus.FAILED,
        ):
            try:
                ctx.recordings.change_language(operator, recording.id, language)
            except NeedsConfirmation as question:  # corrections would be replaced: ask first
                st.session_state[confirm] = (language, str(question))
            except VisioError as error:
                st.error(str(error))
            else:
                flash.push(t("recordings.retranscribing", language=language))
                st.rerun()
        asked = st.session_state.get(confirm)
        if asked:
            st.warning(asked[1])
            if st.button(t("recordings.confirm_retranscribe"), key=f"{confirm}-yes", type="primary"):
                st.session_state.pop(confirm, None)
                _act(
                    lambda: ctx.recordings.change_language(operator, recording.id, asked[0], replace_corrections=True),
                    t("recordings.retranscribing", language=asked[0]),
                )
        edited = ctx.recordings.edited_url(operator, recording.id)
        if edited:
            st.link_button(t("recordings.download_edited"), edited, icon=":material/history:")


def _act(action: Callable[[], object], success: str) -> None:
    try:
        action()
    except VisioError as error:
        st.error(str(error))
        return
    flash.push(success)
    st.rerun()


def meeting_link_params(
    meeting_id: uuid.UUID, recording_id: uuid.UUID | None = None, at: float | None = None, query: str = ""
) -> dict[str, str]:
    """The recordings page at a moment: `t` to the millisecond (a rounded-down time would land just
    before the line), `q` the words to highlight in the player."""
    params = {"meeting": str(meeting_id)}
    if recording_id:
        params["recording"] = str(recording_id)
    if at is not None:
        params["t"] = f"{at:.3f}"
    if query:
        params["q"] = query
    return params
