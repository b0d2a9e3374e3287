"""Reading the archive: records, and the people, places, terms and collections around them.

Every page, API and export reads through these functions, so "published" is decided in one
place: readers see published records (and embargoes that have lapsed); editors may ask for
all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import Connection, Select, and_, func, or_, select

from fonds.model import Record
from fonds.serialize import record_from_json
from fonds.store import tables as t

Order = Literal["date", "-date", "title", "updated", "-updated", "id"]


@dataclass
class CollectionInfo:
    id: str
    name: str
    slug: str
    description: str | None
    short_description: str | None
    parent_id: str | None
    kind: str | None
    editors: list[str]
    published: str | None
    count: int = 0
    children: list[CollectionInfo] = field(default_factory=list)
    row: dict[str, Any] = field(default_factory=dict)


@dataclass
class TermInfo:
    id: int
    kind: str
    name: str
    value: str | None
    description: str | None
    parent_id: int | None
    count: int = 0
    variants: list[str] = field(default_factory=list)


@dataclass
class PersonInfo:
    id: int
    name: str
    description: str | None
    birth_year: int | None
    death_year: int | None
    count: int = 0
    names: list[dict[str, Any]] = field(default_factory=list)


def published_clause(today: date | None = None) -> Any:
    today = today or date.today()
    return or_(
        t.records.c.status == "published",
        and_(t.records.c.status == "embargoed", t.records.c.embargo_until <= today),
    )


def get_record(
    c: Connection, record_id: str, *, include_unpublished: bool = False
) -> Record | None:
    query = select(
        t.records.c.data,
        t.records.c.created_at,
        t.records.c.updated_at,
        t.records.c.first_published_at,
    ).where(t.records.c.id == record_id)
    if not include_unpublished:
        query = query.where(published_clause())
    row = c.execute(query).first()
    return _record(row) if row is not None else None


def get_records(c: Connection, ids: Sequence[str]) -> list[Record]:
    """Records by id, in the order asked, skipping unpublished and missing ones."""
    if not ids:
        return []
    rows = c.execute(
        select(
            t.records.c.id,
            t.records.c.data,
            t.records.c.created_at,
            t.records.c.updated_at,
            t.records.c.first_published_at,
        ).where(t.records.c.id.in_(list(ids)), published_clause())
    ).all()
    by_id = {row.id: _record(row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def list_records(
    c: Connection,
    *,
    offset: int = 0,
    limit: int = 50,
    order: Order = "date",
    collection: str | None = None,
    person: int | None = None,
    term: int | None = None,
    year: int | None = None,
    month: int | None = None,
    include_unpublished: bool = False,
) -> tuple[list[Record], int]:
    """A page of records and the total, filtered by collection, person, term or date."""
    query = _filtered(
        select(t.records.c.id), collection, person, term, year, month, include_unpublished
    )
    total = c.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    columns = select(
        t.records.c.data,
        t.records.c.created_at,
        t.records.c.updated_at,
        t.records.c.first_published_at,
    )
    query = _filtered(columns, collection, person, term, year, month, include_unpublished)
    query = query.order_by(*_order(order)).offset(offset).limit(limit)
    return [_record(row) for row in c.execute(query)], int(total)


def iter_records(
    c: Connection, *, include_unpublished: bool = False, batch: int = 500
) -> Iterator[Record]:
    """Every record in id order, read in batches so memory stays flat (export, reindex)."""
    last = ""
    while True:
        query = select(
            t.records.c.id,
            t.records.c.data,
            t.records.c.created_at,
            t.records.c.updated_at,
            t.records.c.first_published_at,
        )
        query = query.where(t.records.c.id > last).order_by(t.records.c.id).limit(batch)
        if not include_unpublished:
            query = query.where(published_clause())
        rows = c.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield _record(row)
        last = rows[-1].id


def count_records(c: Connection, *, include_unpublished: bool = False) -> int:
    query = select(func.count()).select_from(t.records)
    if not include_unpublished:
        query = query.where(published_clause())
    return int(c.execute(query).scalar_one())


def date_range(c: Connection) -> tuple[date | None, date | None]:
    row = c.execute(
        select(func.min(t.records.c.date_start), func.max(t.records.c.date_end)).where(
            published_clause()
        )
    ).first()
    return (row[0], row[1]) if row else (None, None)


def year_counts(c: Connection) -> list[tuple[int, int]]:
    """Records per year of their first possible day, for the timeline."""
    if c.dialect.name == "sqlite":
        year: Any = func.substr(t.records.c.date_start, 1, 4)
    else:
        year = func.extract("year", t.records.c.date_start)
    rows = c.execute(
        select(year.label("y"), func.count())
        .where(published_clause(), t.records.c.date_start.is_not(None))
        .group_by("y")
        .order_by("y")
    )
    return [(int(y), int(n)) for y, n in rows]


def month_counts(c: Connection, year_value: int) -> list[tuple[int, int]]:
    start, end = date(year_value, 1, 1), date(year_value, 12, 31)
    rows = c.execute(
        select(t.records.c.date_start).where(
            published_clause(), t.records.c.date_start >= start, t.records.c.date_start <= end
        )
    )
    counts: dict[int, int] = {}
    for (day,) in rows:
        counts[day.month] = counts.get(day.month, 0) + 1
    return sorted(counts.items())


def collections(c: Connection) -> list[CollectionInfo]:
    """Every collection with its count of published records, children under parents."""
    counts: dict[Any, int] = dict(
        c.execute(
            select(t.record_collections.c.collection_id, func.count())
            .join(t.records, t.records.c.id == t.record_collections.c.record_id)
            .where(published_clause())
            .group_by(t.record_collections.c.collection_id)
        ).all()
    )
    infos = [
        _collection(row, counts.get(row.id, 0))
        for row in c.execute(select(t.collections).order_by(t.collections.c.name))
    ]
    by_id = {info.id: info for info in infos}
    for info in infos:
        if info.parent_id and info.parent_id in by_id:
            by_id[info.parent_id].children.append(info)
    return infos


def get_collection(c: Connection, collection_id: str) -> CollectionInfo | None:
    row = c.execute(
        select(t.collections).where(
            or_(t.collections.c.id == collection_id, t.collections.c.slug == collection_id)
        )
    ).first()
    if row is None:
        return None
    count = c.execute(
        select(func.count())
        .select_from(t.record_collections)
        .join(t.records, t.records.c.id == t.record_collections.c.record_id)
        .where(t.record_collections.c.collection_id == row.id, published_clause())
    ).scalar_one()
    info = _collection(row, int(count))
    children = c.execute(
        select(t.collections)
        .where(t.collections.c.parent_id == row.id)
        .order_by(t.collections.c.id)
    ).all()
    info.children = [_collection(child, 0) for child in children]
    return info


def terms(
    c: Connection,
    kind: str,
    *,
    role: str | None = None,
    query: str | None = None,
    limit: int | None = None,
) -> list[TermInfo]:
    """The terms of one vocabulary with their counts of published records."""
    counted = (
        select(t.record_terms.c.term_id, func.count().label("n"))
        .join(t.records, t.records.c.id == t.record_terms.c.record_id)
        .where(published_clause())
    )
    if role:
        counted = counted.where(t.record_terms.c.role == role)
    counts: dict[Any, int] = dict(c.execute(counted.group_by(t.record_terms.c.term_id)).all())
    select_terms = select(t.terms).where(t.terms.c.kind == kind).order_by(t.terms.c.name)
    if query:
        select_terms = select_terms.where(t.terms.c.name.ilike(f"%{query}%"))
    if limit:
        select_terms = select_terms.limit(limit)
    return [_term(row, counts.get(row.id, 0)) for row in c.execute(select_terms)]


def get_term(c: Connection, kind: str, term_id: int | str) -> TermInfo | None:
    column = t.terms.c.id if str(term_id).isdigit() else t.terms.c.name
    value: Any = int(term_id) if str(term_id).isdigit() else str(term_id)
    row = c.execute(select(t.terms).where(t.terms.c.kind == kind, column == value)).first()
    if row is None:
        return None
    count = c.execute(
        select(func.count())
        .select_from(t.record_terms)
        .join(t.records, t.records.c.id == t.record_terms.c.record_id)
        .where(t.record_terms.c.term_id == row.id, published_clause())
    ).scalar_one()
    return _term(row, int(count))


def term_children(c: Connection, term_id: int) -> list[TermInfo]:
    rows = c.execute(select(t.terms).where(t.terms.c.parent_id == term_id).order_by(t.terms.c.name))
    return [_term(row, 0) for row in rows]


def persons(
    c: Connection, *, query: str | None = None, offset: int = 0, limit: int = 100
) -> tuple[list[PersonInfo], int]:
    """People with their counts of records; `query` matches any form of the name."""
    select_persons = select(t.persons)
    if query:
        ids = select(t.person_names.c.person_id).where(t.person_names.c.name.ilike(f"%{query}%"))
        select_persons = select_persons.where(t.persons.c.id.in_(ids))
    total = c.execute(select(func.count()).select_from(select_persons.subquery())).scalar_one()
    rows = c.execute(select_persons.order_by(t.persons.c.name).offset(offset).limit(limit)).all()
    ids_list = [row.id for row in rows]
    counts: dict[Any, int] = (
        dict(
            c.execute(
                select(
                    t.record_persons.c.person_id,
                    func.count(func.distinct(t.record_persons.c.record_id)),
                )
                .where(t.record_persons.c.person_id.in_(ids_list))
                .group_by(t.record_persons.c.person_id)
            ).all()
        )
        if ids_list
        else {}
    )
    return [_person(row, counts.get(row.id, 0)) for row in rows], int(total)


def get_person(c: Connection, person_id: int) -> PersonInfo | None:
    row = c.execute(select(t.persons).where(t.persons.c.id == person_id)).first()
    if row is None:
        return None
    count = c.execute(
        select(func.count(func.distinct(t.record_persons.c.record_id))).where(
            t.record_persons.c.person_id == person_id
        )
    ).scalar_one()
    info = _person(row, int(count))
    names = c.execute(
        select(t.person_names)
        .where(t.person_names.c.person_id == person_id)
        .order_by(t.person_names.c.id)
    )
    info.names = [dict(n._mapping) for n in names]
    return info


def neighbours(c: Connection, record: Record) -> tuple[str | None, str | None]:
    """The previous and next record within the record's first collection, by date then id."""
    if not record.collections:
        return None, None
    ids = [
        row.id
        for row in c.execute(
            select(t.records.c.id)
            .join(t.record_collections, t.record_collections.c.record_id == t.records.c.id)
            .where(
                t.record_collections.c.collection_id == record.collections[-1].id,
                published_clause(),
            )
            .order_by(t.records.c.date_start, t.records.c.id)
        )
    ]
    if record.id not in ids:
        return None, None
    i = ids.index(record.id)
    return (ids[i - 1] if i > 0 else None), (ids[i + 1] if i + 1 < len(ids) else None)


def rendition_row(c: Connection, rendition_id: str) -> dict[str, Any] | None:
    row = c.execute(select(t.renditions).where(t.renditions.c.id == rendition_id)).first()
    return dict(row._mapping) if row is not None else None


def pending_index(c: Connection, limit: int = 1000) -> list[tuple[str, str]]:
    rows = c.execute(
        select(t.index_queue.c.record_id, t.index_queue.c.op)
        .order_by(t.index_queue.c.queued_at)
        .limit(limit)
    )
    return [(row.record_id, row.op) for row in rows]


# -- private ---------------------------------------------------------------------------


def _filtered(
    query: Select[Any],
    collection: str | None,
    person: int | None,
    term: int | None,
    year: int | None,
    month: int | None,
    include_unpublished: bool,
) -> Select[Any]:
    if not include_unpublished:
        query = query.where(published_clause())
    if collection:
        sub = select(t.record_collections.c.record_id).where(
            t.record_collections.c.collection_id == collection
        )
        query = query.where(t.records.c.id.in_(sub))
    if person is not None:
        sub = select(t.record_persons.c.record_id).where(t.record_persons.c.person_id == person)
        query = query.where(t.records.c.id.in_(sub))
    if term is not None:
        sub = select(t.record_terms.c.record_id).where(t.record_terms.c.term_id == term)
        query = query.where(t.records.c.id.in_(sub))
    if year is not None:
        first = date(year, month or 1, 1)
        last = date(year, month or 12, 31 if not month else _month_end(year, month))
        query = query.where(t.records.c.date_start >= first, t.records.c.date_start <= last)
    return query


def _month_end(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


def _order(order: Order) -> list[Any]:
    c = t.records.c
    orders: dict[str, list[Any]] = {
        "date": [c.date_start.is_(None), c.date_start, c.id],
        "-date": [c.date_start.is_(None), c.date_start.desc(), c.id],
        "title": [c.title, c.id],
        "updated": [c.updated_at, c.id],
        "-updated": [c.updated_at.desc(), c.id],
        "id": [c.id],
    }
    return orders[order]


def _record(row: Any) -> Record:
    record = record_from_json(row.data)
    record.created_at = row.created_at
    record.updated_at = row.updated_at
    record.first_published_at = row.first_published_at
    return record


def _collection(row: Any, count: int) -> CollectionInfo:
    return CollectionInfo(
        id=row.id,
        name=row.name,
        slug=row.slug,
        description=row.description,
        short_description=row.short_description,
        parent_id=row.parent_id,
        kind=row.kind,
        editors=list(row.editors or []),
        published=row.published,
        count=count,
        row=dict(row._mapping),
    )


def _term(row: Any, count: int) -> TermInfo:
    return TermInfo(
        id=row.id,
        kind=row.kind,
        name=row.name,
        value=row.value,
        description=row.description,
        parent_id=row.parent_id,
        count=count,
        variants=list(row.variants or []),
    )


def _person(row: Any, count: int) -> PersonInfo:
    return PersonInfo(
        id=row.id,
        name=row.name,
        description=row.description,
        birth_year=row.birth_year,
        death_year=row.death_year,
        count=count,
    )
