"""Word error rate for bench/wer.py: word-level Levenshtein on normalised text.

Written here rather than taken from jiwer (no new dependency); tests of it are the
examples at the bottom, run when this module is run on its own.

Normalisation, applied to the reference and to the transcript alike: lower case, Unicode
NFC, accents kept (French "a"/"à" are different words), apostrophes, hyphens and every
other punctuation mark become spaces, digit groups ("5 000", "5,000") are joined, "%" is
read "pour cent" / "percent". Number words and digits are not mapped onto each other:
the scripts of wer_texts.py avoid numbers Whisper could write either way.
"""

from __future__ import annotations

import re
import unicodedata

_DIGIT_GROUPS = re.compile(r"(?<=\d)[\s\u00a0\u202f,.](?=\d{3}\b)")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str, language: str) -> list[str]:
    text = unicodedata.normalize("NFC", text.lower())
    text = _DIGIT_GROUPS.sub("", text)
    text = text.replace("%", " pour cent " if language == "fr" else " percent ")
    text = text.replace("œ", "oe").replace("æ", "ae")
    return _WORD.findall(text)


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Substitutions + deletions + insertions turning reference into hypothesis."""
    row = list(range(len(hypothesis) + 1))
    for i in range(1, len(reference) + 1):
        diagonal, row[0] = row[0], i
        for j in range(1, len(hypothesis) + 1):
            above = row[j]
            row[j] = min(above + 1, row[j - 1] + 1, diagonal + (reference[i - 1] != hypothesis[j - 1]))
            diagonal = above
    return row[-1]


def word_error_rate(reference: str, hypothesis: str, language: str) -> float:
    ref = words(reference, language)
    return edit_distance(ref, words(hypothesis, language)) / max(1, len(ref))


def missing_runs(reference: str, hypothesis: str, language: str, min_words: int = 4) -> list[str]:
    """Stretches of at least `min_words` consecutive reference words absent from the transcript
    (the deletions of an optimal alignment): what a dropped sentence looks like."""
    ref, hyp = words(reference, language), words(hypothesis, language)
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(cost[i - 1][j] + 1, cost[i][j - 1] + 1,
                             cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]))
    deleted = [False] * n
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            i, j = i - 1, j - 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            deleted[i - 1] = True
            i -= 1
        else:
            j -= 1
    runs, start = [], None
    for k, gone in enumerate([*deleted, False]):
        if gone and start is None:
            start = k
        elif not gone and start is not None:
            if k - start >= min_words:
                runs.append(" ".join(ref[start:k]))
            start = None
    return runs


if __name__ == "__main__":
    assert words("L'équipe a dépensé 5 000 € (10 %) !", "fr") == ["l", "équipe", "a", "dépensé", "5000", "10",
                                                                  "pour", "cent"]
    assert word_error_rate("a b c d", "a x c", "en") == 0.5
    assert word_error_rate("Hello, world.", "hello world", "en") == 0.0
    assert missing_runs("one two three four five six seven", "one seven", "en") == ["two three four five six"]
    print("wer_metric: ok")
