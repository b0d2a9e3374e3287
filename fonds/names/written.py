"""Does a name written in a record fit the person an editor's markup says it is?

FRUS editors link a written name to the volume's persons list (`persName/@corresp`), and the
links are sometimes wrong: frus1961-63v03 links "Bromley Smith" to Ngo Dinh Diem, and
frus1964-68v03 the province "Binh Dinh". Recording every written text as a name form of the
linked person would join them. `fit` compares the written text with the listed name word by
word, leniently, so that real forms pass: misspellings ("Chevornenko"), initials
("S. V. Chervonenko", "McG. B."), nicknames with the right surname ("Bill Sebald"), editors'
brackets ("G[ardiner]"), a surname alone ("Couve"), a forename alone ("Dean"), and other
scripts or romanisations (by `match_score`, or in Latin letters).

Measured over all 121 FRUS volumes: 22,618 distinct (listed name, written text) pairs that
differ, 352,142 occurrences. "same" keeps 22,395 (351,370 occurrences); the rest record no
form: 31 titles alone (103), 55 partial (74), 137 another person's name (595), among them
"Saud" linked 207 times to John S. D. Eisenhower in frus1955-57v13.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from fonds.names.match import match_score, person_readings
from fonds.names.romanize import cyrillic_romanisations, has_cyrillic, has_hanzi
from fonds.names.text import TITLES, fold, split_name, unify_marks

Fit = Literal["same", "not-a-name", "partial", "other"]

# A written form this close to the listed name by `match_score` is one of its forms.
SAME_SCORE = 0.9
# Two words this alike (rapidfuzz ratio) are one word misspelt: "Chevornenko"/"Chervonenko".
WORD_RATIO = 80.0
# Long words this alike by Jaro-Winkler are one word with letters swapped ("Tresize"/"Trezise").
SWAP_SIMILARITY = 0.9
# Forenames this short are taken for nicknames of the listed ones ("Bill", "Chet", "Larry").
NICKNAME_LENGTH = 5
# Name particles: they neither confirm nor contradict a name ("’Abd-al-Nasr", "de Gaulle").
PARTICLES = frozenset(
    "al el ad as ash at ibn bin abu abd de da del della di du des la van von der den ter zu "
    "und y e".split()
)
# Words of office written with a name ("Prime Minister Kim Chong-pil"): neither name nor clash.
OFFICES = frozenset(
    "prime foreign deputy under assistant acting attorney excellency his her pope shah emir "
    "amir generalissimo marquis".split()
)
_BRACKETS = re.compile(r"[\[\]]")
_SEPARATORS = re.compile(r"[\s,;:()\"“”„«»]+|(?<=\.)(?=\w)")
_INNER_MARKS = re.compile(r"[-']")


def _words(text: str) -> list[str]:
    """Words as written, editors' supplied letters joined ("G[ardiner]" → "Gardiner")."""
    return [w for w in _SEPARATORS.split(_BRACKETS.sub("", unify_marks(text))) if w.strip(".'-")]


def _folded(word: str) -> str:
    return fold(word).strip(".'-")


@lru_cache(maxsize=65536)
def _listed_words(listed: str) -> tuple[frozenset[str], str, frozenset[str]]:
    """The listed name's words (with hyphen parts), all of them run together, its surnames.

    Titles are left out unless they are the surname ("Lord, Winston"); parenthetical other
    names count ("Nasser (Nasr, Nassir)", "Le Van Vien (Bay Vien)"). The surnames are the
    parsed surname and, for a name without a comma (often surname first: "Ngo Dinh Diem"),
    its first and last words.
    """
    parts = split_name(listed)
    surname_words = {_folded(w) for w in parts.surname.split()}
    words: set[str] = set()
    for raw in _words(listed):
        word = _folded(raw)
        if word and (word not in TITLES or word in surname_words):
            words.add(word)
            words.update(p for p in _INNER_MARKS.split(word) if p)
    surnames = set(surname_words)
    if "," not in listed:
        plain = [_folded(w) for w in _words(re.sub(r"\([^()]*\)", " ", listed))]
        plain = [w for w in plain if w and w not in TITLES]
        if plain:
            surnames.update({plain[0], plain[-1]})
    compact = "".join(_INNER_MARKS.sub("", w) for w in sorted(words))
    return frozenset(words), compact, frozenset(surnames - {""})


def _is_initials(raw: str, letters: str) -> bool:
    """ "S.", "WE", "McG.", "McN", "RLO'C": letters standing for words."""
    bare = raw.strip("'-")
    capitals = sum(c.isupper() for c in bare)
    return len(letters) == 1 or (
        (len(letters) <= 3 and (bare.endswith(".") or (bare.isupper() and bare.isalpha())))
        or (len(letters) <= 4 and capitals >= 2)
    )


def _neutral(raw: str) -> bool:
    """A title, office or particle: it neither confirms nor contradicts a name."""
    word = _folded(raw)
    return word in TITLES or word in OFFICES or (word in PARTICLES and not raw.isupper())


def _capitalised(raw: str) -> bool:
    return raw.strip(".'-")[:1].isupper()


def _alike(a: str, b: str, loose: bool) -> bool:
    """One word, misspelt: "Chevornenko"/"Chervonenko", "Song"/"Sung", "Tresize"/"Trezise".

    `loose` (the written name has other words to confirm it) lets words with the same first
    letter and one letter apart or swapped pass ("Wei"/"Wai", "Kahn"/"Khan"); alone, "Rush"
    is not "Rusk", and "Binh" is never "Dinh".
    """
    if fuzz.ratio(a, b) >= WORD_RATIO:
        return True
    if loose and len(a) >= 3 and len(b) >= 3 and a[0] == b[0]:
        if OSA.distance(a, b, score_cutoff=1) <= 1:
            return True
    return len(a) >= 6 and len(b) >= 6 and JaroWinkler.similarity(a, b) >= SWAP_SIMILARITY


def _word_fits(raw: str, words: frozenset[str], compact: str, loose: bool) -> bool:
    """One written word is a word of the listed name: alike, initials of it, or part of it."""
    word = _folded(raw)
    letters = _INNER_MARKS.sub("", word)
    if _is_initials(raw, letters):
        if any(w.startswith(letters) for w in words):
            return True
        if all(any(w.startswith(ch) for w in words) for ch in letters):
            return True
    if any(_alike(word, w, loose) for w in words):
        return True
    pieces = [p for p in _INNER_MARKS.split(word) if p]
    parts = [p for p in pieces if p not in PARTICLES]
    if (
        len(pieces) > 1
        and parts
        and all(any(_alike(p, w, loose) or w.startswith(p) for w in words) for p in parts)
    ):
        return True
    return len(letters) >= 4 and letters in compact


def _nickname(raw: str, words: frozenset[str]) -> bool:
    """A forename that can stand for the listed one: short ("Bill", "Ted") or same initial."""
    word = _folded(raw)
    return len(word) <= NICKNAME_LENGTH or any(w[:1] == word[:1] for w in words)


@lru_cache(maxsize=65536)
def fit(listed: str, written: str) -> Fit:
    """How the text `written` in a record relates to the person whose listed name is `listed`.

    - "same": a form of that name: record it as one.
    - "not-a-name": titles or lower-case words only ("Admiral", "the Secretary"): the link
      stands, but the text is no name form.
    - "partial": the surname fits but other words do not ("Kuznetsov Lodge", "Nixon had",
      "Binh Dinh" for Ngo Dinh Diem): markup that took in more than the name; keep the link,
      record no form.
    - "other": a name that contradicts the listed one ("Bromley Smith" for Ngo Dinh Diem,
      "Stalin" for Khrushchev): someone else.
    """
    if written == listed or match_score(listed, written) >= SAME_SCORE:
        return "same"
    if has_cyrillic(written) or has_hanzi(written):
        # Compared in Latin letters: "Червоненко" as "Chervonenko", "毛泽东" as "Mao Zedong".
        latin = [form for form, _ in cyrillic_romanisations(written)]
        latin += [reading.full for reading in person_readings(written)]
        if any(fit(listed, form) == "same" for form in latin if form != written):
            return "same"
    words, compact, surnames = _listed_words(listed)
    whole = _INNER_MARKS.sub("", "".join(_folded(r) for r in _words(written)))
    if len(whole) >= 4 and whole in compact:
        return "same"  # "De Puy" for "DePuy", "Ben-Gurion" for "Ben Gurion"
    raws = _words(written)
    loose = sum(not _neutral(r) for r in raws) > 1
    fitting = [r for r in raws if _word_fits(r, words, compact, loose)]
    misfits = [r for r in raws if r not in fitting and not _neutral(r)]
    if not misfits:
        return "same" if fitting else "not-a-name"  # "Admiral", "the Secretary"
    if not fitting:
        return "other" if any(_capitalised(r) for r in misfits) else "not-a-name"
    if not all(_capitalised(r) for r in misfits):
        return "partial"  # "Nixon had", "Ho Chi Minh clique", "Mecklin concurs"
    named = [r for r in raws if _capitalised(r) and (r in fitting or not _neutral(r))]
    surname = split_name(" ".join(named)).surname.split()
    first = _folded(named[0])
    if (
        "," not in listed
        and len(words) > 1
        and first in surnames
        and any(r in fitting for r in named[1:])
    ):
        # Surname first, as the listed name is written: "Kim Tae Chung" for Kim Dae Jung.
        surname = [named[0]]
    wrong = {_folded(r) for r in misfits}
    if not surname or any(_folded(part) in wrong for part in surname):
        return "other"  # "Walter [Jenkins]" for Walt Rostow, "Joseph Alsop" for Joseph Green
    agrees = any(_alike(_folded(part), s, loose) for part in surname for s in surnames)
    if agrees and all(_nickname(r, words) for r in misfits):
        return "same"  # the right surname with a nickname or a slip: "Bill Sebald"
    if agrees:
        # "Thomas H. Mubarek" for Hosni Mubarek, "Milton S. Eisenhower" for John: the surname
        # fits, the forenames are another's or the markup took in more ("Chancellor Adenauer").
        return "partial"
    return "partial"  # "Binh Dinh" for Ngo Dinh Diem: the surname fits only another word
