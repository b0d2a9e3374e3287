"""Readings, match keys, display variants and match scores of one person's or place's name.

A *reading* is one way to understand a written name in Latin letters: "Мао Цзэдун" is read as
the Palladius spelling of pinyin "mao zedong" and also as several Russian transliterations;
"Teng Hsiao-p'ing" is read through the Wade-Giles map as "deng xiaoping". Two names share a
*key* when some reading of each is spelt the same; otherwise `match_score` compares readings
part by part with rapidfuzz. The authority (`fonds.names.authority`) and the store call these.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from fonds.names import romanize as ro
from fonds.names.text import NameParts, clean, fold, normalize, split_name

Kind = str  # "person" or "place"

# Exonyms the libraries cannot derive: English postal and historical names, and Russian ones.
# Kept deliberately tiny; everything else comes from pypinyin, iuliia and OpenCC.
PLACE_EXONYMS = {
    "peking": "beijing",
    "peiping": "beijing",
    "пекин": "beijing",
    "canton": "guangzhou",
    "nanking": "nanjing",
    "tientsin": "tianjin",
    "chungking": "chongqing",
    "mukden": "shenyang",
    "moscow": "moskva",
    "formosa": "taiwan",
    # Hokkien by way of the China coast's postal usage: FRUS writes Quemoy and Amoy.
    "quemoy": "jinmen",
    "kinmen": "jinmen",
    "amoy": "xiamen",
}
# People known in English by a name no romanisation of the Mandarin reading gives (Cantonese
# or a personal spelling), with the characters that the libraries can read. Kept as tiny as
# PLACE_EXONYMS: every other Chinese name is derived by pypinyin and OpenCC.
PERSON_CONVENTIONAL = {
    "Chiang Kai-shek": "蔣介石",  # Jiang Jieshi
    "Sun Yat-sen": "孫逸仙",  # Sun Yixian
}
# How alike two forenames are that differ only in their inner vowels (Abdul / Abdel).
VOWEL_VARIANT = 0.92
_VOWELS = re.compile("[aeiouy]")
# Confidence that "Paris, France" is "Paris": the first part names it, but not alone.
PLACE_PART = 0.85
# Confidence of a match that rests on a guessed word order ("Chervonenko Stepan").
SWAPPED_ORDER = 0.85
# Confidence of matching a bare surname against a fuller name: people share surnames.
BARE_SURNAME = 0.8
# Penalty when a near-miss surname meets loosely fitting forenames, or is short.
FUZZY_BOTH = 0.95
# Score of two readings whose forenames contradict each other (John vs Robert Kennedy).
CONFLICT = 0.3


@dataclass(frozen=True)
class Reading:
    """One Latin reading of a name, in match-key spelling, with how far it can be trusted.

    `syllables` is set for Chinese readings: the pinyin syllables of the surname and of the
    given name, from which Wade-Giles and Palladius display forms are written.
    """

    surname: str
    given: tuple[str, ...] = ()
    initials: tuple[bool, ...] = ()
    suffix: str = ""
    chinese: bool = False
    weight: float = 1.0
    rule: str = "form"
    syllables: tuple[tuple[str, ...], ...] = ()

    @property
    def full(self) -> str:
        if self.chinese:
            words = [self.surname, *self.given]
        else:
            words = [*self.given, self.surname]
        if self.suffix:
            words.append(self.suffix)
        return " ".join(word for word in words if word)

    @property
    def compact(self) -> str:
        return self.full.replace(" ", "")


def _western(parts: NameParts, rule: str, weight: float = 1.0) -> list[Reading]:
    """Readings of a name cut the Western way, plus the other order when it was only guessed."""
    surname = " ".join(ro.skeleton(word) for word in parts.surname.split())
    given = tuple(
        ro.skeleton(word)[:1] if initial else ro.skeleton(word)
        for word, initial in zip(parts.given, parts.initials, strict=True)
    )
    keep = [(g, i) for g, i in zip(given, parts.initials, strict=True) if g]
    if not surname:
        return []
    reading = Reading(
        surname=surname,
        given=tuple(g for g, _ in keep),
        initials=tuple(i for _, i in keep),
        suffix=parts.suffix,
        weight=weight,
        rule=rule,
    )
    readings = [reading]
    if len(keep) == 1 and not parts.order_known and not keep[0][1]:
        readings.append(
            Reading(
                surname=keep[0][0],
                given=(surname,),
                initials=(False,),
                suffix=parts.suffix,
                weight=min(weight, SWAPPED_ORDER),
                rule=f"{rule}+order",
            )
        )
    return readings


def _chinese(words: list[list[str]], rule: str, weight: float = 1.0) -> Reading | None:
    """A Chinese reading: the first word is the surname, the rest one given name."""
    if not words or not words[0] or len(words[0]) > 2:
        return None
    given = [syllable for word in words[1:] for syllable in word]
    return Reading(
        surname="".join(words[0]),
        given=("".join(given),) if given else (),
        initials=(False,) if given else (),
        chinese=True,
        weight=weight,
        rule=rule,
        syllables=(tuple(words[0]), tuple(given)),
    )


def _latin_chinese(words: list[str]) -> list[Reading]:
    """Chinese readings of a Latin name written in pinyin or in Wade-Giles."""
    if not 2 <= len(words) <= 3:
        return []
    readings: list[Reading] = []
    # Pinyin writes a given name as one word; a hyphenated one is Wade-Giles ("Chou En-lai").
    pinyin = [ro.pinyin_syllables(word) for word in words]
    if all(pinyin) and not any("-" in word for word in words):
        reading = _chinese([p for p in pinyin if p], "pinyin")
        if reading:
            readings.append(reading)
    wade = [ro.wade_readings(word) for word in words]
    if all(wade):
        for combo in itertools.islice(itertools.product(*wade), ro.MAX_READINGS):
            weight = min(w for _, w in combo)
            reading = _chinese([syllables for syllables, _ in combo], "wade-giles", weight)
            if reading:
                readings.append(reading)
    return readings


def _words_in_order(parts: NameParts) -> list[str]:
    """The words of a name with the surname first when the writing said so."""
    given = [g for g, initial in zip(parts.given, parts.initials, strict=True) if not initial]
    if len(given) != len(parts.given):
        return []
    if parts.surname_first:
        return [*parts.surname.split(), *given]
    return [*given, *parts.surname.split()]


_CONVENTIONAL = {normalize(name): hanzi for name, hanzi in PERSON_CONVENTIONAL.items()}


@lru_cache(maxsize=131072)
def person_readings(name: str) -> tuple[Reading, ...]:
    """Every reading of a person's name, best first; empty for text with no letters."""
    text = clean(name)
    readings: list[Reading] = []
    if ro.has_hanzi(text):
        syllables = ro.hanzi_syllables(text)
        if syllables:
            reading = _chinese([[s] for s in syllables[:1]] + [syllables[1:]], "hanzi")
            if reading:
                readings.append(reading)
        return tuple(readings)
    parts = split_name(text)
    if ro.has_cyrillic(text):
        words = _words_in_order(parts)
        if 2 <= len(words) <= 3:
            palladius = [ro.palladius_syllables(word) for word in words]
            if all(palladius):
                reading = _chinese([p for p in palladius if p], "palladius")
                if reading:
                    readings.append(reading)
        for latin, schema in ro.cyrillic_romanisations(text):
            readings.extend(_western(split_name(latin), f"translit:{schema}"))
    else:
        readings.extend(_latin_chinese(_words_in_order(parts)))
        readings.extend(_western(parts, "form"))
        hanzi = _CONVENTIONAL.get(normalize(" ".join(_words_in_order(parts))))
        if hanzi:
            syllables = ro.hanzi_syllables(hanzi)
            reading = _chinese([syllables[:1], syllables[1:]], "conventional")
            if reading:
                readings.append(reading)
    unique: dict[tuple[object, ...], Reading] = {}
    for reading in sorted(readings, key=lambda r: -r.weight):
        signature = (reading.surname, reading.given, reading.initials, reading.chinese)
        unique.setdefault(signature, reading)
    return tuple(unique.values())


@lru_cache(maxsize=65536)
def place_readings(name: str) -> tuple[Reading, ...]:
    """Every reading of a place name: one compact spelling per romanisation.

    Chinese readings keep their syllables, so "北京" can be shown as "Pei-ching".
    """
    text = clean(name)
    found: list[Reading] = []

    def put(syllables: list[str], rule: str, weight: float = 1.0) -> None:
        spelling = "".join(syllables)
        found.append(
            Reading(surname=spelling, weight=weight, rule=rule, syllables=(tuple(syllables), ()))
        )

    words = normalize(text, "place").split()
    if ro.has_hanzi(text):
        put(ro.hanzi_syllables(text), "hanzi")
    elif ro.has_cyrillic(text):
        palladius = [ro.palladius_syllables(word) for word in words]
        if words and all(palladius):
            put([s for p in palladius if p for s in p], "palladius")
        for latin, schema in ro.cyrillic_romanisations(text):
            found.append(
                Reading(
                    surname="".join(ro.skeleton(word) for word in latin.split()),
                    rule=f"translit:{schema}",
                )
            )
    else:
        found.append(Reading(surname="".join(ro.skeleton(word) for word in words)))
        wade = [ro.wade_readings(word) for word in words]
        if words and all(wade):
            for combo in itertools.islice(itertools.product(*wade), ro.MAX_READINGS):
                put(
                    [s for syllables, _ in combo for s in syllables],
                    "wade-giles",
                    min(w for _, w in combo),
                )
    if "," in text:
        head = text.split(",")[0]
        found.append(
            Reading(
                surname="".join(ro.skeleton(w) for w in normalize(head, "place").split()),
                weight=PLACE_PART,
                rule="place-part",
            )
        )
    exonym = PLACE_EXONYMS.get(normalize(text, "place"))
    if exonym:
        put(ro.pinyin_syllables(exonym) or [exonym], "exonym")
    unique: dict[str, Reading] = {}
    for reading in sorted(found, key=lambda r: -r.weight):
        if reading.surname:
            unique.setdefault(reading.surname, reading)
    return tuple(unique.values())


def readings(name: str, kind: Kind = "person") -> tuple[Reading, ...]:
    """The readings of `name` as a person's or a place's name."""
    return place_readings(name) if kind == "place" else person_readings(name)


@lru_cache(maxsize=131072)
def weighted_keys(name: str, kind: Kind = "person") -> Mapping[str, tuple[float, str]]:
    """Every match key of `name` with the weight and rule of the best reading that makes it.

    Cached: the mapping is shared, so callers only read it.
    """
    keys: dict[str, tuple[float, str]] = {}

    def put(key: str, weight: float, rule: str) -> None:
        if key and (key not in keys or keys[key][0] < weight):
            keys[key] = (weight, rule)

    written = normalize(name, kind)
    put(written, 1.0, "form")
    put(written.replace(" ", "").replace("-", "").replace("'", ""), 1.0, "form")
    for reading in readings(name, kind):
        put(reading.full, reading.weight, reading.rule)
        put(reading.compact, reading.weight, reading.rule)
        if reading.given and all(reading.initials) and not reading.chinese:
            put(f"{reading.surname} {' '.join(reading.given)}", reading.weight, "initials")
    return keys


def name_keys(name: str, kind: Kind = "person") -> set[str]:
    """The match keys of one name form: two forms of one name share at least one.

    "Мао Цзэдун", "毛泽东", "Mao Tse-tung" and "Mao Zedong" all have "mao zedong" and
    "maozedong"; "S. V. Chervonenko", "Chervonenko, S. V." and "Червоненко С.В." all have
    "chervonenko s v". A full name never yields its bare surname as a key, so two Kennedys
    share none. Keys from guesses (a dropped Wade-Giles apostrophe, a swapped word order)
    are left out here; `match_score` weighs them.
    """
    return {key for key, (weight, _) in weighted_keys(name, kind).items() if weight >= 1.0}


def _ratio(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100.0


def _vowel_variants(x: str, y: str) -> bool:
    """Two forenames that differ only in the vowels inside them: how transliterations of
    Arabic or Persian names differ ("Abdul" / "Abdel" / "Abd'al", "Gamal" / "Gamel").

    The first and last letters must agree, so "Maria" / "Mario" stay apart, and short
    names are left alone ("Dan" / "Don")."""
    if x == y or min(len(x), len(y)) < 4 or x[0] != y[0] or x[-1] != y[-1]:
        return False
    return _VOWELS.sub("", x[1:-1]) == _VOWELS.sub("", y[1:-1])


def _given_factor(a: Reading, b: Reading) -> float:
    """How well the forenames agree: 1 the same, below 1 compatible, CONFLICT contradictory."""
    if not a.given and not b.given:
        return 1.0
    if not a.given or not b.given:
        return BARE_SURNAME
    short, long_ = (a, b) if len(a.given) <= len(b.given) else (b, a)
    extra = 0.97 ** (len(long_.given) - len(short.given))
    best = CONFLICT
    offsets = {0, len(long_.given) - len(short.given)}
    for offset in offsets:
        factor = extra if offset == 0 else extra * 0.95
        for i, (x, x_initial) in enumerate(zip(short.given, short.initials, strict=True)):
            y, y_initial = long_.given[i + offset], long_.initials[i + offset]
            if x_initial or y_initial:
                if x[:1] != y[:1]:
                    factor = 0.0
                    break
                if x_initial != y_initial:
                    factor *= 0.95
            else:
                similarity = _ratio(x, y)
                if similarity < VOWEL_VARIANT and _vowel_variants(x, y):
                    similarity = VOWEL_VARIANT
                if similarity < 0.8:
                    factor = 0.0
                    break
                factor *= similarity
        best = max(best, factor)
    return best


def compare_readings(a: Reading, b: Reading, kind: Kind = "person") -> float:
    """The confidence that two readings name the same person or place (0..1)."""
    weight = min(a.weight, b.weight)
    if kind == "place":
        return _ratio(a.surname, b.surname) * weight
    if a.chinese and b.chinese:
        score = _ratio(a.compact, b.compact)
        return (score if a.surname == b.surname else score * 0.9) * weight
    if a.chinese != b.chinese:
        weight *= 0.9
    surname = _ratio(a.surname, b.surname)
    if surname < 0.75:
        return surname * CONFLICT * weight
    factor = _given_factor(a, b)
    if surname < 1.0:
        # A near-miss surname is a typo or another family ("Johnson"/"Johnston"): trust it
        # less when the forenames only fit loosely, or when the surname is too short to tell.
        if factor < 1.0:
            factor *= FUZZY_BOTH
        if min(len(a.surname), len(b.surname)) < 6:
            factor *= FUZZY_BOTH
    if a.suffix != b.suffix:
        factor *= CONFLICT if a.suffix and b.suffix else 0.86
    return surname * factor * weight


@lru_cache(maxsize=262144)
def explain(a: str, b: str, kind: Kind = "person") -> tuple[float, str]:
    """`match_score` with the rule that decided it ("pinyin", "initials", "fuzzy:form", ...)."""
    keys_a, keys_b = weighted_keys(a, kind), weighted_keys(b, kind)
    best, rule = 0.0, "none"
    for key in sorted(keys_a.keys() & keys_b.keys()):
        weight = min(keys_a[key][0], keys_b[key][0])
        if weight > best:
            best, rule = weight, keys_a[key][1] if keys_a[key][1] != "form" else keys_b[key][1]
    if best >= 1.0:
        return 1.0, rule
    score, fuzzy_rule = fuzzy(a, b, kind)
    if score > best:
        return score, fuzzy_rule
    return round(best, 4), rule


def fuzzy(a: str, b: str, kind: Kind = "person") -> tuple[float, str]:
    """The best part-by-part comparison of the readings of `a` and `b`, below 1, with its rule.

    `explain` without the keys: the authority calls it for candidates whose keys it has
    already looked up.
    """
    best, rule = 0.0, "none"
    for ra in readings(a, kind):
        for rb in readings(b, kind):
            score = compare_readings(ra, rb, kind)
            if score > best:
                best, rule = score, f"fuzzy:{ra.rule}" if ra.rule != "form" else f"fuzzy:{rb.rule}"
    return round(min(best, 0.99), 4), rule


def contradicts(a: str, b: str, kind: Kind = "person") -> bool:
    """True when `a` and `b` share a surname but their forenames say different people.

    "John C. Baker" contradicts "John A. Baker", though both fit "John Baker": the authority
    uses this to keep one person's forms from chaining into another's.
    """
    if kind == "place" or explain(a, b, kind)[0] >= 0.5:
        return False
    return any(
        ra.given and rb.given and _ratio(ra.surname, rb.surname) >= 0.9
        for ra in readings(a, kind)
        for rb in readings(b, kind)
    )


def match_score(a: str, b: str, kind: Kind = "person") -> float:
    """The confidence (0..1) that names `a` and `b` are one person (or place, with kind="place").

    1.0 when their keys meet; otherwise the best part-by-part rapidfuzz comparison of their
    readings, kept below 1: "Chevornenko" and "Chervonenko" about 0.91, "S. V. Chervonenko"
    and "Stepan Chervonenko" about 0.92, "John F. Kennedy" and "Robert F. Kennedy" 0.3.
    """
    return explain(a, b, kind)[0]


def _display_chinese(reading: Reading) -> list[str]:
    surname, given = reading.syllables
    forms = []
    for write in (ro.to_pinyin, ro.to_wade, ro.to_palladius):
        forms.append(" ".join(part for part in (write(list(surname)), write(list(given))) if part))
    return forms


def _display_parts(parts: NameParts) -> list[str]:
    """Both orders of a Western name: "Dean Rusk" and "Rusk, Dean"."""
    if not parts.given:
        return []
    given = " ".join(
        f"{g}." if initial else g for g, initial in zip(parts.given, parts.initials, strict=True)
    )
    suffix = f" {parts.suffix.capitalize()}." if parts.suffix else ""
    return [f"{given} {parts.surname}{suffix}", f"{parts.surname}, {given}{suffix}"]


# Romanisations of Russian worth showing: English usage, Wikipedia's, the Library of
# Congress's and the linguists'. The others only make match keys.
_SHOWN_SCHEMAS = frozenset({"wikipedia", "ala-lc", "bs-2979", "scholarly"})


def variants(name: str, kind: Kind = "person") -> list[str]:
    """Display forms of `name` worth storing for search expansion, without `name` itself.

    From hanzi: simplified and traditional characters, pinyin, Wade-Giles and Palladius
    Cyrillic. From pinyin or Wade-Giles in Latin letters: the other two systems. From
    Cyrillic: the Latin transliterations. For Western names both orders ("Dean Rusk",
    "Rusk, Dean"). Russian in Latin letters is not turned back into Cyrillic.
    """
    text = clean(name).strip()
    forms: list[str] = []
    if ro.has_hanzi(text):
        forms += [ro.simplified(text), ro.traditional(text)]
    chinese = False
    for reading in readings(name, kind):
        if kind == "person" and reading.chinese and reading.weight >= 1.0 and reading.syllables:
            forms += _display_chinese(reading)
            chinese = True
    if kind == "place":
        # The other names of the same place, both ways: Beijing → Peking, Peiping, Пекин.
        # From characters too: 金门 → Quemoy, Kinmen, by its pinyin reading.
        key = normalize(text, "place")
        targets = {PLACE_EXONYMS.get(key, key)}
        targets |= {r.surname for r in readings(name, kind) if r.weight >= 1.0 and r.syllables}
        forms += [e.title() for e, t in PLACE_EXONYMS.items() if t in targets and e != key]
        if key in PLACE_EXONYMS:
            forms.append(PLACE_EXONYMS[key].title())
        for reading in readings(name, kind):
            if reading.weight >= 1.0 and reading.syllables:
                syllables = list(reading.syllables[0])
                forms += [ro.to_pinyin(syllables), ro.to_wade(syllables)]
                forms.append(ro.to_palladius(syllables))
    if ro.has_cyrillic(text) and not chinese:
        for latin, schema in ro.cyrillic_romanisations(text):
            if schema in _SHOWN_SCHEMAS:
                forms.append(latin)
        romanised = ro.cyrillic_romanisations(text)
        if kind == "person" and romanised:
            forms += _display_parts(split_name(romanised[0][0]))
    elif kind == "person" and not ro.has_hanzi(text) and not chinese:
        forms += _display_parts(split_name(text))
    seen = {fold(name).strip()}
    out: list[str] = []
    for form in forms:
        folded = fold(form).strip()
        if form and folded not in seen:
            seen.add(folded)
            out.append(form)
    return out
