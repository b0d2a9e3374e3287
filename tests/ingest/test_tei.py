"""The TEI ingester on hand-written fixtures (tests/data/tei) and on the real FRUS corpus."""

from __future__ import annotations

import csv
import gzip
import re
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from fonds.ingest.tei import parse, sniff
from fonds.ingest.tei_frus import _listed_aliases
from fonds.ingest.tei_html import tidy
from fonds.ingest.tei_source import classification_of, read_source_note, split_sentences
from fonds.model import Collection, IngestError, Person, Record, html_to_text

DATA = Path(__file__).resolve().parents[1] / "data" / "tei"
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
FRUS = CORPUS / "frus"
TEI = "{http://www.tei-c.org/ns/1.0}"
needs_corpus = pytest.mark.skipif(not FRUS.is_dir(), reason="../shared/corpus is not present")


def records(items: Iterable[object]) -> dict[str, Record]:
    return {item.id: item for item in items if isinstance(item, Record)}


def html_of(record: Record) -> str:
    assert record.translations, record.id
    html = record.translations[0].html
    assert html is not None
    return html


def count_document_divs(path: Path) -> int:
    """The bare baseline: stream the file and count div[@type="document"], nothing else."""
    opened = gzip.open(path) if path.name.endswith(".gz") else path.open("rb")
    # iterparse cannot turn off ID collection, and some volumes repeat an xml:id.
    parser = etree.XMLPullParser(
        tag=f"{TEI}div", resolve_entities=False, no_network=True, collect_ids=False
    )
    count = 0
    with opened as handle:
        while chunk := handle.read(1 << 16):
            parser.feed(chunk)
            for _, element in parser.read_events():
                if element.get("type") == "document":
                    count += 1
                    element.clear()
    parser.close()
    return count


@pytest.fixture(scope="module")
def fixture_2015() -> list[Record | Collection | Person]:
    return list(parse(DATA / "frus-2015-encoding.xml"))


@pytest.fixture(scope="module")
def fixture_2018() -> list[Record | Collection | Person]:
    return list(parse(DATA / "frus-2018-encoding.xml"))


# -- sniffing ---------------------------------------------------------------------------------


def test_sniff_recognises_the_tei_namespace_in_the_head() -> None:
    path = DATA / "frus-2015-encoding.xml"
    assert sniff(path, path.read_bytes()[:2048])
    assert sniff(Path("frus1864p3.xml.gz"), b'<TEI xmlns="http://www.tei-c.org/ns/1.0">')
    assert not sniff(Path("other.xml"), b'<?xml version="1.0"?><rss version="2.0">')


# -- hand-written fixtures: the 2015 encoding ------------------------------------------------


def test_tei_title_drops_document_number_and_source_note(fixture_2015: list[object]) -> None:
    record = records(fixture_2015)["frus1999-2000v90d1"]
    assert record.title == "Memorandum From the Counselor (McGhee) to Secretary of State Rusk"
    assert record.document_number == "1"


def test_tei_source_note_gives_repository_reference_and_classification(
    fixture_2015: list[object],
) -> None:
    record = records(fixture_2015)["frus1999-2000v90d1"]
    assert record.source is not None and record.source.startswith("Source: Department of State")
    assert [t.name for t in record.repositories] == ["Department of State"]
    assert record.archival_reference is not None
    assert record.archival_reference.series == "S/P Files"
    assert record.archival_reference.file == "Lot 67 D 548, China"
    assert [t.name for t in record.classifications] == ["Top Secret", "Eyes Only"]


def test_tei_people_come_from_the_volume_persons_list(fixture_2015: list[object]) -> None:
    people = [item for item in fixture_2015 if isinstance(item, Person)]
    assert [p.name for p in people] == ["McGhee, George C.", "Rusk, Dean", "Chiang Kai-shek"]
    assert people[0].description == "Counselor of the Department of State"
    record = records(fixture_2015)["frus1999-2000v90d1"]
    assert [p.name for p in record.creators] == ["McGhee, George C."]
    assert record.creators[0].variants == ["McGhee"]
    assert [p.name for p in record.contributors] == ["Rusk, Dean"]
    assert [p.name for p in record.persons_mentioned] == ["Chiang Kai-shek"]
    assert record.persons_mentioned[0].as_written == "Chiang"


def test_tei_date_place_and_subject_come_from_dateline_and_subject_list(
    fixture_2015: list[object],
) -> None:
    record = records(fixture_2015)["frus1999-2000v90d1"]
    assert record.doc_date is not None and record.doc_date.start == date(1961, 3, 10)
    assert record.doc_date.text == "March 10, 1961"
    assert record.place_written == "Washington"
    assert [s.name for s in record.subjects] == ["A New Approach to the GRC"]
    assert record.extra["pages"] == "1–2"


def test_tei_body_is_clean_html_without_the_source_note(fixture_2015: list[object]) -> None:
    html = html_of(records(fixture_2015)["frus1999-2000v90d1"])
    assert "S/P Files" not in html and "Memorandum From" not in html
    assert "<em>mainland</em> &amp; the <strong>offshore islands</strong> &lt;sic&gt;" in html
    assert '<sup class="fnref"><a href="#fn-d1fn1" id="fnref-d1fn1">1</a></sup>' in html
    assert '<span class="pb" data-page="2"></span>' in html
    assert "<table><tr><th>Island</th><td>Garrison</td></tr>" in html
    assert "<blockquote><p>“We shall return.”</p></blockquote>" in html
    assert '<abbr title="Government of the Republic of China">GRC</abbr>' in html
    assert '<div class="closer"><p class="signed">GCM</p></div>' in html
    assert html.endswith("</ol></aside>") and 'data-record="frus1999-2000v90d2"' in html
    tags = set(re.findall(r"</?([A-Za-z][\w:.-]*)", html))
    allowed = {"p", "em", "strong", "u", "sup", "a", "span", "table", "tr", "th", "td"}
    allowed |= {"blockquote", "div", "aside", "ol", "ul", "li", "abbr"}
    assert tags <= allowed, tags - allowed


def test_tei_collections_are_yielded_once_before_their_records(
    fixture_2015: list[object],
) -> None:
    seen: set[str] = set()
    for item in fixture_2015:
        if isinstance(item, Collection):
            assert item.id not in seen
            seen.add(item.id)
        if isinstance(item, Record):
            assert {c.id for c in item.collections} <= seen
    volume, compilation, chapter = records(fixture_2015)["frus1999-2000v90d1"].collections
    assert (volume.id, volume.kind, volume.published) == ("frus1999-2000v90", "volume", "2001")
    assert volume.editors == ["Ada Editor", "Grace General"]
    assert (compilation.name, compilation.parent) == ("China & Taiwan", "frus1999-2000v90")
    assert (chapter.id, chapter.kind) == ("frus1999-2000v90-ch1", "chapter")
    assert chapter.parent == compilation.id


def test_tei_editorial_note_is_typed_by_its_head(fixture_2015: list[object]) -> None:
    by_id = records(fixture_2015)
    assert [t.name for t in by_id["frus1999-2000v90d2"].type] == ["editorial-note"]
    assert [t.name for t in by_id["frus1999-2000v90d1"].type] == ["document"]
    assert by_id["frus1999-2000v90d2"].source is None


# -- hand-written fixtures: the newer encoding ------------------------------------------------


def test_tei_newer_encoding_dates_span_doc_datetime_min_to_max(
    fixture_2018: list[object],
) -> None:
    record = records(fixture_2018)["frus1870testd1"]
    assert record.doc_date is not None
    assert (record.doc_date.start, record.doc_date.end) == (date(1870, 8, 8), date(1870, 8, 10))
    assert record.doc_date.text == "August 8, 1870"
    assert record.source == "No. 3. [Telegram.]"
    assert [p.name for p in record.creators] == ["Mr. Jay"]
    assert [p.name for p in record.contributors] == ["Mr. Fish"]
    assert record.title == "Mr. Jay to Mr. Fish."


def test_tei_vendor_year_0201_is_flagged_not_trusted(fixture_2018: list[object]) -> None:
    record = records(fixture_2018)["frus1870testd2"]
    assert record.doc_date is not None
    assert record.doc_date.flag is not None and record.doc_date.start is None
    assert record.doc_date.text == "July —, 1870"


def test_tei_enclosed_document_is_its_own_record(fixture_2018: list[object]) -> None:
    by_id = records(fixture_2018)
    enclosure = by_id["frus1870testd1-a1"]
    assert enclosure.extra["attachment_of"] == "frus1870testd1"
    assert by_id["frus1870testd1"].attachments == ["frus1870testd1-a1"]
    assert "The enclosed note." in html_of(enclosure)
    assert '<section class="attachment">' in html_of(by_id["frus1870testd1"])


def test_tei_reads_a_gzipped_volume(tmp_path: Path) -> None:
    path = tmp_path / "frus1870test.xml.gz"
    with gzip.open(path, "wb") as out:
        out.write((DATA / "frus-2018-encoding.xml").read_bytes())
    assert sorted(records(parse(path))) == ["frus1870testd1", "frus1870testd1-a1", "frus1870testd2"]


def test_tei_persons_list_after_the_documents_is_still_used(tmp_path: Path) -> None:
    text = (DATA / "frus-2015-encoding.xml").read_text(encoding="utf-8")
    persons = re.search(r'<div type="section" xml:id="persons">.*?</div>', text, re.S)
    assert persons is not None
    text = text.replace(persons.group(0), "")
    text = text.replace("</body>", f"</body><back>{persons.group(0)}</back>")
    path = tmp_path / "persons-last.xml"
    path.write_text(text, encoding="utf-8")
    items = list(parse(path))
    record = records(items)["frus1999-2000v90d1"]
    assert [p.name for p in record.creators] == ["McGhee, George C."]
    assert items.index(next(i for i in items if isinstance(i, Person))) < items.index(record)


# -- hostile and broken XML -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_tei_refuses_entity_declarations(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(IngestError, match="entities"):
        list(parse(DATA / name))
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_tei_never_expands_entities_declared_past_the_first_chunk(
    tmp_path: Path, name: str
) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    text = text.replace("?>\n", "?>\n<!--" + "x" * 100_000 + "-->\n", 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    try:
        found = records(parse(path))
    except IngestError:
        found = {}
    assert time.perf_counter() - started < 2
    for record in found.values():
        assert "root:" not in record.body_text and "lollol" not in record.body_text


def test_tei_malformed_xml_raises_with_line_number() -> None:
    with pytest.raises(IngestError, match=r"malformed\.xml: malformed XML at line 7"):
        list(parse(DATA / "malformed.xml"))


def test_tei_truncated_gzip_raises(tmp_path: Path) -> None:
    whole = gzip.compress((DATA / "frus-2015-encoding.xml").read_bytes())
    path = tmp_path / "truncated.xml.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(IngestError, match="truncated.xml.gz"):
        list(parse(path))


def test_tei_without_header_raises(tmp_path: Path) -> None:
    path = tmp_path / "bare.xml"
    path.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><text/></TEI>', encoding="utf-8")
    with pytest.raises(IngestError, match="teiHeader"):
        list(parse(path))


# -- source notes -----------------------------------------------------------------------------


def test_source_note_sentences_keep_abbreviations_together() -> None:
    text = "Source: Records of the U.S. Mission, File No. 4. Secret. Drafted by J. Smith."
    assert split_sentences(text) == [
        "Source: Records of the U.S. Mission, File No. 4.",
        "Secret.",
        "Drafted by J. Smith.",
    ]


def test_classification_keeps_level_and_caveats_but_not_precedence() -> None:
    assert classification_of("Secret; Priority; Nodis.") == (["Secret", "Nodis"], ["Priority"])
    assert classification_of("TOP SECRET; Limit Distribution.") == (
        ["Top Secret", "Limited Distribution"],
        [],
    )
    assert classification_of("[Confidential.]") == (["Confidential"], [])
    assert classification_of("Eisenhower Library, Confidential File.") is None


def test_decimal_file_number_is_an_archival_reference_without_repository() -> None:
    note = read_source_note("837.014P/371a: Telegram")
    assert note.repository is None
    assert note.reference is not None and note.reference.file == "837.014P/371a: Telegram"
    assert read_source_note("[Telegram.]").reference is None


# -- the real corpus --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def v22() -> dict[str, Record]:
    return records(parse(FRUS / "volumes" / "frus1961-63v22.xml"))


@needs_corpus
def test_frus1961_63v22_has_one_record_per_document_div(v22: dict[str, Record]) -> None:
    assert len(v22) == 385
    assert len(v22) == count_document_divs(FRUS / "volumes" / "frus1961-63v22.xml")


@needs_corpus
def test_frus1961_63v22d12_metadata(v22: dict[str, Record]) -> None:
    record = v22["frus1961-63v22d12"]
    assert record.title == (
        "Draft Memorandum from the Counselor of the Department of State (McGhee) "
        "to Secretary of State Rusk"
    )
    assert record.doc_date is not None and record.doc_date.start == date(1961, 3, 10)
    assert record.source is not None
    assert record.source.startswith(
        "Source: Department of State, S/P Files: Lot 67 D 548, China, 1959-1961. Secret."
    )
    assert [t.name for t in record.classifications] == ["Secret"]
    assert [t.name for t in record.repositories] == ["Department of State"]
    assert [p.name for p in record.creators] == ["McGhee, George C."]
    assert [p.name for p in record.contributors] == ["Rusk, Dean"]
    assert record.place_written == "Washington"
    assert [c.id for c in record.collections] == [
        "frus1961-63v22",
        "frus1961-63v22-comp1",
        "frus1961-63v22-ch1",
    ]
    html = html_of(record)
    assert "There is attached a paper" in html and "S/P Files" not in html
    assert "<persName" not in html and "<gloss" not in html


@needs_corpus
def test_microfiche_supplement_gives_catalogue_entries() -> None:
    found = records(parse(FRUS / "volumes" / "frus1961-63v10-12mSupp.xml"))
    assert len(found) == 746
    assert {t.name for r in found.values() for t in r.type} == {"catalogue-entry"}
    entry = found["frus1961-63v10-12mSuppd3"]
    assert (
        entry.title == "Memorandum from General Lemnitzer to McNamara, JCSM-236–61, April 13, 1961"
    )
    assert entry.description is not None and "Bolivian request" in entry.description
    assert [t.name for t in entry.classifications] == ["Secret"]
    assert entry.doc_date is not None and entry.doc_date.start == date(1961, 4, 13)
    assert entry.extra["pdf"]["bytes"].isdigit() and entry.extra["files"]
    assert not entry.translations


@needs_corpus
def test_frus1870_dates_match_doc_datetime_min() -> None:
    path = FRUS / "volumes" / "frus1870.xml"
    found = records(parse(path))
    attribute = "{http://history.state.gov/frus/ns/1.0}doc-dateTime-min"
    checked = flagged = 0
    for _, div in etree.iterparse(str(path), tag=f"{TEI}div", resolve_entities=False):
        low = div.get(attribute)
        if div.get("type") != "document" or not low:
            continue
        record = found["frus1870" + div.get("{http://www.w3.org/XML/1998/namespace}id", "")]
        assert record.doc_date is not None
        if low.startswith("0201"):
            assert record.doc_date.flag and record.doc_date.start is None
            flagged += 1
        else:
            assert record.doc_date.start == date.fromisoformat(low[:10]), record.id
            checked += 1
    assert checked == 462 and flagged == 4


@needs_corpus
def test_frus1864p3_vendor_year_0201_is_flagged() -> None:
    found = records(parse(FRUS / "volumes-gz" / "frus1864p3.xml.gz"))
    assert len(found) == 885
    flagged = [r for r in found.values() if r.doc_date is not None and r.doc_date.flag]
    assert len(flagged) == 1 and "0201" in (flagged[0].doc_date.flag or "")
    assert all(
        r.doc_date.start.year > 1800 for r in found.values() if r.doc_date and r.doc_date.start
    )


@needs_corpus
def test_frus_history_file_is_one_record_with_scan_link() -> None:
    path = CORPUS / "frus-history" / "documents" / "1957-03-21-kennan-to-leopold.xml"
    items = list(parse(path))
    assert [c.id for c in items if isinstance(c, Collection)] == ["frus-history"]
    (record,) = records(items).values()
    assert record.id == "frus-history-1957-03-21-kennan-to-leopold"
    assert record.title == (
        "Correspondence Between Richard Leopold and George Kennan, February-March 1957"
    )
    assert record.doc_date is not None and record.doc_date.start == date(1957, 3, 21)
    assert record.extra["scan_url"] == (
        "https://static.history.state.gov/frus-history/documents/1957-03-21-kennan-to-leopold.pdf"
    )
    assert record.source is not None and "Lot File 96 D 292" in record.source
    assert [c.name for c in record.collections] == ["History of the Foreign Relations series"]
    html = html_of(record)
    assert "<h3>Richard W. Leopold to George F. Kennan</h3>" in html
    assert "Source:" not in html and "Cited in" not in html


@needs_corpus
def test_frus_history_minutes_carry_their_classification() -> None:
    path = CORPUS / "frus-history" / "documents" / "1969-11-07-hac-meeting-minutes.xml"
    (record,) = records(parse(path)).values()
    assert [t.name for t in record.classifications] == ["Limited Official Use"]


@needs_corpus
@pytest.mark.slow
def test_every_frus_volume_matches_the_manifest_document_count() -> None:
    with (FRUS / "manifest.tsv").open(encoding="utf-8") as handle:
        manifest = list(csv.DictReader(handle, delimiter="\t"))
    assert len(manifest) == 121
    failures = []
    total = 0
    started = time.perf_counter()
    for row in manifest:
        found = records(parse(FRUS / row["file"]))
        total += len(found)
        if len(found) != int(row["documents"]):
            failures.append((row["volume_id"], len(found), row["documents"]))
    elapsed = time.perf_counter() - started
    baseline_started = time.perf_counter()
    bare = sum(count_document_divs(FRUS / row["file"]) for row in manifest)
    baseline = time.perf_counter() - baseline_started
    print(
        f"\nTEI ingest: {total} records from {len(manifest)} volumes in {elapsed:.1f} s "
        f"({total / elapsed:.0f} records/s); bare iterparse count: {bare} divs in "
        f"{baseline:.1f} s ({elapsed / baseline:.1f}× slower)"
    )
    assert failures == []
    assert total == bare == 41_292


@needs_corpus
@pytest.mark.slow
def test_every_frus_history_file_parses() -> None:
    paths = sorted((CORPUS / "frus-history" / "documents").glob("*.xml"))
    assert len(paths) == 63
    for path in paths:
        (record,) = records(parse(path)).values()
        assert record.doc_date is not None and record.doc_date.start is not None
        assert record.extra["scan_url"].endswith(".pdf")
        assert html_of(record)


def test_frus_title_has_no_layout_space_inside_brackets() -> None:
    volume = CORPUS / "frus" / "volumes-gz" / "frus1949v07p2.xml.gz"
    titles = {rid: record.title for rid, record in records(parse(volume)).items()}
    assert titles["frus1949v07p2d16"] == (
        "Memorandum by the Acting Legal Adviser (Tate) to the Secretary of State"
    )


@needs_corpus
def test_frus_body_html_has_no_layout_space_inside_brackets() -> None:
    # "(<persName>\n<hi>Martin</hi>\n</persName>)": the HTML reads as the printed page does.
    volume = CORPUS / "frus" / "volumes-gz" / "frus1948v01p1.xml.gz"
    html = html_of(records(parse(volume))["frus1948v01p1d2"])
    assert "the House of Representatives</em> (<em>Martin</em>)<sup" in html
    assert "( <em>" not in html and "</em> )" not in html
    assert "the Speaker of the House of Representatives (Martin) 1\n" in html_to_text(html)


@needs_corpus
def test_frus_dateline_has_no_layout_space_before_its_comma() -> None:
    # "<placeName>\n<hi rend="italic">Geneva</hi>\n</placeName>, <date>…"
    found = records(parse(FRUS / "volumes" / "frus1955-57v03.xml"))
    html = html_of(found["frus1955-57v03d1"])
    assert '<p class="dateline"><em>Geneva</em>, ' in html
    assert "Geneva, August 1, 1955—7 p.m." in html_to_text(html)
    # Nor any other dateline of the volume (249 read "Place ," before).
    assert not any(
        " ," in line
        for r in found.values()
        if r.translations
        for line in re.findall(r'<p class="dateline">(.*?)</p>', html_of(r))
    )


def test_tidy_drops_layout_space_inside_brackets_through_inline_tags_only() -> None:
    assert tidy("<p>Adviser ( <em> Tate </em> ) to [ <a href='#x'>it</a> ]</p>") == (
        "<p>Adviser (<em>Tate</em>) to [<a href='#x'>it</a>]</p>"
    )
    # A bracket at the edge of a block keeps the block's own tidying, nothing more.
    assert tidy("<p>(</p> <p> text )</p>") == "<p>(</p><p>text)</p>"
    assert tidy("<p>a ) b ( c</p>") == "<p>a) b (c</p>"
    assert tidy("<p>x (<br> y)</p>") == "<p>x (<br> y)</p>"


def test_tidy_drops_layout_space_around_block_tags_only() -> None:
    assert tidy("  <p> one <em>two</em> </p>\n <ul> <li> three </li></ul> ") == (
        "<p>one <em>two</em></p><ul><li>three</li></ul>"
    )
    assert tidy("<p>a <span class='x'> b </span> c</p>") == "<p>a <span class='x'> b </span> c</p>"


def _forms_by_name(items: Iterable[object]) -> dict[str, set[str]]:
    """Every person name in a volume's records with the written forms recorded for it."""
    forms: dict[str, set[str]] = {}
    for record in records(items).values():
        for person in (*record.creators, *record.contributors, *record.persons_mentioned):
            forms.setdefault(person.name, set()).update(person.variants)
    return forms


@needs_corpus
def test_frus_name_linked_to_the_wrong_person_goes_to_its_own_entry() -> None:
    # frus1961-63v03 writes <persName corresp="#p_DIEM1">Bromley Smith</persName> (d87) and
    # corresp="#p_MNRS1" (McNamara, d90): both are Bromley Smith, who has his own entry.
    found = records(parse(FRUS / "volumes-gz" / "frus1961-63v03.xml.gz"))
    forms = _forms_by_name(found.values())
    assert "Bromley Smith" not in forms["Diem"] | forms["McNamara, Robert S."]
    for record_id in ("frus1961-63v03d87", "frus1961-63v03d90"):
        people = found[record_id].persons_mentioned
        assert [p.as_written for p in people if p.name == "Smith, Bromley"] == ["Bromley Smith"]
        assert all(p.as_written != "Bromley Smith" for p in people if p.name != "Smith, Bromley")


@needs_corpus
def test_frus_place_linked_to_a_person_keeps_the_link_but_is_no_name_form() -> None:
    # frus1964-68v03d201 links the province "Binh Dinh" to Ngo Dinh Diem: the editors'
    # link stands (the text shares a word with the name), the province is no form of his.
    found = records(parse(FRUS / "volumes-gz" / "frus1964-68v03.xml.gz"))
    forms = _forms_by_name(found.values())
    assert "Binh Dinh" not in forms["Ngo Dinh Diem"]
    linked = [p for p in found["frus1964-68v03d201"].persons_mentioned if p.name == "Ngo Dinh Diem"]
    assert [(p.as_written, p.variants) for p in linked] == [(None, [])]


@needs_corpus
def test_frus_real_variants_of_a_listed_name_are_still_recorded() -> None:
    forms = _forms_by_name(records(parse(FRUS / "volumes" / "frus1961-63v05.xml")).values())
    # Misspelt, initials, other romanisations, nicknames: kept as forms of the listed person.
    assert "Mikhail Khalarmov" in forms["Kharlamov, Mikhail A."]
    assert "K.C. Pysin" in forms["Pysin, Konstantin G."]
    assert {"Antoliy F. Dobrynin", "Anatoly Dobrynin"} <= forms["Dobrynin, Anatoli F."]
    assert "Freddie Barghoorn" in forms["Barghoorn, Frederick C."]
    assert "Yuri Zhukov" in forms["Zhukov, Georgi (Yuri) A."]
    # Editors' links to the wrong person: Davis and Malinovsky go to their own entries.
    assert "Richard H. Davis" not in forms["Khrushchev, Nikita S."]
    assert "Richard H. Davis" in forms["Davis, Richard H."]
    assert "Marshal Malinovsky" not in forms["Dobrynin, Anatoli F."]
    assert "Marshal Malinovsky" in forms["Malinovsky, Rodion Ya."]


def test_tidy_drops_layout_space_before_a_comma_after_an_inline_tag_only() -> None:
    assert tidy('<p class="dateline"><em>Washington</em> , <em>May 2</em></p>') == (
        '<p class="dateline"><em>Washington</em>, <em>May 2</em></p>'
    )
    assert tidy("<p>July , 1934 <b>x</b> ,</p>") == "<p>July , 1934 <b>x</b> ,</p>"


@needs_corpus
def test_frus_persons_list_gives_the_other_names_in_its_brackets() -> None:
    people = {
        p.name: p.variants
        for p in parse(FRUS / "volumes" / "frus1958-60v18.xml")
        if isinstance(p, Person)
    }
    assert people["Chang Myon (John Myun Chang)"] == ["John Myun Chang"]
    assert people["Cho Bong-am (Cho Pong-am)"] == ["Cho Pong-am"]


def test_persons_list_brackets_other_names_but_not_notes() -> None:
    assert _listed_aliases("Nasser (Nasr, Nassir), Gamal Abdul") == [
        "Nasr, Gamal Abdul",
        "Nassir, Gamal Abdul",
    ]
    assert _listed_aliases("Costopoulos (also Kostopoulos), Stavros") == ["Kostopoulos, Stavros"]
    assert _listed_aliases("Pak Chung-hui (Park Chung Hee, Pak Jung-Hui)") == [
        "Park Chung Hee",
        "Pak Jung-Hui",
    ]
    assert _listed_aliases("Duong Van Minh (“Big Minh”)") == ["Big Minh"]
    for name in (
        "Kiesinger, Kurt Georg (CDU)",
        "Bohlen, Charles E. (Chip)",
        "Myerson, Goldie (Meir, Golda)",
        "Chien Fu (Fredrick F.)",
        "Mobutu, Sésé Seko (born Joseph-Désiré Mobutu)",
        "Walters, Lieutenant Colonel (Colonel after April 1960) Vernon A.",
        "(Teng Hsiao-p’ing)",
    ):
        assert _listed_aliases(name) == [], name


def test_a_bracketed_second_name_in_a_persons_list_entry_is_a_form_not_a_person(
    tmp_path: Path,
) -> None:
    """frus1977-80v01 marks "Deng Xiaoping (Teng Hsiao-p’ing)" up as two persNames with two
    ids: the second is his older romanisation, and documents may point at either id."""
    text = (DATA / "frus-2015-encoding.xml").read_text(encoding="utf-8")
    entry = (
        '<item><hi rend="strong"><persName xml:id="p_DX_1">Deng Xiaoping</persName>\n'
        '    <persName xml:id="p_TH_1">(Teng Hsiao-p’ing)</persName>,</hi> Vice Premier</item>'
    )
    text = text.replace(
        "</list>\n            </div>\n        </front>", f"{entry}</list></div></front>"
    )
    text = text.replace(
        'corresp="#p_RD1" type="to">Rusk</persName>',
        'corresp="#p_RD1" type="to">Rusk</persName> on <persName corresp="#p_TH_1">Teng</persName>',
    )
    path = tmp_path / "two-names.xml"
    path.write_text(text, encoding="utf-8")
    items = list(parse(path))
    people = [item for item in items if isinstance(item, Person)]
    assert all(not p.name.startswith("(") for p in people)
    deng = [p for p in people if p.name == "Deng Xiaoping"]
    assert deng and "Teng Hsiao-p’ing" in deng[-1].variants
    record = records(items)["frus1999-2000v90d1"]
    assert [p.name for p in record.persons_mentioned] == ["Deng Xiaoping", "Chiang Kai-shek"]
