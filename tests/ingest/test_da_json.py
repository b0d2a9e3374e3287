"""The archive-API JSON ingester, on the real API samples and hand-written API-shaped files."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from fonds.ingest.da_json import parse, parse_asset, record_id_of_asset, sniff
from fonds.model import Collection, IngestError, Language, Precision, Record
from fonds.serialize import record_to_json

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / ".." / "shared" / "corpus" / "wilson-api"
SEEDS = ROOT / ".." / "shared" / "corpus" / "seeds"
DATA = ROOT / "tests" / "data" / "wilson"


def records(path: Path) -> list[Record]:
    found = list(parse(path))
    assert all(isinstance(item, Record) for item in found)
    return [item for item in found if isinstance(item, Record)]


@pytest.fixture(scope="module")
def record() -> Record:
    [found] = records(DATA / "record-116976.json")
    return found


def test_sniff_knows_api_json_and_not_the_seed_pages() -> None:
    for path in [*API.glob("*.json"), *DATA.glob("*.json")]:
        assert sniff(path, path.read_bytes()[:4096]), path.name
    for path in SEEDS.iterdir():
        assert not sniff(path, path.read_bytes()[:4096]), path.name


def test_collection_keeps_id_slug_and_timestamps() -> None:
    [collection] = list(parse(API / "collection.json"))
    assert isinstance(collection, Collection)
    assert collection.id == "491"
    assert collection.slug == "local-nationalism-in-xinjiang-1957-1958"
    assert collection.name.endswith("in Xinjiang, 1957-1958")
    assert collection.description is not None
    assert collection.description.startswith("<p>At the end of 1957")
    assert collection.short_description is not None
    assert collection.short_description.startswith("In 1957, the Xinjiang Party Committee")
    assert collection.is_inactive is False
    assert collection.source_created_at == datetime(2017, 11, 17, 17, 18, 10)
    assert collection.first_published_at == datetime(2018, 6, 26, 18, 48, 4)
    assert collection.thumb_src == "/assets/collection_asset/000/024/078/24078_thumb.jpg"


def test_bare_transcript_becomes_a_draft_stub_for_the_record_it_names() -> None:
    [stub] = records(API / "transcript.json")
    assert stub.id == "110404"
    assert stub.status == "draft"
    assert stub.extra["stub"] == "asset-only"
    assert stub.extra["assets"][0]["url"] == "/transcripts/33548.html"
    [transcript] = stub.transcripts
    assert transcript.id == "33548"
    assert transcript.filename == "TranscriptFile_110404.html"
    assert "По указанию министра иностранных дел СССР" in transcript.text


def test_asset_helpers_read_the_record_id_and_rendition() -> None:
    data = json.loads((API / "transcript.json").read_text())
    assert record_id_of_asset(data) == "110404"
    rendition = parse_asset(data)
    assert rendition.kind == "transcript"
    assert rendition.html is not None


def test_asset_naming_no_record_is_an_ingest_error(tmp_path: Path) -> None:
    path = tmp_path / "asset.json"
    asset = {"id": "1", "filename": "scan.pdf", "content_type": "application/pdf", "asset_id": "2"}
    path.write_text(json.dumps(asset))
    with pytest.raises(IngestError, match="names no record"):
        list(parse(path))


def test_record_keeps_its_id_title_and_dates(record: Record) -> None:
    assert record.id == "116976"
    assert record.title.startswith("From the Journal of S. V. Chervonenko")
    assert record.doc_date is not None
    assert record.doc_date.start == date(1961, 1, 6)
    assert record.doc_date.precision is Precision.DAY
    assert record.created_at == datetime(2013, 11, 1, 9, 30)
    assert record.first_published_at == datetime(2013, 11, 4, 10, 0)
    assert record.source_format == "da_json"
    assert record.extra["doc_date_raw"] == "19610106"


def test_record_source_is_split_into_reference_and_translator(record: Record) -> None:
    assert record.source is not None and record.source.startswith("AVPRF, fond 0100")
    reference = record.archival_reference
    assert reference is not None
    assert (reference.fond, reference.opis, reference.delo) == ("0100", "55", "9")
    assert reference.raw == "AVPRF, fond 0100, opis 55, papka 454, delo 9, listy 98-105"
    assert record.translator == "Maxim Korobochkin"


def test_record_facets_keep_the_api_ids(record: Record) -> None:
    assert record.languages == [Language(id="rus", name="Russian")]
    assert [(p.id, p.name) for p in record.contributors][0] == ("9002", "Mao, Zedong, 1893-1976")
    assert [p.name for p in record.original_coverages] == ["China", "Soviet Union"]
    assert record.original_coverages[1].parent == "Europe"
    assert record.original_coverages[0].parent is None
    assert [c.slug for c in record.collections] == ["sino-soviet-relations", "mao-zedong"]
    assert [t.name for t in record.donors] == ["Leon Levy Foundation"]
    assert [t.name for t in record.classifications] == ["Top Secret"]
    assert [t.value for t in record.repositories] == ["AVPRF"]
    assert [t.name for t in record.type] == ["Memorandum of Conversation"]
    assert record.rights is not None and record.rights.description == "Fixture text about reuse."
    assert record.links == ["117000"]
    assert record.attachments == []


def test_record_renditions_come_from_asset_stubs(record: Record) -> None:
    [translation] = record.translations
    assert translation.language == Language(id="eng", name="English")
    assert translation.filename == "TranslationFile_116976.html"
    assert "RECORD OF CONVERSATION" in translation.text
    [scan] = record.media_files
    assert (scan.kind, scan.content_type, scan.extension) == ("scan", "application/pdf", "pdf")
    assert record.transcripts == []
    paths = [asset.get("path") for asset in record.extra["assets"]]
    assert "/assets/media_files/000/009/901/9901.pdf" in paths


def test_search_response_yields_each_hit_with_its_precision() -> None:
    hits = records(DATA / "search-records.json")
    assert [hit.id for hit in hits] == ["900001", "900002", "900003"]
    precisions = [hit.doc_date.precision if hit.doc_date else None for hit in hits]
    assert precisions == [Precision.DAY, Precision.MONTH, Precision.YEAR]
    assert all(hit.translations == [] for hit in hits)


def test_truncated_json_names_the_position(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_bytes((API / "collection.json").read_bytes()[:700])
    with pytest.raises(IngestError, match=r"truncated JSON.*line 1, column \d+"):
        list(parse(path))


def test_record_without_title_is_an_ingest_error(tmp_path: Path) -> None:
    path = tmp_path / "untitled.json"
    path.write_text(json.dumps({"id": "5", "doc_date": "19610106", "uri": "/srv/record/5.json"}))
    with pytest.raises(IngestError, match="no title"):
        list(parse(path))


def test_unknown_json_object_is_an_ingest_error(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"hello": "world"}))
    assert not sniff(path, path.read_bytes())
    with pytest.raises(IngestError, match="not an archive-API"):
        list(parse(path))


def test_reparsing_the_same_file_changes_nothing(record: Record) -> None:
    [again] = records(DATA / "record-116976.json")
    assert again.content_hash() == record.content_hash()


def test_json_cut_between_values_is_reported_as_truncated(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"list": [{"id": "1", "title": "A"},')
    with pytest.raises(IngestError, match=r"truncated JSON.*character 36 of 36"):
        list(parse(path))


def test_sniff_leaves_fonds_own_json_to_its_reader(record: Record, tmp_path: Path) -> None:
    exported = tmp_path / "export.json"
    exported.write_text(json.dumps(record_to_json(record)))
    handwritten = tmp_path / "handwritten.json"
    handwritten.write_text(json.dumps({"id": "7", "title": "A note", "doc_date": "1962"}))
    for path in (exported, handwritten):
        assert not sniff(path, path.read_bytes()[:65536])
