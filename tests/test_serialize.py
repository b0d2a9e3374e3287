"""fonds' own JSON: archive-API names out, the same (or an editor's shorter) shape back in."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fonds.dates import from_iso, parse_date
from fonds.model import (
    ArchivalReference,
    Collection,
    Language,
    Person,
    Place,
    Record,
    Rendition,
    Term,
)
from fonds.serialize import record_from_json, record_to_json

ARCHIVE_API_NAMES = (
    "id",
    "title",
    "description",
    "doc_date",
    "frontend_doc_date",
    "source",
    "languages",
    "creators",
    "contributors",
    "original_coverages",
    "subjects",
    "collections",
    "donors",
    "classifications",
    "translations",
    "transcripts",
    "media_files",
    "publishers",
    "repositories",
    "themes",
    "type",
    "rights",
)


def full_record() -> Record:
    return Record(
        id="116976",
        slug="record-of-conversation",
        title="Record of Conversation with Mao Zedong",
        description="A cordial conversation.",
        doc_date=parse_date("January 6, 1961"),
        event_date=parse_date("26 December 1960"),
        source="AVPRF, fond 0100, opis 55, papka 454, delo 9, listy 98-105",
        archival_reference=ArchivalReference(
            raw="AVPRF, fond 0100", repository="AVPRF", fond="0100"
        ),
        creators=[Person(id="1", name="S. V. Chervonenko")],
        contributors=[Person(id="2", name="Mao Zedong", variants=["Mao Tse-tung"])],
        original_coverages=[Place(id="3", name="Beijing", parent="China", variants=["Peking"])],
        subjects=[Term(id="4", name="Sino-Soviet relations")],
        collections=[Collection(id="sino-soviet", name="Sino-Soviet Relations", parent="cold-war")],
        languages=[Language(id="rus", name="Russian")],
        donors=[Term(name="Leon Levy Foundation")],
        classifications=[Term(name="TOP SECRET")],
        rights=Term(name="Demo data written for fonds; not a historical document"),
        translator="Maxim Korobochkin",
        translations=[
            Rendition(kind="translation", id="t1", language=Language(id="eng"), html="<p>Text.</p>")
        ],
        transcripts=[
            Rendition(
                kind="transcript",
                language=Language(id="chi", name="Chinese"),
                html="<p>谈话记录</p>",
            )
        ],
        created_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        updated_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        extra={"url": "https://example.org/document/116976"},
    )


def test_json_uses_the_archive_api_field_names() -> None:
    data = record_to_json(full_record())
    for name in ARCHIVE_API_NAMES:
        assert name in data, name


def test_dates_are_iso_with_a_display_form_and_a_range() -> None:
    data = record_to_json(full_record())
    assert data["doc_date"] == "1961-01-06"
    assert data["frontend_doc_date"] == "January 6, 1961"
    assert data["event_date"] == "1960-12-26"
    assert data["frontend_event_date"] == "December 26, 1960"
    assert (data["date_range_start"], data["date_range_end"]) == ("1961-01-06", "1961-01-06")
    assert data["doc_date_detail"]["precision"] == "day"
    assert data["doc_date_detail"]["text"] == "January 6, 1961"


def test_uncertain_date_is_edtf_with_a_range() -> None:
    data = record_to_json(Record(id="x", title="X", doc_date=parse_date("1962?")))
    assert data["doc_date"] == "1962?"
    assert (data["date_range_start"], data["date_range_end"]) == ("1962-01-01", "1962-12-31")


def test_flagged_date_has_no_iso_form_but_keeps_its_words() -> None:
    data = record_to_json(Record(id="x", title="X", doc_date=from_iso("0201-06-05")))
    assert data["doc_date"] is None
    assert data["frontend_doc_date"] == "0201-06-05"
    assert data["doc_date_detail"]["flag"] == "implausible year 0201"
    assert data["date_range_start"] is None
    back = record_from_json(data).doc_date
    assert back is not None and back.flag == "implausible year 0201"


def test_undated_record() -> None:
    data = record_to_json(Record(id="x", title="X"))
    assert data["doc_date"] is None and data["frontend_doc_date"] is None
    assert record_from_json(data).doc_date is None


def test_json_is_plain_json() -> None:
    data = record_to_json(full_record())
    assert json.loads(json.dumps(data)) == data
    assert data["created_at"] == "2024-01-02T03:04:05Z"


def test_round_trip_is_exact() -> None:
    record = full_record()
    assert record_from_json(record_to_json(record)) == record
    again = record_to_json(record_from_json(record_to_json(record)))
    assert again == record_to_json(record)


def test_round_trip_through_json_text() -> None:
    record = full_record()
    text = json.dumps(record_to_json(record), ensure_ascii=False)
    assert record_from_json(json.loads(text)) == record


def test_source_path_is_never_written() -> None:
    scan = Rendition(kind="scan", filename="scan.pdf", source_path=Path("/tmp/scan.pdf"))
    record = Record(id="x", title="X", media_files=[scan])
    assert "source_path" not in record_to_json(record)["media_files"][0]


def test_editors_short_forms_are_read() -> None:
    record = record_from_json(
        {
            "id": "x",
            "title": "Short forms",
            "doc_date": "March 1962",
            "event_date": "1962?",
            "creators": ["Mao Tse-tung"],
            "subjects": ["Berlin Crisis, 1961"],
            "donors": ["A Foundation"],
            "rights": "Demo data written for fonds",
            "languages": ["rus", {"id": "chi", "name": "Chinese"}],
            "collections": ["berlin"],
            "original_coverages": ["Berlin", {"name": "Beijing", "parent": "China"}],
            "translations": [{"kind": "translation", "language": "eng", "html": "<p>x</p>"}],
        }
    )
    assert record.doc_date is not None and record.doc_date.edtf == "1962-03"
    assert record.event_date is not None and record.event_date.uncertain
    assert [p.name for p in record.creators] == ["Mao Tse-tung"]
    assert [s.name for s in record.subjects] == ["Berlin Crisis, 1961"]
    assert record.rights is not None and record.rights.name == "Demo data written for fonds"
    assert [lang.id for lang in record.languages] == ["rus", "chi"]
    assert record.collections == [Collection(id="berlin", name="berlin")]
    assert record.original_coverages[1] == Place(name="Beijing", parent="China")
    assert record.translations[0].language == Language(id="eng")


@pytest.mark.parametrize(
    ("value", "edtf", "precision"),
    [
        ("1961-01-06", "1961-01-06", "day"),
        ("1962-21", "1962-21", "season"),
        ("196X", "196X", "decade"),
        ("early 1960s", "196X", "decade"),
        ("1962-03-28?", "1962-03-28?", "day"),
        ("circa 1960", "1960~", "year"),
    ],
)
def test_hand_written_dates(value: str, edtf: str, precision: str) -> None:
    date_value = record_from_json({"id": "x", "title": "X", "doc_date": value}).doc_date
    assert date_value is not None
    assert (date_value.edtf, date_value.precision.value, date_value.text) == (
        edtf,
        precision,
        value,
    )


def test_exported_display_text_is_kept_as_the_words() -> None:
    date_value = record_from_json(
        {"id": "x", "title": "X", "doc_date": "1961-01-06", "frontend_doc_date": "January 6, 1961"}
    ).doc_date
    assert date_value is not None and date_value.text == "January 6, 1961"


def test_unreadable_date_is_kept_and_flagged() -> None:
    date_value = record_from_json(
        {"id": "x", "title": "X", "doc_date": "the week before the plenum"}
    ).doc_date
    assert date_value is not None
    assert (date_value.text, date_value.flag) == ("the week before the plenum", "unreadable date")


def test_empty_date_is_no_date() -> None:
    assert record_from_json({"id": "x", "title": "X", "doc_date": ""}).doc_date is None


def test_reading_does_not_change_the_input() -> None:
    data: dict[str, Any] = {
        "id": "x",
        "title": "X",
        "translations": [{"kind": "translation", "language": "eng", "html": "<p>x</p>"}],
    }
    before = copy.deepcopy(data)
    record_from_json(data)
    assert data == before


@settings(deadline=None)
@given(st.text(max_size=40))
def test_any_hand_written_date_reads_without_error(value: str) -> None:
    record = record_from_json({"id": "x", "title": "X", "doc_date": value})
    assert record_from_json(record_to_json(record)) == record
