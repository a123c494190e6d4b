"""The summary on the recordings page (Streamlit AppTest), per role, with and without a chat model."""

from __future__ import annotations

import re

import pytest

from tests.conftest import FAST_HASHER
from tests.summary.conftest import Scripted
from tests.test_hostile_text import assert_no_live_markdown
from tests.test_pages import signed_in, texts
from visio_core.domain.srt import Cue
from visio_core.entrypoints.bootstrap import build_context, set_context
from visio_core.entrypoints.config import Settings
from visio_core.services.jobs import JobRunner


@pytest.fixture
def page_world(ctx, people, transcribed):
    set_context(ctx)
    JobRunner(ctx.job_kinds(), clock=ctx.clock).run_until_idle()
    yield transcribed
    set_context(None)


def open_page(identity, meeting, recording, **query):
    test = signed_in(identity, meeting=str(meeting.id), recording=str(recording.id), **query)
    test.switch_page("pages/recordings.py")
    test.run()
    assert not test.exception, test.exception
    return test


def shown(test) -> str:
    """What the page says, Markdown escapes (user and model text is escaped) removed."""
    return texts(test).replace("\\", "")


def player_start(test) -> float:
    (player,) = test.get("bidi_component")
    found = re.search(r'start_at\\*"?: *([0-9.]+)', str(player.proto))
    assert found, str(player.proto)[:2000]
    return float(found.group(1))


def jump_buttons(test):
    return [b for b in test.button if b.key and b.key.startswith("summary-jump-")]


def test_the_client_reads_the_summary_and_an_action_item_plays_its_moment(page_world, people):
    meeting, recording = page_world
    test = open_page(people.client_a, meeting, recording)
    said = shown(test)
    assert "Lignes 1 à 5 (5 répliques)." in said
    assert "Nous avons décidé de valider le budget du troisième trimestre." in said
    assert "Bruno : Bruno doit envoyer le devis avant vendredi." in said
    assert "Claire : Claire doit relire le contrat signé." in said
    assert [b.label for b in jump_buttons(test)] == ["Aller à 00:03", "Aller à 00:07", "Aller à 00:14"]
    assert player_start(test) == 0.0
    assert "Régénérer le résumé" not in [b.label for b in test.button]  # clients read only
    jump_buttons(test)[2].click().run()  # Claire's action item, said at 14.0 s
    assert not test.exception
    assert test.query_params["t"] == "14.000" and test.query_params["recording"] == str(recording.id)
    assert player_start(test) == 14.0


def test_after_a_correction_the_analyst_sees_it_stale_and_asks_again(ctx, page_world, people):
    meeting, recording = page_world
    ctx.recordings.correct_cue(people.analyst, recording.id, 0, "Bonjour, point budget.", 0)
    test = open_page(people.analyst, meeting, recording)
    assert "La transcription a changé depuis ce résumé" in shown(test)
    (again,) = [b for b in test.button if b.label == "Régénérer le résumé"]
    again.click().run()
    assert not test.exception
    assert "Nouveau résumé demandé" in shown(test)
    assert ctx.summaries.state(people.op1, recording.id).status == "pending"
    assert [b for b in test.button if b.label == "Régénérer le résumé"][0].disabled
    assert "Résumé en file d'attente." in shown(test)
    assert "Lignes 1 à 5" in shown(test)  # the last summary stays while the new one is made


def test_a_failure_says_why(ctx, chat, page_world, people):
    meeting, recording = page_world
    chat.api_key = "sk-changed"
    ctx.summaries.regenerate(people.op1, recording.id)
    JobRunner(ctx.job_kinds(), clock=ctx.clock).run_until_idle()
    test = open_page(people.op1, meeting, recording)
    assert "Le résumé a échoué : Le serveur du modèle refuse la clé d'API (OPENAI_API_KEY)" in shown(test)
    assert "sk-" not in shown(test)


def test_without_a_chat_model_the_page_says_how_and_shows_nothing_else(tmp_path, engine, people, page_world):
    meeting, recording = page_world
    plain = build_context(
        Settings.load(env={"VISIO_DATA_DIR": str(tmp_path / "data")}, secrets_file=tmp_path / "none.toml"),
        engine=engine,
        hasher=FAST_HASHER,
        transcriber=lambda: Scripted([]),
    )
    set_context(plain)  # the same store and files, no chat model configured
    try:
        test = open_page(people.op1, meeting, recording)
        said = shown(test)
        assert "Le résumé automatique n'est pas activé" in said and "VISIO_SUMMARY_MODEL" in said
        assert "Lignes 1 à 5" not in said and not jump_buttons(test)
        assert "Régénérer le résumé" not in [b.label for b in test.button]
    finally:
        plain.db.close()


HOSTILE = [
    Cue(1, 0.0, 3.0, "Nous avons décidé ![pixel](https://tracker.example/p.png) <b>gras</b>", "Claire"),
    Cue(2, 3.0, 6.0, "Bruno doit cliquer [ici](https://evil.example).", "MiKL"),
]


@pytest.mark.parametrize("cues", [HOSTILE])
def test_what_the_model_writes_is_shown_as_text_never_markdown(page_world, people):
    meeting, recording = page_world
    test = open_page(people.op1, meeting, recording)
    assert_no_live_markdown(test)
    assert "tracker.example" in shown(test) and "evil.example" in shown(test)
    assert [b.label for b in jump_buttons(test)] == ["Aller à 00:00", "Aller à 00:03"]
