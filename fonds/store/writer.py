"""Saving records: one record, all its parts, in one transaction (or savepoint).

The ingest pipeline and the editors' API call `RecordWriter.save`. It copies originals into
`files/`, resolves people, places and vocabulary terms to their rows, writes the record and
its links, and queues the record for the search index, all inside the caller's
transaction: a failure anywhere leaves no trace of the record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from fonds.model import Collection, Person, Place, Record, Rendition, Term, slugify
from fonds.serialize import record_to_json
from fonds.store import tables as t
from fonds.store.bulk import insert_rows
from fonds.store.files import FileStore
from fonds.store.people import PersonResolver

Outcome = Literal["added", "updated", "unchanged"]

TERM_FIELDS: dict[str, str] = {
    "subjects": "subject",
    "themes": "theme",
    "repositories": "repository",
    "donors": "donor",
    "publishers": "publisher",
    "classifications": "classification",
    "type": "type",
}
PERSON_FIELDS = ("creators", "contributors", "persons_mentioned")


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Vocabulary:
    """Ids the writer already knows: terms, places' stored variants, existing collections.

    Terms and collections are never deleted, so what one committed transaction learnt holds
    for the next; a rolled-back one must drop it (its rows never landed).
    """

    terms: dict[tuple[str, str], int] = dataclasses.field(default_factory=dict)
    collections: set[str] = dataclasses.field(default_factory=set)
    place_variants: dict[int, tuple[str, ...]] = dataclasses.field(default_factory=dict)


class RecordWriter:
    """Writes records through one connection, caching vocabulary ids between records."""

    def __init__(
        self,
        connection: Connection,
        files: FileStore,
        people: PersonResolver | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.connection = connection
        self.files = files
        self.people = people or PersonResolver(connection)
        self.vocabulary = vocabulary or Vocabulary()

    def save(self, record: Record, digest: str | None = None) -> Outcome:
        """Save `record`; unchanged input is recognised by its content hash and left alone.

        The record is completed in place (ids, slug, timestamps): callers that keep using
        their object pass a copy (`Archive.save` does).
        """
        return self.save_many([record], [digest])[0]

    def save_many(
        self, records: Sequence[Record], digests: Sequence[str | None] | None = None
    ) -> list[Outcome]:
        """Save records together: one query finds which exist, one statement per table
        writes them all. `digests` are content hashes a parser worker already computed.

        An id that comes twice is saved in order (the later one updates the earlier).
        """
        given = list(digests) if digests is not None else [None] * len(records)
        outcomes: list[Outcome] = []
        start = 0
        seen: set[str] = set()
        for position, record in enumerate(records):
            if record.id in seen:
                outcomes += self._save_run(records[start:position], given[start:position])
                start, seen = position, set()
            seen.add(record.id)
        outcomes += self._save_run(records[start:], given[start:])
        return outcomes

    def _save_run(self, records: Sequence[Record], digests: Sequence[str | None]) -> list[Outcome]:
        """`save_many` for records whose ids are all different."""
        if not records:
            return []
        hashes = []
        for record, digest in zip(records, digests, strict=True):
            stored_files = self._store_files(record)
            if not record.slug:
                record.slug = slugify(record.title)
            hashes.append(digest if digest and not stored_files else record.content_hash())
        existing = {
            row.id: row
            for row in self.connection.execute(
                _EXISTING_RECORDS, {"ids": [record.id for record in records]}
            )
        }
        stamp = now()
        outcomes: list[Outcome] = []
        added: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        written: list[Record] = []
        for record, digest in zip(records, hashes, strict=True):
            old = existing.get(record.id)
            if old is not None and old.content_hash == digest:
                outcomes.append("unchanged")
                continue
            record.created_at = old.created_at if old is not None else stamp
            record.updated_at = stamp
            record.first_published_at = (old.first_published_at if old is not None else None) or (
                stamp if record.is_published() else None
            )
            self._resolve(record)
            row = _record_row(record, digest)
            if old is None:
                added.append(row)
                outcomes.append("added")
            else:
                changed.append({"old_id": record.id, **{f"new_{k}": v for k, v in row.items()}})
                outcomes.append("updated")
            written.append(record)
        if added:
            self.connection.execute(_INSERT_RECORD, added)
        if changed:
            self.connection.execute(_UPDATE_RECORD, changed)
            ids = [row["old_id"] for row in changed]
            for table in (t.record_terms, t.record_persons, t.record_collections, t.renditions):
                self.connection.execute(delete(table).where(table.c.record_id.in_(ids)))
        self._write_links(written)
        self.queue_index([record.id for record in written], "upsert")
        return outcomes

    def save_collection(self, collection: Collection) -> None:
        """Create or update a collection's description (records link to it by id)."""
        values = {
            "name": collection.name,
            "slug": collection.slug or slugify(collection.name),
            "description": collection.description,
            "short_description": collection.short_description,
            "kind": collection.kind,
            "editors": collection.editors or None,
            "published": collection.published,
            "is_inactive": collection.is_inactive,
            "main_src": collection.main_src,
            "thumb_src": collection.thumb_src,
            "source_created_at": collection.source_created_at,
            "source_updated_at": collection.source_updated_at,
            "first_published_at": collection.first_published_at,
        }
        if collection.parent:
            self._ensure_collection(Collection(id=collection.parent, name=collection.parent))
            values["parent_id"] = collection.parent
        exists = self.connection.execute(_COLLECTION_EXISTS, {"key": collection.id}).first()
        if exists:
            self.connection.execute(
                update(t.collections).where(t.collections.c.id == bindparam("key")),
                {"key": collection.id, **values},
            )
        else:
            self.connection.execute(_INSERT_COLLECTION, {"id": collection.id, **values})
        self.vocabulary.collections.add(collection.id)

    def save_person(self, person: Person, origin: str | None = None) -> int:
        """Add a person from an authority list (a FRUS volume's persons, say)."""
        return self.people.resolve(person, origin=origin)

    def forget(self) -> None:
        """Drop cached ids after a rolled-back savepoint: rows it created are gone."""
        self.vocabulary = Vocabulary()
        self.people.forget()

    def delete(self, record_id: str) -> bool:
        result = self.connection.execute(delete(t.records).where(t.records.c.id == record_id))
        if result.rowcount:
            self.queue_index(record_id, "delete")
        return bool(result.rowcount)

    def queue_index(self, record_ids: str | Sequence[str], op: str) -> None:
        """Ask the search index to take up these records (one upsert statement)."""
        ids = [record_ids] if isinstance(record_ids, str) else list(record_ids)
        if not ids:
            return
        stamp = now()
        rows = [{"record_id": rid, "op": op, "queued_at": stamp} for rid in ids]
        dialect = self.connection.dialect.name
        if dialect in {"sqlite", "postgresql"}:
            self.connection.execute(_queue_upsert(dialect), rows)
            return
        self.connection.execute(delete(t.index_queue).where(t.index_queue.c.record_id.in_(ids)))
        self.connection.execute(insert(t.index_queue), rows)

    def flush(self) -> None:
        """Write what is still held back (new name forms) before the transaction ends."""
        self.people.flush()

    # -- private ------------------------------------------------------------------------

    def _store_files(self, record: Record) -> bool:
        """Copy the record's original files into the store; True if any was copied now
        (its hash and size then join the record, so its content hash changes)."""
        copied = False
        for rendition in record.renditions:
            if rendition.source_path is not None:
                digest, size = self.files.put(rendition.source_path, rendition.sha256)
                rendition.sha256, rendition.size = digest, size
                rendition.source_path = None
                copied = True
            if rendition.sha256 and self.files.has(rendition.sha256):
                self._ensure_file(rendition)
        return copied

    def _ensure_file(self, rendition: Rendition) -> None:
        assert rendition.sha256
        known = self.connection.execute(
            select(t.files.c.sha256).where(t.files.c.sha256 == rendition.sha256)
        ).first()
        if known is None:
            self.connection.execute(
                insert(t.files).values(
                    sha256=rendition.sha256,
                    size=rendition.size or self.files.path(rendition.sha256).stat().st_size,
                    content_type=rendition.content_type,
                    original_name=rendition.filename,
                    created_at=now(),
                )
            )

    def _resolve(self, record: Record) -> None:
        """Give every person, place, term and rendition in the record its id."""
        for field in TERM_FIELDS:
            for term in getattr(record, field):
                term.id = str(self._term_id(TERM_FIELDS[field], term))
        if record.rights is not None:
            record.rights.id = str(self._term_id("right", record.rights))
        for language in record.languages:
            self._term_id("language", Term(name=language.id, value=language.name or None))
        for place in record.original_coverages:
            place.id = str(self._place_id(place))
        for field in PERSON_FIELDS:
            for person in getattr(record, field):
                person.id = str(self.people.resolve(person, origin=record.id))
        for collection in record.collections:
            self._ensure_collection(collection)
        for kind_list in ("translations", "transcripts", "media_files"):
            for position, rendition in enumerate(getattr(record, kind_list)):
                if not rendition.id:
                    rendition.id = f"{record.id}-{rendition.kind}-{position + 1}"

    def _write_links(self, records: Sequence[Record]) -> None:
        """Link rows of every record in `records`: one insert per table for them all."""
        term_rows: list[dict[str, object]] = []
        person_rows: list[dict[str, object]] = []
        collection_rows: list[dict[str, object]] = []
        rendition_rows: list[dict[str, object]] = []
        for record in records:
            term_rows += self._term_links(record)
            person_rows += _person_links(record)
            collection_rows += {
                c.id: {"record_id": record.id, "collection_id": c.id, "position": i}
                for i, c in enumerate(record.collections)
            }.values()
            rendition_rows += [
                {
                    "id": r.id,
                    "record_id": record.id,
                    "kind": r.kind,
                    "position": i,
                    "language": r.language.id if r.language else None,
                    "filename": r.filename,
                    "content_type": r.content_type,
                    "sha256": r.sha256 if r.sha256 and self.files.has(r.sha256) else None,
                }
                for kind_list in ("translations", "transcripts", "media_files")
                for i, r in enumerate(getattr(record, kind_list))
            ]
        for table, rows in (
            (t.record_terms, term_rows),
            (t.record_persons, person_rows),
            (t.record_collections, collection_rows),
            (t.renditions, rendition_rows),
        ):
            insert_rows(self.connection, table, rows)

    def _term_links(self, record: Record) -> list[dict[str, object]]:
        rows = []
        for field in TERM_FIELDS:
            for position, term in enumerate(getattr(record, field)):
                rows.append(_term_link(record.id, term.id, field, position))
        if record.rights is not None:
            rows.append(_term_link(record.id, record.rights.id, "rights", 0))
        for position, language in enumerate(record.languages):
            term_id = self.vocabulary.terms[("language", language.id)]
            rows.append(_term_link(record.id, term_id, "languages", position))
        for position, place in enumerate(record.original_coverages):
            rows.append(_term_link(record.id, place.id, "original_coverages", position))
        for position, rendition in enumerate(record.translations):
            if rendition.language is not None:
                term_id = self._term_id("language", Term(name=rendition.language.id))
                rows.append(_term_link(record.id, term_id, "translation_languages", position))
        unique = {(r["term_id"], r["role"]): r for r in rows}
        return list(unique.values())

    def _term_id(self, kind: str, term: Term, parent_id: int | None = None) -> int:
        key = (kind, term.name)
        cached = self.vocabulary.terms.get(key)
        if cached is not None:
            return cached
        row = self.connection.execute(_TERM_ID, {"kind": kind, "name": term.name}).first()
        if row is not None:
            term_id = int(row.id)
        else:
            values: dict[str, object] = {
                "kind": kind,
                "name": term.name,
                "value": term.value,
                "description": term.description,
                "parent_id": parent_id,
            }
            if term.id and term.id.isdigit() and not self._id_taken(int(term.id)):
                values["id"] = int(term.id)
            inserted = self.connection.execute(_INSERT_TERM, values)
            term_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
        self.vocabulary.terms[key] = term_id
        return term_id

    def _id_taken(self, term_id: int) -> bool:
        return (
            self.connection.execute(select(t.terms.c.id).where(t.terms.c.id == term_id)).first()
            is not None
        )

    def _place_id(self, place: Place) -> int:
        cached = self.vocabulary.terms.get(("place", place.name))
        if cached is not None and not place.variants:
            return cached
        parent_id = self._place_id(Place(name=place.parent)) if place.parent else None
        term_id = self._term_id("place", Term(id=place.id, name=place.name), parent_id)
        variants = tuple(place.variants)
        if variants and self.vocabulary.place_variants.get(term_id) != variants:
            self.connection.execute(
                update(t.terms).where(t.terms.c.id == term_id).values(variants=place.variants)
            )
            self.vocabulary.place_variants[term_id] = variants
        return term_id

    def _ensure_collection(self, collection: Collection) -> None:
        if collection.id in self.vocabulary.collections:
            return
        exists = self.connection.execute(_COLLECTION_EXISTS, {"key": collection.id}).first()
        if exists is None:
            self.save_collection(collection)
        self.vocabulary.collections.add(collection.id)


# Statements built once: building one costs SQLAlchemy more than SQLite's work to run it
# (80 against 15 µs for a term lookup), and an ingest runs these thousands of times.
_INSERT_RECORD = insert(t.records)
_EXISTING_RECORDS = select(
    t.records.c.id, t.records.c.content_hash, t.records.c.created_at, t.records.c.first_published_at
).where(t.records.c.id.in_(bindparam("ids", expanding=True)))
_TERM_ID = select(t.terms.c.id).where(
    t.terms.c.kind == bindparam("kind"), t.terms.c.name == bindparam("name")
)
_INSERT_TERM = insert(t.terms)
_COLLECTION_EXISTS = select(t.collections.c.id).where(t.collections.c.id == bindparam("key"))
_INSERT_COLLECTION = insert(t.collections)
_UPDATE_RECORD = (
    update(t.records)
    .where(t.records.c.id == bindparam("old_id"))
    .values({column.name: bindparam(f"new_{column.name}") for column in t.records.columns})
)
_QUEUE_UPSERTS: dict[str, Any] = {}


def _queue_upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE for the index queue, built once per dialect."""
    if dialect not in _QUEUE_UPSERTS:
        module: Any = sqlite if dialect == "sqlite" else postgresql
        statement = module.insert(t.index_queue)
        _QUEUE_UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=[t.index_queue.c.record_id],
            set_={"op": statement.excluded.op, "queued_at": statement.excluded.queued_at},
        )
    return _QUEUE_UPSERTS[dialect]


def _record_row(record: Record, digest: str) -> dict[str, Any]:
    doc_date = record.doc_date
    return {
        "id": record.id,
        "slug": record.slug,
        "title": record.title,
        "description": record.description,
        "doc_date_edtf": doc_date.edtf if doc_date else None,
        "date_start": doc_date.start if doc_date else None,
        "date_end": doc_date.end if doc_date else None,
        "status": record.status,
        "embargo_until": record.embargo_until,
        "source_format": record.source_format,
        "content_hash": digest,
        "data": record_to_json(record),
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "first_published_at": record.first_published_at,
    }


def _person_links(record: Record) -> list[dict[str, object]]:
    rows: dict[tuple[int, str], dict[str, object]] = {}
    for field in PERSON_FIELDS:
        for position, person in enumerate(getattr(record, field)):
            key = (int(person.id or 0), field)
            rows.setdefault(
                key,
                {
                    "record_id": record.id,
                    "person_id": key[0],
                    "role": field,
                    "as_written": person.as_written or person.name,
                    "position": position,
                },
            )
    return list(rows.values())


def _term_link(record_id: str, term_id: object, role: str, position: int) -> dict[str, object]:
    return {
        "record_id": record_id,
        "term_id": int(str(term_id)),
        "role": role,
        "position": position,
    }
