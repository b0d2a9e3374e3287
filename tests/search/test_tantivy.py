"""The Tantivy index on a dozen records built here: what readers find, count and see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fonds.dates import parse_date
from fonds.model import Collection, Language, Person, Place, Record, Rendition, Term
from fonds.search import FacetCount, SearchIndex, open_index

VOLUME = Collection(id="frus1961-63v22", name="FRUS 1961–1963, Volume XXII, Northeast Asia")
CHAPTER = Collection(id="frus1961-63v22ch1", name="China", parent="frus1961-63v22")
SINO = Collection(id="sino-soviet", name="Sino-Soviet Relations")
ENGLISH = Language(id="eng", name="English")
RUSSIAN = Language(id="rus", name="Russian")
CHINESE = Language(id="chi", name="Chinese")
MAO = Person(id="p-mao", name="Mao Zedong", variants=["Mao Tse-tung"])
KHRUSHCHEV = Person(id="p-khrushchev", name="Nikita Khrushchev", variants=["Хрущёв"])
RUSK = Person(id="p-rusk", name="Dean Rusk")


def html(text: str, language: Language = ENGLISH) -> Rendition:
    return Rendition(kind="translation", language=language, html=f"<p>{text}</p>")


def record(
    record_id: str,
    title: str,
    text: str = "",
    *,
    date: str | None = None,
    **fields: object,
) -> Record:
    renditions = [html(text, fields.pop("body_language", ENGLISH))] if text else []  # type: ignore[arg-type]
    return Record(
        id=record_id,
        title=title,
        doc_date=parse_date(date) if date else None,
        translations=renditions,
        **fields,  # type: ignore[arg-type]
    )


RECORDS = [
    record(
        "r1",
        "Record of Conversation with Mao Zedong",
        "Chervonenko reported a long conversation with Mao Zedong about the communes "
        "and the harvest. Mao spoke of negotiations with the Soviet comrades.",
        date="January 6, 1961",
        description="Mao on the Great Leap Forward.",
        creators=[Person(name="S. V. Chervonenko")],
        persons_mentioned=[MAO],
        original_coverages=[Place(name="China"), Place(name="Soviet Union")],
        subjects=[Term(name="Sino-Soviet relations")],
        collections=[SINO],
        languages=[RUSSIAN],
        repositories=[Term(name="AVPRF")],
        donors=[Term(name="Leon Levy Foundation")],
        classifications=[Term(name="TOP SECRET")],
        type=[Term(name="Memorandum of Conversation")],
    ),
    record(
        "r2",
        "Memorandum from Secretary of State Rusk to President Kennedy",
        "The Secretary discussed the situation in Laos and negotiating positions on Berlin.",
        date="1961-03-02",
        persons_mentioned=[RUSK],
        original_coverages=[Place(name="Laos")],
        subjects=[Term(name="Laos crisis")],
        collections=[VOLUME, CHAPTER],
        languages=[ENGLISH],
        repositories=[Term(name="Department of State")],
        classifications=[Term(name="SECRET")],
        type=[Term(name="Memorandum")],
    ),
    record(
        "r3",
        "Telegram from the Embassy in the Soviet Union",
        "Ambassador Thompson met Nikita Khrushchev and they talked about Berlin for two hours.",
        date="1961",
        persons_mentioned=[KHRUSHCHEV],
        original_coverages=[Place(name="Soviet Union")],
        subjects=[Term(name="Berlin crisis")],
        collections=[VOLUME, CHAPTER],
        languages=[ENGLISH],
        repositories=[Term(name="Department of State")],
        classifications=[Term(name="SECRET")],
        type=[Term(name="Telegram")],
    ),
    record(
        "r4",
        "Запись беседы с товарищем Хрущёвым",
        "Состоялся разговор о положении в Берлине. В ходе разговора товарищ Хрущёв "
        "подчеркнул важность переговоров.",
        date="spring 1962",
        body_language=RUSSIAN,
        persons_mentioned=[KHRUSHCHEV],
        original_coverages=[Place(name="Soviet Union")],
        subjects=[Term(name="Berlin crisis")],
        collections=[SINO],
        languages=[RUSSIAN],
        repositories=[Term(name="AVPRF")],
        classifications=[Term(name="TOP SECRET")],
        type=[Term(name="Memorandum of Conversation")],
    ),
    record(
        "r5",
        "毛泽东会见苏联大使谈话记录",
        "毛泽东主席会见苏联驻华大使契尔沃年科，双方就中苏关系交换了意见。",
        date="1962-03-28",
        body_language=CHINESE,
        persons_mentioned=[MAO],
        original_coverages=[Place(name="China")],
        subjects=[Term(name="Sino-Soviet relations")],
        collections=[SINO],
        languages=[CHINESE],
        repositories=[Term(name="PRC FMA")],
        classifications=[Term(name="TOP SECRET")],
        type=[Term(name="Memorandum of Conversation")],
    ),
    record(
        "r6",
        "Note on the Berlin Wall, undated",
        "An undated note about the wall in Berlin and the access routes.",
        original_coverages=[Place(name="Germany")],
        subjects=[Term(name="Berlin crisis")],
        collections=[VOLUME],
        languages=[ENGLISH],
        type=[Term(name="Note")],
    ),
    record(
        "r7",
        "Letter from Khrushchev to Kennedy",
        "Dear Mr. President, the Soviet government wishes to continue the negotiations.",
        date="1962-10-26",
        persons_mentioned=[KHRUSHCHEV],
        subjects=[Term(name="Cuban missile crisis")],
        collections=[VOLUME],
        languages=[ENGLISH],
        type=[Term(name="Letter")],
    ),
    record(
        "r8",
        "Conversation between Mao Tse-tung and Khrushchev",
        "Mao Tse-tung and Khrushchev disagreed about the Taiwan Strait.",
        date="1958-08-01",
        persons_mentioned=[MAO, KHRUSHCHEV],
        subjects=[Term(name="Sino-Soviet relations")],
        collections=[SINO],
        languages=[RUSSIAN],
        type=[Term(name="Memorandum of Conversation")],
    ),
    record(
        "r9",
        "Intelligence estimate on Chinese nuclear weapons",
        "The estimate judged that China could test a nuclear device soon.",
        date="1963-07-24",
        subjects=[Term(name="Nuclear weapons")],
        collections=[VOLUME, CHAPTER],
        languages=[ENGLISH],
        classifications=[Term(name="SECRET")],
        type=[Term(name="Estimate")],
    ),
    record(
        "r10",
        "Editorial note on the Laos settlement",
        "The Geneva conference on Laos reached a settlement in July.",
        date="1962",
        subjects=[Term(name="Laos crisis")],
        collections=[VOLUME],
        languages=[ENGLISH],
        type=[Term(name="Editorial Note")],
    ),
    record(
        "r11",
        "Minutes of the Advisory Committee meeting",
        "The committee reviewed declassification of the 1961 volumes &lt;and&gt; other matters.",
        date="1975-11-14",
        languages=[ENGLISH],
        type=[Term(name="Minutes")],
    ),
    record(
        "r12",
        "Memorandum on the Berlin access routes",
        "Berlin access routes and the autobahn were reviewed by the planners.",
        date="1961-08-20",
        subjects=[Term(name="Berlin crisis")],
        collections=[VOLUME, CHAPTER],
        languages=[ENGLISH],
        classifications=[Term(name="SECRET")],
        type=[Term(name="Memorandum")],
        status="draft",
    ),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    index = open_index(tmp_path_factory.mktemp("index"))
    index.add(RECORDS)
    index.commit()
    yield index
    index.close()


def ids(index: SearchIndex, q: str = "", **options: object) -> set[str]:
    result = index.search(q, limit=100, facets=None, **options)  # type: ignore[arg-type]
    return {hit.id for hit in result.hits}


def counts(facet: list[FacetCount]) -> dict[str, int]:
    return {f.value: f.count for f in facet}


# --- words, phrases, boolean, prefix, fields --------------------------------------------------


def test_index_counts_every_record(index: SearchIndex) -> None:
    assert index.count() == 12
    assert index.search().total == 12


def test_words_must_all_match(index: SearchIndex) -> None:
    assert ids(index, "Berlin access") == {"r6", "r12"}


def test_english_words_match_other_forms(index: SearchIndex) -> None:
    assert ids(index, "negotiation") == {"r1", "r2", "r7"}


def test_exact_phrase_matches_words_in_order(index: SearchIndex) -> None:
    assert ids(index, '"access routes"') == {"r6", "r12"}
    assert ids(index, '"routes access"') == set()


def test_or_and_not(index: SearchIndex) -> None:
    assert ids(index, "Laos OR Taiwan") == {"r2", "r8", "r10"}
    assert ids(index, "Berlin") == {"r2", "r3", "r4", "r6", "r12"}  # r4 by its subject
    assert ids(index, "Berlin NOT wall") == {"r2", "r3", "r4", "r12"}
    assert ids(index, "Laos -Geneva") == {"r2"}
    assert ids(index, "-Berlin") == {r.id for r in RECORDS} - ids(index, "Berlin")


def test_parentheses_group(index: SearchIndex) -> None:
    assert ids(index, "(Laos OR Taiwan) Mao") == {"r8"}


def test_prefix_matches_unstemmed_beginnings(index: SearchIndex) -> None:
    assert ids(index, "negotiat*") == {"r1", "r2", "r7"}
    assert ids(index, "autob*") == {"r12"}


def test_field_queries_look_only_in_their_field(index: SearchIndex) -> None:
    assert ids(index, "title:Mao") == {"r1", "r8"}
    assert ids(index, 'subject:"Laos crisis"') == {"r2", "r10"}
    assert ids(index, "person:Rusk") == {"r2"}
    assert ids(index, "classification:top") == {"r1", "r4", "r5"}
    assert ids(index, "language:rus") == {"r1", "r4", "r8"}
    assert ids(index, "repository:AVPRF") == {"r1", "r4"}
    assert ids(index, "type:telegram") == {"r3"}
    assert ids(index, "collection:frus1961-63v22ch1") == {"r2", "r3", "r9", "r12"}


def test_title_match_ranks_above_body_match(index: SearchIndex) -> None:
    hits = index.search("conversation", facets=None).hits
    assert hits[0].id in {"r1", "r8"}
    assert [h.score for h in hits] == sorted((h.score or 0.0 for h in hits), reverse=True)


# --- Russian and Chinese ----------------------------------------------------------------------


def test_russian_words_match_by_stem(index: SearchIndex) -> None:
    assert ids(index, "разговоры") == {"r4"}
    assert ids(index, "Хрущев") >= {"r4"}  # ё and е are the same letter to a reader


def test_chinese_substring_matches(index: SearchIndex) -> None:
    assert ids(index, "苏联大使") == {"r5"}
    assert ids(index, "中苏关系") == {"r5"}
    assert ids(index, "联大") == {"r5"}
    assert ids(index, "中美关系") == set()


# --- facets and filters -----------------------------------------------------------------------


def test_facets_count_all_matches(index: SearchIndex) -> None:
    result = index.search("", limit=1)
    assert counts(result.facets["language"])["eng"] == 8
    assert {f.value: f.label for f in result.facets["language"]}["rus"] == "Russian"
    assert counts(result.facets["classification"]) == {"SECRET": 4, "TOP SECRET": 3}
    assert counts(result.facets["subject"])["Berlin crisis"] == 4
    assert counts(result.facets["person"])["p-khrushchev"] == 4
    collections = {f.value: (f.label, f.count) for f in result.facets["collection"]}
    assert collections["frus1961-63v22"] == ("FRUS 1961–1963, Volume XXII, Northeast Asia", 7)
    assert collections["frus1961-63v22ch1"] == ("China", 4)


def test_facets_follow_the_query(index: SearchIndex) -> None:
    result = index.search("Berlin")
    assert counts(result.facets["type"]) == {
        "Memorandum": 2,
        "Telegram": 1,
        "Memorandum of Conversation": 1,
        "Note": 1,
    }


def test_filters_combine_with_and_within_and_across_facets(index: SearchIndex) -> None:
    assert ids(index, filters={"subject": ["Berlin crisis"], "language": ["eng"]}) == {
        "r3",
        "r6",
        "r12",
    }
    assert ids(index, filters={"person": ["p-mao", "p-khrushchev"]}) == {"r8"}
    assert ids(index, filters={"status": ["draft"]}) == {"r12"}


def test_search_in_a_volume_includes_its_chapters(index: SearchIndex) -> None:
    chapter_only = Record(id="r13", title="Chapter-only record", collections=[CHAPTER])
    index.add([chapter_only])
    index.commit()
    try:
        assert "r13" in ids(index, filters={"collection": ["frus1961-63v22"]})
    finally:
        index.delete(["r13"])
        index.commit()
    assert index.count() == 12


def test_unknown_filter_and_facet_are_reported(index: SearchIndex) -> None:
    result = index.search("Berlin", filters={"colour": ["red"]}, facets=["hue", "type"])
    assert any("colour" in w for w in result.warnings)
    assert any("hue" in w for w in result.warnings)
    assert "type" in result.facets


# --- dates ------------------------------------------------------------------------------------


def test_date_filter_matches_overlapping_ranges(index: SearchIndex) -> None:
    # "1961" (the whole year) overlaps March 1961; "spring 1962" overlaps April 1962.
    assert ids(index, date_from="1961-03", date_to="1961-03") == {"r2", "r3"}
    assert ids(index, date_from="1962-04-15", date_to="1962-04-15") == {"r4", "r10"}
    assert ids(index, "date:1962-04") == {"r4", "r10"}


def test_open_date_ranges(index: SearchIndex) -> None:
    assert ids(index, "date:..1960") == {"r8"}
    assert ids(index, date_from="1970") == {"r11"}


def test_undated_records_are_counted_and_included_on_request(index: SearchIndex) -> None:
    result = index.search("Berlin", date_from="1961", date_to="1962")
    assert "r6" not in {h.id for h in result.hits}
    assert result.undated_count == 1
    assert "r6" in ids(index, "Berlin", date_from="1961", date_to="1962", include_undated=True)
    assert index.search("Berlin").undated_count == 1


def test_sort_by_date_both_ways(index: SearchIndex) -> None:
    ascending = [h.id for h in index.search("Berlin", sort="date", facets=None).hits]
    assert ascending[:4] == ["r3", "r2", "r12", "r4"]  # "1961" starts on 1 January
    assert ascending[-1] == "r6"  # undated last
    descending = [h.id for h in index.search("Berlin", sort="-date", facets=None).hits]
    assert descending[0] == "r4"


def test_histogram_counts_by_year(index: SearchIndex) -> None:
    result = index.search("")
    bars = {b.label: b.count for b in result.histogram}
    assert bars["1961"] == 4
    assert bars["1962"] == 4
    assert bars["1970"] == 0  # years without records are shown as empty bars
    assert len(result.histogram) == 1975 - 1958 + 1


# --- snippets ---------------------------------------------------------------------------------


def test_snippets_mark_matches_and_escape_html(index: SearchIndex) -> None:
    hit = index.search("declassification").hits[0]
    assert "<mark>declassification</mark>" in hit.snippet
    assert "&lt;and&gt;" in hit.snippet


def test_title_is_highlighted(index: SearchIndex) -> None:
    hit = index.search("telegram").hits[0]
    assert hit.title_html == "<mark>Telegram</mark> from the Embassy in the Soviet Union"


def test_chinese_snippet_marks_the_whole_word(index: SearchIndex) -> None:
    hit = index.search("中苏关系").hits[0]
    assert "<mark>中苏关系</mark>" in hit.snippet


def test_hit_carries_date_text(index: SearchIndex) -> None:
    hit = index.search("autobahn").hits[0]
    assert hit.date == "August 20, 1961"


# --- names ------------------------------------------------------------------------------------

AUTHORITY = {
    "khrushchev": ["Khrushchev", "Хрущёв", "Chruschtschow"],
    "mao zedong": ["Mao Zedong", "Mao Tse-tung", "毛泽东"],
}


def authority(name: str) -> list[str]:
    """A stand-in for fonds.names' Authority.expand: every form of a known name."""
    for key, forms in AUTHORITY.items():
        if name.casefold() in {f.casefold() for f in forms} or name.casefold() == key:
            return forms
    return [name]


def test_names_expand_across_spellings_and_scripts(index: SearchIndex) -> None:
    result = index.search("Хрущёв", expand=authority, limit=50)
    found = {h.id: h.matched_variants for h in result.hits}
    assert set(found) == {"r3", "r4", "r7", "r8"}
    assert "Хрущёв" in found["r4"]
    assert "Khrushchev" in found["r7"]


def test_capitalised_words_are_tried_as_one_name(index: SearchIndex) -> None:
    result = index.search("Mao Zedong", expand=authority, limit=50)
    found = {h.id: h.matched_variants for h in result.hits}
    assert set(found) == {"r1", "r5", "r8"}
    assert "Mao Zedong" in found["r1"]
    assert "毛泽东" in found["r5"]
    assert "Mao Tse-tung" in found["r8"]
    assert "毛泽东" not in found["r1"]


def test_person_field_expands(index: SearchIndex) -> None:
    assert ids(index, "person:Khrushchev", expand=authority) == {"r3", "r4", "r7", "r8"}


def test_name_expansion_can_be_switched_off(index: SearchIndex) -> None:
    assert ids(index, "Chruschtschow", expand=authority) == {"r3", "r4", "r7", "r8"}
    assert ids(index, "Chruschtschow", expand=authority, expand_names=False) == set()


# --- related records --------------------------------------------------------------------------


def test_more_like_this_finds_records_on_the_same_matter(index: SearchIndex) -> None:
    related = [h.id for h in index.more_like_this("r6", limit=3)]
    assert "r6" not in related
    assert "r12" in related
    assert index.more_like_this("no-such-record") == []


# --- malformed queries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        '"unbalanced',
        "OR",
        "NOT",
        "Berlin OR",
        "title:",
        "colour:red",
        "date:spring",
        "((((Berlin",
        "Berlin)))",
        "*",
        "a*",
        "-",
        "\x00\x07Berlin\u202e",
        "B" * 10_000,
        "Berlin " * 2_000,
        "date:1962..1961",
        "::::",
        '"" title:"" person:""',
    ],
)
def test_malformed_queries_return_results_or_a_message(index: SearchIndex, q: str) -> None:
    result = index.search(q)
    assert result.total >= 0
    assert result.hits or result.warnings or result.total == 0


def test_unbalanced_quote_still_finds_the_phrase(index: SearchIndex) -> None:
    result = index.search('"access routes')
    assert {h.id for h in result.hits} == {"r6", "r12"}
    assert result.warnings


def test_unknown_field_is_searched_as_words(index: SearchIndex) -> None:
    result = index.search("colour:Berlin")
    assert len(result.hits) == 5
    assert any("colour" in w for w in result.warnings)


PIECES = ['"', "(", ")", "-", "*", ":", " ", " OR ", " AND ", " NOT ", "date:", "title:", "person:"]
PIECES += ["..", "1961", "-03", "毛泽东", "Хрущёв", "Berlin", "Mao", "\x00", "\u202e", "a*"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(PIECES)), max_size=12).map("".join))
def test_search_never_raises_on_arbitrary_text(index: SearchIndex, q: str) -> None:
    result = index.search(q, limit=5, expand=authority)
    assert result.total >= 0


# --- index lifecycle --------------------------------------------------------------------------


def test_readd_replaces_and_clear_empties(tmp_path: Path) -> None:
    index = open_index(tmp_path / "index")
    index.add(RECORDS[:2])
    index.commit()
    index.add([RECORDS[0].model_copy(update={"title": "A new title about Tibet"})])
    index.commit()
    assert index.count() == 2
    assert {h.id for h in index.search("Tibet").hits} == {"r1"}
    reopened = open_index(tmp_path / "index")
    assert reopened.count() == 2
    index.clear()
    assert index.count() == 0


def test_uncommitted_changes_are_invisible_to_searches(tmp_path: Path) -> None:
    index = open_index(tmp_path / "index")
    index.add(RECORDS[:1])
    assert index.search("").total == 0
    index.commit()
    assert index.search("").total == 1
    index.close()


def test_index_with_an_old_schema_is_reset(tmp_path: Path) -> None:
    index = open_index(tmp_path)
    index.add(RECORDS[:1])
    index.commit()
    (tmp_path / "fonds-search.json").write_text('{"schema": 0}')
    (tmp_path / "keep.txt").write_text("not ours")
    reopened = open_index(tmp_path)
    assert reopened.was_reset
    assert reopened.count() == 0
    assert (tmp_path / "keep.txt").exists()
