"""The people authority in the database: persons, every form of their names, and merges.

`PersonResolver.resolve` is called for each person a record names. It finds the person by
any known form of the name through `fonds.names.Authority` (shared keys across scripts and
romanisations first, then fuzzy matching), or creates one. Each new form is stored with the
confidence and rule of its match, so an editor can review it (`fonds people`) and undo a
wrong one (`fonds split`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from fonds.model import Person
from fonds.names import Authority, name_keys, normalize, split_name, variants
from fonds.store import tables as t
from fonds.store.bulk import insert_rows

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# A one-word query matches a person's surname at this fuzzy confidence (for expansion only).
SURNAME_THRESHOLD = 0.65
# ...and only people whose surname is this close to it (rapidfuzz ratio, 0-100).
SURNAME_SIMILARITY = 88
# A shorter word only ever expands to surnames it shares a match key with: one letter away
# from a surname, a short word is far more often a word of its own (State / Tate, Wall /
# Hall) than a misspelling. Misspelt surnames readers type are longer ("Gromiko").
FUZZY_SURNAME_MIN_LENGTH = 7

# Built once (building costs SQLAlchemy more than running them; an ingest runs thousands).
_INSERT_PERSON = insert(t.persons)
_DESCRIBE_PERSON = (
    update(t.persons)
    .where(t.persons.c.id == bindparam("key"), t.persons.c.description.is_(None))
    .values(description=bindparam("description"))
)


class PersonResolver:
    """Resolves names to person ids through one connection.

    The authority is loaded from the database on first use and kept in step with what this
    resolver writes; `forget()` drops it after a rolled-back savepoint.
    """

    def __init__(self, connection: Connection, kept: Authority | None = None) -> None:
        """`kept`: the authority as the database holds it now, if the caller has it at hand
        (see `fonds.store.kept_authority`), so that it need not be built again."""
        self.connection = connection
        self._authority: Authority | None = None
        self._kept = kept
        self._exact: dict[str, int] = {}
        self._forms: dict[int, set[str]] = defaultdict(set)
        self._described: set[int] = set()
        self._pending: list[dict[str, Any]] = []

    def resolve(self, person: Person, origin: str | None = None) -> int:
        """The id of the person `person` names, creating the person when none matches."""
        authority = self._load()
        forms = _forms(person)
        # Most names an ingest meets were seen before, in every form: no matching.
        cached = self._exact.get(forms[0]) if forms else None
        if cached is not None and all(self._exact.get(form) == cached for form in forms):
            self._describe(cached, person)
            return cached
        probe = person.model_copy(update={"id": None})
        found = authority.match(probe)
        if found is None:
            person_id = int(
                self.connection.execute(
                    _INSERT_PERSON,
                    {
                        "name": person.name,
                        "description": person.description,
                        "birth_year": person.birth_year,
                        "death_year": person.death_year,
                    },
                ).inserted_primary_key[0]  # type: ignore[index]
            )
            authority.load(probe.model_copy(update={"id": str(person_id)}))
            self._described.add(person_id)
            confidence, rule = 1.0, "new"
        else:
            entry_id, confidence, rule, _form = found
            person_id = int(entry_id)
            authority.add(probe.model_copy(update={"id": entry_id}))
            self._describe(person_id, person)
        for form in forms:
            if form not in self._forms[person_id]:
                self._pending.append(
                    dict(
                        person_id=person_id,
                        name=form,
                        key=normalize(form),
                        confidence=confidence if form != person.name or rule != "new" else 1.0,
                        rule=rule,
                        origin=origin,
                    )
                )
                self._forms[person_id].add(form)
            self._exact[form] = person_id
        return person_id

    def flush(self) -> None:
        """Write the name forms found since the last flush, in one statement."""
        if self._pending:
            insert_rows(self.connection, t.person_names, self._pending)
            self._pending = []

    def forget(self) -> None:
        """Drop the cache (after a rolled-back record, whose new names never landed)."""
        self._pending = []
        self._authority = self._kept = None
        self._exact.clear()
        self._forms.clear()

    def merge(self, keep_id: int, drop_id: int) -> None:
        """Fold person `drop_id` into `keep_id`: names and record links move over."""
        self.flush()
        c = self.connection
        c.execute(
            update(t.person_names)
            .where(t.person_names.c.person_id == drop_id)
            .values(person_id=keep_id, rule="merged", confidence=1.0)
        )
        links = c.execute(select(t.record_persons).where(t.record_persons.c.person_id == drop_id))
        for link in links.mappings().all():
            c.execute(
                delete(t.record_persons).where(
                    t.record_persons.c.record_id == link["record_id"],
                    t.record_persons.c.person_id == drop_id,
                    t.record_persons.c.role == link["role"],
                )
            )
            clash = c.execute(
                select(t.record_persons.c.person_id).where(
                    t.record_persons.c.record_id == link["record_id"],
                    t.record_persons.c.person_id == keep_id,
                    t.record_persons.c.role == link["role"],
                )
            ).first()
            if clash is None:
                c.execute(insert(t.record_persons).values({**link, "person_id": keep_id}))
        c.execute(delete(t.persons).where(t.persons.c.id == drop_id))
        self.forget()

    def split(self, person_id: int, forms: list[str]) -> int:
        """Undo a wrong match: move `forms` (and the record links written with them) out
        of `person_id` into a new person; return its id."""
        self.flush()
        c = self.connection
        rows = c.execute(
            select(t.person_names).where(
                t.person_names.c.person_id == person_id, t.person_names.c.name.in_(forms)
            )
        ).all()
        if not rows:
            raise ValueError(f"none of those forms belong to person {person_id}")
        new_id = int(c.execute(insert(t.persons).values(name=rows[0].name)).inserted_primary_key[0])  # type: ignore[index]
        c.execute(
            update(t.person_names)
            .where(t.person_names.c.id.in_([r.id for r in rows]))
            .values(person_id=new_id, rule="split", confidence=1.0)
        )
        c.execute(
            update(t.record_persons)
            .where(
                t.record_persons.c.person_id == person_id, t.record_persons.c.as_written.in_(forms)
            )
            .values(person_id=new_id)
        )
        self.forget()
        return new_id

    def _describe(self, person_id: int, person: Person) -> None:
        if person.description and person_id not in self._described:
            self._described.add(person_id)
            self.connection.execute(
                _DESCRIBE_PERSON, {"key": person_id, "description": person.description}
            )

    def _load(self) -> Authority:
        if self._authority is None:
            kept, self._kept = self._kept, None
            authority = kept if kept is not None else Authority()
            names: dict[int, list[str]] = defaultdict(list)
            for row in self.connection.execute(
                select(t.person_names.c.person_id, t.person_names.c.name).order_by(
                    t.person_names.c.id
                )
            ):
                names[int(row.person_id)].append(row.name)
            for row in self.connection.execute(select(t.persons.c.id, t.persons.c.name)):
                forms = names.get(int(row.id), [])
                if kept is None:
                    authority.load(
                        Person(
                            id=str(row.id),
                            name=row.name,
                            variants=[f for f in forms if f != row.name],
                        )
                    )
                self._forms[int(row.id)] = set(forms)
                for form in forms:
                    self._exact[form] = int(row.id)
            self._authority = authority
        return self._authority


def load_authority(connection: Connection) -> Authority:
    """The people authority as the database holds it now."""
    return PersonResolver(connection)._load()


def authority_version(connection: Connection) -> tuple[int, ...]:
    """Changes whenever a name form or person is added, merged (a person goes) or split
    (a person comes)."""
    names = select(func.max(t.person_names.c.id), func.count()).select_from(t.person_names)
    people = select(func.max(t.persons.c.id), func.count()).select_from(t.persons)
    row = connection.execute(names).one()
    more = connection.execute(people).one()
    return tuple(int(value or 0) for value in (*row, *more))


def expand(connection: Connection, authority: Authority, name: str) -> list[str]:
    """Every stored form of the person that `name` names, with their derived variants,
    plus the other names of a place (Peking → Beijing, 北京); empty when `name` is
    neither a known person nor a place with other names, so that capitalised words
    which are not a name ("Lemnitzer Forces Magruder") are searched as plain words."""
    forms: list[str] = []
    whole_name = len(name.split()) > 1 or bool(_HAN.search(name))  # 毛泽东 has no spaces
    if len(authority) and whole_name:
        found = authority.find(name, limit=1)
        if found and found[0][1] >= authority.threshold:
            forms = authority.expand(name)
    elif len(authority) and len(name) >= 4:
        # One word is a surname, perhaps misspelt ("Chevornenko") or in another script
        # ("Хрущёв"): expand to the surnames, in every stored form, of the people whose
        # surname it is, since texts often name a person by surname alone. Full names
        # are left out: "Berlin" must not become "Jack Berlin".
        key = _fold(name)
        for entry, score, _form in authority.find(name, limit=5):
            if score < SURNAME_THRESHOLD:
                continue
            if score < 1.0 and len(name) < FUZZY_SURNAME_MIN_LENGTH:
                continue
            surnames = {split_name(form).surname for form in authority.forms(entry.id or "")}
            forms.extend(
                sorted(
                    surname
                    for surname in surnames
                    if surname
                    and (
                        max(
                            fuzz.ratio(_fold(surname), key),
                            fuzz.ratio(normalize(surname), normalize(name)),
                        )
                        >= SURNAME_SIMILARITY
                        or name_keys(surname) & name_keys(name)
                    )
                )
            )
        if forms:
            forms = [name, *variants(name), *forms]
            if {normalize(f) for f in forms} == {normalize(name)}:
                forms = []  # nothing but the word itself: no expansion
    words = set(normalize(name, "place").split())
    other_names = [
        form for form in variants(name, "place") if set(normalize(form, "place").split()) != words
    ]
    known_place = connection.execute(
        select(t.terms.c.id).where(
            t.terms.c.kind == "place", func.lower(t.terms.c.name) == name.lower()
        )
    ).first()
    if other_names or known_place is not None:
        forms.extend([name, *other_names] if not forms else other_names)
    return list(dict.fromkeys(f for f in forms if f))


def _fold(surname: str) -> str:
    """A surname with the letters romanisations disagree on made alike (Gromyko/Gromiko,
    Khrushchev/Kruschev), for comparing misspellings; never stored or shown."""
    text = normalize(surname)
    for old, new in (("kh", "h"), ("y", "i"), ("j", "i"), ("ck", "k"), ("w", "v")):
        text = text.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", text)


def find(connection: Connection, name: str, limit: int = 20) -> list[dict[str, Any]]:
    """People whom `name` may be, best first, with confidence and every stored form."""
    authority = PersonResolver(connection)._load()
    return [
        {
            **_person_json(connection, int(entry.id or 0)),
            "confidence": round(score, 3),
            "matched_form": form,
        }
        for entry, score, form in authority.find(name, limit=limit)
    ]


def list_people(connection: Connection, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(t.persons.c.id).order_by(t.persons.c.name).offset(offset).limit(limit)
    )
    return [_person_json(connection, int(row.id)) for row in rows]


def _person_json(connection: Connection, person_id: int) -> dict[str, Any]:
    person = connection.execute(select(t.persons).where(t.persons.c.id == person_id)).first()
    names = connection.execute(
        select(
            t.person_names.c.name,
            t.person_names.c.confidence,
            t.person_names.c.rule,
            t.person_names.c.origin,
        )
        .where(t.person_names.c.person_id == person_id)
        .order_by(t.person_names.c.id)
    )
    records = connection.execute(
        select(func.count(func.distinct(t.record_persons.c.record_id))).where(
            t.record_persons.c.person_id == person_id
        )
    ).scalar_one()
    return {
        "id": person_id,
        "name": person.name if person else "",
        "description": person.description if person else None,
        "records": int(records),
        "names": [dict(n._mapping) for n in names],
    }


def _forms(person: Person) -> list[str]:
    if not person.variants and not person.as_written:  # most names: one form
        name = person.name.strip()
        return [name] if name else []
    forms = [person.name, *person.variants]
    if person.as_written:
        forms.append(person.as_written)
    return [f for f in dict.fromkeys(f.strip() for f in forms) if f]
