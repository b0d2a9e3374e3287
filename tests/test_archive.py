"""The archive façade on both engines: the real seed pages and archive-API JSON ingest into
full records, re-ingest changes nothing, bad files are reported and skipped, export → ingest
round-trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fonds.archive import Archive, open_archive
from fonds.ingest.pipeline import IngestReport
from fonds.model import Record
from fonds.serialize import record_from_json, record_to_json
from fonds.store import reader

TIMESTAMPS = ("created_at", "updated_at", "first_published_at")


def ingest_seeds(archive: Archive, corpus: Path) -> IngestReport:
    return archive.ingest(corpus / "seeds", corpus / "wilson-api", workers=1)


def deng_record(archive: Archive) -> Record:
    records, _ = archive.records(include_unpublished=True)
    return next(r for r in records if "Deng Xiaoping" in r.title)


def comparable(record: Record) -> dict[str, Any]:
    data = record_to_json(record)
    for name in TIMESTAMPS:
        data.pop(name)
    return data


def test_seed_record_116976_has_every_field_of_the_page(any_archive: Archive, corpus: Path) -> None:
    report = ingest_seeds(any_archive, corpus)
    assert report.ok, report.failures
    record = any_archive.get("116976")
    assert record is not None
    data = record_to_json(record)
    assert data["doc_date"] == "1961-01-06"
    assert data["frontend_doc_date"] == "January 6, 1961"
    assert [lang["id"] for lang in data["languages"]] == ["rus"]
    assert data["translator"] == "Maxim Korobochkin"
    assert [d["name"] for d in data["donors"]] == ["Leon Levy Foundation"]
    assert [c["name"] for c in data["classifications"]] == ["TOP SECRET"]
    reference = data["archival_reference"]
    assert (
        reference["fond"],
        reference["opis"],
        reference["papka"],
        reference["delo"],
        reference["listy"],
    ) == ("0100", "55", "454", "9", "98-105")
    assert reference["repository"] == "AVPRF"
    assert data["source"] == "AVPRF, fond 0100, opis 55, papka 454, delo 9, listy 98-105"
    contributors = [p["name"] for p in data["contributors"]]
    assert {"Mao Zedong", "Yang Shangkun"} <= set(contributors)
    assert [p["name"] for p in data["creators"]] == ["S. V. Chervonenko"]
    assert data["translations"][0]["language"]["id"] == "eng"
    assert "Moscow Conference" in record.body_text


def test_deng_record_keeps_its_document_and_event_dates(any_archive: Archive, corpus: Path) -> None:
    ingest_seeds(any_archive, corpus)
    record = deng_record(any_archive)
    assert record.doc_date is not None and record.doc_date.edtf == "1962-03-28"
    assert record.event_date is not None and record.event_date.edtf == "1962-03-01"
    assert record.translator == "Benjamin Aldrich-Moodie"
    assert "Deng Xiaoping" in [p.name for p in record.contributors]


def test_second_ingest_adds_and_updates_nothing(any_archive: Archive, corpus: Path) -> None:
    first = ingest_seeds(any_archive, corpus)
    before = any_archive.get("116976")
    second = ingest_seeds(any_archive, corpus)
    assert (first.added, first.failures) == (3, [])
    assert (second.added, second.updated, second.unchanged) == (0, 0, 3)
    after = any_archive.get("116976")
    assert before is not None and after is not None and after.updated_at == before.updated_at


def test_changed_input_updates_the_record(any_archive: Archive, tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"id": "d1", "title": "A memorandum", "doc_date": "1962"}))
    assert any_archive.ingest(path, workers=1).added == 1
    first = any_archive.get("d1")
    path.write_text(json.dumps({"id": "d1", "title": "A memorandum", "doc_date": "1962-05"}))
    report = any_archive.ingest(path, workers=1)
    assert (report.added, report.updated) == (0, 1)
    got = any_archive.get("d1")
    assert first is not None and got is not None
    assert got.doc_date is not None and got.doc_date.edtf == "1962-05"
    assert got.updated_at is not None and first.updated_at is not None
    assert got.updated_at > first.updated_at


def write_bad_files(folder: Path) -> dict[str, str]:
    """Four broken inputs, and a word each failure reason must contain."""
    folder.mkdir()
    (folder / "truncated.json").write_text('{"id": "t1", "title": "Cut off in the mid')
    (folder / "empty.json").write_bytes(b"")
    (folder / "blob.bin").write_bytes(bytes(range(256)) * 8)
    (folder / "no-title.txt").write_text(
        "Search in\n\nDigital Archive International History Declassified\n\n"
        "  • Citation\n\n    get citation\n\n    A summary line, and nothing else.\n"
        "  • share document\n"
    )
    (folder / "good.yaml").write_text(
        "id: good-1\ntitle: A record that is fine\ndoc_date: early 1960s\n"
    )
    return {
        "truncated.json": "JSON",
        "empty.json": "empty",
        "blob.bin": "unrecognised",
        "no-title.txt": "no title",
    }


def test_bad_files_are_reported_by_name_and_reason_and_the_rest_is_saved(
    any_archive: Archive, corpus: Path, tmp_path: Path
) -> None:
    expected = write_bad_files(tmp_path / "inbox")
    report = any_archive.ingest(corpus / "seeds", tmp_path / "inbox", workers=1)
    reasons = {Path(f.path).name: f.reason for f in report.failures}
    assert set(reasons) == set(expected)
    for name, word in expected.items():
        assert word.lower() in reasons[name].lower(), (name, reasons[name])
    assert report.added == 3 and not report.ok
    assert any_archive.get("good-1") is not None
    assert any_archive.get("116976") is not None


def test_bad_record_in_a_file_fails_alone(any_archive: Archive, tmp_path: Path) -> None:
    lines = [
        {"id": "ok-1", "title": "First", "contributors": ["Liu Shaoqi"]},
        {
            "id": "bad",
            "title": "Clashing renditions",
            "contributors": ["Peng Zhen"],
            "translations": [
                {"kind": "translation", "id": "x", "html": "<p>a</p>"},
                {"kind": "translation", "id": "x", "html": "<p>b</p>"},
            ],
        },
        {"id": "ok-2", "title": "Third"},
    ]
    path = tmp_path / "three.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    report = any_archive.ingest(path, workers=1)
    assert report.added == 2
    assert [f.record_id for f in report.failures] == ["bad"]
    assert any_archive.get("bad", include_unpublished=True) is None
    with any_archive.store.read() as c:
        assert reader.persons(c, query="Peng")[1] == 0
        assert [p.name for p in reader.persons(c, query="Liu")[0]] == ["Liu Shaoqi"]


def test_export_then_ingest_round_trips_exactly(
    any_archive: Archive, corpus: Path, tmp_path: Path
) -> None:
    ingest_seeds(any_archive, corpus)
    exported = tmp_path / "export.jsonl"
    with exported.open("w", encoding="utf-8") as out:
        assert any_archive.export(out, include_unpublished=True) == 3
    with open_archive(tmp_path / "copy") as copy:
        report = copy.ingest(exported, workers=1)
        assert (report.added, report.failures) == (3, [])
        originals = {r.id: comparable(r) for r in any_archive.iter_records()}
        copies = {r.id: comparable(r) for r in copy.iter_records()}
    assert copies == originals


def test_report_is_written_into_the_archive(archive: Archive, tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"id": "d1", "title": "A memorandum"}))
    archive.ingest(path, workers=1)
    reports = list((archive.settings.home / "reports").glob("ingest-*.json"))
    assert len(reports) == 1
    assert json.loads(reports[0].read_text())["summary"]["added"] == 1


def test_search_finds_names_across_spellings_and_scripts_on_both_engines(
    any_archive: Archive, corpus: Path
) -> None:
    """The embedded default searches with Tantivy, PostgreSQL archives in PostgreSQL."""
    any_archive.ingest(corpus / "seeds", workers=1)
    engine = type(any_archive.index).__name__
    assert engine == (
        "PostgresIndex" if "postgresql" in any_archive.settings.url else "TantivyIndex"
    )
    misspelt = any_archive.search("Chevornenko")
    assert misspelt.total == 2
    assert all("<mark>" in hit.snippet for hit in misspelt.hits)
    cyrillic = any_archive.search("Мао Цзэдун")
    assert "116976" in [hit.id for hit in cyrillic.hits]
    assert any("Mao Zedong" in hit.matched_variants for hit in cyrillic.hits)
    unexpanded = any_archive.search("Мао Цзэдун", expand_names=False)
    assert unexpanded.total == 0
    beijing = any_archive.search("Beijing")  # the Deng record says "Peking"
    assert any("Peking" in hit.matched_variants for hit in beijing.hits)
    people = {facet.label for facet in any_archive.search("").facets["person"]}
    assert {"Mao Zedong", "Deng Xiaoping"} <= people


def test_turning_pages_keeps_the_facet_counts_of_the_first_page(archive: Archive) -> None:
    """The second page reuses the first page's facet counts (they do not depend on the page)."""
    for number in range(30):
        year = 1960 + number % 3
        archive.save(
            record_from_json(
                {
                    "id": f"p{number}",
                    "title": f"Telegram {number} on Berlin",
                    "doc_date": None if number % 10 == 0 else f"{year}-03-01",
                    "subjects": ["Berlin crisis" if number % 2 else "Laos"],
                }
            )
        )
    first = archive.search("Berlin", limit=10, date_from="1960", date_to="1962")
    second = archive.search("Berlin", limit=10, offset=10, date_from="1960", date_to="1962")
    assert {hit.id for hit in first.hits}.isdisjoint(hit.id for hit in second.hits)
    assert second.facets == first.facets and second.histogram == first.histogram
    assert second.undated_count == first.undated_count == 3
    assert {f.label: f.count for f in first.facets["subject"]} == {"Berlin crisis": 15, "Laos": 12}


def test_an_index_from_another_schema_is_rebuilt_from_the_store_on_opening(
    archive: Archive, tmp_path: Path
) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"id": "d1", "title": "A memorandum on Berlin"}))
    archive.ingest(path, workers=1)
    home = archive.settings.home
    archive.close()
    marker = home / "index" / "fonds-search.json"
    assert marker.exists()
    marker.write_text(json.dumps({"schema": 0}))  # as an older fonds left it

    with open_archive(home) as reopened:
        assert [hit.id for hit in reopened.search("Berlin").hits] == ["d1"]


def test_a_short_word_one_letter_from_a_surname_is_not_expanded_to_it(
    archive: Archive, tmp_path: Path
) -> None:
    path = tmp_path / "records.jsonl"
    rows = [
        {"id": "t1", "title": "Memorandum by the Legal Adviser", "creators": ["Tate"]},
        {"id": "c1", "title": "Conversation", "persons_mentioned": ["S. V. Chervonenko"]},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    archive.ingest(path, workers=1)

    assert archive.expand_name("State") == []
    assert "Chervonenko" in archive.expand_name("Chevornenko")
