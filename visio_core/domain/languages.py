"""Languages a transcript can be asked in: Whisper's language codes, plus `auto` (detect it).

The list is Whisper's own (the same 100 codes in faster-whisper and in the OpenAI API), written
out here so the domain needs no vendor library; a test checks it against faster-whisper.
"""

from __future__ import annotations

from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import t

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
