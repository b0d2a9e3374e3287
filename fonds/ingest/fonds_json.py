"""fonds' own record format: JSON, JSON Lines or YAML, one record or many per file.

This is exactly what `fonds export` writes (see docs/record-format.md), so an export
ingests back unchanged; editors also write it by hand, with dates as plain text and people
or subjects as bare strings. A rendition may name a `file` beside the record file, which is
stored as the original.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from fonds.ingest.text import decode
from fonds.model import Collection, IngestError, Record
from fonds.serialize import record_from_json

SUFFIXES = {".json", ".jsonl", ".ndjson", ".yaml", ".yml"}


def sniff(path: Path, head: bytes) -> bool:
    """Ours when it is JSON/YAML with a record's `title` (the archive API's JSON is claimed
    earlier by da_json)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        return False
    if b"fonds_collection" in head:
        return True
    if suffix in {".jsonl", ".ndjson"}:
        first = head.split(b"\n", 1)[0]
        try:
            item = json.loads(first)
        except ValueError:
            return b'"title"' in first and b'"id"' in first
        return isinstance(item, dict) and "id" in item and "title" in item
    if suffix in {".yaml", ".yml"}:
        return bool(re.search(rb"(?m)^\s*-?\s*title\s*:", head)) and bool(
            re.search(rb"(?m)^\s*-?\s*id\s*:", head)
        )
    return b'"title"' in head and b'"id"' in head


def parse(path: Path) -> Iterator[Record | Collection]:
    text = decode(path.read_bytes(), name=path.name)
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as error:
                    raise IngestError(f"line {number}: invalid JSON ({error.msg})") from None
                yield _item(item, path, where=f"line {number}")
        return
    try:
        data: Any = yaml.safe_load(text) if suffix in {".yaml", ".yml"} else json.loads(text)
    except json.JSONDecodeError as error:
        raise IngestError(
            f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except yaml.YAMLError as error:
        raise IngestError(f"invalid YAML: {error}") from None
    items = (
        data
        if isinstance(data, list)
        else data.get("records", [data])
        if isinstance(data, dict)
        else None
    )
    if not items:
        raise IngestError("no records in file (expected an object with a title, or a list)")
    for number, item in enumerate(items, start=1):
        yield _item(item, path, where=f"record {number}")


def _item(data: Any, path: Path, *, where: str) -> Record | Collection:
    if not isinstance(data, dict):
        raise IngestError(f"{where}: expected an object, got {type(data).__name__}")
    try:
        if "fonds_collection" in data:
            return Collection.model_validate(data["fonds_collection"])
        if not data.get("title"):
            raise IngestError(f"{where}: a record needs a title")
        if not data.get("id"):
            raise IngestError(f"{where}: a record needs an id")
        data = {**data, "id": str(data["id"])}
        record = record_from_json(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise IngestError(f"{where}: field {field}: {first['msg']}") from None
    for rendition_data, rendition in zip(_renditions(data), record.renditions, strict=False):
        name = rendition_data.get("file")
        if name:
            file_path = (path.parent / name).resolve()
            if not file_path.is_file():
                raise IngestError(f"{where}: rendition file not found: {name}")
            rendition.source_path = file_path
            rendition.filename = rendition.filename or file_path.name
    if not record.source_format:
        record.source_format = "fonds"
    return record


def _renditions(data: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in ("translations", "transcripts", "media_files"):
        out.extend(r if isinstance(r, dict) else {} for r in data.get(name) or [])
    return out
