"""fonds' own record format: the JSON that `fonds show`, `fonds export` and the API write.

Field names are the archive API's (`doc_date`, `frontend_doc_date`, `original_coverages`,
...), dates are ISO 8601 / EDTF, and fonds' additions sit under names of their own
(`event_date`, `archival_reference`, `doc_date_detail`). `record_from_json` reads the same
shape back, and also the short forms an editor writes by hand (a date as plain text, a
person or subject as a bare string), so export → ingest round-trips exactly.
"""

from __future__ import annotations

from typing import Any

from fonds.dates import display, from_edtf, parse_date
from fonds.model import HistoricalDate, Record

FORMAT_VERSION = 1
_DATE_FIELDS = ("doc_date", "event_date")
_PERSON_LISTS = ("creators", "contributors", "persons_mentioned")
_TERM_LISTS = (
    "subjects",
    "themes",
    "repositories",
    "donors",
    "publishers",
    "classifications",
    "type",
)
_RENDITION_LISTS = ("translations", "transcripts", "media_files")


def record_to_json(record: Record) -> dict[str, Any]:
    """The record as fonds' JSON: archive-API names, ISO dates, nothing left out."""
    data = record.model_dump(mode="json")
    for name in _DATE_FIELDS:
        value: HistoricalDate | None = getattr(record, name)
        frontend = "frontend_doc_date" if name == "doc_date" else "frontend_event_date"
        data[name] = value.edtf if value is not None and not value.flag else None
        data[frontend] = display(value) if value is not None else None
        data[f"{name}_detail"] = value.model_dump(mode="json") if value is not None else None
    doc_date = record.doc_date
    data["date_range_start"] = (
        doc_date.start.isoformat() if doc_date is not None and doc_date.start else None
    )
    data["date_range_end"] = (
        doc_date.end.isoformat() if doc_date is not None and doc_date.end else None
    )
    return data


def record_from_json(data: dict[str, Any]) -> Record:
    """Read a record from fonds' JSON, or from the shorter form an editor writes by hand."""
    data = dict(data)
    for name in _DATE_FIELDS:
        frontend = "frontend_doc_date" if name == "doc_date" else "frontend_event_date"
        shown = data.pop(frontend, None)
        detail = data.pop(f"{name}_detail", None)
        value = data.get(name)
        if detail:
            data[name] = HistoricalDate.model_validate(detail)
        elif isinstance(value, str):
            parsed = from_edtf(value, shown) if _looks_edtf(value) else None
            data[name] = parsed or parse_date(value)
            if data[name] is None and value.strip():
                data[name] = HistoricalDate(text=value, flag="unreadable date")
    data.pop("date_range_start", None)
    data.pop("date_range_end", None)
    for name in (*_PERSON_LISTS, *_TERM_LISTS, "original_coverages"):
        data[name] = [{"name": v} if isinstance(v, str) else v for v in data.get(name) or []]
    if isinstance(data.get("rights"), str):
        data["rights"] = {"name": data["rights"]}
    data["languages"] = [
        {"id": v} if isinstance(v, str) else v for v in data.get("languages") or []
    ]
    data["collections"] = [
        {"id": v, "name": v} if isinstance(v, str) else v for v in data.get("collections") or []
    ]
    for name in _RENDITION_LISTS:
        data[name] = [
            {**r, "language": {"id": r["language"]}}
            if isinstance(r, dict) and isinstance(r.get("language"), str)
            else r
            for r in data.get(name) or []
        ]
    return Record.model_validate(data)


def _looks_edtf(value: str) -> bool:
    return bool(value) and (value[0].isdigit() or value[0] == "-") and " " not in value.strip()
