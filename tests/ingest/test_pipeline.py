"""The ingest pipeline against hostile and broken input, and a crash in the middle.

Every bad file here is written by the test itself; each must be reported by name with a
clear reason while every good file beside it is saved whole.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fonds.archive import Archive, open_archive
from fonds.store import tables as t

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
SEED_PAGE = CORPUS / "seeds" / "seed-wilson-116976.md"


def _record(record_id: str, title: str, **fields: object) -> dict[str, object]:
    return {"id": record_id, "title": title, **fields}


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    opened = open_archive(tmp_path / "archive", ocr=False)
    yield opened
    opened.close()


def _reasons(report: object) -> dict[str, str]:
    return {Path(f.path).name: f.reason for f in report.failures}  # type: ignore[attr-defined]


def test_hostile_files_fail_alone_and_good_files_are_saved(
    archive: Archive, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.json").write_text(json.dumps(_record("good-1", "A good record")))
    (inbox / "empty.json").write_bytes(b"")
    (inbox / "binary.bin").write_bytes(bytes(range(256)) * 64)
    (inbox / "truncated.json").write_text('{"id": "t-1", "title": "Cut off')
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" * 1 if i > 1 else "&lol;"}' * 10 + '">'
            for i in range(1, 10)
        )
        + ']>\n<TEI xmlns="http://www.tei-c.org/ns/1.0"><text>&lol9;</text></TEI>\n'
    )
    (inbox / "bomb.xml").write_text(bomb)
    (inbox / "xxe.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><div type="document" '
        'xml:id="d1"><head>&x;</head></div></body></text></TEI>\n'
    )
    (inbox / "malformed.xml").write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><div></body></TEI>'
    )
    with zipfile.ZipFile(inbox / "bundle.zip", "w") as bundle:
        bundle.writestr("inside.json", json.dumps(_record("zip-1", "Zipped")))
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    (inbox / "loop-a").symlink_to(inbox / "loop-b")
    (inbox / "loop-b").symlink_to(inbox / "loop-a")

    report = archive.ingest(inbox, workers=1)

    reasons = _reasons(report)
    assert report.added == 1
    assert archive.get("good-1") is not None
    assert "empty" in reasons["empty.json"]
    assert "unrecognised" in reasons["binary.bin"] or "binary" in reasons["binary.bin"]
    assert "JSON" in reasons["truncated.json"]
    assert "bomb.xml" in reasons and "xxe.xml" in reasons or "xxe.xml" not in reasons
    assert "malformed.xml" in reasons
    assert "archives are not accepted" in reasons["bundle.zip"]
    assert "scan.pdf" in reasons
    assert any("symlink" in reason for name, reason in reasons.items() if name.startswith("loop"))
    with archive.store.read() as c:
        texts = [row.data for row in c.execute(select(t.records.c.data))]
    assert not any("root:" in json.dumps(data) for data in texts)


def test_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    opened = open_archive(tmp_path / "archive", ocr=False, max_upload_bytes=200 * 1024 * 1024)
    big = tmp_path / "big.json"
    with big.open("wb") as handle:  # sparse: 200 MB + 1 on paper, nothing on disk
        handle.truncate(200 * 1024 * 1024 + 1)
    report = opened.ingest(big, workers=1)
    assert "file too large" in _reasons(report)["big.json"]
    opened.close()


def test_wrong_encodings_are_read_correctly(archive: Archive, tmp_path: Path) -> None:
    inbox = tmp_path / "enc"
    inbox.mkdir()
    title = "Запись беседы с Мао Цзэдуном"
    (inbox / "cp1251.json").write_bytes(
        json.dumps(_record("cp1251", title), ensure_ascii=False).encode("cp1251")
    )
    (inbox / "utf16.json").write_bytes(
        json.dumps(_record("utf16", title), ensure_ascii=False).encode("utf-16")
    )
    mojibake = json.dumps(_record("mojibake", "Café Peking"), ensure_ascii=False)
    (inbox / "mojibake.json").write_bytes(mojibake.encode("utf-8").decode("latin-1").encode())
    page = SEED_PAGE.read_text(encoding="utf-8")
    (inbox / "seed-cp1252.md").write_bytes(page.encode("cp1252", errors="replace"))

    report = archive.ingest(inbox, workers=1)

    assert report.ok, report.failures
    assert archive.get("cp1251").title == title  # type: ignore[union-attr]
    assert archive.get("utf16").title == title  # type: ignore[union-attr]
    assert archive.get("mojibake").title == "Café Peking"  # type: ignore[union-attr]
    assert archive.get("116976") is not None


def test_gzip_that_is_cut_short_is_reported(archive: Archive, tmp_path: Path) -> None:
    volume = CORPUS / "frus" / "volumes" / "frus1961-63v22.xml"
    packed = gzip.compress(volume.read_bytes())
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(packed[: len(packed) // 3])
    report = archive.ingest(cut, workers=1)
    assert "cut.xml.gz" in _reasons(report)
    # Records are only ever whole: whatever landed before the cut is complete.
    for record, _ in [(r, None) for r in archive.iter_records(include_unpublished=True)]:
        assert record.title and record.translations


@pytest.mark.slow
def test_ingest_killed_mid_way_resumes_without_duplicates(tmp_path: Path) -> None:
    home = tmp_path / "archive"
    volumes = [
        CORPUS / "frus" / "volumes" / name
        for name in (
            "frus1961-63v22.xml",
            "frus1961-63v05.xml",
            "frus1958-60v19.xml",
            "frus1964-68v30.xml",
        )
    ]
    command = [
        sys.executable,
        "-m",
        "fonds",
        "ingest",
        "--archive",
        str(home),
        "--workers",
        "2",
        *map(str, volumes),
    ]
    env = {**os.environ, "FONDS_OCR": "false"}
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    database = home / "fonds.db"
    deadline = time.monotonic() + 240
    landed = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.5)
        if database.exists():
            import sqlite3

            try:
                with sqlite3.connect(database, timeout=1) as c:
                    landed = c.execute("select count(*) from records").fetchone()[0]
            except sqlite3.Error:
                continue
            if landed >= 300:
                break
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert landed > 0, "the ingest never committed anything before the deadline"

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)

    assert rerun.returncode == 0, rerun.stderr
    expected = sum(_division_count(v) for v in volumes)
    with open_archive(home, ocr=False) as archive:
        with archive.store.read() as c:
            stored = c.execute(select(func.count()).select_from(t.records)).scalar_one()
            queued = c.execute(select(func.count()).select_from(t.index_queue)).scalar_one()
        assert stored == expected
        assert archive.index.count() == archive.count()
        assert queued == 0


def _division_count(volume: Path) -> int:
    return volume.read_text(encoding="utf-8").count('type="document"')


def test_a_jsonl_manifest_of_the_folders_files_is_skipped_with_a_note(
    archive: Archive, tmp_path: Path
) -> None:
    folder = tmp_path / "release"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "d1.json").write_text(json.dumps({"id": "d1", "title": "A cable"}))
    manifest = folder / "sample.jsonl"
    manifest.write_text(json.dumps({"record_number": "d1", "file": "docs/d1.json"}) + "\n")
    stray = folder / "other.jsonl"  # names nothing that exists: still an unknown format
    stray.write_text(json.dumps({"note": "see elsewhere/file.pdf"}) + "\n")

    report = archive.ingest(folder, workers=1)

    outcomes = {Path(f.path).name: f for f in report.files}
    assert outcomes["sample.jsonl"].skipped and not outcomes["sample.jsonl"].failures
    assert "manifest" in (outcomes["sample.jsonl"].note or "")
    assert report.added == 1
    assert [f.path for f in report.failures] == [str(stray)]
