"""Bulk export and import: CSV for spreadsheets, BagIt bags for other archives and backups.

JSON Lines (fonds' own record format) is `Archive.export`; this module adds a flat CSV, one
row per record, and a BagIt bag (RFC 8493) that carries everything needed to rebuild the
archive elsewhere: the records, the vocabularies and people with their ids, the
collections, and every stored original, each under a SHA-256 checksum the bag validates.
`import_bag` reads such a bag into an archive (an empty one reproduces the source exactly,
ids included). `fonds export --format csv|bagit` calls these.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import bagit
from sqlalchemy import Connection, insert, select

from fonds import __version__
from fonds.dates import display
from fonds.model import Collection, Record
from fonds.serialize import record_from_json, record_to_json
from fonds.store import tables as t

if TYPE_CHECKING:
    from fonds.archive import Archive

# The CSV's columns, in order; lists are joined with LIST_SEPARATOR.
CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "doc_date",
    "frontend_doc_date",
    "date_range_start",
    "date_range_end",
    "description",
    "source",
    "creators",
    "contributors",
    "persons_mentioned",
    "original_coverages",
    "subjects",
    "themes",
    "collections",
    "languages",
    "repositories",
    "donors",
    "publishers",
    "classifications",
    "type",
    "rights",
    "translator",
    "document_number",
    "translations",
    "transcripts",
    "media_files",
    "status",
    "first_published_at",
    "updated_at",
    "slug",
)
LIST_SEPARATOR = "; "
BAG_RECORDS = "records.jsonl"
BAG_COLLECTIONS = "collections.jsonl"
BAG_TERMS = "terms.jsonl"
BAG_PERSONS = "persons.jsonl"
BAG_FILES = "files"


def write_csv(archive: Archive, out: IO[str], *, include_unpublished: bool = False) -> int:
    """Write one CSV row per record (public ones unless asked) and return the count."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for record in archive.iter_records(include_unpublished=include_unpublished):
        writer.writerow(csv_row(record))
        count += 1
    return count


def csv_row(record: Record) -> dict[str, str]:
    """The record flattened to text cells: names, not ids, so a spreadsheet reads well."""
    data = record_to_json(record)

    def names(items: Iterable[Any]) -> str:
        return LIST_SEPARATOR.join(getattr(item, "name", None) or str(item) for item in items)

    def files(kind: str) -> str:
        renditions = getattr(record, kind)
        return LIST_SEPARATOR.join(r.filename or r.id or "" for r in renditions)

    return {
        "id": record.id,
        "title": record.title,
        "doc_date": data["doc_date"] or "",
        "frontend_doc_date": display(record.doc_date) if record.doc_date else "",
        "date_range_start": data["date_range_start"] or "",
        "date_range_end": data["date_range_end"] or "",
        "description": record.description or "",
        "source": record.source or "",
        "creators": names(record.creators),
        "contributors": names(record.contributors),
        "persons_mentioned": names(record.persons_mentioned),
        "original_coverages": names(record.original_coverages),
        "subjects": names(record.subjects),
        "themes": names(record.themes),
        "collections": names(record.collections),
        "languages": LIST_SEPARATOR.join(lang.id for lang in record.languages),
        "repositories": names(record.repositories),
        "donors": names(record.donors),
        "publishers": names(record.publishers),
        "classifications": names(record.classifications),
        "type": names(record.type),
        "rights": record.rights.name if record.rights else "",
        "translator": record.translator or "",
        "document_number": record.document_number or "",
        "translations": files("translations"),
        "transcripts": files("transcripts"),
        "media_files": files("media_files"),
        "status": record.status,
        "first_published_at": _stamp(record.first_published_at),
        "updated_at": _stamp(record.updated_at),
        "slug": record.slug,
    }


def write_bag(archive: Archive, folder: Path, *, include_unpublished: bool = False) -> int:
    """Write the archive as a BagIt bag in `folder` (new or empty), validate it, return the
    count of records.

    The payload: records.jsonl (fonds' JSON), collections.jsonl, terms.jsonl and
    persons.jsonl (so ids survive), and files/<sha256> for every stored original.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty; a bag needs a folder of its own")
    folder.mkdir(parents=True, exist_ok=True)
    files_dir = folder / BAG_FILES
    files_dir.mkdir()
    count = 0
    with (folder / BAG_RECORDS).open("w", encoding="utf-8") as out:
        for record in archive.iter_records(include_unpublished=include_unpublished):
            out.write(json.dumps(record_to_json(record), ensure_ascii=False) + "\n")
            for rendition in record.renditions:
                digest = rendition.sha256
                if digest and archive.store.files.has(digest):
                    target = files_dir / digest
                    if not target.exists():
                        shutil.copyfile(archive.store.files.path(digest), target)
            count += 1
    with archive.store.read() as c:
        _write_jsonl(folder / BAG_COLLECTIONS, _collection_rows(c))
        _write_jsonl(folder / BAG_TERMS, _term_rows(c))
        _write_jsonl(folder / BAG_PERSONS, _person_rows(c))
    bag = bagit.make_bag(
        str(folder),
        bag_info={
            "Source-Organization": archive.settings.site_name,
            "External-Description": f"fonds {__version__} export: {count} records",
            "Bag-Software-Agent": f"fonds {__version__}",
        },
        checksums=["sha256"],
    )
    bag.validate()
    return count


def import_bag(archive: Archive, folder: Path) -> int:
    """Validate the bag in `folder` and load it into `archive`; return the records saved.

    Everything is written in one transaction: a bag that fails half-way leaves nothing.
    Raises ValueError when the bag is not valid.
    """
    try:
        bag = bagit.Bag(str(folder))
        bag.validate()
    except (bagit.BagError, bagit.BagValidationError) as error:
        raise ValueError(f"not a valid bag: {error}") from error
    data = Path(folder) / "data"
    files_dir = data / BAG_FILES
    if files_dir.is_dir():
        for path in sorted(files_dir.iterdir()):
            archive.store.files.put(path, path.name)
    count = 0
    with archive.store.write() as writer:
        c = writer.connection
        _load_terms(c, _read_jsonl(data / BAG_TERMS))
        _load_persons(c, _read_jsonl(data / BAG_PERSONS))
        rows = _read_jsonl(data / BAG_COLLECTIONS)
        collections = [Collection.model_validate(row) for row in rows]
        # Parents before children, so a child's placeholder parent is never left behind.
        for collection in sorted(collections, key=lambda col: col.parent is not None):
            writer.save_collection(collection)
        for row in _read_jsonl(data / BAG_RECORDS):
            writer.save(record_from_json(row))
            count += 1
    archive.index  # noqa: B018 - opens (creating) the index so the sync below fills it
    archive.sync_index()
    return count


# -- private -------------------------------------------------------------------------------


def _stamp(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _collection_rows(c: Connection) -> Iterator[dict[str, Any]]:
    for row in c.execute(select(t.collections).order_by(t.collections.c.id)):
        data = dict(row._mapping)
        data["parent"] = data.pop("parent_id")
        data["editors"] = data.get("editors") or []
        yield Collection.model_validate(data).model_dump(mode="json")


def _term_rows(c: Connection) -> Iterator[dict[str, Any]]:
    for row in c.execute(select(t.terms).order_by(t.terms.c.id)):
        yield dict(row._mapping)


def _person_rows(c: Connection) -> Iterator[dict[str, Any]]:
    names: dict[int, list[dict[str, Any]]] = {}
    for row in c.execute(select(t.person_names).order_by(t.person_names.c.id)):
        data = dict(row._mapping)
        data.pop("id")
        names.setdefault(int(data.pop("person_id")), []).append(data)
    for row in c.execute(select(t.persons).order_by(t.persons.c.id)):
        yield {**dict(row._mapping), "names": names.get(row.id, [])}


def _load_terms(c: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Vocabulary terms with their ids (when free), parents after the terms they point to."""
    pending = list(rows)
    known = {(r.kind, r.name) for r in c.execute(select(t.terms.c.kind, t.terms.c.name))}
    taken = {int(i) for (i,) in c.execute(select(t.terms.c.id))}
    for row in sorted(pending, key=lambda r: (r.get("parent_id") is not None, r["id"])):
        if (row["kind"], row["name"]) in known:
            continue
        values = {k: row.get(k) for k in ("kind", "name", "value", "description", "variants")}
        parent = row.get("parent_id")
        values["parent_id"] = parent if parent in taken else None
        if row["id"] not in taken:
            values["id"] = row["id"]
        inserted = c.execute(insert(t.terms).values(values)).inserted_primary_key
        assert inserted is not None
        taken.add(int(inserted[0]))
        known.add((row["kind"], row["name"]))


def _load_persons(c: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """People with their ids (when free) and every form of their names."""
    taken = {int(i) for (i,) in c.execute(select(t.persons.c.id))}
    keys = {k for (k,) in c.execute(select(t.person_names.c.key))}
    for row in rows:
        values = {k: row.get(k) for k in ("name", "description", "birth_year", "death_year")}
        if row["id"] in taken:
            continue
        c.execute(insert(t.persons).values(id=row["id"], **values))
        taken.add(int(row["id"]))
        for name in row.get("names") or []:
            if name["key"] in keys:
                continue
            c.execute(insert(t.person_names).values(person_id=row["id"], **name))
            keys.add(name["key"])
