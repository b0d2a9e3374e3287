"""Name text before any matching: folding, normalising, and cutting a name into its parts.

Everything here is script-blind string work. `normalize` is the one display-independent form
of a name that the store can index; `split_name` reads the grammar of a written name (titles,
"Surname, Forename", suffixes, initials, patronymics) so that the matcher compares surname with
surname and forenames with forenames.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Apostrophes and hyphens have many code points; Wade-Giles needs the apostrophe (p'ing ≠ ping).
_APOSTROPHES = "'’‘`´ʼʻʹ′‛"
_HYPHENS = "-‐‑‒–—―−﹣－"
_APOSTROPHE_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_HYPHEN_RE = re.compile(f"[{re.escape(_HYPHENS)}]")
_NOT_WORD = re.compile(r"[^\w'\-]+")
_LOOSE_MARK = re.compile(r"(?<!\w)['\-]+|['\-]+(?!\w)")
_SPACES = re.compile(r"\s+")
_PARENTHETICAL = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_TOKEN = re.compile(r"[^\s.,;:()]+\.?")
_NICKNAME = re.compile(r"[\"“”„«»][^\"“”„«»]*[\"“”„«»]")

# Words that stand before a name but are not part of it. This is name grammar, not a
# transliteration table: FRUS persons lists write "Gruenther, Gen. Alfred M." and
# "Eden, Rt. Hon. Sir Anthony".
TITLES = frozenset(
    """mr mrs ms miss mme mlle madame monsieur herr frau dr doctor prof professor rev reverend
    father sir dame lord lady hon honorable honourable rt right baron baroness count countess
    earl viscount duke prince princess king queen emperor sheikh shaikh gen general lt lieut
    lieutenant col colonel maj major brig brigadier capt captain cmdr commander adm admiral
    generalissimo
    vice rear marshal field air chief sgt sergeant president premier chairman secretary
    ambassador amb senator sen rep representative governor gov minister
    господин товарищ тов""".split()
)
SUFFIXES = frozenset("jr jnr sr snr ii iii iv 2d 3d 2nd 3rd".split())
# Russian patronymics: "Nikita Sergeyevich Khrushchev" tells which word is the surname.
_PATRONYMIC = re.compile(
    r"(ovich|evich|ovna|evna|ichna|ilyich|yich|ovič|evič|ович|евич|овна|евна|ична|ич)$"
)


@lru_cache(maxsize=262144)
def fold(text: str) -> str:
    """Casefold and drop diacritics from Latin letters, keeping other scripts' letters whole.

    Stripping the breve from Cyrillic "й" would change the letter, so only marks that sit on a
    Latin base are dropped.
    """
    out: list[str] = []
    last_base = ""
    for char in unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold()):
        if unicodedata.combining(char):
            if last_base.isascii():
                continue
        else:
            last_base = char
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def unify_marks(text: str) -> str:
    """Every apostrophe becomes "'" and every dash "-"."""
    return _HYPHEN_RE.sub("-", _APOSTROPHE_RE.sub("'", text))


def _is_suffix(part: str) -> bool:
    return fold(part).strip(" .") in SUFFIXES


def invert_comma(text: str) -> str:
    """ "Surname, Forename[, Jr.]" → "Forename Surname[ Jr.]"; "Forename Surname, Jr." stays."""
    parts = [part.strip() for part in text.split(",")]
    parts = [part for part in parts if part]
    names = [part for part in parts if not _is_suffix(part)]
    suffixes = [part for part in parts if _is_suffix(part)]
    if len(names) < 2:
        return " ".join([*names, *suffixes])
    return " ".join([names[1], names[0], *names[2:], *suffixes])


@lru_cache(maxsize=131072)
def normalize(name: str, kind: str = "person") -> str:
    """The folded form of `name`: casefolded, without diacritics or punctuation, one space apart.

    For a person, "Surname, Forename" is turned round ("Rusk, Dean" → "dean rusk"); for a
    place the comma only separates ("Paris, France" → "paris france"). Apostrophes and hyphens
    inside a word survive, unified, since Wade-Giles needs them ("hsiao-p'ing").
    Idempotent: normalize(normalize(x)) == normalize(x).
    """
    text = unify_marks(fold(name))
    if kind == "person" and "," in text:
        text = invert_comma(text)
    text = _NOT_WORD.sub(" ", text).replace("_", " ")
    previous = None
    while previous != text:
        previous = text
        text = _LOOSE_MARK.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class NameParts:
    """A written person's name cut into its parts, in the name's own script.

    `surname_first` is True when the writing put the surname first ("Chervonenko, S. V.",
    "Sudarikov N.G.", "Хрущёв Никита Сергеевич"); `initials` marks forenames that were
    written as initials.
    """

    surname: str
    given: tuple[str, ...]
    initials: tuple[bool, ...]
    suffix: str = ""
    surname_first: bool = False
    order_known: bool = False


def clean(name: str) -> str:
    """Drop parentheticals and quoted nicknames ("Bohlen, Charles E. (Chip)")."""
    text = _PARENTHETICAL.sub(" ", unify_marks(unicodedata.normalize("NFKC", name)))
    return _NICKNAME.sub(" ", text)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Words of `text`, each with whether it was written as an initial ("S." or "S")."""
    out: list[tuple[str, bool]] = []
    for match in _TOKEN.finditer(text):
        raw = match.group(0)
        word = raw.strip(".'-")
        letters = re.sub(r"[\W_]", "", word)
        if not letters:
            continue
        dotted = raw.endswith(".")
        is_initial = len(letters) == 1 or (dotted and len(letters) == 2 and letters.isalpha())
        out.append((word, is_initial and letters.isalpha()))
    return out


def _strip_titles(tokens: list[tuple[str, bool]], keep: int = 1) -> list[tuple[str, bool]]:
    """Drop leading titles, keeping at least `keep` tokens ("King" alone is a surname)."""
    while len(tokens) > keep and len(tokens[0][0]) > 1 and fold(tokens[0][0]) in TITLES:
        tokens = tokens[1:]
    return tokens


def _split_suffix(tokens: list[tuple[str, bool]]) -> tuple[list[tuple[str, bool]], str]:
    if len(tokens) > 1 and fold(tokens[-1][0]) in SUFFIXES:
        return tokens[:-1], fold(tokens[-1][0])
    return tokens, ""


@lru_cache(maxsize=131072)
def split_name(name: str) -> NameParts:
    """Cut a person's name into surname and forenames by how it is written.

    Order rules, first that applies: a comma puts the surname first; initials after a full
    word ("Sudarikov N.G.") put it first; a patronymic in second place means "Forename
    Patronymic Surname", in last place "Surname Forename Patronymic"; otherwise the surname
    is last (Chinese readings are made separately, surname first).
    """
    text = clean(name)
    pieces = [piece for piece in text.split(",") if piece.strip()]
    suffix = next((fold(p).strip(" .") for p in pieces if _is_suffix(p)), "")
    pieces = [piece for piece in pieces if not _is_suffix(piece)]
    if len(pieces) >= 2:
        surname_tokens = _strip_titles(_tokens(pieces[0]))
        # After the comma a title may stand alone ("Chiang Kai-shek, Generalissimo").
        given_tokens, tail = _split_suffix(_strip_titles(_tokens(" ".join(pieces[1:])), 0))
        if surname_tokens:
            return NameParts(
                surname=" ".join(word for word, _ in surname_tokens),
                given=tuple(word for word, _ in given_tokens),
                initials=tuple(flag for _, flag in given_tokens),
                suffix=suffix or tail,
                surname_first=True,
                order_known=True,
            )
    text = " ".join(pieces)
    tokens, tail = _split_suffix(_strip_titles(_tokens(text)))
    suffix = suffix or tail
    if not tokens:
        return NameParts(surname="", given=(), initials=())
    order_known = False
    surname_first = False
    if len(tokens) > 1 and not tokens[0][1] and tokens[-1][1]:
        # No Western name ends in an initial: "Sudarikov N.G.", "Хрущёв Никита С.".
        surname_first = order_known = True
    elif len(tokens) == 3 and not any(flag for _, flag in tokens):
        if _PATRONYMIC.search(fold(tokens[1][0])):
            order_known = True
        elif _PATRONYMIC.search(fold(tokens[2][0])):
            surname_first = order_known = True
    elif len(tokens) > 1 and all(flag for _, flag in tokens[:-1]):
        order_known = True
    if surname_first:
        surname, rest_tokens = tokens[0], tokens[1:]
    else:
        surname, rest_tokens = tokens[-1], tokens[:-1]
    return NameParts(
        surname=surname[0],
        given=tuple(word for word, _ in rest_tokens),
        initials=tuple(flag for _, flag in rest_tokens),
        suffix=suffix,
        surname_first=surname_first,
        order_known=order_known,
    )
