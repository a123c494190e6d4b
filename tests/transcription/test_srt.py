from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from visio_core.domain import srt
from visio_core.domain.srt import Cue

WELL_FORMED = (
    "1\n00:00:01,000 --> 00:00:02,500\nBonjour à tous.\n\n"
    "2\n00:00:02,500 --> 00:01:03,040\nDeux lignes\nde texte.\n\n"
    "3\n01:02:03,004 --> 01:02:05,000\nFin.\n"
)


def test_parse_well_formed():
    result = srt.parse(WELL_FORMED)
    assert result.skipped == 0
    assert result.cues == [
        Cue(1, 1.0, 2.5, "Bonjour à tous."),
        Cue(2, 2.5, 63.04, "Deux lignes\nde texte."),
        Cue(3, 3723.004, 3725.0, "Fin."),
    ]


def test_format_is_standard_srt_and_round_trips():
    cues = srt.parse(WELL_FORMED).cues
    assert srt.render_srt(cues) == WELL_FORMED
    assert srt.render_srt([Cue(7, 0.0, 0.0016, "x")]) == "7\n00:00:00,000 --> 00:00:00,002\nx\n"
    assert srt.render_srt([]) == ""


def test_bom_crlf_and_dot_milliseconds():
    text = "\ufeff1\r\n00:00:01.250 --> 00:00:02.5\r\nHello\r\n\r\n2\r00:00:03,000 --> 00:00:04,000\rWorld\r"
    result = srt.parse(text)
    assert result.skipped == 0
    assert [(c.index, c.start, c.end, c.text) for c in result.cues] == [(1, 1.25, 2.5, "Hello"), (2, 3.0, 4.0, "World")]


def test_missing_and_odd_indices():
    text = (
        "00:00:01,000 --> 00:00:02,000\nno index\n\n"
        "42\n00:00:02,000 --> 00:00:03,000\nodd number\n\n"
        "cue-three\n00:00:03,000 --> 00:00:04,000\nlabel that is not a number\n\n"
        "0\n00:00:04,000 --> 00:00:05,000\nzero\n\n"
        "0\n00:00:05,000 --> 00:00:06,000\nduplicate\n"
    )
    result = srt.parse(text)
    assert result.skipped == 0
    assert [c.index for c in result.cues] == [1, 42, 43, 0, 0]
    assert [c.text for c in result.cues][2] == "label that is not a number"
    assert [c.index for c in srt.renumber(result.cues)] == [1, 2, 3, 4, 5]


def test_runs_of_blank_lines_and_whitespace():
    text = "\n\n\n1\n00:00:01,000 --> 00:00:02,000\nA   \n\n \n\t\n\n2\n00:00:03,000 --> 00:00:04,000\nB\n\n\n\n"
    result = srt.parse(text)
    assert [(c.index, c.text) for c in result.cues] == [(1, "A"), (2, "B")]
    assert result.skipped == 0


def test_cues_without_blank_line_between_them():
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nfirst\nstill first\n"
        "2\n00:00:02,000 --> 00:00:03,000\nsecond\n"
        "00:00:03,000 --> 00:00:04,000\nthird, no index\n"
    )
    result = srt.parse(text)
    assert [(c.index, c.text) for c in result.cues] == [
        (1, "first\nstill first"),
        (2, "second"),
        (3, "third, no index"),
    ]


def test_malformed_blocks_are_skipped_and_counted():
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\ngood\n\n"
        "just some words\nwithout timing\n\n"  # no timing line
        "3\n00:00:05,000 --> 00:00:04,000\nends before it starts\n\n"
        "4\n00:61:00,000 --> 00:62:00,000\nno such minute\n\n"
        "5\n00:00:0x,000 --> 00:00:09,000\nnot a number\n\n"
        "6\n00:00:10,000 --> 00:00:11,000\ngood again\n"
    )
    result = srt.parse(text)
    assert [c.text for c in result.cues] == ["good", "good again"]
    assert result.skipped == 4


def test_other_tolerances():
    # no hours, one-digit fraction, coordinates after the timing, empty cue text
    text = "1\n01:02,5 --> 01:03,75 X1:10 X2:20\nshort form\n\n2\n00:00:05,000 --> 00:00:06,000\n"
    result = srt.parse(text)
    assert [(c.start, c.end, c.text) for c in result.cues] == [(62.5, 63.75, "short form"), (5.0, 6.0, "")]
    assert srt.parse("").cues == [] and srt.parse("").skipped == 0
    assert srt.parse("12:30 --> 13:00\nlooks like a timing but has no milliseconds").skipped == 1


def test_shift_and_renumber():
    cues = [Cue(1, 0.5, 1.0, "a"), Cue(2, 2.0, 3.0, "b")]
    assert srt.shift(cues, 10) == [Cue(1, 10.5, 11.0, "a"), Cue(2, 12.0, 13.0, "b")]
    # times clamp at zero, a cue entirely before zero disappears
    assert srt.shift(cues, -2.5) == [Cue(2, 0.0, 0.5, "b")]
    assert srt.renumber(cues, start=5) == [Cue(5, 0.5, 1.0, "a"), Cue(6, 2.0, 3.0, "b")]


def test_normalize_orders_trims_and_removes_overlaps():
    cues = [Cue(9, 5.0, 6.0, " late "), Cue(3, 1.0, 5.5, "early"), Cue(4, 2.0, 2.0, "   ")]
    assert srt.normalize(cues) == [Cue(1, 1.0, 5.5, "early"), Cue(2, 5.5, 6.0, "late")]


# --- properties --------------------------------------------------------------

_line = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(lambda s: s and "-->" not in s and s == s.strip())
)
_millis = st.integers(min_value=0, max_value=99 * 3600_000)


@st.composite
def cues_strategy(draw):
    count = draw(st.integers(min_value=0, max_value=8))
    cues = []
    for _ in range(count):
        start = draw(_millis)
        end = start + draw(st.integers(min_value=0, max_value=600_000))
        lines = draw(st.lists(_line, min_size=0, max_size=3))
        index = draw(st.integers(min_value=-5, max_value=10**6))
        cues.append(Cue(index, start / 1000, end / 1000, "\n".join(lines)))
    return cues


@given(cues_strategy())
@settings(max_examples=300, deadline=None)
def test_round_trip_of_formatted_cues(cues):
    text = srt.render_srt(cues)
    result = srt.parse(text)
    assert result.skipped == 0
    assert result.cues == cues
    assert srt.render_srt(result.cues) == text


@given(st.text(max_size=400))
@settings(max_examples=500, deadline=None)
@example("\ufeff")
@example("-->\n-->\n\n1\n99:99:99,999 --> 00:00:00,000")
@example("1\n00:00:01,000 --> 00:00:02,000\n" + "9" * 40 + "\n00:00:03,000 --> 00:00:04,000\n")
@example("٣\n00:00:01,000 --> 00:00:02,000\nArabic-Indic digit index")
def test_garbage_never_raises(text):
    result = srt.parse(text)
    assert result.skipped >= 0
    for cue in result.cues:
        assert 0 <= cue.start <= cue.end
    srt.render_srt(result.cues)  # whatever was read can be written


_garbage_block = st.lists(_line, min_size=1, max_size=3).map("\n".join)


@given(cues_strategy(), st.lists(_garbage_block, max_size=5), st.randoms())
@settings(max_examples=200, deadline=None)
def test_garbage_blocks_are_skipped_and_counted(cues, garbage, rnd):
    blocks = [srt.render_srt([c]) for c in cues]
    for block in garbage:
        blocks.insert(rnd.randint(0, len(blocks)), block + "\n")
    result = srt.parse("\n".join(blocks))
    assert result.cues == cues
    assert result.skipped == len(garbage)


@given(cues_strategy())
@settings(max_examples=100, deadline=None)
def test_windows_line_ends_and_bom_read_the_same(cues):
    text = srt.render_srt(cues)
    windows = "\ufeff" + text.replace("\n", "\r\n")
    dotted = re.sub(r"(\d\d:\d\d:\d\d),(\d\d\d)", r"\1.\2", text)
    assert srt.parse(windows).cues == cues
    assert srt.parse(dotted).cues == cues


def test_speakers_are_a_name_prefix_in_srt_and_voice_tags_in_webvtt():
    from visio_core.domain import webvtt

    cues = [
        srt.Cue(1, 1.5, 3.0, "Le budget est validé.", "Claire Martin"),
        srt.Cue(2, 3.0, 4.0, "Note: sans nom"),
        srt.Cue(3, 4.0, 5.5, "a < b & c", "MiKL"),
    ]
    text = srt.render_srt(cues)
    assert "Claire Martin: Le budget est validé.\n" in text and "MiKL: a < b & c" in text
    # Only known names are read back as speakers: "Note: …" stays text.
    assert srt.parse(text, speakers=srt.speakers_of(cues)).cues == cues
    assert [c.speaker for c in srt.parse(text).cues] == [None, None, None]
    vtt = webvtt.render_webvtt(cues)
    assert vtt.startswith("WEBVTT\n\n1\n00:00:01.500 --> 00:00:03.000\n<v Claire Martin>Le budget est validé.\n")
    assert "<v MiKL>a &lt; b &amp; c" in vtt and "\nNote: sans nom\n" in vtt
