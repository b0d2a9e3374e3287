"""The search behaviour both backends owe: every test here runs on Tantivy and on PostgreSQL.

The issue asks that "the same behavioural tests pass on both backends", so each backend indexes
the dozen records of records.py once per module and answers the same questions. What only one
engine has, or answers differently by design (Tantivy's stale-index marker file; PostgreSQL's
folding, stop words, RUM, pg_trgm suggestions, schema search path), stays in test_tantivy.py
and test_postgres.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from fonds.model import Record
from fonds.search import FacetCount, TantivyIndex, open_index
from fonds.search._postgres import PostgresIndex, open_postgres
from tests.search.records import CHAPTER, RECORDS, driver, record, scratch_schema

Backend = TantivyIndex | PostgresIndex
BACKENDS = ["tantivy", pytest.param("postgres", marks=pytest.mark.postgres)]
# Arbitrary queries tried per backend: PostgreSQL pays a round trip for each.
EXAMPLES: dict[type, int] = {TantivyIndex: 300, PostgresIndex: 60}


@pytest.fixture(scope="module", params=BACKENDS)
def index(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """The dozen records indexed once per module on each backend (pytest groups tests by it)."""
    if request.param == "tantivy":
        tantivy = open_index(tmp_path_factory.mktemp("index"))
        tantivy.add(RECORDS)
        tantivy.commit()
        yield tantivy
        tantivy.close()
        return
    with scratch_schema() as engine:
        postgres = open_postgres(engine, rum=False)  # GIN, what every server has
        postgres.clear()
        postgres.add(RECORDS)
        postgres.commit()
        yield postgres
        postgres.close()


@pytest.fixture(params=BACKENDS)
def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Backend]]:
    """Opens the same fresh, empty index each time it is called, as a second process would."""
    if request.param == "tantivy":
        yield lambda: open_index(tmp_path / "index")
        return
    engine = create_engine(driver(request.getfixturevalue("pg_url")))
    yield lambda: open_postgres(engine)
    engine.dispose()


def ids(index: Backend, q: str = "", **options: object) -> set[str]:
    result = index.search(q, limit=100, facets=None, **options)  # type: ignore[arg-type]
    return {hit.id for hit in result.hits}


def counts(facet: list[FacetCount]) -> dict[str, int]:
    return {f.value: f.count for f in facet}


# --- words, phrases, boolean, prefix, fields --------------------------------------------------


def test_index_counts_every_record(index: Backend) -> None:
    assert index.count() == 12
    assert index.search().total == 12


def test_words_must_all_match(index: Backend) -> None:
    assert ids(index, "Berlin access") == {"r6", "r12"}


def test_english_words_match_other_forms(index: Backend) -> None:
    assert ids(index, "negotiation") == {"r1", "r2", "r7"}


def test_exact_phrase_matches_words_in_order(index: Backend) -> None:
    assert ids(index, '"access routes"') == {"r6", "r12"}
    assert ids(index, '"routes access"') == set()


def test_or_and_not(index: Backend) -> None:
    assert ids(index, "Laos OR Taiwan") == {"r2", "r8", "r10"}
    assert ids(index, "Berlin") == {"r2", "r3", "r4", "r6", "r12"}  # r4 by its subject
    assert ids(index, "Berlin NOT wall") == {"r2", "r3", "r4", "r12"}
    assert ids(index, "Laos -Geneva") == {"r2"}
    assert ids(index, "-Berlin") == {r.id for r in RECORDS} - ids(index, "Berlin")


def test_parentheses_group(index: Backend) -> None:
    assert ids(index, "(Laos OR Taiwan) Mao") == {"r8"}


def test_prefix_matches_unstemmed_beginnings(index: Backend) -> None:
    assert ids(index, "negotiat*") == {"r1", "r2", "r7"}
    assert ids(index, "autob*") == {"r12"}
    assert ids(index, "title:memo*") == {"r2", "r12"}
    assert ids(index, "person:Khrush*") == {"r3", "r4", "r7", "r8"}


def test_field_queries_look_only_in_their_field(index: Backend) -> None:
    assert ids(index, "title:Mao") == {"r1", "r8"}
    assert ids(index, 'subject:"Laos crisis"') == {"r2", "r10"}
    assert ids(index, "person:Rusk") == {"r2"}
    assert ids(index, "classification:top") == {"r1", "r4", "r5"}
    assert ids(index, "language:rus") == {"r1", "r4", "r8"}
    assert ids(index, "repository:AVPRF") == {"r1", "r4"}
    assert ids(index, "type:telegram") == {"r3"}
    assert ids(index, "collection:frus1961-63v22ch1") == {"r2", "r3", "r9", "r12"}


def test_title_match_ranks_above_body_match(index: Backend) -> None:
    hits = index.search("conversation", facets=None).hits
    assert hits[0].id in {"r1", "r8"}
    assert [h.score for h in hits] == sorted((h.score or 0.0 for h in hits), reverse=True)


# --- Russian and Chinese ----------------------------------------------------------------------


def test_russian_words_match_by_stem(index: Backend) -> None:
    assert ids(index, "разговоры") == {"r4"}
    assert ids(index, "Хрущев") >= {"r4"}  # ё and е are the same letter to a reader


def test_chinese_substring_matches(index: Backend) -> None:
    assert ids(index, "苏联大使") == {"r5"}
    assert ids(index, "中苏关系") == {"r5"}
    assert ids(index, "联大") == {"r5"}
    assert ids(index, "録") == set()
    assert ids(index, "谈") == {"r5"}
    assert ids(index, "中美关系") == set()
    assert ids(index, "title:毛泽东") == {"r5"}


# --- facets and filters -----------------------------------------------------------------------


def test_facets_count_all_matches(index: Backend) -> None:
    result = index.search("", limit=1)
    assert counts(result.facets["language"])["eng"] == 8
    assert {f.value: f.label for f in result.facets["language"]}["rus"] == "Russian"
    assert counts(result.facets["classification"]) == {"SECRET": 4, "TOP SECRET": 3}
    assert counts(result.facets["subject"])["Berlin crisis"] == 4
    assert counts(result.facets["person"])["p-khrushchev"] == 4
    collections = {f.value: (f.label, f.count) for f in result.facets["collection"]}
    assert collections["frus1961-63v22"] == ("FRUS 1961–1963, Volume XXII, Northeast Asia", 7)
    assert collections["frus1961-63v22ch1"] == ("China", 4)


def test_facets_follow_the_query(index: Backend) -> None:
    result = index.search("Berlin")
    assert counts(result.facets["type"]) == {
        "Memorandum": 2,
        "Telegram": 1,
        "Memorandum of Conversation": 1,
        "Note": 1,
    }


def test_facets_are_cut_to_facet_size(index: Backend) -> None:
    result = index.search("", facets=["type"], facet_size=2)
    assert [f.value for f in result.facets["type"]] == ["Memorandum of Conversation", "Memorandum"]


def test_filters_combine_with_and_within_and_across_facets(index: Backend) -> None:
    assert ids(index, filters={"subject": ["Berlin crisis"], "language": ["eng"]}) == {
        "r3",
        "r6",
        "r12",
    }
    assert ids(index, filters={"person": ["p-mao", "p-khrushchev"]}) == {"r8"}
    assert ids(index, filters={"status": ["draft"]}) == {"r12"}


def test_search_in_a_volume_includes_its_chapters(index: Backend) -> None:
    chapter_only = Record(id="r13", title="Chapter-only record", collections=[CHAPTER])
    index.add([chapter_only])
    index.commit()
    try:
        assert "r13" in ids(index, filters={"collection": ["frus1961-63v22"]})
        volumes = [f for f in index.search("").facets["collection"] if f.value == "frus1961-63v22"]
        assert [f.label for f in volumes] == ["FRUS 1961–1963, Volume XXII, Northeast Asia"]
    finally:
        index.delete(["r13"])
        index.commit()
    assert index.count() == 12


def test_unknown_filter_and_facet_are_reported(index: Backend) -> None:
    result = index.search("Berlin", filters={"colour": ["red"]}, facets=["hue", "type"])
    assert any("colour" in w for w in result.warnings)
    assert any("hue" in w for w in result.warnings)
    assert "type" in result.facets


# --- dates ------------------------------------------------------------------------------------


def test_date_filter_matches_overlapping_ranges(index: Backend) -> None:
    # "1961" (the whole year) overlaps March 1961; "spring 1962" overlaps April 1962.
    assert ids(index, date_from="1961-03", date_to="1961-03") == {"r2", "r3"}
    assert ids(index, date_from="1962-04-15", date_to="1962-04-15") == {"r4", "r10"}
    assert ids(index, "date:1962-04") == {"r4", "r10"}


def test_open_date_ranges(index: Backend) -> None:
    assert ids(index, "date:..1960") == {"r8"}
    assert ids(index, date_from="1970") == {"r11"}


def test_undated_records_are_counted_and_included_on_request(index: Backend) -> None:
    result = index.search("Berlin", date_from="1961", date_to="1962")
    assert "r6" not in {h.id for h in result.hits}
    assert result.undated_count == 1
    assert "r6" in ids(index, "Berlin", date_from="1961", date_to="1962", include_undated=True)
    assert index.search("Berlin").undated_count == 1


def test_sort_by_date_both_ways(index: Backend) -> None:
    ascending = [h.id for h in index.search("Berlin", sort="date", facets=None).hits]
    assert ascending[:4] == ["r3", "r2", "r12", "r4"]  # "1961" starts on 1 January
    assert ascending[-1] == "r6"  # undated last
    descending = [h.id for h in index.search("Berlin", sort="-date", facets=None).hits]
    assert descending[0] == "r4"


def test_histogram_counts_by_year(index: Backend) -> None:
    result = index.search("")
    bars = {b.label: b.count for b in result.histogram}
    assert bars["1961"] == 4
    assert bars["1962"] == 4
    assert bars["1970"] == 0  # years without records are shown as empty bars
    assert len(result.histogram) == 1975 - 1958 + 1


# --- snippets ---------------------------------------------------------------------------------


def test_snippets_mark_matches_and_escape_html(index: Backend) -> None:
    hit = index.search("declassification").hits[0]
    assert "<mark>declassification</mark>" in hit.snippet
    assert "&lt;and&gt;" in hit.snippet


def test_title_is_highlighted(index: Backend) -> None:
    hit = index.search("telegram").hits[0]
    assert hit.title_html == "<mark>Telegram</mark> from the Embassy in the Soviet Union"


def test_folded_matches_are_marked_in_the_original_letters(index: Backend) -> None:
    hit = next(h for h in index.search("Хрущев").hits if h.id == "r4")
    assert "товарищ <mark>Хрущёв</mark>" in hit.snippet
    hit = index.search("хрущевым").hits[0]
    assert hit.title_html == "Запись беседы с товарищем <mark>Хрущёвым</mark>"


def test_chinese_matches_are_marked_as_one_word_in_the_text_as_written(index: Backend) -> None:
    hit = next(h for h in index.search("苏联").hits if h.id == "r5")
    assert hit.title == "毛泽东会见苏联大使谈话记录"
    assert hit.title_html == "毛泽东会见<mark>苏联</mark>大使谈话记录"
    assert "主席会见<mark>苏联</mark>驻华大使" in hit.snippet
    assert "\u200b" not in hit.snippet + hit.title_html


def test_prefix_matches_are_marked(index: Backend) -> None:
    hit = index.search("autob*").hits[0]
    assert "<mark>autobahn</mark>" in hit.snippet


def test_snippet_of_a_long_text_is_cut_around_the_match(index: Backend) -> None:
    filler = "Routine administrative matters were discussed at length. " * 300
    index.add([record("r14", "A long report", f"{filler} The Politburo approved it. {filler}")])
    index.commit()
    try:
        hit = index.search("politburo").hits[0]
    finally:
        index.delete(["r14"])
        index.commit()
    assert "<mark>Politburo</mark> approved it" in hit.snippet
    assert hit.snippet.startswith("… ") and hit.snippet.endswith(" …")
    assert len(hit.snippet) < 600


def test_chinese_snippet_marks_the_whole_word(index: Backend) -> None:
    hit = index.search("中苏关系").hits[0]
    assert "<mark>中苏关系</mark>" in hit.snippet


def test_hit_carries_date_text(index: Backend) -> None:
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


def test_names_expand_across_spellings_and_scripts(index: Backend) -> None:
    result = index.search("Хрущёв", expand=authority, limit=50)
    found = {h.id: h.matched_variants for h in result.hits}
    assert set(found) == {"r3", "r4", "r7", "r8"}
    assert "Хрущёв" in found["r4"]
    assert "Khrushchev" in found["r7"]


def test_capitalised_words_are_tried_as_one_name(index: Backend) -> None:
    result = index.search("Mao Zedong", expand=authority, limit=50)
    found = {h.id: h.matched_variants for h in result.hits}
    assert set(found) == {"r1", "r5", "r8"}
    assert "Mao Zedong" in found["r1"]
    assert "毛泽东" in found["r5"]
    assert "Mao Tse-tung" in found["r8"]
    assert "毛泽东" not in found["r1"]


def test_person_field_expands(index: Backend) -> None:
    assert ids(index, "person:Khrushchev", expand=authority) == {"r3", "r4", "r7", "r8"}


def test_name_expansion_can_be_switched_off(index: Backend) -> None:
    assert ids(index, "Chruschtschow", expand=authority) == {"r3", "r4", "r7", "r8"}
    assert ids(index, "Chruschtschow", expand=authority, expand_names=False) == set()


# --- related records --------------------------------------------------------------------------


def test_more_like_this_finds_records_on_the_same_matter(index: Backend) -> None:
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
        "'; DROP TABLE search_records; --",
        "o'brien\\ & | ! <-> :* berlin",
    ],
)
def test_malformed_queries_return_results_or_a_message(index: Backend, q: str) -> None:
    result = index.search(q)
    assert result.total >= 0
    assert result.hits or result.warnings or result.total == 0
    assert not any("could not be run" in w for w in result.warnings)
    assert index.count() == 12


def test_unbalanced_quote_still_finds_the_phrase(index: Backend) -> None:
    result = index.search('"access routes')
    assert {h.id for h in result.hits} == {"r6", "r12"}
    assert result.warnings


def test_unknown_field_is_searched_as_words(index: Backend) -> None:
    result = index.search("colour:Berlin")
    assert len(result.hits) == 5
    assert any("colour" in w for w in result.warnings)


PIECES = ['"', "(", ")", "-", "*", ":", " ", " OR ", " AND ", " NOT ", "date:", "title:", "person:"]
PIECES += ["..", "1961", "-03", "毛泽东", "Хрущёв", "Berlin", "Mao", "\x00", "\u202e", "a*"]
QUERIES = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(PIECES)), max_size=12)


def test_search_never_raises_on_arbitrary_text(index: Backend) -> None:
    @settings(max_examples=EXAMPLES[type(index)], deadline=None)
    @given(QUERIES.map("".join))
    def search(q: str) -> None:
        result = index.search(q, limit=5, expand=authority)
        assert result.total >= 0
        assert not any("could not be run" in w for w in result.warnings)

    search()


# --- index lifecycle --------------------------------------------------------------------------


def test_readd_replaces_and_clear_empties(reopen: Callable[[], Backend]) -> None:
    index = reopen()
    index.add(RECORDS[:2])
    index.commit()
    index.add([RECORDS[0].model_copy(update={"title": "A new title about Tibet"})])
    index.commit()
    assert index.count() == 2
    assert {h.id for h in index.search("Tibet").hits} == {"r1"}
    reopened = reopen()
    assert reopened.count() == 2
    assert not reopened.was_reset
    index.clear()
    assert index.count() == 0


def test_uncommitted_changes_are_invisible_to_searches(reopen: Callable[[], Backend]) -> None:
    index = reopen()
    index.add(RECORDS[:1])
    assert index.search("").total == 0
    index.commit()
    assert index.search("").total == 1
    index.add(RECORDS[1:2])
    index.close()  # rolls back
    assert index.count() == 1
