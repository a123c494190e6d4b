"""Grouping lines by voice on real speech: three mbrola voices taking known turns, and one voice alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.transcription import conversation
from visio_core.adapters.transcription.clustering import agglomerate
from visio_core.adapters.transcription.voices import VoiceClusters, assign


@pytest.fixture(scope="module")
def voices(voice_weights: Path) -> VoiceClusters:
    return VoiceClusters(voice_weights)


@pytest.fixture(scope="module")
def three_voices(tmp_path_factory, mbrola) -> conversation.Conversation:
    return conversation.build(mbrola, tmp_path_factory.mktemp("voices") / "three.wav", conversation.TURNS)


@pytest.fixture(scope="module")
def one_voice(tmp_path_factory, mbrola) -> conversation.Conversation:
    return conversation.build(mbrola, tmp_path_factory.mktemp("voices") / "one.wav", conversation.ONE_VOICE)


def _turn_spans(talk: conversation.Conversation) -> list[tuple[float, float]]:
    return [(start, end) for _speaker, start, end in talk.turns]


@pytest.mark.slow
def test_three_voices_taking_turns_are_told_apart(voices, three_voices):
    groups = voices.cluster(three_voices.path, _turn_spans(three_voices))
    truth = [speaker for speaker, _s, _e in three_voices.turns]
    assert len(set(groups)) == 3
    assert conversation.share_right(truth, groups) >= 0.9
    assert groups[0] == 0  # numbered in the order they first speak


@pytest.mark.slow
def test_the_operator_can_say_how_many_spoke(voices, three_voices):
    spans = _turn_spans(three_voices)
    assert len(set(voices.cluster(three_voices.path, spans, speakers=3))) == 3
    assert len(set(voices.cluster(three_voices.path, spans, speakers=2))) == 2


@pytest.mark.slow
def test_one_voice_is_one_speaker(voices, one_voice):
    assert set(voices.cluster(one_voice.path, _turn_spans(one_voice))) == {0}


@pytest.mark.slow
def test_silence_and_half_second_spans(voices, three_voices):
    """A span with no sound gets no group; a span too short to found a group joins the closest voice."""
    (_speaker, start, end), second = three_voices.turns[0], three_voices.turns[1]
    spans = [(start, end), (0.0, 0.3), (second[1], second[2]), (start + 1.0, start + 1.5), (10_000.0, 10_001.0)]
    groups = voices.cluster(three_voices.path, spans)
    assert groups[1] is None and groups[4] is None  # the leading pause; past the end of the file
    assert groups[3] == groups[0] != groups[2]


def test_agglomerate_stops_at_the_threshold_or_the_count():
    rng = np.random.default_rng(3)
    centres = np.eye(4)[:2]
    points = np.concatenate(
        [centres[0] + 0.05 * rng.standard_normal((5, 4)), centres[1] + 0.05 * rng.standard_normal((4, 4))]
    )
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    assert agglomerate(points, speakers=None, threshold=0.75) == [0] * 5 + [1] * 4
    assert agglomerate(points, speakers=1, threshold=0.75) == [0] * 9
    assert agglomerate(points[[5, 0, 6]], speakers=None, threshold=0.75) == [0, 1, 0]
    assert agglomerate(np.zeros((0, 4)), speakers=None, threshold=0.75) == []


def test_assign_without_any_long_span_makes_one_speaker():
    prints = np.eye(3, dtype=np.float32)
    assert assign(prints, np.array([True, False, True]), [0.5, 0.5, 0.8], None, 0.75) == [0, None, 0]
