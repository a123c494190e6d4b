"""Window packing and cue building on made-up pieces: pure code, no model, no file."""

from __future__ import annotations

import numpy as np
import pytest

from visio_core.adapters.transcription.audio import SAMPLE_RATE
from visio_core.adapters.transcription.cues import CUE_PAUSE, window_cues
from visio_core.adapters.transcription.decoding import Line, Word
from visio_core.adapters.transcription.windows import MIN_FILL, WINDOW_SECONDS, Piece, Window, windows


def pieces(*spans: tuple[float, float, float]) -> list[tuple[Piece, np.ndarray]]:
    """(start s, end s, pause before s) → pieces whose audio holds each sample's own index."""
    made = []
    for start, end, pause in spans:
        lo, hi = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
        made.append((Piece(lo, hi, pause), np.arange(lo, hi, dtype=np.float32)))
    return made


def every_ten_seconds(count: int, pauses: list[float]) -> list[tuple[Piece, np.ndarray]]:
    """`count` pieces of 8 s of speech, one every 10 s, the given pause before each."""
    return pieces(*[(10.0 * i, 10.0 * i + 8, pauses[i]) for i in range(count)])


def test_a_window_lays_its_pieces_end_to_end_and_maps_times_back():
    window = Window.of(pieces((2.0, 3.0, 2.0), (10.0, 11.5, 7.0)))
    assert window.seconds == pytest.approx(2.5)
    assert list(window.offsets) == [0, SAMPLE_RATE]
    assert window.original(0.5) == pytest.approx(2.5)
    assert window.original(1.25) == pytest.approx(10.25)
    # the join: the end of something belongs to the earlier piece, a start to the later one
    assert window.original(1.0, end=True) == pytest.approx(3.0)
    assert window.original(1.0) == pytest.approx(10.0)
    # times outside the window are held to its edges
    assert window.original(-1.0) == pytest.approx(2.0)
    assert window.original(9.0, end=True) == pytest.approx(11.5)


def test_a_word_across_a_join_stays_in_the_piece_that_holds_its_middle():
    window = Window.of(pieces((2.0, 3.0, 2.0), (10.0, 11.5, 7.0)))
    start, end = window.span(0.9, 1.5)  # mostly in the second piece
    assert (start, end) == (pytest.approx(10.0), pytest.approx(10.5))
    start, end = window.span(0.6, 1.1)  # mostly in the first
    assert (start, end) == (pytest.approx(2.6), pytest.approx(3.0))


def test_short_speech_is_one_window_holding_every_sample():
    parts = pieces((0.0, 4.0, 0.0), (6.0, 9.0, 2.0))
    [window] = windows(iter(parts))
    assert np.array_equal(window.audio, np.concatenate([audio for _piece, audio in parts]))
    assert window.pieces == [piece for piece, _audio in parts]


def test_windows_close_at_the_longest_pause_once_full_enough():
    pauses = [0.0, 0.3, 0.4, 1.9, 0.5, 0.2, 0.3, 0.4]
    result = list(windows(iter(every_ten_seconds(8, pauses))))
    assert all(window.seconds <= WINDOW_SECONDS for window in result)
    # 8 s pieces: three fit in 30 s and make it MIN_FILL full; the longest pause (1.9 s) ends the first
    assert 16 < MIN_FILL * WINDOW_SECONDS <= 24
    assert [len(window.pieces) for window in result] == [3, 3, 2]
    kept = np.concatenate([window.audio for window in result])
    assert np.array_equal(kept, np.concatenate([audio for _piece, audio in every_ten_seconds(8, pauses)]))


def test_a_window_ends_before_the_longest_pause_rather_than_where_it_is_full():
    # 5 s pieces: six fit in 30 s; the longest pause among those that make it MIN_FILL full
    # (≥ 18 s: four, five or six pieces) is before the fifth piece
    pauses = [0.0, 0.3, 0.3, 0.3, 2.0, 0.3, 0.3, 0.3]
    parts = pieces(*[(10.0 * i, 10.0 * i + 5, pauses[i]) for i in range(8)])
    first, *rest = windows(iter(parts))
    assert len(first.pieces) == 4
    assert sum(len(window.pieces) for window in rest) == 4


def test_a_piece_longer_than_a_window_is_cut_to_fit():
    [(piece, audio)] = pieces((0.0, 70.0, 0.5))
    result = list(windows(iter([(piece, audio)])))
    assert [window.seconds for window in result] == [30.0, 30.0, 10.0]
    assert result[0].pieces[0].pause == 0.5 and result[1].pieces[0].pause == 0.0
    assert np.array_equal(np.concatenate([window.audio for window in result]), audio)


def test_cues_are_on_the_recording_timeline_and_split_at_a_cut_silence():
    window = Window.of(pieces((2.0, 4.0, 2.0), (20.0, 22.0, 16.0)))
    words = (Word(0.2, 0.8, " Bonjour"), Word(0.9, 1.5, " à"), Word(2.2, 2.9, " tous."), Word(4.5, 5.0, " fin"))
    line = Line(0.2, 5.0, " Bonjour à tous. fin", words, -0.2, 1.1)
    cues = window_cues([line], window)
    # "tous." starts 16.7 s after "à" ends on the recording: over CUE_PAUSE, so a cue of its own; "fin" is in
    # the padding after the window's audio (4 s) and is dropped
    assert CUE_PAUSE < 20.2 - 3.5
    assert [(c.text, round(c.start, 3), round(c.end, 3)) for c in cues] == [
        ("Bonjour à", 2.2, 3.5),
        ("tous.", 20.2, 20.9),
    ]


def test_a_line_without_word_timestamps_is_one_cue():
    window = Window.of(pieces((5.0, 8.0, 5.0)))
    cues = window_cues([Line(0.5, 2.5, " Merci.", (), -0.3, 1.0), Line(3.5, 4.0, " après", (), -0.3, 1.0)], window)
    assert [(c.text, c.start, c.end) for c in cues] == [(" Merci.", pytest.approx(5.5), pytest.approx(7.5))]
