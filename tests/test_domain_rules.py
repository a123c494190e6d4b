"""Pure rules of the domain and the services' retry policy: languages, media types, storage keys, retries."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.conftest import at
from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import format_seconds, format_size
from visio_core.domain.languages import AUTO, WHISPER_LANGUAGES, check_language, language_label
from visio_core.domain.media_types import ALLOWED_EXTENSIONS, content_type, extension_of
from visio_core.domain.plain_text import timecode
from visio_core.domain.storage_keys import check_key, recording_key, transcript_key
from visio_core.services.jobs import RetryPolicy


def test_our_language_list_is_whispers():
    from faster_whisper.tokenizer import _LANGUAGE_CODES  # the vendor's private list, read here only

    assert frozenset(_LANGUAGE_CODES) == WHISPER_LANGUAGES


@pytest.mark.parametrize(
    "code, label",
    [
        ("fr", "français (fr)"),
        ("en", "anglais (en)"),
        ("de", "allemand (de)"),
        ("nl", "néerlandais (nl)"),
        ("ar", "arabe (ar)"),
        ("haw", "hawaïen (haw)"),
        ("yue", "cantonais (yue)"),
        ("jw", "javanais (jw)"),  # Whisper's code for what ISO and CLDR call "jv"
    ],
)
def test_languages_are_named_in_french(code, label):
    assert language_label(code) == label


def test_every_whisper_language_has_a_french_name():
    unnamed = [code for code in WHISPER_LANGUAGES if language_label(code) == code]
    assert unnamed == []


@pytest.mark.parametrize("code, label", [(AUTO, "Détection automatique"), (None, "—"), ("", "—"), ("xx", "xx")])
def test_auto_missing_and_unknown_languages_read_as_such(code, label):
    assert language_label(code) == label


NNBSP = "\u202f"  # CLDR's French group separator and number-unit space: a narrow no-break space


@pytest.mark.parametrize(
    "size, shown",
    [
        (0, "0 o"),
        (512, "512 o"),
        (1023, "1 023 o"),
        (1024, "1,0 ko"),
        (1536, "1,5 ko"),
        (1.5 * 1024**2, "1,5 Mo"),
        (2 * 1024**3, "2,0 Go"),
        (5000 * 1024**3, "5 000,0 Go"),  # Go is the largest unit
    ],
)
def test_sizes_read_in_french(size, shown):
    assert format_size(size) == shown.replace(" ", NNBSP)


def test_seconds_read_in_french_words():
    assert format_seconds(45.0) == "45\u00a0secondes"
    assert format_seconds(1) == "1\u00a0seconde"
    assert format_seconds(12.5) == "12,5\u00a0secondes"


@pytest.mark.parametrize("seconds, shown", [(0, "00:00"), (-3, "00:00"), (65.9, "01:05"), (3725, "1:02:05")])
def test_timecodes_of_lines(seconds, shown):
    assert timecode(seconds) == shown


@pytest.mark.parametrize("given, code", [("fr", "fr"), (" EN ", "en"), ("haw", "haw")])
def test_language_codes_are_normalised(given, code):
    assert check_language(given) == code


@pytest.mark.parametrize("bad", ["", None, "xx", "french", "fr-FR", "auto", "e" * 500])
def test_unknown_languages_are_refused_with_the_value(bad):
    with pytest.raises(InvalidInput, match="Langue"):
        check_language(bad)


def test_media_types_come_from_one_list():
    assert ALLOWED_EXTENSIONS == ("mp4", "webm", "m4a", "mp3", "wav", "ogg")
    assert extension_of("Réunion.Final.MP4") == "mp4"
    assert content_type("visio-x/abc.webm") == "video/webm"
    assert content_type("abc.srt") == "text/plain; charset=utf-8"
    assert content_type("abc.exe") == "application/octet-stream"
    for bad in ("notes.txt", "noextension", "video.mp4.exe", ""):
        with pytest.raises(InvalidInput, match="mp4, webm, m4a, mp3, wav, ogg"):
            extension_of(bad)


def test_storage_keys_follow_the_layout_and_are_safe():
    rid = uuid.uuid4()
    assert recording_key("visio-abc", rid, "mp4") == f"visio-abc/{rid}.mp4"
    assert transcript_key(rid) == f"{rid}.srt"
    assert check_key(recording_key("visio-abc", rid, "mp4"))
    for bad in ("../etc/passwd", "a/%2e%2e/b", "/abs", "a\\b", "a//b"):
        with pytest.raises(InvalidInput):
            check_key(bad)


def test_retry_policy_backs_off_caps_and_gives_up():
    policy = RetryPolicy(max_attempts=6, first_delay=timedelta(seconds=30), factor=4, max_delay=timedelta(hours=1))
    delays = [policy.retry_at(n, at()) - at() for n in range(1, 6)]
    assert delays == [
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=8),
        timedelta(minutes=32),
        timedelta(hours=1),
    ]
    assert policy.retry_at(6, at()) is None
