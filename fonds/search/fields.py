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
