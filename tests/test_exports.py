"""Bulk export: CSV, and BagIt bags that import into an empty archive exactly."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import bagit
import pytest

from fonds import exports
from fonds.archive import Archive, open_archive
from fonds.model import Record
from fonds.serialize import record_to_json
from tests.web.open_api_fixture import DRAFT, HAND_MADE, build_archive

TIMESTAMPS = ("created_at", "updated_at", "first_published_at")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return build_archive(tmp_path_factory.mktemp("source"))


@pytest.fixture(scope="module")
def bag(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bags") / "bag"
    assert exports.write_bag(archive, folder) == archive.count()
    return folder


def comparable(record: Record) -> dict[str, Any]:
    data = record_to_json(record)
    for name in TIMESTAMPS:
        data.pop(name)
    return data


def test_csv_has_a_row_per_public_record(archive: Archive) -> None:
    out = io.StringIO()
    assert exports.write_csv(archive, out) == archive.count()
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert DRAFT not in rows and len(rows) == archive.count()
    seed = rows["116976"]
    assert seed["frontend_doc_date"] == "January 6, 1961"
    assert seed["languages"] == "rus"
    assert "Mao Zedong" in seed["contributors"].split(exports.LIST_SEPARATOR)
    assert rows[HAND_MADE]["donors"] == "Leon Levy Foundation; Blavatnik Family Foundation"


def test_bag_validates_and_holds_records_and_originals(bag: Path, archive: Archive) -> None:
    checked = bagit.Bag(str(bag))
    checked.validate()
    assert "sha256" in checked.algorithms
    scan = archive.get("104-10004-10143").media_files[0]  # type: ignore[union-attr]
    assert (bag / "data" / "files" / str(scan.sha256)).stat().st_size == scan.size
    lines = (bag / "data" / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == archive.count()


def test_bag_imports_into_an_empty_archive_exactly(
    bag: Path, archive: Archive, tmp_path: Path
) -> None:
    copy = open_archive(tmp_path / "copy")
    try:
        assert exports.import_bag(copy, bag) == archive.count()
        before = {r.id: comparable(r) for r in archive.iter_records()}
        after = {r.id: comparable(r) for r in copy.iter_records()}
        assert before.keys() == after.keys()
        assert [i for i in before if before[i] != after[i]] == []
        scan = copy.get("104-10004-10143").media_files[0]  # type: ignore[union-attr]
        assert copy.store.files.has(str(scan.sha256))
        assert copy.search("Khrushchev").total == archive.search("Khrushchev").total
    finally:
        copy.close()


def test_damaged_bag_is_refused_and_leaves_nothing(bag: Path, tmp_path: Path) -> None:
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(bag, damaged)
    records = damaged / "data" / "records.jsonl"
    records.write_text(records.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    copy = open_archive(tmp_path / "copy")
    try:
        with pytest.raises(ValueError, match="not a valid bag"):
            exports.import_bag(copy, damaged)
        assert copy.count() == 0
    finally:
        copy.close()


def test_bag_needs_an_empty_folder(archive: Archive, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="not empty"):
        exports.write_bag(archive, tmp_path / "taken")
