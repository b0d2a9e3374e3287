"""The people authority kept on disk between processes (fonds.store.kept_authority)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from sqlalchemy import select

from fonds.archive import open_archive
from fonds.names import Authority
from fonds.store import kept_authority
from fonds.store import tables as t
from fonds.store.people import authority_version

ROWS = [
    {"id": "a", "title": "Talk with the ambassador", "persons_mentioned": ["S. V. Chervonenko"]},
    {"id": "b", "title": "Talk in Peking", "persons_mentioned": ["Mao Tse-tung"]},
]
LATER = [
    {"id": "c", "title": "Another talk", "persons_mentioned": ["Chervonenko, S. V."]},
    {"id": "d", "title": "A letter", "persons_mentioned": ["Мао Цзэдун"]},
]


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n")
    return path


def _people(home: Path) -> dict[str, int]:
    """The person each record names, by id."""
    with open_archive(home, ocr=False) as archive, archive.store.read() as c:
        rows = c.execute(select(t.record_persons.c.record_id, t.record_persons.c.person_id))
        return {row.record_id: row.person_id for row in rows}


def test_a_search_keeps_the_authority_and_the_next_process_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "archive"
    with open_archive(home, ocr=False) as archive:
        archive.ingest(_jsonl(tmp_path / "first.jsonl", ROWS), workers=1)
        assert not (home / kept_authority.FILE).exists()
        assert "Mao Zedong" in archive.expand_name("Mao Tse-tung")
        assert (home / kept_authority.FILE).exists()
        with archive.store.read() as c:
            version = authority_version(c)
    kept = kept_authority.read(home, version)
    assert kept is not None and len(kept) == 2
    assert kept_authority.read(home, (*version[:-1], version[-1] + 1)) is None  # stale

    # Another process: its first write starts from the kept authority (building one would
    # load every stored person into it) and matches the new forms to the same people.
    def not_built(*_: object) -> None:
        raise AssertionError("the authority was built again")

    monkeypatch.setattr(Authority, "load", not_built)
    with open_archive(home, ocr=False) as archive:
        archive.ingest(_jsonl(tmp_path / "later.jsonl", LATER), workers=1)
        monkeypatch.undo()
        forms = archive.expand_name("Мао Цзэдун")  # built again: the ingest added forms
    people = _people(home)
    assert people["c"] == people["a"] and people["d"] == people["b"]
    assert "Mao Tse-tung" in forms


def test_a_broken_or_foreign_file_is_built_again(tmp_path: Path) -> None:
    home = tmp_path / "archive"
    with open_archive(home, ocr=False) as archive:
        archive.ingest(_jsonl(tmp_path / "first.jsonl", ROWS), workers=1)
    (home / kept_authority.FILE).write_bytes(b"\x80\x05 not a pickle")
    with open_archive(home, ocr=False) as archive:
        assert "Mao Zedong" in archive.expand_name("Mao Tse-tung")
        with archive.store.read() as c:
            version = authority_version(c)
    assert kept_authority.read(home, version) is not None  # rewritten whole

    # Kept by other code (another fonds version matches names differently): not used.
    (home / kept_authority.FILE).write_bytes(pickle.dumps((("other code", version), None)))
    assert kept_authority.read(home, version) is None
    with open_archive(home, ocr=False) as archive:
        assert "Mao Zedong" in archive.expand_name("Mao Tse-tung")
