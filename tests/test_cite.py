"""Citations: the house form against the real seed pages, the CSL styles, and the downloads."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from fonds import cite as cite_module
from fonds.cite import STYLES, cite, house_citation, record_url, to_bibtex, to_csl_json, to_ris
from fonds.dates import parse_date
from fonds.model import Person, Record

SEEDS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "seeds"
ACCESSED = date(2024, 5, 1)
CSL_STYLES = [style for style in STYLES if style != "house"]


def seed_116976_citation() -> tuple[str, str]:
    """The citation line and the URL printed under "Citation:" on the 116976 page."""
    lines = [line.strip() for line in (SEEDS / "seed-wilson-116976.md").read_text().splitlines()]
    start = lines.index("Citation:") + 1
    text, url = [line for line in lines[start : start + 5] if line][:2]
    return text, url.strip("<>")


def seed_deng_citation() -> str:
    page = (SEEDS / "seed-wilson-deng-1962.txt").read_text()
    return next(line.strip() for line in page.splitlines() if "Program Digital Archive" in line)


@pytest.fixture
def mao() -> Record:
    return Record(
        id="116976",
        title=(
            "From the Journal of S. V. Chervonenko, Record of Conversation with Mao Zedong"
            " on 26 December 1960"
        ),
        doc_date=parse_date("January 6, 1961"),
        source="AVPRF, fond 0100, opis 55, papka 454, delo 9, listy 98-105",
        translator="for CWIHP by Maxim Korobochkin",
        creators=[Person(name="S. V. Chervonenko")],
    )


@pytest.fixture
def deng() -> Record:
    return Record(
        id="deng-1962",
        title=(
            "From the Diary of S. V. Chervonenko, Transcripts of a Conversation with the"
            " General Secretary of the CC CCP Deng Xiaoping, March 1, 1962"
        ),
        doc_date=parse_date("March 28, 1962"),
        source="AVP RF",
        translator="Benjamin Aldrich-Moodie",
        creators=[Person(name="S. V. Chervonenko")],
    )


@pytest.fixture
def year_only() -> Record:
    return Record(
        id="42",
        title="Note on the Albanian Question",
        doc_date=parse_date("1962"),
        source="AVP RF",
        creators=[Person(name="Stepan Chervonenko")],
    )


def test_house_citation_reproduces_seed_116976_with_its_url(mao: Record) -> None:
    text, url = seed_116976_citation()
    base_url = url.rsplit("/document/", 1)[0]

    citation = cite(
        mao,
        archive_name="Wilson Center Digital Archive",
        base_url=base_url,
        quote_punctuation="outside",
    )

    assert citation == f"{text} {url}"


def test_house_citation_reproduces_seed_deng_modulo_url(deng: Record) -> None:
    citation = cite(
        deng, archive_name="History and Public Policy Program Digital Archive", base_url="https://x"
    )

    assert citation == f"{seed_deng_citation()} https://x/document/deng-1962"


def test_house_citation_takes_translated_for_from_extra() -> None:
    record = Record(
        id="1",
        title="Memo",
        doc_date=parse_date("1961-01-06"),
        source="AVPRF",
        translator="Maxim Korobochkin",
        extra={"translated_for": "CWIHP"},
    )

    assert "AVPRF. Translated for CWIHP by Maxim Korobochkin. http" in cite(record)


def test_house_citation_does_not_repeat_a_credit_the_source_already_gives() -> None:
    record = Record(
        id="2",
        title="Letter",
        doc_date=parse_date("1946"),
        source="AVPRF f. 0100, op. 34, 1946, p. 253, d. 18. Obtained and translated for CWIHP "
        "by Austin Jersild.",
        translator="Austin Jersild",
    )

    citation = cite(record, archive_name="Wilson Center Digital Archive")

    assert citation.count("Jersild") == 1
    assert '"Letter," 1946, Wilson Center Digital Archive, AVPRF f. 0100' in citation
    assert "by Austin Jersild. http://127.0.0.1:8000/document/2" in citation


def test_house_citation_in_html_escapes_text_and_links_the_permalink() -> None:
    record = Record(id="3", title="Tom & Jerry <draft>", doc_date=parse_date("1962"))

    citation = cite(record, format="html", base_url="https://archive.example")

    assert "Tom &amp; Jerry &lt;draft&gt;" in citation
    assert citation.endswith(
        '<a href="https://archive.example/document/3">https://archive.example/document/3</a>'
    )


@pytest.mark.parametrize("style", CSL_STYLES)
def test_csl_style_cites_title_year_and_url(style: str, mao: Record) -> None:
    citation = cite(mao, style, base_url="https://archive.example", accessed=ACCESSED)

    assert "Record of Conversation with Mao Zedong" in citation
    assert "1961" in citation
    assert "https://archive.example/document/116976" in citation
    assert "Chervonenko" in citation


@pytest.mark.parametrize("style", ["house", *CSL_STYLES])
def test_year_only_record_is_cited_as_the_year_never_january_first(
    style: str, year_only: Record
) -> None:
    citation = cite(year_only, style, accessed=ACCESSED)

    assert "1962" in citation
    assert "January 1" not in citation
    assert "1 Jan" not in citation
    assert "1962-01-01" not in to_bibtex(year_only, accessed=ACCESSED)


@pytest.mark.parametrize("style", ["house", "chicago", "chicago-author-date", "apa"])
def test_undated_record_says_nd(style: str) -> None:
    record = Record(id="9", title="Undated memorandum", creators=[Person(name="A. Gromyko")])

    assert "n.d." in cite(record, style, accessed=ACCESSED)


def test_mla_leaves_an_unknown_date_out_as_mla_asks() -> None:
    record = Record(id="9", title="Undated memorandum", creators=[Person(name="A. Gromyko")])

    citation = cite(record, "mla", accessed=ACCESSED)

    assert citation.startswith("Gromyko, A. “Undated Memorandum.” fonds Digital Archive, ")
    assert citation.endswith("Accessed 1 May 2024.")


def test_untrusted_date_is_cited_as_nd() -> None:
    record = Record(id="10", title="Vendor typo", doc_date=parse_date("0201-06-05"))

    assert record.doc_date is not None and record.doc_date.flag
    assert '"Vendor typo," n.d.,' in cite(record)
    assert "issued" not in to_csl_json(record)


def test_chicago_html_escapes_markup_and_links_the_url() -> None:
    record = Record(id="11", title="A <b>bold</b> claim & more", doc_date=parse_date("1962"))

    citation = cite(record, "chicago", format="html", accessed=ACCESSED)

    assert "&lt;b&gt;" in citation and "<b>" not in citation
    assert "&amp; more" in citation.lower()
    assert '<a href="http://127.0.0.1:8000/document/11">' in citation


def test_anonymous_record_prints_its_title_once() -> None:
    record = Record(
        id="12", title="Why now?", doc_date=parse_date("1962"), translator="A. B. Sidorov"
    )

    for style in CSL_STYLES:
        citation = cite(record, style, accessed=ACCESSED)
        assert citation.lower().count("why now?") == 1, citation
        assert citation.count("Sidorov") == 1, citation
        assert "?." not in citation


def test_names_written_family_first_are_not_inverted() -> None:
    record = Record(
        id="13",
        title="Talk",
        doc_date=parse_date("1962"),
        creators=[
            Person(name="Mao Zedong"),
            Person(name="Charles de Gaulle"),
            Person(name="Gromyko, A. A."),
        ],
    )

    authors = to_csl_json(record)["author"]

    assert authors == [
        {"literal": "Mao Zedong"},
        {"family": "de Gaulle", "given": "Charles"},
        {"family": "Gromyko", "given": "A. A."},
    ]
    assert cite(record, "chicago", accessed=ACCESSED).startswith("Mao Zedong, C. de Gaulle, and")


def test_csl_json_keeps_the_dates_precision() -> None:
    def issued(text: str) -> object:
        return to_csl_json(Record(id="1", title="T", doc_date=parse_date(text))).get("issued")

    assert issued("1962") == {"date-parts": [[1962]]}
    assert issued("January 6, 1961") == {"date-parts": [[1961, 1, 6]]}
    assert issued("March, 1962") == {"date-parts": [[1962, 3]]}
    assert issued("early 1960s") == {"date-parts": [[1960], [1969]]}
    assert issued("spring 1962") == {"date-parts": [[1962]], "season": 1}
    assert issued("circa 1960") == {"date-parts": [[1960]], "circa": True}


def test_csl_json_is_a_complete_manuscript_item(mao: Record) -> None:
    item = to_csl_json(mao, archive_name="Wilson Center Digital Archive", accessed=ACCESSED)

    assert item["id"] == "116976"
    assert item["type"] == "manuscript"
    assert item["author"] == [{"family": "Chervonenko", "given": "S. V."}]
    assert item["translator"] == [{"family": "Korobochkin", "given": "Maxim"}]
    assert item["archive"] == "Wilson Center Digital Archive"
    assert item["archive_location"].startswith("AVPRF, fond 0100")
    assert item["URL"] == "http://127.0.0.1:8000/document/116976"
    assert item["accessed"] == {"date-parts": [[2024, 5, 1]]}
    assert item["note"] == "Translated for CWIHP by Maxim Korobochkin."


def test_record_without_archive_source_is_a_document() -> None:
    assert to_csl_json(Record(id="1", title="T"))["type"] == "document"


def _bibtex_fields(entry: str) -> dict[str, str]:
    return dict(re.findall(r"^  (\w+) = \{(.*)\},?$", entry, flags=re.MULTILINE))


def _braces_balanced(text: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def test_bibtex_entry_is_a_misc_with_a_stable_key_and_balanced_braces(mao: Record) -> None:
    entry = to_bibtex(mao, accessed=ACCESSED)

    assert entry.startswith("@misc{chervonenko1961-116976,\n")
    assert entry == to_bibtex(mao, accessed=ACCESSED)
    fields = _bibtex_fields(entry)
    assert fields["author"] == "Chervonenko, S. V."
    assert fields["translator"] == "Korobochkin, Maxim"
    assert fields["year"] == "1961"
    assert fields["date"] == "1961-01-06"
    assert fields["url"] == "http://127.0.0.1:8000/document/116976"
    assert fields["urldate"] == "2024-05-01"
    assert "  month = jan," in entry
    assert _braces_balanced(entry)


def test_ris_entry_starts_with_ty_and_ends_with_er(mao: Record) -> None:
    lines = to_ris(mao, accessed=ACCESSED).splitlines()

    assert lines[0] == "TY  - UNPB"
    assert lines[-1] == "ER  - "
    assert "AU  - Chervonenko, S. V." in lines
    assert "A4  - Korobochkin, Maxim" in lines
    assert "PY  - 1961" in lines
    assert "DA  - 1961/01/06/" in lines
    assert "AV  - AVPRF, fond 0100, opis 55, papka 454, delo 9, listy 98-105" in lines
    assert "UR  - http://127.0.0.1:8000/document/116976" in lines
    assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in lines)


def test_ris_year_only_date_leaves_month_and_day_empty(year_only: Record) -> None:
    assert "DA  - 1962///" in to_ris(year_only).splitlines()


def test_special_characters_survive_every_format() -> None:
    title = 'Записка о "Мао" {черновик} 100% & co_1'
    record = Record(
        id="14",
        title=title,
        doc_date=parse_date("1962"),
        creators=[Person(name="Червоненко, С. В.")],
    )

    assert to_csl_json(record)["title"] == title
    assert f"TI  - {title}" in to_ris(record).splitlines()
    assert title in cite(record)
    entry = to_bibtex(record)
    assert r'Записка о "Мао" \{черновик\} 100\% \& co\_1' in entry
    assert "Червоненко, С. В." in entry
    assert entry.startswith("@misc{chervonenko1962-14,")
    assert _braces_balanced(entry)
    for style in CSL_STYLES:
        citation = cite(record, style, accessed=ACCESSED)
        assert "Записка о" in citation and "{черновик}" in citation and "Червоненко" in citation


def test_unknown_style_is_refused() -> None:
    record = Record(id="1", title="T")

    with pytest.raises(ValueError, match="unknown citation style"):
        cite(record, "no-such-style")
    with pytest.raises(ValueError, match="unknown citation style"):
        cite(record, "../../etc/passwd")


def test_any_bundled_csl_style_can_be_named(mao: Record) -> None:
    assert "Chervonenko" in cite(mao, "harvard-cite-them-right", accessed=ACCESSED)


def test_second_render_of_an_unchanged_record_comes_from_the_cache(mao: Record) -> None:
    cite(mao, "chicago", accessed=ACCESSED)
    hits = cite_module._render_csl.cache_info().hits

    again = cite(mao.model_copy(), "chicago", accessed=ACCESSED)
    changed = cite(mao.model_copy(update={"title": "Another title"}), "chicago", accessed=ACCESSED)

    assert cite_module._render_csl.cache_info().hits == hits + 1
    assert "Record of Conversation" in again and "another title" in changed.lower()


def test_permalink_quotes_the_record_id() -> None:
    assert record_url(Record(id="a b", title="T"), "https://x/") == "https://x/document/a%20b"


def test_house_citation_function_matches_cite_house(deng: Record) -> None:
    assert house_citation(deng) == cite(deng, "house")
