"""No sentence lost by the offline pipeline (real model, real espeak-ng speech).

The batched pipeline as it was (faster-whisper's BatchedInferencePipeline with its own VAD
windows) decoded each ≤ 30 s window once: when Whisper stopped before the end of a full
window, the last sentence of that window was gone ("We agreed to hire a freelance
photographer…" in a user's recording). Each recording below lost one whole sentence that
way (on 2 cores, whisper-base int8); the pipeline now ends windows at pauses and decodes
again what VAD hears but no word covers.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from tests.transcription.helpers import LONG_ENGLISH, found, read_wav, words_in, write_wav
from visio_core.adapters.transcription import decoding
from visio_core.adapters.transcription.audio import SAMPLE_RATE, load_audio
from visio_core.adapters.transcription.decoding import missed_speech
from visio_core.adapters.transcription.local import LocalWhisperTranscriber
from visio_core.adapters.transcription.speech import speech_pieces
from visio_core.adapters.transcription.windows import windows

pytestmark = pytest.mark.slow  # the real model: `make test`, not `make check`

RATE = 22050  # espeak-ng's own rate: the recordings are written as it speaks
SENTENCES = [sentence for sentence, _keyword in LONG_ENGLISH] + [
    "We agreed to hire a freelance photographer for the product pictures.",
    "The new printer on the second floor is finally working again.",
    "Please remember to water the plants in the reception area.",
    "The delivery of the blue sofas is expected on Thursday afternoon.",
    "Our accountant wants the receipts from the conference in Berlin.",
    "The parking lot will be painted during the first weekend of June.",
    "Everybody should update the password of their laptop this week.",
    "The bakery across the street now delivers sandwiches at lunch time.",
]
# (espeak-ng speed, [(sentence, pause after it in seconds), ...]): the pipeline as it was lost
# "The fourth topic is the computer security training.", "We need to buy more chairs for the
# kitchen." and "The parking lot will be painted during the first weekend of June." here.
RECORDINGS = [
    (
        165,
        [
            (4, 0.25),
            (18, 0.7),
            (2, 0.25),
            (8, 0.7),
            (3, 0.7),
            (15, 1.2),
            (12, 0.25),
            (7, 0.7),
            (13, 0.5),
            (10, 0.35),
            (6, 1.2),
            (16, 0.25),
        ],
    ),
    (
        150,
        [
            (7, 0.25),
            (11, 0.7),
            (12, 0.7),
            (4, 0.7),
            (6, 0.7),
            (1, 0.7),
            (15, 1.2),
            (2, 0.35),
            (3, 0.7),
            (8, 0.25),
            (18, 0.7),
            (16, 0.35),
        ],
    ),
    (
        150,
        [
            (11, 0.35),
            (15, 0.25),
            (19, 0.5),
            (9, 0.5),
            (13, 0.5),
            (7, 0.35),
            (18, 1.2),
            (0, 0.5),
            (6, 0.25),
            (10, 0.35),
            (4, 1.2),
            (3, 0.5),
        ],
    ),
]


def _say(espeak: str, tmp_path, name: str, text: str, speed: int) -> np.ndarray:
    raw = tmp_path / f"{name}.wav"
    subprocess.run([espeak, "-v", "en", "-s", str(speed), "-w", str(raw), text], check=True)
    samples, rate = read_wav(raw)
    assert rate == RATE
    return samples


def _lost(sentences: list[str], text: str) -> list[str]:
    """The sentences of which not even half the words (of 4 letters or more) were transcribed."""
    lost = []
    for sentence in sentences:
        words = [w for w in words_in(sentence) if len(w) >= 4]
        if len(found(text, words)) * 2 < len(words):
            lost.append(sentence)
    return lost


@pytest.fixture(scope="module")
def transcriber(whisper_model_dir) -> LocalWhisperTranscriber:
    return LocalWhisperTranscriber(whisper_model_dir)


@pytest.mark.parametrize("number", range(len(RECORDINGS)))
def test_no_sentence_is_lost(transcriber, espeak, tmp_path, number):
    speed, script = RECORDINGS[number]
    parts = []
    for index, pause in script:
        parts += [_say(espeak, tmp_path, f"s{index}", SENTENCES[index], speed), np.zeros(int(pause * RATE), np.int16)]
    path = tmp_path / "meeting.wav"
    write_wav(path, np.concatenate(parts), RATE)
    cues = transcriber.transcribe(path, language="en")
    text = " ".join(cue.text for cue in cues)
    listing = "\n".join(f"{c.start:6.2f}–{c.end:6.2f} {c.text}" for c in cues)
    assert not _lost([SENTENCES[index] for index, _pause in script], text), listing


def test_speech_left_out_of_a_decode_is_decoded_again(transcriber, whisper_model_dir, espeak, tmp_path):
    """The check behind it, on a real decode that stopped early: Whisper given only the first
    of two sentences stands for a batched decode that gave up before the end of its window."""
    first, second = SENTENCES[13], SENTENCES[18]  # the photographer, then the parking lot
    lead, pause = np.zeros(RATE // 2, np.int16), np.zeros(int(0.6 * RATE), np.int16)
    one, two = _say(espeak, tmp_path, "one", first, 160), _say(espeak, tmp_path, "two", second, 160)
    path = tmp_path / "two-sentences.wav"
    write_wav(path, np.concatenate([lead, one, pause, two, lead]), RATE)
    audio = load_audio(path)  # 16 kHz, as the pipeline reads it
    [window] = list(windows(speech_pieces([audio])))
    assert window.offsets.size >= 2 and window.seconds > 6  # one window, its pieces laid end to end
    run = transcriber.start(language="en")  # the shared model's stepwise view, the options of a run
    model, options = run.model, run.decode_options()
    cut = (lead.size + one.size + pause.size // 2) / RATE - window.pieces[0].start / SAMPLE_RATE
    partial = decoding.sequential(model, window.audio[: int(cut * SAMPLE_RATE)], options)
    assert not _lost([first], " ".join(line.text for line in partial))

    [(start, end)] = missed_speech(partial, window)
    assert start < cut + 0.5 and end == pytest.approx(window.seconds)
    again = decoding.again(model, window, start, end, options)
    text = " ".join(line.text for line in again)
    assert not _lost([second], text), text
    assert not found(text, ["photographer", "freelance", "pictures"]), text  # the context is not repeated
    assert missed_speech(partial + again, window) == []

    # A decode that gave nothing while VAD hears speech: the whole window is decoded again.
    assert missed_speech([], window) == [(0.0, window.seconds)]


def test_reading_in_blocks_changes_no_speech(espeak, tmp_path):
    """The pipeline reads a minute at a time; VAD on blocks must find the same speech as on
    the whole signal: no piece lost, cut or doubled at a block's edge."""
    parts = []
    for index in (0, 13, 5, 18, 9, 2):
        parts += [_say(espeak, tmp_path, f"s{index}", SENTENCES[index], 170), np.zeros(RATE // 3, np.int16)]
    path = tmp_path / "blocks.wav"
    write_wav(path, np.concatenate(parts), RATE)
    audio = load_audio(path)
    whole = [piece for piece, _audio in speech_pieces([audio])]
    blocks = [audio[i : i + 3 * SAMPLE_RATE] for i in range(0, audio.size, 3 * SAMPLE_RATE)]  # 3 s blocks
    pieces = list(speech_pieces(blocks))
    for (piece, samples), (following, _samples) in zip(pieces, pieces[1:]):
        assert piece.start < piece.end <= following.start
        assert np.array_equal(samples, audio[piece.start : piece.end])
    covered = sum(piece.end - piece.start for piece, _samples in pieces)
    assert abs(covered - sum(p.end - p.start for p in whole)) < 0.5 * SAMPLE_RATE
    assert pieces[0][0].start <= whole[0].start + 0.1 * SAMPLE_RATE
    assert pieces[-1][0].end >= whole[-1].end - 0.1 * SAMPLE_RATE
    assert all(window.seconds <= 30 for window in windows(iter(pieces)))
