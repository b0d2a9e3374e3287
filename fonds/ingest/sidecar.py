"""Sidecar metadata: editors describe files in a CSV or YAML file kept next to them.

A scan or a PDF says little about itself, so editors write what they know in a sidecar:
`metadata.csv` (or `fonds.csv`) with a row per file, `fonds.yaml`/`metadata.yaml` with an
entry per file, or `<file>.yaml` beside one file (`memo.pdf.yaml`). Columns carry the
record fields' own names (see docs/sidecar.md); lists are separated by `;`. The ingest
pipeline calls `find_sidecars` on each folder, `load_sidecar` on what it finds, and
`apply_sidecar` on each record parsed from a described file: the editor's word overrides
whatever the file itself said.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from iso639 import Language as IsoLanguage
from iso639 import LanguageNotFoundError

from fonds.dates import parse_date
from fonds.model import (
    ArchivalReference,
    Collection,
    HistoricalDate,
    IngestError,
    Language,
    Person,
    Place,
    Record,
    Term,
    slugify,
)

SIDECAR_NAMES = ("metadata.csv", "fonds.csv", "fonds.yaml", "fonds.yml", "metadata.yaml")
FOLDER_SIDECAR_NAMES = frozenset(SIDECAR_NAMES) | {"metadata.yml"}
YAML_SUFFIXES = (".yaml", ".yml")
LIST_SEPARATOR = ";"
# The key under which a folder-wide row applies to every file of the folder.
ALL_FILES = "*"

_STATUSES = ("draft", "published", "embargoed")


def _text(value: Any, column: str) -> str:
    return _scalar(value, column)


def _date(value: Any, column: str) -> HistoricalDate:
    text = _scalar(value, column)
    parsed = parse_date(text)
    if parsed is None:
        raise IngestError(f"sidecar column {column!r}: cannot read {text!r} as a date")
    return parsed


def _people(value: Any, column: str) -> list[Person]:
    return [Person(name=name) for name in _list(value, column)]


def _places(value: Any, column: str) -> list[Place]:
    return [Place(name=name) for name in _list(value, column)]


def _terms(value: Any, column: str) -> list[Term]:
    return [Term(name=name) for name in _list(value, column)]


def _term(value: Any, column: str) -> Term:
    return Term(name=_scalar(value, column))


def _strings(value: Any, column: str) -> list[str]:
    return _list(value, column)


def _collections(value: Any, column: str) -> list[Collection]:
    return [
        Collection(id=slugify(name) or name, name=name, slug=slugify(name))
        for name in _list(value, column)
    ]


def _languages(value: Any, column: str) -> list[Language]:
    languages = []
    for code in _list(value, column):
        try:
            found = IsoLanguage.match(code.lower() if len(code) <= 3 else code)
        except LanguageNotFoundError as error:
            raise IngestError(
                f"sidecar column {column!r}: {code!r} is not an ISO 639 language code"
            ) from error
        languages.append(Language(id=found.part2b or found.part3, name=found.name))
    return languages


def _status(value: Any, column: str) -> str:
    text = _scalar(value, column).lower()
    if text not in _STATUSES:
        raise IngestError(f"sidecar column {column!r}: {text!r} is not one of {_STATUSES}")
    return text


def _day(value: Any, column: str) -> date:
    if isinstance(value, date):
        return value
    text = _scalar(value, column)
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise IngestError(
            f"sidecar column {column!r}: {text!r} is not a YYYY-MM-DD date"
        ) from error


def _reference(value: Any, column: str) -> ArchivalReference:
    from fonds.ingest.wilson_page import parse_archival_reference

    return parse_archival_reference(_scalar(value, column))


# Column → how its cell becomes the record field of the same name.
COLUMNS: dict[str, Callable[[Any, str], Any]] = {
    "id": _text,
    "slug": _text,
    "title": _text,
    "description": _text,
    "doc_date": _date,
    "event_date": _date,
    "source": _text,
    "archival_reference": _reference,
    "citation": _text,
    "languages": _languages,
    "creators": _people,
    "contributors": _people,
    "persons_mentioned": _people,
    "original_coverages": _places,
    "place_written": _text,
    "subjects": _terms,
    "themes": _terms,
    "collections": _collections,
    "repositories": _terms,
    "donors": _terms,
    "publishers": _terms,
    "classifications": _terms,
    "type": _terms,
    "rights": _term,
    "translator": _text,
    "copy_number": _text,
    "outgoing_number": _text,
    "document_number": _text,
    "links": _strings,
    "attachments": _strings,
    "status": _status,
    "embargo_until": _day,
}
# `file` names the described file; `extra.<key>` columns land in record.extra[<key>].
VALID_COLUMNS = ("file", *COLUMNS, "extra.*")


def find_sidecars(folder: Path) -> list[Path]:
    """The sidecar files in `folder`: folder-wide ones first, then `<file>.yaml` ones.

    A `<file>.yaml` counts only when `<file>` exists beside it, so data YAML is left alone.
    """
    folder = Path(folder)
    found = [folder / name for name in sorted(FOLDER_SIDECAR_NAMES) if (folder / name).is_file()]
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in YAML_SUFFIXES and path.name not in FOLDER_SIDECAR_NAMES:
            described = path.with_suffix("")
            if described.suffix and described.is_file():
                found.append(path)
    return found


def is_sidecar(path: Path) -> bool:
    """Whether `path` is a sidecar (so the pipeline does not ingest it as a record)."""
    path = Path(path)
    if path.name.lower() in FOLDER_SIDECAR_NAMES:
        return True
    described = path.with_suffix("")
    return path.suffix.lower() in YAML_SUFFIXES and bool(described.suffix) and described.is_file()


def load_sidecar(path: Path) -> dict[str, dict[str, Any]]:
    """Read a sidecar into described file name → {column: value}, checking the columns.

    Empty cells are dropped: an empty cell means "not said", never "erase".
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(path)
    elif path.suffix.lower() in YAML_SUFFIXES:
        rows = _yaml_rows(path)
    else:
        raise IngestError(f"not a sidecar: {path.name} (expected .csv, .yaml or .yml)")
    described: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows, start=1):
        cleaned = {str(k).strip(): v for k, v in row.items() if k is not None and not _empty(v)}
        name = cleaned.pop("file", None)
        if name is None:
            raise IngestError(f"{path.name}: entry {number} has no 'file' column")
        _check_columns(cleaned, path.name)
        key = str(name).strip()
        described[key] = {**described.get(key, {}), **cleaned}
    return described


def apply_sidecar(record: Record, row: dict[str, Any]) -> Record:
    """Return `record` with the sidecar row's values in place of its own.

    Raises IngestError for a column that is not a record field, naming the valid ones.
    """
    _check_columns(row, "sidecar")
    update: dict[str, Any] = {}
    extra = dict(record.extra)
    for column, value in row.items():
        if column == "file" or _empty(value):
            continue
        if column.startswith("extra."):
            extra[column.removeprefix("extra.")] = value
            continue
        update[column] = COLUMNS[column](value, column)
    if extra != record.extra:
        update["extra"] = extra
    if "id" in update and "slug" not in update:
        update["slug"] = slugify(update["id"])
    return record.model_copy(update=update)


def row_for(sidecars: dict[str, dict[str, Any]], filename: str) -> dict[str, Any]:
    """The merged row for one file: the folder-wide `*` row, then the file's own row."""
    return {**sidecars.get(ALL_FILES, {}), **sidecars.get(filename, {})}


def _check_columns(row: dict[str, Any], where: str) -> None:
    for column in row:
        if column != "file" and column not in COLUMNS and not column.startswith("extra."):
            raise IngestError(
                f"{where}: unknown column {column!r}; valid columns are {', '.join(VALID_COLUMNS)}"
            )


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise IngestError(f"cannot read sidecar {path.name}: {error}") from error


def _yaml_rows(path: Path) -> list[dict[str, Any]]:
    """Rows from YAML: a list of entries with `file`, a mapping file → entry, or one entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise IngestError(f"cannot read sidecar {path.name}: {error}") from error
    if data is None:
        return []
    own_file = path.with_suffix("").name
    is_per_file = path.name.lower() not in FOLDER_SIDECAR_NAMES
    if isinstance(data, list):
        entries = data
    elif isinstance(data, dict) and is_per_file:
        entries = [{"file": own_file, **data}]
    elif isinstance(data, dict) and "file" in data:
        entries = [data]
    elif isinstance(data, dict) and all(isinstance(v, dict) for v in data.values()):
        entries = [{"file": name, **fields} for name, fields in data.items()]
    else:
        raise IngestError(
            f"{path.name}: expected a list of entries with 'file', or a mapping of file names"
        )
    if not all(isinstance(entry, dict) for entry in entries):
        raise IngestError(f"{path.name}: every entry must be a mapping of columns to values")
    return entries


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _scalar(value: Any, column: str) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | dict):
        raise IngestError(f"sidecar column {column!r} takes one value, not {value!r}")
    return " ".join(str(value).split())


def _list(value: Any, column: str) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(LIST_SEPARATOR)
    return [_scalar(item, column) for item in items if not _empty(item) and str(item).strip()]
