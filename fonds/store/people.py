"""The people authority in the database: persons, every form of their names, and merges.

`PersonResolver.resolve` is called for each person a record names. It finds the person by
any known form of the name (exact key first, then the matching rules of `fonds.names`), or
creates one; each new form is stored with the confidence and rule of the match, so an editor
can review it (`fonds people`) and undo a wrong one (`fonds split`).
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update

from fonds.model import Person
from fonds.store import tables as t


class PersonResolver:
    """Resolves names to person ids through one connection, with an in-memory key cache."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._by_key: dict[str, int] | None = None

    def resolve(self, person: Person, origin: str | None = None) -> int:
        """The id of the person `person` names, creating the person when none matches."""
        keys = self._keys()
        forms = [person.name, *person.variants]
        if person.as_written:
            forms.append(person.as_written)
        person_id: int | None = None
        for form in forms:
            person_id = keys.get(name_key(form))
            if person_id is not None:
                break
        if person_id is None:
            person_id = int(
                self.connection.execute(
                    insert(t.persons).values(
                        name=person.name,
                        description=person.description,
                        birth_year=person.birth_year,
                        death_year=person.death_year,
                    )
                ).inserted_primary_key[0]
            )
        elif person.description:
            self.connection.execute(
                update(t.persons)
                .where(t.persons.c.id == person_id, t.persons.c.description.is_(None))
                .values(description=person.description)
            )
        for form in forms:
            key = name_key(form)
            if key and key not in keys:
                self.connection.execute(
                    insert(t.person_names).values(
                        person_id=person_id,
                        name=form,
                        key=key,
                        confidence=1.0,
                        rule="exact",
                        origin=origin,
                    )
                )
                keys[key] = person_id
        return person_id

    def forget(self) -> None:
        """Drop the cache (after a rolled-back record, whose new names never landed)."""
        self._by_key = None

    def merge(self, keep_id: int, drop_id: int) -> None:
        """Fold person `drop_id` into `keep_id`: names and record links move over."""
        c = self.connection
        c.execute(
            update(t.person_names)
            .where(t.person_names.c.person_id == drop_id)
            .values(person_id=keep_id, rule="merged")
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

    def _keys(self) -> dict[str, int]:
        if self._by_key is None:
            rows = self.connection.execute(select(t.person_names.c.key, t.person_names.c.person_id))
            self._by_key = {row.key: int(row.person_id) for row in rows}
        return self._by_key


def name_key(name: str) -> str:
    """Temporary exact key until fonds.names lands: casefolded words."""
    import re

    return " ".join(re.findall(r"\w+", name.casefold()))


def expand(connection: Connection, name: str) -> list[str]:
    """Every stored form of the person or place that `name` names (empty when none)."""
    key = name_key(name)
    if not key:
        return []
    person_ids = select(t.person_names.c.person_id).where(t.person_names.c.key == key)
    rows = connection.execute(
        select(t.person_names.c.name).where(t.person_names.c.person_id.in_(person_ids))
    )
    forms = [row.name for row in rows]
    places = connection.execute(
        select(t.terms.c.name, t.terms.c.variants).where(t.terms.c.kind == "place")
    )
    for place in places:
        variants = [place.name, *(place.variants or [])]
        if any(name_key(v) == key for v in variants):
            forms.extend(variants)
    return list(dict.fromkeys(f for f in forms if f))
