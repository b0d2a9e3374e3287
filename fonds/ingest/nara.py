"""NARA's JFK Assassination Records release spreadsheets, as metadata for the scanned PDFs.

NARA publishes one spreadsheet per release (CSV or XLSX) with a row per record number:
title, document date, originator, from/to, document type, file number, pages, review
status. The columns are renamed between years (`Record Num`/`Record Number`, `Doc Date`/
`Document Date`; 2023 adds `Agency`), dates are `MM/DD/YYYY` with `00/00/0000` and
`01/01/0000` for "unknown", and one record can have several rows across releases.

A spreadsheet on its own holds no document, so it is not ingested as records: the ingest
pipeline loads every spreadsheet in a run with `load_metadata`, then describes each PDF
whose name holds a record number with `parse_pdf_with_metadata` (or `apply`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fonds.dates import from_iso, parse_date
from fonds.ingest.ocr import Ocr
from fonds.ingest.pdf import NARA_RECORD_NUMBER, read_record
from fonds.model import (
    ArchivalReference,
    Collection,
    HistoricalDate,
    IngestError,
    Language,
    Person,
    Record,
    Term,
)

SOURCE_FORMAT = "nara"
REPOSITORY = "National Archives and Records Administration"
COLLECTION = Collection(
    id="jfk-records",
    name="JFK Assassination Records Collection",
    slug="jfk-records",
    description="Records released under the President John F. Kennedy Assassination "
    "Records Collection Act of 1992.",
)

# Every header NARA has used, normalised (lower case, single spaces), to our field name.
HEADERS: dict[str, str] = {
    "record num": "record_number",
    "record number": "record_number",
    "file name": "file_name",
    "file title": "file_name",
    "nara release date": "release_date",
    "release date": "release_date",
    "formerly withheld": "formerly_withheld",
    "agency": "agency",
    "doc date": "doc_date",
    "document date": "doc_date",
    "doc type": "doc_type",
    "document type": "doc_type",
    "file num": "file_number",
    "file number": "file_number",
    "to name": "to_name",
    "to": "to_name",
    "from name": "from_name",
    "from": "from_name",
    "title": "title",
    "num pages": "pages",
    "original document pages": "pages",
    "originator": "originator",
    "record series": "record_series",
    "review date": "review_date",
    "comments": "comments",
    "pages released": "pages_released",
    "document pages in pdf": "pages_released",
}

# Originators NARA spells out in some rows and abbreviates in others.
_ORIGINATORS = {
    "CENTRAL INTELLIGENCE AGENCY": "CIA",
    "FEDERAL BUREAU OF INVESTIGATION": "FBI",
    "DEPARTMENT OF STATE": "DOS",
}
# Words that make a From/To value an office, a station or a placeholder, not a person.
_NOT_PERSON_WORDS = frozenset(
    """
    chief director deputy dir station division office section branch staff desk unit
    embassy consulate department dept agency bureau committee commission council board
    headquarters hq sac legat leg record records file files memo memorandum the for of and
    city san santa los las new saint st withheld restricted unknown none various secretary
    president attorney general counsel command army navy air force service services
    cia fbi nsa dos hsca ssci ssca arrb dod osd usa cos dcos wh ci sr jmwave wave mexi
    mexico havana miami paris london moscow tokyo saigon rome madrid bonn washington dc
    report incident invest div plans officer control secret top area multi addes proj project
    jfk de del la el aires cuba info routine spc special asst assistant acting act med group
    team task liaison security operations ops support intelligence review national american
    latin northern southern europe soviet cuban source sources
    """.split()
)
_INITIALS = re.compile(r"^[A-Z]\.?$|^(?:[A-Z]\.){2,}[A-Z]?\.?$")
_SUFFIXES = {"JR", "JR.", "SR", "SR.", "II", "III", "IV"}
_TEXTUAL = re.compile(r"^PAPER\s*[-,]?\s*(TEXTUAL DOCUMENT)?$")


@dataclass
class NaraRow:
    """One record's description, merged from all the rows NARA published for it."""

    record_number: str
    title: str | None = None
    doc_date: HistoricalDate | None = None
    doc_date_text: str | None = None
    doc_type: str | None = None
    file_number: str | None = None
    originator: str | None = None
    agency: str | None = None
    from_name: str | None = None
    to_name: str | None = None
    record_series: str | None = None
    pages: int | None = None
    pages_released: int | None = None
    formerly_withheld: str | None = None
    release_date: str | None = None
    review_date: str | None = None
    comments: str | None = None
    file_name: str | None = None
    sheets: list[str] = field(default_factory=list)
    other: dict[str, str] = field(default_factory=dict)


def sniff(path: Path, head: bytes) -> bool:
    """A NARA spreadsheet: a CSV whose header names a record number, or an .xlsx file."""
    if path.suffix.lower() == ".xlsx":
        return head.startswith(b"PK") and _xlsx_headers_match(path)
    if path.suffix.lower() == ".csv":
        first = head.split(b"\n", 1)[0].decode("utf-8-sig", "replace").lower()
        return "record num" in first and ("doc date" in first or "document date" in first)
    return False


def parse(path: Path) -> Iterator[Record]:
    """A spreadsheet alone yields no records: its rows only describe PDFs (see module doc)."""
    load_metadata([path])  # still read it, so a broken spreadsheet is reported
    return iter(())


def load_metadata(paths: Iterable[Path]) -> dict[str, NaraRow]:
    """Read NARA spreadsheets into record number → merged description.

    When a record appears in several rows, the latest release wins for each field it
    fills; an empty cell never erases a value.
    """
    rows: list[tuple[str, NaraRow]] = []
    for path in paths:
        for row in _read_rows(Path(path)):
            rows.append((_release_key(row.release_date), row))
    rows.sort(key=lambda item: item[0])  # stable: older releases first, newer override
    merged: dict[str, NaraRow] = {}
    for _, row in rows:
        known = merged.get(row.record_number)
        merged[row.record_number] = row if known is None else _merge(known, row)
    return merged


def apply(record: Record, row: NaraRow) -> Record:
    """Describe a PDF's record with its NARA row; returns a new Record."""
    update: dict[str, Any] = {
        "repositories": [Term(name=REPOSITORY)],
        "collections": _with_collection(record.collections),
        "languages": record.languages or [Language(id="eng", name="English")],
    }
    # NARA leaves some titles empty; the record number then reads better than a file name.
    update["title"] = row.title or row.record_number
    if row.doc_date is not None:
        update["doc_date"] = row.doc_date
    creators = [person for person in [_person(row.from_name)] if person]
    contributors = [person for person in [_person(row.to_name)] if person]
    if creators:
        update["creators"] = creators
    if contributors:
        update["contributors"] = contributors
    if row.doc_type:
        update["type"] = [Term(name=_doc_type(row.doc_type))]
    reference = ArchivalReference(
        raw=_source(row),
        repository=REPOSITORY,
        series=row.record_series,
        file=row.file_number,
    )
    update["archival_reference"] = reference
    update["source"] = reference.raw
    update["document_number"] = row.record_number
    update["extra"] = {**record.extra, "nara": _extra(row)}
    return record.model_copy(update=update)


def parse_pdf_with_metadata(
    pdf: Path, metadata: dict[str, NaraRow], *, ocr: Ocr | None = None
) -> Record:
    """Read a JFK PDF and describe it with its NARA row, when `metadata` has one."""
    record = read_record(Path(pdf), ocr=ocr)
    match = NARA_RECORD_NUMBER.search(Path(pdf).stem)
    row = metadata.get(match.group(1)) if match else None
    return apply(record, row) if row is not None else record


def parse_date_cell(value: str | None) -> HistoricalDate | None:
    """A NARA date cell: `MM/DD/YYYY` (zeros for unknown parts), two-digit years, or ISO.

    `00/00/0000`, `01/01/0000` and any year 0 mean "unknown" and give None, not year 0.
    Two-digit years are read as 19YY: every record in the collection predates 2000.
    """
    text = (value or "").strip()
    if not text:
        return None
    short = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2})", text)
    if short:
        month, day, year = short.groups()
        if int(year) == 0:
            return None
        text = f"{month}/{day}/19{year}"
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return from_iso(text[:10])
    return parse_date(text)


def person_from(value: str | None) -> Person | None:
    """A person named in a From/To cell ("WIGREN, LEE H., C/SR/CI/R, CIA" → Lee H. Wigren).

    Offices, stations and placeholders ("DIRECTOR", "MEXICO CITY", "CHIEF, WE", "WITHHELD")
    are not people and give None; the raw value stays in `extra["nara"]`.
    """
    return _person(value)


def _read_rows(path: Path) -> Iterator[NaraRow]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        cells = _csv_rows(path)
    elif suffix in {".xlsx", ".xlsm"}:
        cells = _xlsx_rows(path)
    else:
        raise IngestError(f"not a NARA spreadsheet: {path.name} (expected .csv or .xlsx)")
    header: list[str | None] | None = None
    for raw in cells:
        if header is None:
            header = [_field_name(cell) for cell in raw]
            if "record_number" not in header:
                raise IngestError(
                    f"{path.name} has no record number column; headers are "
                    f"{', '.join(str(c) for c in raw if c)}"
                )
            continue
        values = {
            name: _cell_text(cell)
            for name, cell in zip(header, raw, strict=False)
            if name is not None and _cell_text(cell)
        }
        row = _row(values, raw, header, path.name)
        if row is not None:
            yield row


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield from csv.reader(handle)
    except UnicodeDecodeError:
        with path.open(newline="", encoding="cp1252") as handle:
            yield from csv.reader(handle)
    except (OSError, csv.Error) as error:
        raise IngestError(f"cannot read {path.name}: {error}") from error


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as error:
        raise IngestError(f"cannot read spreadsheet {path.name}: {error}") from error
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _xlsx_headers_match(path: Path) -> bool:
    try:
        first = next(iter(_xlsx_rows(path)), [])
    except IngestError:
        return False
    return "record_number" in {_field_name(cell) for cell in first}


def _field_name(cell: Any) -> str | None:
    if cell is None:
        return None
    key = re.sub(r"[^a-z0-9]+", " ", str(cell).lower()).strip()
    if not key:
        return None
    return HEADERS.get(key, f"other:{key}")


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def _row(
    values: dict[str, str], raw: list[Any], header: list[str | None], sheet: str
) -> NaraRow | None:
    number = values.get("record_number", "")
    if not NARA_RECORD_NUMBER.fullmatch(number):
        return None  # blank or footer lines
    date_text = values.get("doc_date")
    return NaraRow(
        record_number=number,
        title=values.get("title"),
        doc_date=parse_date_cell(date_text),
        doc_date_text=date_text,
        doc_type=values.get("doc_type"),
        file_number=values.get("file_number"),
        originator=_originator(values.get("originator")),
        agency=values.get("agency"),
        from_name=values.get("from_name"),
        to_name=values.get("to_name"),
        record_series=values.get("record_series"),
        pages=_int(values.get("pages")),
        pages_released=_int(values.get("pages_released")),
        formerly_withheld=values.get("formerly_withheld"),
        release_date=_iso_day(values.get("release_date")),
        review_date=_iso_day(values.get("review_date")),
        comments=values.get("comments"),
        file_name=values.get("file_name"),
        sheets=[sheet],
        other={k.removeprefix("other:"): v for k, v in values.items() if k.startswith("other:")},
    )


def _merge(old: NaraRow, new: NaraRow) -> NaraRow:
    changes: dict[str, Any] = {}
    for spec in fields(NaraRow):
        value = getattr(new, spec.name)
        if spec.name == "sheets":
            changes["sheets"] = old.sheets + [s for s in new.sheets if s not in old.sheets]
        elif spec.name == "other":
            changes["other"] = {**old.other, **new.other}
        elif value not in (None, ""):
            changes[spec.name] = value
    return replace(old, **changes)


def _release_key(value: str | None) -> str:
    return value or ""


def _iso_day(value: str | None) -> str | None:
    parsed = parse_date_cell(value)
    if parsed is None or parsed.start is None:
        return value or None
    return parsed.edtf or parsed.start.isoformat()


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value else None
    except ValueError:
        return None


def _originator(value: str | None) -> str | None:
    if not value:
        return None
    return _ORIGINATORS.get(value.upper(), value)


def _doc_type(value: str) -> str:
    """One vocabulary term for NARA's spellings ("PAPER, TEXTUAL DOCUMENT", "paper", ...)."""
    text = " ".join(value.upper().split())
    if _TEXTUAL.match(text):
        return "Paper - textual document"
    return text.capitalize()


def _person(value: str | None) -> Person | None:
    if not value:
        return None
    raw = " ".join(value.split())
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not parts or any(ch.isdigit() for ch in parts[0]) or "/" in parts[0]:
        return None
    surname_words = parts[0].split()
    if len(parts) >= 2 and len(surname_words) == 1 and _given_names(parts[1]):
        # "WIGREN, LEE H., C/SR/CI/R, CIA": surname, given names, then office
        if _is_office(surname_words):
            return None
        name = f"{parts[1]} {parts[0]}"
        suffix = parts[2] if len(parts) > 2 and parts[2].upper() in _SUFFIXES else None
    elif len(surname_words) >= 2 and not _is_office(surname_words):
        # "RICHARD HELMS, DDP", "JOSEPH A. CALIFANO, JR."
        name = parts[0]
        suffix = parts[1] if len(parts) > 1 and parts[1].upper() in _SUFFIXES else None
    else:
        return None
    if suffix:
        name = f"{name} {suffix}"
    return Person(name=_name_case(name), as_written=raw)


def _given_names(text: str) -> bool:
    words = text.split()
    if not words or len(words) > 3:
        return False
    for word in words:
        if _INITIALS.match(word):
            continue
        if not word.isalpha() or len(word) < 3 or word.lower() in _NOT_PERSON_WORDS:
            return False
    return True


def _is_office(words: list[str]) -> bool:
    return any(word.lower().strip(".") in _NOT_PERSON_WORDS for word in words) or any(
        not re.fullmatch(r"[A-Za-z][A-Za-z'.\-]*", word) for word in words
    )


def _name_case(name: str) -> str:
    """Title-case a name written in capitals, keeping initials ("LEE H." → "Lee H.")."""
    if name != name.upper():
        return name
    words = []
    for word in name.split():
        if _INITIALS.match(word):
            words.append(word)
        else:
            words.append("-".join(part.capitalize() for part in word.split("-")))
    text = " ".join(words)
    return re.sub(r"\b(O'|Mc)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def _source(row: NaraRow) -> str:
    parts = [REPOSITORY, COLLECTION.name, f"Record Number {row.record_number}"]
    if row.record_series:
        parts.append(f"Record Series {row.record_series}")
    if row.file_number:
        parts.append(f"File {row.file_number}")
    return ", ".join(parts)


def _extra(row: NaraRow) -> dict[str, Any]:
    data = {
        "record_number": row.record_number,
        "originator": row.originator,
        "agency": row.agency,
        "from": row.from_name,
        "to": row.to_name,
        "doc_type": row.doc_type,
        "doc_date_text": row.doc_date_text,
        "original_pages": row.pages,
        "pages_released": row.pages_released,
        "formerly_withheld": row.formerly_withheld,
        "release_date": row.release_date,
        "review_date": row.review_date,
        "comments": row.comments,
        "file_name": row.file_name,
        "sheets": row.sheets,
        **row.other,
    }
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _with_collection(collections: list[Collection]) -> list[Collection]:
    if any(c.id == COLLECTION.id for c in collections):
        return collections
    return [*collections, COLLECTION]
