"""The Digital Archive page ingester, on the two real seed pages and a few tiny fixtures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from fonds.ingest.wilson_page import parse, parse_archival_reference, sniff, translator_from
from fonds.model import IngestError, Language, Precision, Record

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / ".." / "shared" / "corpus" / "seeds"
API = ROOT / ".." / "shared" / "corpus" / "wilson-api"
DATA = ROOT / "tests" / "data" / "wilson"
MAO = SEEDS / "seed-wilson-116976.md"
DENG = SEEDS / "seed-wilson-deng-1962.txt"

CHROME = (
    "Search in",
    "Digital Archive International History Declassified",
    "share document",
    "get citation",
    "English HTML",
    "It appears your Web browser is not configured",
    "Click here to view the PDF",
    "PDFs cannot be printed inline",
    "Translation - English",
)


def only(path: Path) -> Record:
    records = list(parse(path))
    assert len(records) == 1
    return records[0]


@pytest.fixture(scope="module")
def mao() -> Record:
    return only(MAO)


@pytest.fixture(scope="module")
def deng() -> Record:
    return only(DENG)


def test_sniff_recognises_both_seed_pages() -> None:
    assert sniff(MAO, MAO.read_bytes()[:4096])
    assert sniff(DENG, DENG.read_bytes()[:4096])


def test_sniff_leaves_archive_api_json_alone() -> None:
    for path in API.glob("*.json"):
        assert not sniff(path, path.read_bytes()[:4096])


def test_markdown_export_keeps_document_id_from_citation_url(mao: Record) -> None:
    assert mao.id == "116976"
    assert mao.extra["url"].endswith("/document/116976")
    assert mao.slug.startswith("from-the-journal-of-s-v-chervonenko-record-of-conversation")


def test_markdown_title_joins_the_bold_lines(mao: Record) -> None:
    assert mao.title == (
        "From the Journal of S. V. Chervonenko, Record of Conversation with Mao Zedong"
        " on 26 December 1960"
    )


def test_doc_date_is_january_6_1961_to_the_day(mao: Record) -> None:
    assert mao.doc_date is not None
    assert mao.doc_date.start == date(1961, 1, 6)
    assert mao.doc_date.precision is Precision.DAY


def test_event_date_is_the_day_of_the_conversation(mao: Record) -> None:
    assert mao.event_date is not None
    assert mao.event_date.start == date(1960, 12, 26)
    assert mao.event_date.precision is Precision.DAY


def test_archival_reference_splits_fond_opis_papka_delo_listy(mao: Record) -> None:
    assert mao.source == "AVPRF, fond 0100, opis 55, papka 454, delo 9, listy 98-105"
    reference = mao.archival_reference
    assert reference is not None
    assert (reference.repository, reference.fond, reference.opis) == ("AVPRF", "0100", "55")
    assert (reference.papka, reference.delo, reference.listy) == ("454", "9", "98-105")
    assert [term.name for term in mao.repositories] == ["AVPRF"]


def test_citation_is_kept_whole_and_names_the_translator(mao: Record) -> None:
    assert mao.citation is not None
    assert mao.citation.startswith('"From the Journal of S. V. Chervonenko')
    assert mao.citation.endswith("Translated for CWIHP by Maxim Korobochkin.")
    assert mao.translator == "Maxim Korobochkin"
    assert mao.extra["translated_for"] == "CWIHP"
    assert [term.name for term in mao.publishers] == ["Wilson Center Digital Archive"]


def test_summary_credits_and_original_language(mao: Record) -> None:
    assert mao.description is not None
    assert mao.description.startswith("Ambassador Chervonenko records an unexpected")
    assert [term.name for term in mao.donors] == ["Leon Levy Foundation"]
    assert mao.languages == [Language(id="rus", name="Russian")]


def test_top_secret_marking_and_numbers_come_from_the_header(mao: Record) -> None:
    assert [term.name for term in mao.classifications] == ["TOP SECRET"]
    assert mao.copy_number == "3"
    assert mao.outgoing_number == "9"


def test_creator_is_ambassador_chervonenko(mao: Record) -> None:
    assert [person.name for person in mao.creators] == ["S. V. Chervonenko"]
    assert mao.creators[0].description == "Ambassador of the USSR in the PRC"


def test_contributors_are_mao_and_the_people_present(mao: Record) -> None:
    assert [person.name for person in mao.contributors] == [
        "Mao Zedong",
        "Yang Shangkun",
        "Yan Min Fu",
        "Zhu Jueren",
        "N.G. Sudarikov",
        "O.B. Rakhmanin",
    ]
    sudarikov = mao.contributors[4]
    assert sudarikov.as_written == "Sudarikov N.G."


def test_coverage_is_china_and_the_soviet_union(mao: Record) -> None:
    assert [place.name for place in mao.original_coverages] == ["China", "Soviet Union"]


def test_translation_is_english_html_with_its_header(mao: Record) -> None:
    [translation] = mao.translations
    assert translation.kind == "translation"
    assert translation.language == Language(id="eng", name="English")
    assert translation.html is not None
    assert translation.html.startswith("<p>From the diary of TOP SECRET</p>")
    assert "<p>Outgoing No. 9</p>" in translation.html
    assert translation.html.rstrip().endswith("<p>S. CHERVONENKO</p>")
    assert mao.source_format == "wilson_page"


def test_paragraph_cut_by_a_page_break_is_joined(mao: Record) -> None:
    assert "I noted in the same tone that the Chinese friends" in mao.body_text


@pytest.mark.parametrize("path", [MAO, DENG], ids=["116976", "deng"])
def test_no_page_chrome_is_left_in_the_translation(path: Path) -> None:
    html = only(path).translations[0].html or ""
    for chrome in CHROME:
        assert chrome not in html
    assert "\xa0" not in html


def test_deng_page_without_url_gets_a_stable_slug_id(deng: Record) -> None:
    assert deng.id == "from-the-diary-of-s-v-chervonenko-transcripts-of-a-conversat"
    assert only(DENG).id == deng.id
    assert deng.title.endswith("General Secretary of the CC CCP Deng Xiaoping, March 1, 1962")


def test_deng_dates_are_written_march_28_and_held_march_1(deng: Record) -> None:
    assert deng.doc_date is not None and deng.event_date is not None
    assert deng.doc_date.start == date(1962, 3, 28)
    assert deng.doc_date.precision is Precision.DAY
    assert deng.event_date.start == date(1962, 3, 1)


def test_deng_citation_parts(deng: Record) -> None:
    assert deng.translator == "Benjamin Aldrich-Moodie"
    assert deng.source == "AVP RF"
    assert [term.name for term in deng.repositories] == ["AVP RF"]
    assert [term.name for term in deng.publishers] == [
        "History and Public Policy Program Digital Archive"
    ]
    assert deng.description is not None
    assert deng.description.startswith("A conversation between S.V. Chevornenko and Deng")


def test_deng_header_numbers_and_no_marking(deng: Record) -> None:
    assert deng.copy_number == "I"
    assert deng.outgoing_number == "250"
    assert deng.classifications == []
    html = deng.translations[0].html or ""
    assert html.startswith("<p>Copy No. I</p>\n<p>FROM THE.DIARY OF</p>")


def test_deng_contributors_resolve_the_said_persons(deng: Record) -> None:
    assert [person.name for person in deng.contributors] == [
        "Deng Xiaoping",
        "Yang Shangkun",
        "Yan Minfu",
        "Zhao Zhinuang",
        "N.N. Mesiatsev",
        "G.A. Ganshin",
    ]
    assert [person.name for person in deng.creators] == ["S. V. Chervonenko"]


def test_deng_coverage_follows_the_summary(deng: Record) -> None:
    names = [place.name for place in deng.original_coverages]
    assert names == ["China", "Soviet Union", "Albania", "Germany"]


def test_box_and_folder_page_reads_its_own_fields() -> None:
    record = only(DATA / "page-box-folder.md")
    assert record.id == "900100"
    assert record.archival_reference is not None
    assert (record.archival_reference.box, record.archival_reference.folder) == ("12", "3")
    assert record.translator == "Anna K. Smith"
    assert record.languages == [Language(id="cze", name="Czech")]
    assert record.doc_date is not None and record.doc_date.precision is Precision.MONTH
    assert [t.name for t in record.classifications] == ["SECRET"]
    assert [p.name for p in record.contributors] == ["Jan Novak", "Petr Dvorak", "Eva Horakova"]


def test_page_without_title_is_an_ingest_error() -> None:
    with pytest.raises(IngestError, match="no title"):
        list(parse(DATA / "page-no-title.txt"))


def test_empty_file_is_an_ingest_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n")
    with pytest.raises(IngestError, match="empty"):
        list(parse(empty))


def test_reparsing_a_page_changes_nothing() -> None:
    assert only(MAO).content_hash() == only(MAO).content_hash()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "AVPRF f. 0100, op. 34, 1946, p. 253, d. 18. Obtained and translated for CWIHP by X.",
            {"repository": "AVPRF", "fond": "0100", "opis": "34", "papka": "253", "delo": "18"},
        ),
        (
            "RGANI, f. 5, op. 30, d. 335, ll. 1-5",
            {"repository": "RGANI", "fond": "5", "opis": "30", "delo": "335", "listy": "1-5"},
        ),
        (
            "АВП РФ, ф. 0100, оп. 55, п. 454, д. 9, лл. 98–105",
            {"repository": "АВП РФ", "fond": "0100", "papka": "454", "listy": "98–105"},
        ),
        ("Hoover Institution, Box 7, Folder 2", {"box": "7", "folder": "2"}),
        ("AVP RF", {"repository": "AVP RF", "fond": None}),
    ],
)
def test_parse_archival_reference_reads_each_level(text: str, expected: dict[str, str]) -> None:
    reference = parse_archival_reference(text)
    for level, value in expected.items():
        assert getattr(reference, level) == value
    assert "Obtained" not in reference.raw


def test_translator_keeps_middle_initials() -> None:
    assert translator_from("Translated by Anna K. Smith.") == ("Anna K. Smith", None)
    assert translator_from("no translator here") == (None, None)
