"""Languages a transcript can be asked in: Whisper's language codes, plus `auto` (detect it).

The list is Whisper's own (the same 100 codes in faster-whisper and in the OpenAI API), written
out here so the domain needs no vendor library; a test checks it against faster-whisper.
Their names on the pages come from Babel's copy of CLDR: pure data shipped in its wheel (like
zoneinfo's), read without network or state, so the domain may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from babel import Locale

from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import locale, t

AUTO = "auto"

WHISPER_LANGUAGES: frozenset[str] = frozenset(
    (
        "af",
        "am",
        "ar",
        "as",
        "az",
        "ba",
        "be",
        "bg",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "eu",
        "fa",
        "fi",
        "fo",
        "fr",
        "gl",
        "gu",
        "ha",
        "haw",
        "he",
        "hi",
        "hr",
        "ht",
        "hu",
        "hy",
        "id",
        "is",
        "it",
        "ja",
        "jw",
        "ka",
        "kk",
        "km",
        "kn",
        "ko",
        "la",
        "lb",
        "ln",
        "lo",
        "lt",
        "lv",
        "mg",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "ne",
        "nl",
        "nn",
        "no",
        "oc",
        "pa",
        "pl",
        "ps",
        "pt",
        "ro",
        "ru",
        "sa",
        "sd",
        "si",
        "sk",
        "sl",
        "sn",
        "so",
        "sq",
        "sr",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "tk",
        "tl",
        "tr",
        "tt",
        "uk",
        "ur",
        "uz",
        "vi",
        "yi",
        "yo",
        "zh",
        "yue",
    )
)


# Offered first in the pages' language pickers (any code above is accepted).
OFFERED_LANGUAGES: tuple[str, ...] = ("fr", "en", "es", "de", "it", "pt", "nl", "ar")


# Whisper's codes that are not CLDR's (ISO 639-1): Javanese is "jv" in ISO, "jw" in Whisper.
_CLDR_CODE = {"jw": "jv"}


@cache
def _language_names(locale_name: str) -> Mapping[str, str]:
    return Locale.parse(locale_name).languages


def language_label(code: str | None) -> str:
    """How a language code reads on a page: « anglais (en) », « Détection automatique »."""
    if code == AUTO:
        return t("language.auto")
    if not code:
        return t("common.none")
    name = _language_names(locale()).get(_CLDR_CODE.get(code, code))
    return f"{name} ({code})" if name else code


def check_requested_language(language: str | None) -> str:
    """What may be asked for a transcript: a Whisper language code, or `auto` (Whisper detects it)."""
    if (language or "").strip().lower() == AUTO:
        return AUTO
    return check_language(language)


def check_language(language: str | None) -> str:
    """A lower-case Whisper language code, or InvalidInput naming what was given."""
    code = (language or "").strip().lower()
    if code not in WHISPER_LANGUAGES:
        raise InvalidInput(t("rec.bad_language", value=language))
    return code
