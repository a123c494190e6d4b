"""The summary's rules without any model: lines the model reads, chunks, what of its answer is kept."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import at
from visio_core.domain.srt import Cue
from visio_core.domain.summary import (
    ITEM_MAX,
    ITEMS_MAX,
    Summary,
    UnusableAnswer,
    chunks,
    cited,
    from_json,
    line,
    parse_answer,
    partial_text,
    to_json,
    transcript_text,
)

CUES = [
    Cue(1, 0.0, 2.5, "Bonjour à tous.", "Claire"),
    Cue(2, 65.2, 70.0, "Nous avons  décidé\nde valider le budget.", "MiKL"),
    Cue(3, 3725.0, 3730.0, "Bruno doit envoyer le devis.", None),
]


def parse(answer, allowed=None):
    return parse_answer(answer, CUES, allowed if allowed is not None else {0, 1, 2}, model="m", at=at())


def test_each_line_carries_its_number_time_and_speaker_on_one_line():
    assert line(0, CUES[0]) == "[#1 00:00] Claire: Bonjour à tous."
    assert line(1, CUES[1]) == "[#2 01:05] MiKL: Nous avons décidé de valider le budget."
    assert line(2, CUES[2]) == "[#3 1:02:05] Bruno doit envoyer le devis."
    assert transcript_text(CUES, [0, 2]).splitlines() == [line(0, CUES[0]), line(2, CUES[2])]


def test_chunks_are_consecutive_runs_that_fit():
    cues = [Cue(n + 1, n * 2.0, n * 2.0 + 1, "x" * 40) for n in range(30)]
    width = len(line(0, cues[0])) + 1
    runs = chunks(cues, width * 7)
    assert [p for run in runs for p in run] == list(range(30))
    assert all(len(transcript_text(cues, run)) + 1 <= width * 7 for run in runs)
    assert len(runs) == 5
    for run, following in zip(runs, runs[1:], strict=False):  # each run as long as it can be
        assert len(transcript_text(cues, [*run, following[0]])) + 1 > width * 7
    assert chunks(cues, 10) == [[n] for n in range(30)]  # a line longer than a chunk is a chunk of its own
    assert chunks([], 100) == []


def test_items_keep_their_line_and_its_start():
    summary = parse(
        {
            "summary": "  Point  budget. ",
            "decisions": [{"text": "Budget validé", "cue": 2}],
            "action_items": [
                {"text": "Envoyer le devis", "owner": "Bruno", "cue": 3},
                {"text": "Relire", "owner": None, "cue": 1},
            ],
        }
    )
    assert summary.overview == "Point budget."
    assert [(d.text, d.position, d.start) for d in summary.decisions] == [("Budget validé", 1, 65.2)]
    assert [(a.owner, a.position, a.start) for a in summary.actions] == [("Bruno", 2, 3725.0), (None, 0, 0.0)]
    assert summary.dropped == 0 and summary.model == "m"


@pytest.mark.parametrize(
    "item",
    [
        {"text": "Inventé", "cue": 99},  # no such line
        {"text": "Hors partie", "cue": 3},  # a line this part did not show
        {"text": "Zéro", "cue": 0},
        {"text": "Booléen", "cue": True},
        {"text": "Texte", "cue": "2"},
        {"text": "   ", "cue": 1},
        {"cue": 1},
        "pas un objet",
    ],
)
def test_items_without_a_line_shown_to_the_model_are_dropped_and_counted(item):
    summary = parse({"summary": "s", "decisions": [item, {"text": "ok", "cue": 1}], "action_items": []}, {0, 1})
    assert [d.position for d in summary.decisions] == [0]
    assert summary.dropped == 1


@pytest.mark.parametrize("answer", [None, [], "texte", {"decisions": []}, {"summary": 3}])
def test_an_answer_that_is_no_summary_is_refused(answer):
    with pytest.raises(UnusableAnswer, match="nouvel essai"):
        parse(answer)


def test_lengths_are_bounded():
    many = [{"text": "y" * 2000, "owner": "o" * 500, "cue": 1}] * (ITEMS_MAX + 5)
    summary = parse({"summary": "s", "decisions": [], "action_items": many})
    assert len(summary.actions) == ITEMS_MAX and summary.dropped == 5
    assert len(summary.actions[0].text) == ITEM_MAX and len(summary.actions[0].owner or "") == 120


def test_stored_form_round_trips_and_staleness_follows_the_text_the_model_read():
    summary = parse(
        {
            "summary": "s",
            "decisions": [{"text": "d", "cue": 2}],
            "action_items": [{"text": "a", "owner": "Bruno", "cue": 3}],
        }
    )
    assert from_json(to_json(summary)) == summary
    assert from_json("{") is None and from_json(None) is None and from_json('{"overview": 1}') is None
    assert not summary.stale(CUES)
    assert summary.stale([*CUES[:2], replace(CUES[2], text="Bruno envoie le devis.")])
    assert summary.stale([*CUES[:2], replace(CUES[2], speaker="Bruno")])  # a speaker named since
    assert not summary.stale([replace(c) for c in CUES])  # an undone correction: the same text again


def test_merge_input_names_the_lines_cited():
    part = Summary("p", [], [], "", "m", at())
    first = parse({"summary": "a", "decisions": [{"text": "d", "cue": 2}], "action_items": []})
    text = partial_text([first, part], CUES)
    assert '"cue": 2' in text and '"time": "01:05"' in text and len(text.splitlines()) == 2
    assert cited([first, part]) == {1}
