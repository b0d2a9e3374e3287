"""The in-memory people and places authority: which names are one person, and why.

The store keeps persons and their name forms in the database and asks an `Authority` built
from them which person a newly seen name belongs to. Exact hits come from a dict of match
keys; near misses from rapidfuzz over a small block of candidates that share the first two or
the last three letters of the surname, so a lookup stays fast at 50,000 persons. Every
automatic match is kept as a `Match`, so an editor can see why two names were joined and undo
it with `undo` (or `split`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from fonds.model import Person, Place
from fonds.names.match import (
    Kind,
    Reading,
    contradicts,
    fuzzy,
    readings,
    variants,
    weighted_keys,
)
from fonds.names.text import fold

E = TypeVar("E", Person, Place)

DEFAULT_THRESHOLD = 0.88
# Two candidates closer than this are a tie: the authority will not choose between them.
DEFAULT_MARGIN = 0.02
# Surnames less alike than this (rapidfuzz ratio, 0..100) are not compared in full.
_BLOCK_CUTOFF = 70.0
_BLOCK_LIMIT = 200


@dataclass(frozen=True)
class Match:
    """One automatic (or editorial) joining of a name to an entry, kept so it can be undone.

    `forms` are every name form that came in with it; `undo` moves them out again.
    """

    person_id: str
    form: str
    confidence: float
    rule: str
    forms: tuple[str, ...] = ()


def _block_keys(text: str) -> tuple[str, ...]:
    return (f"<{text[:2]}", f">{text[-3:]}")


def _block_text(reading: Reading) -> str:
    return reading.compact if reading.chinese or not reading.given else reading.surname


class _Authority(Generic[E]):
    """Shared machinery of the people and the places authority."""

    kind: Kind = "person"
    prefix = "p"

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, margin: float = DEFAULT_MARGIN
    ) -> None:
        self.threshold = threshold
        self.margin = margin
        self._entries: dict[str, E] = {}
        self._forms: dict[str, list[str]] = {}
        self._keys: dict[str, dict[str, tuple[float, str, str]]] = {}
        self._keys_of: dict[str, set[str]] = {}
        # Fuzzy blocking: block → the surname spellings in it; spelling → (id, form) → count.
        self._blocks: dict[str, set[str]] = {}
        self._holders: dict[str, dict[tuple[str, str], int]] = {}
        self._spellings_of: dict[str, list[tuple[str, str]]] = {}
        self._matches: dict[str, list[Match]] = {}
        self._next = 1

    # -- reading the authority -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[E]:
        return iter(list(self._entries.values()))

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._entries

    def get(self, entry_id: str) -> E:
        """The entry with id `entry_id` (KeyError if none)."""
        return self._entries[entry_id]

    def forms(self, entry_id: str) -> list[str]:
        """Every name form the entry was seen under, preferred name first."""
        return list(self._forms[entry_id])

    def matches(self, entry_id: str) -> list[Match]:
        """The automatic matches and merges that joined forms to this entry, oldest first."""
        return list(self._matches.get(entry_id, []))

    def find(self, name: str, limit: int = 10) -> list[tuple[E, float, str]]:
        """Entries that `name` may be, best first: (entry, confidence, the form it matched).

        Confidence 1.0 means a shared match key; below that a rapidfuzz comparison. Nothing
        under half confidence is returned.
        """
        scored = self._score(name)
        ranked = sorted(scored.items(), key=lambda item: (-item[1][0], item[0]))
        return [(self._entries[eid], score, form) for eid, (score, form, _) in ranked[:limit]]

    def expand(self, query_name: str) -> list[str]:
        """Every form of the entry `query_name` names, for search expansion.

        The query itself comes first; then the entry's stored forms and their derived
        variants. An unknown name expands to itself and its own variants.
        """
        found = self.find(query_name, limit=1)
        forms: list[str] = [query_name]
        if found and found[0][1] >= self.threshold:
            stored_forms: list[str] = self._forms.get(found[0][0].id or "", [])
            for stored in stored_forms:
                forms.append(stored)
                forms.extend(variants(stored, self.kind))
        else:
            forms += variants(query_name, self.kind)
        seen: set[str] = set()
        out: list[str] = []
        for form in forms:
            if fold(form) not in seen:
                seen.add(fold(form))
                out.append(form)
        return out

    # -- changing the authority ------------------------------------------------------------

    def add(self, entry: E) -> tuple[str, float]:
        """Join `entry` to the entry it names, or make it a new one: (id, confidence).

        A match needs `threshold` confidence and a clear lead over the next candidate; a
        new entry reports confidence 1.0. An `id` already in the authority is that entry.
        """
        forms = self._forms_of(entry)
        if entry.id and entry.id in self._entries:
            self._join(entry.id, entry, forms, 1.0, "id", entry.name)
            return entry.id, 1.0
        found = self.match(entry)
        if found is not None:
            entry_id, score, rule, form = found
            self._join(entry_id, entry, forms, score, rule, form)
            return entry_id, score
        return self._create(entry, forms), 1.0

    def match(self, entry: E) -> tuple[str, float, str, str] | None:
        """The entry `entry` would join, without joining it: (id, confidence, rule, form).

        None when no entry reaches `threshold` with a clear lead over the next candidate.
        """
        best: dict[str, tuple[float, str, str]] = {}
        for form in self._forms_of(entry):
            for entry_id, found in self._score(form).items():
                if entry_id not in best or found[0] > best[entry_id][0]:
                    best[entry_id] = (found[0], form, found[2])
        ranked = sorted(best.items(), key=lambda item: -item[1][0])
        if ranked and ranked[0][1][0] >= self.threshold:
            entry_id, (score, form, rule) = ranked[0]
            runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
            if score >= 1.0 or runner_up < score - self.margin:
                return entry_id, score, rule, form
        return None

    def load(self, entry: E) -> str:
        """Put a stored entry back as it is, under its own id, with no matching.

        The store calls this when it rebuilds the authority from the database.
        """
        if not entry.id:
            raise ValueError("load() needs an entry with an id")
        if entry.id in self._entries:
            for form in self._forms_of(entry):
                if form not in self._forms[entry.id]:
                    self._add_form(entry.id, form)
            return entry.id
        return self._create(entry, self._forms_of(entry))

    def merge(self, keep_id: str, drop_id: str) -> None:
        """Fold entry `drop_id` into `keep_id`; `undo` of the recorded Match splits it again."""
        if keep_id == drop_id:
            return
        dropped = self._entries[drop_id]
        forms = self._forms[drop_id]
        carried = self._matches.pop(drop_id, [])
        self._remove(drop_id)
        self._join(keep_id, dropped, forms, 1.0, "merge", dropped.name)
        self._matches[keep_id][-1:-1] = [
            Match(keep_id, m.form, m.confidence, m.rule, m.forms) for m in carried
        ]

    def split(self, entry_id: str, forms: Iterable[str]) -> str:
        """Move `forms` out of entry `entry_id` into a new entry; returns the new id.

        The preferred name stays with the old entry unless every form goes.
        """
        moving = [form for form in dict.fromkeys(forms) if form in self._forms[entry_id]]
        if not moving:
            raise ValueError(f"none of those forms belong to {entry_id}")
        staying = [form for form in self._forms[entry_id] if form not in moving]
        if not staying:
            raise ValueError("cannot split every form out of an entry; delete it instead")
        old = self._entries[entry_id]
        self._unindex(entry_id)
        self._forms[entry_id] = staying
        if old.name in moving:
            old = old.model_copy(update={"name": staying[0]})
        self._entries[entry_id] = old.model_copy(update={"variants": staying[1:]})
        for form in staying:
            self._index(entry_id, form)
        moved_set = set(moving)
        self._matches[entry_id] = [
            m
            for m in self._matches.get(entry_id, [])
            if not (m.forms and set(m.forms) <= moved_set)
        ]
        new = old.model_copy(update={"id": None, "name": moving[0], "variants": moving[1:]})
        if isinstance(new, Person):
            new = new.model_copy(update={"description": None, "as_written": None})
        return self._create(new, moving)

    def undo(self, match: Match) -> str:
        """Undo an automatic match: its forms leave the entry as a new one (its id returned).

        A match that brought no new form (the name was already the entry's) has nothing to
        undo here; the store unlinks the record instead.
        """
        if not match.forms:
            raise ValueError(f"{match.form!r} was already a form of {match.person_id}")
        return self.split(match.person_id, match.forms)

    # -- private ---------------------------------------------------------------------------

    def _forms_of(self, entry: E) -> list[str]:
        forms = [entry.name, *entry.variants]
        if isinstance(entry, Person) and entry.as_written:
            forms.append(entry.as_written)
        return [form for form in dict.fromkeys(f.strip() for f in forms) if form] or [entry.name]

    def _score(self, name: str) -> dict[str, tuple[float, str, str]]:
        """Per entry id: (confidence, matched form, rule), exact keys first, then fuzzy."""
        found: dict[str, tuple[float, str, str]] = {}
        for key, (weight, rule) in weighted_keys(name, self.kind).items():
            for entry_id, (other, form, _) in self._keys.get(key, {}).items():
                score = min(weight, other)
                if entry_id not in found or score > found[entry_id][0]:
                    found[entry_id] = (score, form, rule)
        pairs: set[tuple[str, str]] = set()
        for reading in readings(name, self.kind):
            text = _block_text(reading)
            spellings: set[str] = set()
            for block in _block_keys(text):
                spellings |= self._blocks.get(block, set())
            hits = process.extract(
                text,
                list(spellings),
                scorer=fuzz.ratio,
                score_cutoff=_BLOCK_CUTOFF,
                limit=_BLOCK_LIMIT,
            )
            for spelling, _, _ in hits:
                for entry_id, form in self._holders.get(spelling, {}):
                    if found.get(entry_id, (0.0,))[0] < 1.0:
                        pairs.add((entry_id, form))
        for entry_id, form in pairs:
            score, rule = fuzzy(name, form, self.kind)
            if score >= 0.5 and (entry_id not in found or score > found[entry_id][0]):
                found[entry_id] = (score, form, rule)
        return {
            entry_id: value
            for entry_id, value in found.items()
            if value[0] >= 1.0
            or (value[0] >= 0.5 and not self._contradicted(name, entry_id, value[1]))
        }

    def _contradicted(self, name: str, entry_id: str, matched: str) -> bool:
        """Whether `name` contradicts a form of the entry other than the one it matched."""
        return any(
            contradicts(name, form, self.kind) for form in self._forms[entry_id] if form != matched
        )

    def _create(self, entry: E, forms: list[str]) -> str:
        entry_id = entry.id
        while not entry_id or entry_id in self._entries:
            entry_id = f"{self.prefix}{self._next}"
            self._next += 1
        self._entries[entry_id] = entry.model_copy(
            update={"id": entry_id, "name": forms[0], "variants": forms[1:]}
        )
        self._forms[entry_id] = []
        for form in forms:
            self._add_form(entry_id, form)
        return entry_id

    def _join(
        self, entry_id: str, entry: E, forms: list[str], score: float, rule: str, form: str
    ) -> None:
        new_forms = [f for f in forms if f not in self._forms[entry_id]]
        for new_form in new_forms:
            self._add_form(entry_id, new_form)
        current = self._entries[entry_id]
        update: dict[str, object] = {"variants": self._forms[entry_id][1:]}
        if isinstance(current, Person) and isinstance(entry, Person):
            for field in ("description", "birth_year", "death_year"):
                if getattr(current, field) is None and getattr(entry, field) is not None:
                    update[field] = getattr(entry, field)
        elif isinstance(current, Place) and isinstance(entry, Place):
            if current.parent is None and entry.parent is not None:
                update["parent"] = entry.parent
        self._entries[entry_id] = current.model_copy(update=update)
        if rule != "id" or new_forms:
            self._matches.setdefault(entry_id, []).append(
                Match(entry_id, form, round(score, 4), rule, tuple(new_forms))
            )

    def _add_form(self, entry_id: str, form: str) -> None:
        self._forms[entry_id].append(form)
        self._index(entry_id, form)

    def _index(self, entry_id: str, form: str) -> None:
        keys = self._keys_of.setdefault(entry_id, set())
        for key, (weight, rule) in weighted_keys(form, self.kind).items():
            holders = self._keys.setdefault(key, {})
            if entry_id not in holders or holders[entry_id][0] < weight:
                holders[entry_id] = (weight, form, rule)
            keys.add(key)
        spellings = self._spellings_of.setdefault(entry_id, [])
        for text in dict.fromkeys(_block_text(r) for r in readings(form, self.kind)):
            counts = self._holders.setdefault(text, {})
            counts[(entry_id, form)] = counts.get((entry_id, form), 0) + 1
            spellings.append((text, form))
            for block in _block_keys(text):
                self._blocks.setdefault(block, set()).add(text)

    def _unindex(self, entry_id: str) -> None:
        for key in self._keys_of.pop(entry_id, set()):
            holders = self._keys.get(key, {})
            holders.pop(entry_id, None)
            if not holders:
                self._keys.pop(key, None)
        for text, form in self._spellings_of.pop(entry_id, []):
            counts = self._holders.get(text, {})
            count = counts.pop((entry_id, form), 0)
            if count > 1:
                counts[(entry_id, form)] = count - 1
            if not counts:
                self._holders.pop(text, None)
                for block in _block_keys(text):
                    self._blocks.get(block, set()).discard(text)

    def _remove(self, entry_id: str) -> None:
        self._unindex(entry_id)
        del self._entries[entry_id]
        del self._forms[entry_id]


class Authority(_Authority[Person]):
    """The people authority: persons by id, each with every form of their name.

    >>> people = Authority()
    >>> mao, _ = people.add(Person(name="Mao Zedong"))
    >>> people.add(Person(name="毛泽东")) == (mao, 1.0)
    True
    """

    kind = "person"
    prefix = "p"


class PlaceAuthority(_Authority[Place]):
    """The places authority: Peking, Peiping, Beijing and 北京 are one place."""

    kind = "place"
    prefix = "g"
