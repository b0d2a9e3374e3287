"""What of a record each search backend indexes, decided once for both.

The Tantivy index and the PostgreSQL backend index the same fields with the same values, so
the same query finds the same records on either; both build their documents from these.
"""

from __future__ import annotations

from fonds.dates import display
from fonds.model import Record


def field_texts(record: Record) -> dict[str, list[str]]:
    """The text of each field query (`person:`, `place:`, ...) for one record."""
    people = [
        form
        for person in record.people
        for form in (person.name, person.as_written, *person.variants)
        if form
    ]
    places = [
        form
        for place in record.original_coverages
        for form in (place.name, place.parent, *place.variants)
        if form
    ]
    if record.place_written:
        places.append(record.place_written)
    return {
        "person": people,
        "place": places,
        "subject": [t.name for t in (*record.subjects, *record.themes)],
        "collection": [f"{cid} {label}" for cid, label in collections_of(record)],
        "language": [f"{lang.id} {lang.name}" for lang in record.languages],
        "classification": [t.name for t in record.classifications],
        "repository": [t.name for t in record.repositories],
        "donor": [t.name for t in record.donors],
        "type": [t.name for t in record.type],
    }


def facet_values(record: Record) -> dict[str, list[tuple[str, str]]]:
    """Each facet's (value, label) pairs for one record: what both backends count."""
    return {
        "collection": collections_of(record),
        "person": [(p.id or p.name, p.name) for p in record.people],
        "language": [(lang.id, lang.name or lang.id) for lang in record.languages],
        "subject": [(t.name, t.name) for t in record.subjects],
        "place": [(p.name, p.name) for p in record.original_coverages],
        "repository": [(t.name, t.name) for t in record.repositories],
        "classification": [(t.name, t.name) for t in record.classifications],
        "donor": [(t.name, t.name) for t in record.donors],
        "type": [(t.name, t.name) for t in record.type],
    }


def meta_texts(record: Record) -> list[str]:
    """Catalogue text searched with the words (source, translator, numbers, publishers)."""
    meta = [
        record.source,
        record.translator,
        record.document_number,
        record.archival_reference.raw if record.archival_reference else None,
        *(t.name for t in record.publishers),
    ]
    return [text for text in meta if text]


def collections_of(record: Record) -> list[tuple[str, str]]:
    """The record's collections and every ancestor named by `parent`, as (id, name), so a
    search in a volume finds records that list only its chapter."""
    pairs = {c.id: c.name or c.id for c in record.collections}
    for c in record.collections:
        if c.parent and c.parent not in pairs:
            pairs[c.parent] = c.parent
    return list(pairs.items())


def date_text(record: Record) -> str:
    """The record's date as a hit shows it."""
    dated = record.doc_date
    if dated is None:
        return ""
    return display(dated) or dated.text or dated.edtf or ""
