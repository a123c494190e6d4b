"""Word error rate for bench/wer.py: word-level Levenshtein on normalised text.

The normalisation is ours (French numbers and punctuation, below); the alignment is jiwer's
(a dev-only dependency, pinned in requirements-dev.txt), given the words already normalised.
Tests of it are the examples at the bottom, run when this module is run on its own.

Normalisation, applied to the reference and to the transcript alike: lower case, Unicode
NFC, accents kept (French "a"/"à" are different words), apostrophes, hyphens and every
other punctuation mark become spaces, digit groups ("5 000", "5,000") are joined, "%",
"$", "€" and French "10h" are spelled out, and runs of number words become digits
("quatre-vingts" and "80", "five thousand" and "5000" are the same words). "un"/"une"/"one"
stay words: they are articles and pronouns as often as numbers.
"""

from __future__ import annotations

import re
import unicodedata

import jiwer

_DIGIT_GROUPS = re.compile(r"(?<=\d)[\s\u00a0\u202f,.](?=\d{3}\b)")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


_UNITS = {
    "fr": "zéro _ deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
    "dix-sept dix-huit dix-neuf",
    "en": "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen",
}
_TENS = {
    "fr": {"vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60},
    "en": {
        "twenty": 20,
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "sixty": 60,
        "seventy": 70,
        "eighty": 80,
        "ninety": 90,
    },
}
_SCALES = {"fr": {"cent": 100, "cents": 100, "mille": 1000}, "en": {"hundred": 100, "thousand": 1000}}


def _number_values(language: str) -> dict[str, int]:
    values = {word: n for n, word in enumerate(_UNITS[language].split()) if word != "_"}
    return {**values, **_TENS[language]}


def _numbers_to_digits(tokens: list[str], language: str) -> list[str]:
    values, scales = _number_values(language), _SCALES[language]
    out: list[str] = []
    total = current = 0
    in_number = False
    for token in [*tokens, ""]:
        if token in values or (token in scales and in_number):
            in_number = True
            if token in scales:
                current = max(current, 1) * scales[token]
                if scales[token] == 1000:
                    total, current = total + current, 0
            elif language == "fr" and token in ("vingt", "vingts") and current == 4:
                current = 80  # quatre-vingt(s)
            else:
                current += values[token]
            continue
        if in_number:
            out.append(str(total + current))
            total = current = 0
            in_number = False
        if token:
            out.append(token)
    return out


def words(text: str, language: str) -> list[str]:
    text = unicodedata.normalize("NFC", text.lower())
    text = _DIGIT_GROUPS.sub("", text)
    text = re.sub(r"\$\s*(\d+)", r"\1 dollars ", text)
    text = re.sub(r"(\d)\s*€", r"\1 euros ", text)
    if language == "fr":
        text = re.sub(r"\b(\d+)\s*h\b", r"\1 heures ", text)
    text = text.replace("%", " pour cent " if language == "fr" else " percent ")
    text = text.replace("œ", "oe").replace("æ", "ae")
    for compound in ("dix-sept", "dix-huit", "dix-neuf"):  # before hyphens turn into spaces
        text = text.replace(compound, compound.replace("-", ""))
    out: list[str] = []
    for phrase in re.split(r"[,.;:!?()\[\]\"«»“”…]+", text):  # a number never runs across punctuation
        tokens = [
            token.replace("dixsept", "dix-sept").replace("dixhuit", "dix-huit").replace("dixneuf", "dix-neuf")
            for token in _WORD.findall(phrase)
        ]
        out += _numbers_to_digits(tokens, language)
    return out


# jiwer's chunk types, as one letter per aligned word.
_OPS = {"equal": "=", "substitute": "s", "delete": "d", "insert": "i"}


def align(reference: list[str], hypothesis: list[str]) -> list[tuple[str, str, str]]:
    """An optimal word alignment: (op, reference word, hypothesis word), op one of
    "=" (same), "s" (substituted), "d" (deleted: said, not transcribed), "i" (inserted)."""
    # Our words hold no space, so joining them with one gives jiwer's own tokeniser the same words.
    (chunks,) = jiwer.process_words(" ".join(reference), " ".join(hypothesis)).alignments
    ops: list[tuple[str, str, str]] = []
    for chunk in chunks:
        said = reference[chunk.ref_start_idx : chunk.ref_end_idx]
        heard = hypothesis[chunk.hyp_start_idx : chunk.hyp_end_idx]
        if chunk.type == "delete":
            ops += [("d", word, "") for word in said]
        elif chunk.type == "insert":
            ops += [("i", "", word) for word in heard]
        else:
            ops += [(_OPS[chunk.type], r, h) for r, h in zip(said, heard, strict=True)]
    return ops


def error_counts(reference: str, hypothesis: str, language: str) -> dict[str, int]:
    """Reference words ("n"), substitutions ("s"), deletions ("d") and insertions ("i")."""
    ref = words(reference, language)
    ops = align(ref, words(hypothesis, language))
    return {"n": len(ref), **{op: sum(1 for o, _r, _h in ops if o == op) for op in "sdi"}}


def word_error_rate(reference: str, hypothesis: str, language: str) -> float:
    counts = error_counts(reference, hypothesis, language)
    return (counts["s"] + counts["d"] + counts["i"]) / max(1, counts["n"])


def missing_runs(reference: str, hypothesis: str, language: str, min_words: int = 4) -> list[str]:
    """Stretches of at least `min_words` consecutive reference words deleted from the
    transcript (an optimal alignment's deletions): what a dropped sentence looks like."""
    runs, current = [], []
    for op, ref_word, _hyp_word in [*align(words(reference, language), words(hypothesis, language)), ("=", "", "")]:
        if op == "d":
            current.append(ref_word)
        elif op != "i":
            if len(current) >= min_words:
                runs.append(" ".join(current))
            current = []
    return runs


if __name__ == "__main__":
    assert words("L'équipe a dépensé 5 000 € (10 %) !", "fr") == [
        "l",
        "équipe",
        "a",
        "dépensé",
        "5000",
        "euros",
        "10",
        "pour",
        "cent",
    ]
    assert words("quatre-vingts pages, dix-sept fois, à 10h", "fr") == [
        "80",
        "pages",
        "17",
        "fois",
        "à",
        "10",
        "heures",
    ]
    assert words("soixante-dix, deux mille vingt-cinq, un", "fr") == ["70", "2025", "un"]
    assert words("up to five thousand dollars", "en") == words("up to $5,000", "en") == ["up", "to", "5000", "dollars"]
    assert words("about two hundred and forty", "en") == ["about", "200", "and", "40"]
    assert word_error_rate("a b c d", "a x c", "en") == 0.5
    assert word_error_rate("Hello, world.", "hello world", "en") == 0.0
    assert missing_runs("we met at the office on monday", "we monday", "en") == ["met at the office on"]
    assert error_counts("a b c d", "a x c d e", "en") == {"n": 4, "s": 1, "d": 0, "i": 1}
    print("wer_metric: ok")
