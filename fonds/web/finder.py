"""Finding records for the machine interfaces: filters by id, words through the index.

The JSON API (`/api/v1/records`) and the archive-API drop-in (`/srv/record.json`) both list
records by vocabulary terms, people, collections, dates and words, with every condition
required (AND, also within one key), and page through the result with no cap. They resolve
their own parameter names into a `RecordFilter` and call `find_record_ids`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, func, or_, select

from fonds.model import slugify
from fonds.store import reader
from fonds.store import tables as t

if TYPE_CHECKING:
    from fonds.archive import Archive

DEFAULT_LIMIT = 50
# The search index pages up to this offset; beyond it, matches are fetched in batches.
INDEX_MAX_OFFSET = 100_000
_INDEX_BATCH = 1000

# Filter parameters that name vocabulary terms: parameter → (term kind, record roles).
TERM_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "subject": ("subject", ("subjects",)),
    "place": ("place", ("original_coverages",)),
    "language": ("language", ("languages",)),
    "translation": ("language", ("translation_languages",)),
    "repository": ("repository", ("repositories",)),
    "classification": ("classification", ("classifications",)),
    "donor": ("donor", ("donors",)),
    "type": ("type", ("type",)),
    "publisher": ("publisher", ("publishers",)),
    "theme": ("theme", ("themes",)),
}


@dataclass
class RecordFilter:
    """Which records a list asks for: all conditions must hold (AND, also within a key).

    Values are already resolved to ids; `None` stands for a value that names nothing, so
    the list is empty rather than unfiltered.
    """

    q: str = ""
    terms: list[tuple[int | None, tuple[str, ...]]] = field(default_factory=list)
    persons: list[int | None] = field(default_factory=list)
    collections: list[str | None] = field(default_factory=list)
    # On the first possible day of the record's date (the archive API's rounding down).
    start_from: date | None = None
    start_to: date | None = None
    # Records whose date range overlaps [overlap_from, overlap_to] (the search pages' rule).
    overlap_from: date | None = None
    overlap_to: date | None = None

    @property
    def has_conditions(self) -> bool:
        return bool(
            self.terms
            or self.persons
            or self.collections
            or self.start_from
            or self.start_to
            or self.overlap_from
            or self.overlap_to
        )


def resolve_term(c: Connection, kind: str, value: str) -> int | None:
    """The id of the `kind` term `value` names: its id, its exact name, or (themes) slug."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        row = c.execute(
            select(t.terms.c.id).where(t.terms.c.kind == kind, t.terms.c.id == int(value))
        ).first()
        if row is not None:
            return int(row.id)
    row = c.execute(
        select(t.terms.c.id).where(t.terms.c.kind == kind, t.terms.c.name == value)
    ).first()
    if row is None:
        row = c.execute(
            select(t.terms.c.id).where(
                t.terms.c.kind == kind, func.lower(t.terms.c.name) == value.lower()
            )
        ).first()
    if row is None and kind == "theme":
        for term in c.execute(select(t.terms.c.id, t.terms.c.name).where(t.terms.c.kind == kind)):
            if slugify(term.name) == value:
                return int(term.id)
    return int(row.id) if row is not None else None


def resolve_collection(c: Connection, value: str) -> str | None:
    row = c.execute(
        select(t.collections.c.id).where(
            or_(t.collections.c.id == value, t.collections.c.slug == value)
        )
    ).first()
    return str(row.id) if row is not None else None


def find_record_ids(
    archive: Archive,
    flt: RecordFilter,
    *,
    sort: str = "date",
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[str], int]:
    """One page of the ids of published records matching `flt`, and how many match.

    Without words this is one SQL query. With words the search index ranks the matches;
    when there are also filters, every match is fetched from the index and the filters
    applied in SQL, so the total is exact and any page can be reached.
    """
    if any(v is None for v in (*flt.persons, *flt.collections, *(i for i, _ in flt.terms))):
        return [], 0
    offset, limit = max(0, offset), max(0, limit)
    q = flt.q.strip()
    if not q:
        with archive.store.read() as c:
            query = select(t.records.c.id).where(*_conditions(c, flt))
            total = c.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            order = _order("date" if sort == "relevance" else sort)
            rows = c.execute(query.order_by(*order).offset(offset).limit(limit)).all()
        return [row.id for row in rows], int(total)
    search_sort = sort if sort in ("date", "-date") else "relevance"
    if not flt.has_conditions and offset + limit <= INDEX_MAX_OFFSET:
        result = archive.search(
            q,
            sort=search_sort,
            offset=offset,
            limit=max(1, limit),
            facets=None,
            histogram=False,
            snippets=False,
        )
        return ([hit.id for hit in result.hits] if limit else []), result.total
    ids = _all_hit_ids(archive, q, search_sort)
    if flt.has_conditions:
        ids = _keep_matching(archive, ids, flt)
    return ids[offset : offset + limit], len(ids)


def _all_hit_ids(archive: Archive, q: str, sort: str) -> list[str]:
    ids: list[str] = []
    while True:
        result = archive.search(
            q,
            sort=sort,
            offset=len(ids),
            limit=_INDEX_BATCH,
            facets=None,
            histogram=False,
            snippets=False,
        )
        ids.extend(hit.id for hit in result.hits)
        if not result.hits or len(ids) >= result.total or len(ids) > INDEX_MAX_OFFSET:
            return ids


def _keep_matching(archive: Archive, ids: list[str], flt: RecordFilter) -> list[str]:
    keep: set[str] = set()
    with archive.store.read() as c:
        conditions = _conditions(c, flt)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = c.execute(select(t.records.c.id).where(t.records.c.id.in_(chunk), *conditions))
            keep.update(row.id for row in rows)
    return [i for i in ids if i in keep]


def _conditions(c: Connection, flt: RecordFilter) -> list[Any]:
    out: list[Any] = [reader.published_clause()]
    rid = t.records.c.id
    for term_id, roles in flt.terms:
        out.append(
            rid.in_(
                select(t.record_terms.c.record_id).where(
                    t.record_terms.c.term_id == term_id, t.record_terms.c.role.in_(roles)
                )
            )
        )
    for person_id in flt.persons:
        out.append(
            rid.in_(
                select(t.record_persons.c.record_id).where(
                    t.record_persons.c.person_id == person_id
                )
            )
        )
    for collection_id in flt.collections:
        assert collection_id is not None
        within = descendants(c, collection_id)
        out.append(
            rid.in_(
                select(t.record_collections.c.record_id).where(
                    t.record_collections.c.collection_id.in_(within)
                )
            )
        )
    start, end = t.records.c.date_start, t.records.c.date_end
    if flt.start_from:
        out.append(start >= flt.start_from)
    if flt.start_to:
        out.append(start <= flt.start_to)
    if flt.overlap_from:
        out.append(and_(start.is_not(None), func.coalesce(end, start) >= flt.overlap_from))
    if flt.overlap_to:
        out.append(and_(start.is_not(None), start <= flt.overlap_to))
    return out


def descendants(c: Connection, collection_id: str) -> list[str]:
    """The collection and every collection under it (a FRUS volume and its chapters)."""
    children: dict[str, list[str]] = {}
    for row in c.execute(select(t.collections.c.id, t.collections.c.parent_id)):
        if row.parent_id:
            children.setdefault(row.parent_id, []).append(row.id)
    out: list[str] = []
    todo = [collection_id]
    while todo:
        current = todo.pop()
        if current not in out:
            out.append(current)
            todo.extend(children.get(current, []))
    return out


def _order(sort: str) -> list[Any]:
    c = t.records.c
    orders: dict[str, list[Any]] = {
        "date": [c.date_start.is_(None), c.date_start, c.id],
        "-date": [c.date_start.is_(None), c.date_start.desc(), c.id],
        "title": [c.title, c.id],
        "updated": [c.updated_at, c.id],
        "-updated": [c.updated_at.desc(), c.id],
        "id": [c.id],
    }
    return orders.get(sort, orders["date"])
