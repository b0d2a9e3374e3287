"""Text as PostgreSQL is given it: folded in Python, CJK runs as overlapping bigrams.

Matching never depends on the database's locale: lower case, `ё` → `е` and Latin accents
dropped here, one character to one so that positions in folded text are positions in the
original (snippets rely on it).
"""

from __future__ import annotations

import re
import unicodedata

MAX_INDEXED_CHARS = 300_000  # a tsvector holds at most 1 MB; the rest of a huge text is stored

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[^\W_]{2,60}")
WORD_ANY = re.compile(r"[^\W_]+")


def fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch)[0]
    if base != ch and base.isascii() and base.isalpha():
        return base.lower()  # é → e, İ → i
    low = ch.lower()
    if len(low) != 1:
        return ch
    return "е" if low == "ё" else low


# Latin, Greek and Cyrillic, and Latin Extended Additional: every fold is one character to one,
# so a position in folded text is the same position in the original (snippets rely on it).
FOLD = {
    cp: folded
    for cp in (*range(0x0530), *range(0x1E00, 0x1F00))
    if (folded := fold_char(chr(cp))) != chr(cp)
}


def fold(value: str) -> str:
    """Lower-case, `ё` → `е`, Latin accents dropped; the same length as `value`, always."""
    return value.translate(FOLD)


def cjk_tokens(run: str) -> list[str]:
    """Overlapping bigrams of a run of CJK characters, and its last character on its own."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def search_text(value: str | None) -> str:
    """What PostgreSQL analyses for `value`: folded words, then the bigrams of its CJK runs."""
    if not value:
        return ""
    value = value[:MAX_INDEXED_CHARS]
    runs = CJK.findall(value)
    words = fold(CJK.sub(" ", value)) if runs else fold(value)
    if not runs:
        return words
    return words + "\n" + " ".join(tok for run in runs for tok in cjk_tokens(run))
