"""The store on both engines: records round-trip whole, saves are idempotent, and a failed save
leaves no trace. Every test runs on SQLite and on a real PostgreSQL (`any_archive`)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from fonds.archive import Archive
from fonds.dates import parse_date
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
from fonds.store import reader
from fonds.store import tables as t
from fonds.store.people import PersonResolver

LINK_TABLES = (t.record_terms, t.record_persons, t.record_collections, t.renditions)


def rich_record(record_id: str = "rec-1", **changes: object) -> Record:
    """A record with every kind of part the store links: people, places, terms, renditions."""
    record = Record(
        id=record_id,
        slug="record-of-conversation",
        title="Record of Conversation with Mao Zedong, 26 December 1960",
        description="The ambassador reports a cordial conversation.",
        doc_date=parse_date("January 6, 1961"),
        event_date=parse_date("1960-12-26"),
        source="AVPRF, fond 0100, opis 55, papka 454, delo 9, listy 98-105",
        archival_reference=ArchivalReference(
            raw="AVPRF, fond 0100, opis 55, papka 454, delo 9, listy 98-105",
            repository="AVPRF",
            fond="0100",
            opis="55",
            papka="454",
            delo="9",
            listy="98-105",
        ),
        creators=[Person(name="S. V. Chervonenko", description="Soviet ambassador in Beijing")],
        contributors=[
            Person(name="Mao Zedong", variants=["Mao Tse-tung"]),
            Person(name="Yang Shangkun"),
        ],
        original_coverages=[
            Place(name="Beijing", parent="China", variants=["Peking"]),
            Place(name="Soviet Union"),
        ],
        subjects=[Term(name="Sino-Soviet relations"), Term(name="Moscow Conference, 1960")],
        collections=[Collection(id="sino-soviet", name="Sino-Soviet Relations")],
        languages=[Language(id="rus", name="Russian")],
        donors=[Term(name="Leon Levy Foundation")],
        classifications=[Term(name="TOP SECRET")],
        type=[Term(name="Memorandum of Conversation")],
        rights=Term(name="Demo data written for fonds; not a historical document"),
        translator="Maxim Korobochkin",
        copy_number="3",
        outgoing_number="9",
        translations=[
            Rendition(
                kind="translation",
                language=Language(id="eng", name="English"),
                html="<p>The conversation lasted more than an hour.</p>",
            )
        ],
        transcripts=[
            Rendition(
                kind="transcript",
                language=Language(id="rus", name="Russian"),
                html="<p>Беседа продолжалась более часа.</p>",
            )
        ],
        extra={"note": "kept as given"},
    )
    return record.model_copy(update=changes)


def rows_for(archive: Archive, record_id: str) -> dict[str, int]:
    """How many rows each table holds for `record_id`."""
    counts: dict[str, int] = {}
    with archive.store.read() as c:
        for table in (t.records, *LINK_TABLES):
            column = table.c.id if table is t.records else table.c.record_id
            query = select(func.count()).select_from(table).where(column == record_id)
            counts[table.name] = int(c.execute(query).scalar_one())
    return counts


def test_saved_record_reads_back_whole(any_archive: Archive) -> None:
    record = rich_record()
    assert any_archive.save(record) == "added"
    got = any_archive.get("rec-1")
    assert got is not None
    assert got.content_hash() == record.content_hash()
    assert got.doc_date is not None and got.doc_date.edtf == "1961-01-06"
    assert got.event_date is not None and got.event_date.edtf == "1960-12-26"
    assert got.archival_reference == record.archival_reference
    assert [p.name for p in got.contributors] == ["Mao Zedong", "Yang Shangkun"]
    assert got.original_coverages[0].parent == "China"
    assert got.transcripts[0].text == "Беседа продолжалась более часа."
    assert got.extra == {"note": "kept as given"}
    assert got.created_at is not None and got.updated_at == got.created_at


def test_saved_record_gets_ids_for_its_parts(any_archive: Archive) -> None:
    any_archive.save(rich_record())
    got = any_archive.get("rec-1")
    assert got is not None
    assert all(p.id and p.id.isdigit() for p in got.people)
    assert all(s.id and s.id.isdigit() for s in got.subjects)
    assert [r.id for r in got.renditions] == ["rec-1-translation-1", "rec-1-transcript-1"]
    assert rows_for(any_archive, "rec-1") == {
        "records": 1,
        "record_terms": 10,
        "record_persons": 3,
        "record_collections": 1,
        "renditions": 2,
    }


def test_translation_languages_are_linked_for_facets(any_archive: Archive) -> None:
    """The role name "translation_languages" once overflowed VARCHAR(20) on PostgreSQL."""
    any_archive.save(rich_record())
    with any_archive.store.read() as c:
        linked = reader.terms(c, "language", role="translation_languages")
    assert [(term.name, term.count) for term in linked if term.count] == [("eng", 1)]


def test_saving_the_same_record_again_changes_nothing(any_archive: Archive) -> None:
    any_archive.save(rich_record())
    first = any_archive.get("rec-1")
    assert any_archive.save(rich_record()) == "unchanged"
    again = any_archive.get("rec-1")
    assert first is not None and again is not None
    assert again.updated_at == first.updated_at
    assert rows_for(any_archive, "rec-1")["record_terms"] == 10


def test_changed_record_is_updated_with_a_newer_timestamp(any_archive: Archive) -> None:
    any_archive.save(rich_record())
    first = any_archive.get("rec-1")
    time.sleep(0.01)
    changed = rich_record(description="A corrected summary.", subjects=[Term(name="Agriculture")])
    assert any_archive.save(changed) == "updated"
    got = any_archive.get("rec-1")
    assert first is not None and got is not None
    assert got.description == "A corrected summary."
    assert got.updated_at is not None and first.updated_at is not None
    assert got.updated_at > first.updated_at
    assert got.created_at == first.created_at
    with any_archive.store.read() as c:
        subjects = {s.name: s.count for s in reader.terms(c, "subject")}
    assert subjects["Agriculture"] == 1
    assert subjects["Sino-Soviet relations"] == 0


def test_failure_while_saving_leaves_no_trace_of_the_record(any_archive: Archive) -> None:
    """Two renditions with one id fail at the last insert, after the links were written."""
    with any_archive.store.read() as c:
        people_before = c.execute(select(func.count()).select_from(t.persons)).scalar_one()
    clash = [
        Rendition(kind="translation", id="same", html="<p>a</p>"),
        Rendition(kind="translation", id="same", html="<p>b</p>"),
    ]
    broken = rich_record(
        "broken", translations=clash, contributors=[Person(name="Nobody Else Named")]
    )
    with pytest.raises(IntegrityError):
        any_archive.save(broken)
    assert set(rows_for(any_archive, "broken").values()) == {0}
    with any_archive.store.read() as c:
        people_after = c.execute(select(func.count()).select_from(t.persons)).scalar_one()
        queued = c.execute(select(t.index_queue.c.record_id)).scalars().all()
    assert people_after == people_before
    assert "broken" not in queued


def test_missing_rendition_file_fails_the_save_and_keeps_the_old_version(
    any_archive: Archive, tmp_path: Path
) -> None:
    any_archive.save(rich_record())
    scan = Rendition(
        kind="scan",
        filename="scan.pdf",
        content_type="application/pdf",
        source_path=tmp_path / "does-not-exist.pdf",
    )
    with pytest.raises(FileNotFoundError):
        any_archive.save(rich_record(description="new", media_files=[scan]))
    got = any_archive.get("rec-1")
    assert got is not None and got.description == "The ambassador reports a cordial conversation."
    assert rows_for(any_archive, "rec-1")["renditions"] == 2


def test_rendition_file_is_stored_once_by_its_sha256(any_archive: Archive, tmp_path: Path) -> None:
    original = tmp_path / "scan.pdf"
    original.write_bytes(b"%PDF-1.4 a tiny stand-in scan")
    digest = hashlib.sha256(original.read_bytes()).hexdigest()
    for record_id in ("a", "b"):
        scan = Rendition(
            kind="scan", filename="scan.pdf", content_type="application/pdf", source_path=original
        )
        any_archive.save(rich_record(record_id, media_files=[scan]))
    got = any_archive.get("b")
    assert got is not None
    assert got.media_files[0].sha256 == digest
    assert got.media_files[0].size == original.stat().st_size
    assert any_archive.store.files.path(digest).read_bytes() == original.read_bytes()
    with any_archive.store.read() as c:
        assert c.execute(select(func.count()).select_from(t.files)).scalar_one() == 1


def test_terms_people_and_collections_are_linked_and_counted(any_archive: Archive) -> None:
    any_archive.save(rich_record("a"))
    second = rich_record(
        "b",
        contributors=[Person(name="Mao Tse-tung")],
        collections=[Collection(id="deng", name="Deng Xiaoping", parent="sino-soviet")],
        subjects=[Term(name="Sino-Soviet relations")],
    )
    any_archive.save(second)
    any_archive.save(rich_record("draft", status="draft"))
    with any_archive.store.read() as c:
        subjects = {s.name: s.count for s in reader.terms(c, "subject")}
        places = {p.name: p for p in reader.terms(c, "place")}
        people, total = reader.persons(c, query="Mao")
        collections = {info.id: info for info in reader.collections(c)}
        languages = {term.name for term in reader.terms(c, "language")}
    assert subjects == {"Sino-Soviet relations": 2, "Moscow Conference, 1960": 1}
    assert places["Beijing"].parent_id == places["China"].id
    assert places["Beijing"].variants == ["Peking"]
    assert total == 1 and people[0].name == "Mao Zedong"
    assert people[0].count == 3  # drafts count for people: editors see them in the authority
    assert collections["sino-soviet"].count == 1
    assert collections["deng"].parent_id == "sino-soviet"
    assert [child.id for child in collections["sino-soviet"].children] == ["deng"]
    assert languages == {"rus", "eng"}


def test_drafts_are_hidden_from_readers_but_not_from_editors(any_archive: Archive) -> None:
    any_archive.save(rich_record("draft", status="draft"))
    assert any_archive.get("draft") is None
    assert any_archive.get("draft", include_unpublished=True) is not None
    assert any_archive.count() == 0
    assert any_archive.count(include_unpublished=True) == 1


def test_records_list_in_date_order_and_by_collection(any_archive: Archive) -> None:
    any_archive.save(rich_record("late", doc_date=parse_date("March 28, 1962")))
    any_archive.save(rich_record("undated", doc_date=None, collections=[]))
    any_archive.save(rich_record("early", doc_date=parse_date("1958")))
    records, total = any_archive.records()
    assert total == 3
    assert [r.id for r in records] == ["early", "late", "undated"]
    in_collection, count = any_archive.records(collection="sino-soviet")
    assert count == 2 and {r.id for r in in_collection} == {"early", "late"}
    by_year, _ = any_archive.records(year=1962)
    assert [r.id for r in by_year] == ["late"]


def test_deleting_a_record_removes_its_links(any_archive: Archive) -> None:
    any_archive.save(rich_record())
    assert any_archive.delete("rec-1") is True
    assert set(rows_for(any_archive, "rec-1").values()) == {0}
    assert any_archive.delete("rec-1") is False


def test_many_records_save_in_one_transaction(any_archive: Archive) -> None:
    with any_archive.store.write() as writer:
        outcomes = [writer.save(rich_record(f"r{n}")) for n in range(50)]
    assert outcomes == ["added"] * 50
    assert any_archive.count() == 50
    exported = [r.id for r in any_archive.iter_records()]
    assert exported == sorted(exported) and len(exported) == 50


def test_people_authority_is_kept_between_writes_and_dropped_after_a_rollback(
    any_archive: Archive,
) -> None:
    """Loading the authority costs seconds at archive scale, so committed writes hand it on;
    a rollback, or another writer changing the people, makes the next write load it anew."""
    store = any_archive.store
    with store.write() as writer:
        writer.save(Record(id="a", title="A", creators=[Person(name="Zhou Enlai")]))
        kept = writer.people
    with store.write() as writer:
        assert writer.people is kept
        writer.save(Record(id="b", title="B", creators=[Person(name="Chou En-lai")]))
    with pytest.raises(RuntimeError), store.write() as writer:
        writer.save(Record(id="c", title="C", creators=[Person(name="Liu Shaoqi")]))
        raise RuntimeError("the transaction fails after Liu Shaoqi was added")
    with store.write() as writer:
        assert writer.people is not kept
        kept = writer.people
        writer.save(Record(id="c", title="C", creators=[Person(name="Liu Shaoqi")]))
    with store.engine.begin() as c:  # another writer adds a person behind our back
        PersonResolver(c).resolve(Person(name="Peng Zhen"))
    with store.write() as writer:
        assert writer.people is not kept
    with store.read() as c:
        people = {p.name: p.count for p in reader.persons(c)[0]}
    assert people == {"Zhou Enlai": 2, "Liu Shaoqi": 1, "Peng Zhen": 0}
