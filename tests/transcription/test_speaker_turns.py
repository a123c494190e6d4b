"""Each line names its speaker when turns follow each other closely (real model, mbrola speech).

The speaking timeline says who spoke when; a cue goes to the dominant speaker of its span, so a
cue holding the end of one turn and the start of the next would name one person for both. Two
people answering each other within 0.6 s (the demo's pause between turns) in French and English:
Whisper ends its segments at the turns, and ≥ 90 % of the words found sit under the right name.
"""

from __future__ import annotations

import pytest

from tests.transcription.helpers import TWO_SPEAKERS, attribution, require_mbrola
from visio_core.adapters.demo_media import make_dialogue
from visio_core.adapters.transcription.local import LocalWhisperTranscriber
from visio_core.domain import speakers, srt

pytestmark = pytest.mark.slow  # the real model


@pytest.mark.parametrize("language", ["fr", "en"])
def test_turns_a_moment_apart_are_each_named(language, whisper_model_dir, espeak, tmp_path):
    (operator_voice, client_voice), script = TWO_SPEAKERS[language]
    require_mbrola((operator_voice, client_voice))
    voices = dict(zip(["MiKL", "Claire Martin"], (operator_voice, client_voice), strict=True))
    media = tmp_path / "meeting.mp4"
    timeline = make_dialogue(media, [(who, voices[who], sentence) for who, sentence in script], "turns")
    cues = srt.normalize(LocalWhisperTranscriber(whisper_model_dir).transcribe(media, language=language))
    named = speakers.attribute(cues, speakers.from_json(timeline.read_text()))
    lines = "\n".join(f"{c.start:5.1f} {c.end:5.1f} {c.speaker}: {c.text}" for c in named)
    found, right, total = attribution([{"text": c.text, "speaker": c.speaker} for c in named], script)
    assert found >= 0.7 * total, lines
    assert right >= 0.9 * found, lines
