"""Ingest JSON from the Digital Archive API (`/srv/…json`): records, collections, searches.

The archive API (`../shared/corpus/wilson-api/README.md`) is how another archive's holdings
arrive in bulk, and `/srv` in fonds answers in the same shape, so what this module reads the
compatibility layer must be able to write back. Imported ids are kept: a record that was
`/document/116976` stays 116976. An asset (Transcript, Translation, MediaFile) saved on its own
carries no record metadata; it names its record only through its filename
(`TranscriptFile_110404.html`), so it becomes a draft stub record flagged in `extra`, which an
editor completes or a later ingest of the full record replaces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from fonds.dates import from_iso, parse_date
from fonds.ingest.wilson_page import parse_archival_reference, translator_from
from fonds.model import (
    Collection,
    HistoricalDate,
    IngestError,
    Language,
    Person,
    Place,
    Record,
    Rendition,
    RenditionKind,
    Term,
    slugify,
)

SOURCE_FORMAT = "da_json"

# What only the archive API writes: a YYYYMMDD doc_date, a /srv/ uri, an asset id, or a
# collection's flags. fonds' own JSON reuses the API's field names (see fonds.serialize), so
# the keys only fonds writes rule a file out: that format is read by fonds_json.
_API_MARKS = re.compile(
    r'"doc_date"\s*:\s*"\d{8}"|"uri"\s*:\s*"\\?/srv\\?/|"asset_id"\s*:'
    r'|"(?:short_description|is_inactive|sort_string_by_coverage)"\s*:'
)
_FONDS_MARKS = re.compile(
    r'"(?:fonds_collection|event_date|archival_reference|source_format|doc_date_detail)"\s*:'
)
_SEARCH = re.compile(r'^\s*\{\s*"(?:list|pagination)"\s*:')
_ASSET_RECORD_ID = re.compile(r"^(?:Transcript|Translation|Media)\w*?_(\d+)\.\w+$")
_ASSET_KINDS: dict[str, RenditionKind] = {
    "transcripts": "transcript",
    "translations": "translation",
    "media_files": "scan",
}
_TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
# Fields kept in Record.extra because the model has no place of its own for them.
_RECORD_EXTRAS = (
    "uri",
    "frontend_doc_date",
    "pdf_generated_at",
    "date_range_start",
    "sort_string_by_coverage",
    "main_src",
    "model",
)


def sniff(path: Path, head: bytes) -> bool:
    """Is this archive-API JSON: a record, a collection, a search response or an asset?"""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if text[:1] not in {"{", "["}:
        return False
    if _FONDS_MARKS.search(text):
        return False
    return bool(_SEARCH.match(text) or _API_MARKS.search(text))


def parse(path: Path) -> Iterator[Record | Collection]:
    """Yield the records and collections in one archive-API JSON file.

    A search response yields each hit; a bare asset yields a draft stub for the record it
    names. Raises IngestError for invalid JSON (with the position) and unknown shapes.
    """
    data = _load(path)
    items = _items(data, path)
    for index, item in enumerate(items):
        where = f"{path.name}" if len(items) == 1 else f"{path.name} item {index + 1}"
        try:
            yield _convert(item, where)
        except ValidationError as error:
            raise IngestError(f"{where}: not a valid archive-API object: {error}") from error


def parse_record(data: dict[str, Any]) -> Record:
    """Convert one archive-API Document (hydrated or a search stub) into a Record."""
    title = _text(data.get("title"))
    record_id = _text(data.get("id"))
    if not record_id or not title:
        raise IngestError(f"archive-API record {record_id or '(no id)'} has no title or no id")
    source = _text(data.get("source")) or None
    reference = parse_archival_reference(source) if source else None
    translator, translated_for = translator_from(source) if source else (None, None)
    extra: dict[str, Any] = {k: data[k] for k in _RECORD_EXTRAS if data.get(k) is not None}
    if data.get("doc_date") is not None:
        extra["doc_date_raw"] = data["doc_date"]
    if translated_for:
        extra["translated_for"] = translated_for
    renditions = {kind: _renditions(data.get(key), kind) for key, kind in _ASSET_KINDS.items()}
    assets = [_asset_extra(a) for key in _ASSET_KINDS for a in _list(data.get(key))]
    if assets:
        extra["assets"] = assets
    return Record(
        id=record_id,
        slug=_text(data.get("slug")) or slugify(title),
        title=title,
        description=_text(data.get("description")) or None,
        doc_date=_doc_date(data),
        source=source,
        archival_reference=reference,
        creators=[_person(c) for c in _list(data.get("creators"))],
        contributors=[_person(c) for c in _list(data.get("contributors"))],
        original_coverages=[_place(c) for c in _list(data.get("original_coverages"))],
        subjects=_terms(data.get("subjects")),
        themes=_terms(data.get("themes")),
        collections=[parse_collection(c) for c in _list(data.get("collections"))],
        languages=[_language(lang) for lang in _list(data.get("languages"))],
        repositories=_terms(data.get("repositories")),
        donors=_terms(data.get("donors")),
        publishers=_terms(data.get("publishers")),
        classifications=_terms(data.get("classifications")),
        type=_terms(data.get("type")),
        rights=_right(data.get("rights")),
        translator=translator,
        translations=renditions["translation"],
        transcripts=renditions["transcript"],
        media_files=renditions["scan"],
        links=_refs(data.get("links")),
        attachments=_refs(data.get("attachments")),
        created_at=_timestamp(data.get("source_created_at")),
        updated_at=_timestamp(data.get("source_updated_at")),
        first_published_at=_timestamp(data.get("first_published_at")),
        source_format=SOURCE_FORMAT,
        extra=extra,
    )


def parse_collection(data: dict[str, Any]) -> Collection:
    """Convert an archive-API Collection (hydrated, a search stub, or nested in a record)."""
    name = _text(data.get("name")) or _text(data.get("value"))
    parent = data.get("parent")
    return Collection(
        id=_text(data.get("id")),
        name=name,
        slug=_text(data.get("slug")) or slugify(name),
        description=_text(data.get("description")) or None,
        short_description=_text(data.get("short_description")) or None,
        parent=_text(parent.get("id")) or None if isinstance(parent, dict) else None,
        is_inactive=_flag(data.get("is_inactive")),
        main_src=_text(data.get("main_src")) or None,
        thumb_src=_text(data.get("thumb_src")) or None,
        source_created_at=_timestamp(data.get("source_created_at")),
        source_updated_at=_timestamp(data.get("source_updated_at")),
        first_published_at=_timestamp(data.get("first_published_at")),
    )


def parse_asset(data: dict[str, Any]) -> Rendition:
    """Convert an archive-API asset (Transcript, Translation or MediaFile) into a Rendition.

    A hydrated asset brings its `html`; a PDF's bytes are never in the JSON, so a scan
    arrives as a stub naming its file.
    """
    return _rendition(data, _asset_kind(data))


def record_id_of_asset(data: dict[str, Any]) -> str | None:
    """The id of the record an asset belongs to, read from its filename, if it names one."""
    match = _ASSET_RECORD_ID.match(_text(data.get("filename")))
    return match.group(1) if match else None


def _load(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise IngestError(f"{path.name}: cannot read the file: {error.strerror}") from error
    if not raw.strip():
        raise IngestError(f"{path.name}: the file is empty")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise IngestError(f"{path.name}: not UTF-8 JSON (bad byte at {error.start})") from error
    except json.JSONDecodeError as error:
        text = error.doc.rstrip()
        cut = error.msg.startswith("Unterminated") or error.pos >= len(text) - 1
        reason = "truncated JSON" if cut else "invalid JSON"
        raise IngestError(
            f"{path.name}: {reason}: {error.msg} (line {error.lineno}, column {error.colno},"
            f" character {error.pos} of {len(text)})"
        ) from error


def _items(data: Any, path: Path) -> list[dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("list"), list):
        items: list[Any] = data["list"]
    elif isinstance(data, list):
        items = data
    else:
        items = [data]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise IngestError(
                f"{path.name}: item {index + 1} is a JSON {type(item).__name__}, not an object"
            )
    return items


def _convert(item: dict[str, Any], where: str) -> Record | Collection:
    model = _text(item.get("model")).lower()
    uri = _text(item.get("uri"))
    is_collection = model == "collection" or "/collection/" in uri or "short_description" in item
    if "title" not in item and (is_collection or ("slug" in item and "name" in item)):
        return parse_collection(item)
    if model == "record" or "/record/" in uri or "title" in item or "doc_date" in item:
        try:
            return parse_record(item)
        except IngestError as error:
            raise IngestError(f"{where}: {error}") from error
    if "filename" in item and ("asset_id" in item or "content_type" in item):
        return _stub_for_asset(item, where)
    keys = ", ".join(sorted(item)[:8]) or "none"
    raise IngestError(
        f"{where}: not an archive-API record, collection, search response or asset (keys: {keys})"
    )


def _stub_for_asset(item: dict[str, Any], where: str) -> Record:
    """A draft record holding an asset that came without its record."""
    record_id = record_id_of_asset(item)
    kind = _asset_kind(item)
    if record_id is None:
        raise IngestError(
            f"{where}: an archive-API {kind} asset whose filename "
            f"({_text(item.get('filename')) or 'none'}) names no record"
        )
    rendition = _rendition(item, kind)
    return Record(
        id=record_id,
        title=f"Record {record_id} ({kind} only, no metadata)",
        status="draft",
        translations=[rendition] if kind == "translation" else [],
        transcripts=[rendition] if kind == "transcript" else [],
        media_files=[rendition] if kind == "scan" else [],
        source_format=SOURCE_FORMAT,
        extra={"stub": "asset-only", "assets": [_asset_extra(item)]},
    )


def _asset_kind(data: dict[str, Any]) -> RenditionKind:
    filename = _text(data.get("filename"))
    if filename.startswith("Translation") or isinstance(data.get("language"), dict):
        return "translation"
    if filename.startswith("Transcript"):
        return "transcript"
    if "path" in data or _text(data.get("extension")).lower() == "pdf":
        return "scan"
    return "transcript"


def _renditions(value: Any, kind: RenditionKind) -> list[Rendition]:
    return [_rendition(item, kind) for item in _list(value)]


def _rendition(data: dict[str, Any], kind: RenditionKind) -> Rendition:
    body = data.get("html")
    if not isinstance(body, str) and isinstance(data.get("raw"), str):
        body = data["raw"]
    language = data.get("language")
    return Rendition(
        kind=kind,
        id=_text(data.get("id")) or None,
        language=_language(language) if isinstance(language, dict) else None,
        filename=_text(data.get("filename")) or None,
        content_type=_text(data.get("content_type")) or "text/html",
        html=body if isinstance(body, str) and body.strip() else None,
    )


def _asset_extra(data: dict[str, Any]) -> dict[str, Any]:
    """What the model has no field for: where the asset lived on the source archive."""
    keys = ("id", "filename", "asset_id", "url", "path", "source_created_at", "source_updated_at")
    return {key: data[key] for key in keys if data.get(key) is not None}


def _doc_date(data: dict[str, Any]) -> HistoricalDate | None:
    """The display date keeps the precision ("March 1962", "1962?") that YYYYMMDD loses;
    YYYYMMDD with 00 for an unknown month or day is read as month or year precision."""
    shown = _text(data.get("frontend_doc_date"))
    parsed = parse_date(shown) if shown else None
    if parsed is not None and parsed.is_known:
        return parsed
    compact = _text(data.get("doc_date"))
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", compact)
    if match:
        year, month, day = match.groups()
        iso = (
            year if month == "00" else f"{year}-{month}" if day == "00" else f"{year}-{month}-{day}"
        )
        return from_iso(iso)
    return from_iso(compact) if compact else parsed


def _timestamp(value: Any) -> datetime | None:
    text = _text(value)
    for layout in _TIMESTAMP_FORMATS:
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _person(data: dict[str, Any]) -> Person:
    name = _text(data.get("name")) or _text(data.get("value"))
    return Person(id=_text(data.get("id")) or None, name=name)


def _place(data: dict[str, Any]) -> Place:
    parent = data.get("parent")  # an object, or [] when there is none
    return Place(
        id=_text(data.get("id")) or None,
        name=_text(data.get("name")) or _text(data.get("value")),
        parent=_text(parent.get("name")) or None if isinstance(parent, dict) else None,
    )


def _terms(value: Any) -> list[Term]:
    return [_term(item) for item in _list(value)]


def _term(data: dict[str, Any]) -> Term:
    name = _text(data.get("name")) or _text(data.get("value")) or _text(data.get("title"))
    return Term(
        id=_text(data.get("id")) or None,
        name=name,
        value=_text(data.get("value")) or None,
        description=_text(data.get("description")) or None,
    )


def _right(value: Any) -> Term | None:
    if not isinstance(value, dict):
        return None
    term = _term(value)
    if value.get("rights"):
        term.description = _text(value["rights"])
    return term


def _language(data: dict[str, Any]) -> Language:
    return Language(id=_text(data.get("id")), name=_text(data.get("name")))


def _refs(value: Any) -> list[str]:
    """Linked or attached records by id (the API nests Documents; ids suffice here)."""
    items = value if isinstance(value, list) else []
    ids = [
        _text(item.get("id")) or _text(item.get("uri")) if isinstance(item, dict) else _text(item)
        for item in items
    ]
    return [record_id for record_id in ids if record_id]


def _list(value: Any) -> list[dict[str, Any]]:
    """The API sends null, [] or a list of objects; a single object counts as one."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()
