"""Romanisation of names between scripts and systems, built on the libraries, not on tables.

Chinese: hanzi → pinyin with pypinyin; pinyin ⇄ Wade-Giles and pinyin ⇄ Palladius Cyrillic
("Мао Цзэдун") through syllable maps that are *derived* once from pypinyin's own dictionary
(every reading of every character in U+4E00–U+9FFF, converted by its WADEGILES and CYRILLIC
styles), so the maps cover every syllable pypinyin knows. Traditional ⇄ simplified with
OpenCC. Russian: Cyrillic → Latin with several iuliia schemas, and `skeleton`, which folds the
common Latin spellings of one Cyrillic name ("Khrushchev", "Khrushchyov", "Chruščëv",
"Khruschev") onto one form.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from functools import cache, lru_cache

import iuliia
import opencc
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin.style import convert

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Syllables pypinyin lists that never make a name and would only make spurious readings.
_NOT_NAME_SYLLABLES = frozenset({"m", "n", "ng", "hm", "hng", "ê", "r"})
# Readings of one Wade-Giles word multiply; beyond this many the rest add nothing useful.
MAX_READINGS = 16
# Known faults of pypinyin 0.55's WADEGILES style, corrected after conversion:
# "-ai" finals come out as "-ei" for some initials (lai → "lei"), and three syllables are off.
_WADE_FIXES = {"tie": "t'ieh", "shuo": "shuo", "huo": "huo", "chua": "ch'ua"}


def has_hanzi(text: str) -> bool:
    return bool(_CJK.search(text))


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


@dataclass(frozen=True)
class _Tables:
    pinyin: frozenset[str]
    to_wade: dict[str, str]
    from_wade: dict[str, frozenset[str]]
    from_wade_loose: dict[str, frozenset[str]]
    to_palladius: dict[str, str]
    from_palladius: dict[str, str]
    longest_pinyin: int
    longest_palladius: int


def _wade_key(syllable: str) -> str:
    """Wade-Giles as matched: ü written u, apostrophes unified."""
    return syllable.replace("ü", "u").replace("v", "u").replace("`", "'").replace("’", "'")


@cache
def _tables() -> _Tables:
    """Derive the syllable maps from pypinyin's dictionary (about 0.3 s, once)."""
    toned: set[str] = set()
    for code, readings in pinyin_dict.items():
        if 0x4E00 <= code <= 0x9FFF:
            toned.update(readings.split(","))
    to_wade: dict[str, str] = {}
    to_palladius: dict[str, str] = {}
    for syllable in sorted(toned):
        plain = convert(syllable, Style.NORMAL, strict=True)
        if plain in _NOT_NAME_SYLLABLES or not plain.isascii():
            continue
        key = plain.replace("v", "u")
        if key in to_wade and "v" in plain:
            continue  # "lu" is lu before it is lü
        wade = convert(syllable, Style.WADEGILES, strict=True).replace("`", "'")
        if plain.endswith("ai") and wade.endswith("ei"):
            wade = wade[:-2] + "ai"
        wade = _WADE_FIXES.get(plain, wade).replace("v", "ü")
        to_wade[key] = wade
        cyrillic = re.sub(r"\d", "", convert(syllable, Style.CYRILLIC, strict=True))
        if _CYRILLIC.fullmatch(cyrillic[:1] or "x"):
            to_palladius[key] = cyrillic
    from_wade: dict[str, set[str]] = {}
    from_loose: dict[str, set[str]] = {}
    for key, wade in to_wade.items():
        from_wade.setdefault(_wade_key(wade), set()).add(key)
        from_loose.setdefault(_wade_key(wade).replace("'", ""), set()).add(key)
    from_palladius: dict[str, str] = {}
    for key, cyrillic in sorted(to_palladius.items()):
        from_palladius.setdefault(cyrillic, key)
    return _Tables(
        pinyin=frozenset(to_wade),
        to_wade=to_wade,
        from_wade={k: frozenset(v) for k, v in from_wade.items()},
        from_wade_loose={k: frozenset(v) for k, v in from_loose.items()},
        to_palladius=to_palladius,
        from_palladius=from_palladius,
        longest_pinyin=max(map(len, to_wade)),
        longest_palladius=max(map(len, from_palladius)),
    )


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def simplified(text: str) -> str:
    """Traditional characters → simplified (毛澤東 → 毛泽东)."""
    return str(_converter("t2s").convert(text))


def traditional(text: str) -> str:
    """Simplified characters → traditional (毛泽东 → 毛澤東)."""
    return str(_converter("s2t").convert(text))


def hanzi_syllables(text: str) -> list[str]:
    """The pinyin syllables of the hanzi in `text`, toneless, ü as u; other characters dropped."""
    hanzi = "".join(_CJK.findall(text))
    if not hanzi:
        return []
    syllables = lazy_pinyin(simplified(hanzi), style=Style.NORMAL, errors="ignore")
    return [s.replace("v", "u") for s in syllables if s.isascii() and s.isalpha()]


def _segment(word: str, vocabulary: Container[str], longest: int) -> list[str] | None:
    """Cut `word` into valid syllables, longest first, backtracking; None when it cannot be cut."""

    @cache
    def rest(start: int) -> tuple[str, ...] | None:
        if start == len(word):
            return ()
        for end in range(min(len(word), start + longest), start, -1):
            piece = word[start:end]
            if piece in vocabulary:
                tail = rest(end)
                if tail is not None:
                    return (piece, *tail)
        return None

    found = rest(0)
    return list(found) if found else None


def pinyin_syllables(word: str) -> list[str] | None:
    """Cut a Latin word into pinyin syllables ("xiaoping" → xiao, ping); None if not pinyin."""
    tables = _tables()
    parts = [p for p in re.split(r"['\-]", word.lower()) if p]
    out: list[str] = []
    for part in parts:
        cut = _segment(part, tables.pinyin, tables.longest_pinyin)
        if cut is None:
            return None
        out.extend(cut)
    return out or None


def palladius_syllables(word: str) -> list[str] | None:
    """Cut a Cyrillic word written in Palladius ("цзэдун") into pinyin syllables (ze, dong)."""
    tables = _tables()
    parts = [p for p in re.split(r"['\-]", word.lower().replace("ё", "е")) if p]
    out: list[str] = []
    for part in parts:
        cut = _segment(part, tables.from_palladius, tables.longest_palladius)
        if cut is None:
            return None
        out.extend(tables.from_palladius[piece] for piece in cut)
    return out or None


def wade_readings(word: str) -> list[tuple[list[str], float]]:
    """The pinyin readings of one Wade-Giles word ("Hsiao-p'ing" → [xiao, ping]), with weights.

    Wade-Giles writes a word's syllables with hyphens, so only hyphens split it. A syllable
    written without its aspiration apostrophe ("Teng Hsiao-ping") is also read as the
    aspirated one, at weight 0.96, since the press dropped apostrophes freely. Empty when any
    syllable is not Wade-Giles.
    """
    tables = _tables()
    options: list[list[tuple[str, float]]] = []
    for syllable in (s for s in word.lower().split("-") if s):
        key = _wade_key(syllable)
        exact = tables.from_wade.get(key, frozenset())
        loose = (
            tables.from_wade_loose.get(key, frozenset()) - exact if "'" not in key else frozenset()
        )
        choice = [(p, 1.0) for p in sorted(exact)] + [(p, 0.96) for p in sorted(loose)]
        if not choice:
            return []
        options.append(choice)
    readings: list[tuple[list[str], float]] = []
    for combo in itertools.islice(itertools.product(*options), MAX_READINGS):
        weight = min((w for _, w in combo), default=1.0)
        readings.append(([p for p, _ in combo], weight))
    readings.sort(key=lambda item: -item[1])
    return readings


def to_wade(syllables: list[str]) -> str:
    """Pinyin syllables → one Wade-Giles word ("ze", "dong" → "Tse-tung")."""
    tables = _tables()
    return "-".join(tables.to_wade.get(s, s) for s in syllables).capitalize()


def to_palladius(syllables: list[str]) -> str:
    """Pinyin syllables → one Palladius Cyrillic word ("ze", "dong" → "Цзэдун")."""
    tables = _tables()
    return "".join(tables.to_palladius.get(s, s) for s in syllables).capitalize()


def to_pinyin(syllables: list[str]) -> str:
    """Pinyin syllables → one display word ("xiao", "ping" → "Xiaoping")."""
    return "".join(syllables).capitalize()


# iuliia schemas whose Latin forms readers meet: Wikipedia's, the British Standard, the Moscow
# metro's (passport-like), the Library of Congress's (ALA-LC), the linguists' (scholarly),
# the US/UK official BGN/PCGN, and ISO 9 (1968).
_SCHEMAS = (
    ("wikipedia", iuliia.WIKIPEDIA),
    ("bs-2979", iuliia.BS_2979),
    ("mosmetro", iuliia.MOSMETRO),
    ("ala-lc", iuliia.ALA_LC),
    ("scholarly", iuliia.SCIENTIFIC),
    ("bgn-pcgn", iuliia.BGN_PCGN),
    ("iso-9", iuliia.ISO_9_1968),
)


@lru_cache(maxsize=65536)
def cyrillic_romanisations(text: str) -> tuple[tuple[str, str], ...]:
    """Latin forms of a Cyrillic name, each with its schema: ("Khrushchev", "wikipedia"), ...

    Some schemas leave "ё" untouched, so it is given to them as "ë"; Wikipedia's form is made
    both from "ё" ("Khrushchyov") and from "е" ("Khrushchev", the usual English spelling).
    """
    with_yo = text.replace("ё", "ë").replace("Ё", "Ë")
    without_yo = text.replace("ё", "е").replace("Ё", "Е")
    forms: dict[str, str] = {}
    forms.setdefault(iuliia.WIKIPEDIA.translate(without_yo), "wikipedia")
    for label, schema in _SCHEMAS:
        source = text if label == "wikipedia" else with_yo
        forms.setdefault(schema.translate(source), label)
    return tuple((form, label) for form, label in forms.items() if not has_cyrillic(form))


_SCHOLARLY = str.maketrans({"č": "ч", "š": "ш", "ž": "ж", "c": "ц", "x": "х", "h": "х", "ŝ": "щ"})
_SCHOLARLY_BACK = str.maketrans(
    {"ч": "ch", "ш": "sh", "ж": "zh", "ц": "ts", "х": "kh", "щ": "shch"}
)
_SKELETON_RULES = (
    (re.compile(r"shtch|sch|shch"), "shch"),
    (re.compile(r"(?<=[bcdfghjklmnpqrstvwxz])yo"), "e"),  # Fyodor/Fedor, Khrushchyov
    (re.compile(r"(?<=[cszh]h)ov$"), "ev"),  # Khrushchov, Gorbachov
    (re.compile(r"(?:iy|yy|ii|ij|yj|yi)$"), "y"),  # Dostoevskiy/-skii/-skij/-sky
    (re.compile(r"x"), "ks"),  # Aleksandr/Alexander
    (re.compile(r"(?:^|(?<=[aeiou]))ye"), "e"),  # Yevgeny/Evgeny, Sergeyevich
    (re.compile(r"(?<=[aeiou])j(?=[aeiou]|$)"), "y"),  # Nikolaj/Nikolay
)


@lru_cache(maxsize=262144)
def skeleton(word: str) -> str:
    """One Latin spelling for the many romanisations of a Cyrillic name.

    A word with háčeks is read as scholarly transliteration, where "ch", "x" and "h" are х and
    "c" is ц ("Chruščëv" → "khrushchev"); then the common English variants are folded
    ("Khrushchyov", "Khruschev" → "khrushchev"). Used only as a match key, never shown.
    """
    text = unicodedata.normalize("NFC", word.lower())
    if re.search(r"[čšžŝ]", text):
        text = text.replace("ch", "х").translate(_SCHOLARLY).translate(_SCHOLARLY_BACK)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[^a-z0-9]", "", text)
    for pattern, replacement in _SKELETON_RULES:
        text = pattern.sub(replacement, text)
    return text
