"""The query language: what each piece of syntax becomes, and how bad input is repaired."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fonds.search.query import (
    And,
    DateRange,
    Names,
    Not,
    Or,
    Phrase,
    Word,
    expand_names,
    parse_date_range,
    parse_query,
)


def test_words_are_joined_by_and() -> None:
    assert parse_query("Berlin wall").root == And((Word("Berlin"), Word("wall")))


def test_quoted_words_are_a_phrase() -> None:
    assert parse_query('"record of conversation"').root == Phrase("record of conversation")


def test_or_binds_looser_than_and() -> None:
    assert parse_query("a b OR c").root == Or((And((Word("a"), Word("b"))), Word("c")))


def test_not_and_minus_negate() -> None:
    assert parse_query("Berlin NOT wall").root == And((Word("Berlin"), Not(Word("wall"))))
    assert parse_query("Berlin -wall").root == And((Word("Berlin"), Not(Word("wall"))))


def test_hyphen_inside_a_word_is_not_negation() -> None:
    assert parse_query("Sino-Soviet").root == Word("Sino-Soviet")


def test_lowercase_or_is_a_word() -> None:
    assert parse_query("war or peace").root == And((Word("war"), Word("or"), Word("peace")))


def test_parentheses_group() -> None:
    assert parse_query("(Laos OR Taiwan) Mao").root == And(
        (Or((Word("Laos"), Word("Taiwan"))), Word("Mao"))
    )


def test_trailing_star_is_a_prefix() -> None:
    assert parse_query("negotiat*").root == Word("negotiat", prefix=True)


def test_one_letter_prefix_is_searched_as_a_word() -> None:
    query = parse_query("n*")
    assert query.root == Word("n")
    assert query.warnings


def test_fields_take_words_and_phrases() -> None:
    assert parse_query("person:Rusk").root == Word("Rusk", "person")
    assert parse_query('subject:"Berlin crisis"').root == Phrase("Berlin crisis", "subject")
    assert parse_query("Language:rus").root == Word("rus", "language")
    assert parse_query("people:Mao").root == Word("Mao", "person")


def test_unknown_field_searches_its_value_everywhere() -> None:
    query = parse_query("colour:red")
    assert query.root == Word("red")
    assert 'no field "colour"' in query.warnings[0]


def test_colon_in_a_number_is_not_a_field() -> None:
    query = parse_query("12:30")
    assert query.root == Word("12:30")
    assert not query.warnings


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("date:1960..1962", date(1960, 1, 1), date(1962, 12, 31)),
        ("date:1961-03", date(1961, 3, 1), date(1961, 3, 31)),
        ("date:1961-02-14", date(1961, 2, 14), date(1961, 2, 14)),
        ("date:..1962", None, date(1962, 12, 31)),
        ("date:1962..", date(1962, 1, 1), None),
        ("date:1962..1960", date(1960, 1, 1), date(1962, 12, 31)),
        ('date:"March 1962"', date(1962, 3, 1), date(1962, 3, 31)),
    ],
)
def test_dates(text: str, start: date | None, end: date | None) -> None:
    root = parse_query(text).root
    assert isinstance(root, DateRange)
    assert (root.start, root.end) == (start, end)


def test_parse_date_range_refuses_nonsense() -> None:
    assert parse_date_range("spring") is None
    assert parse_date_range("1961-13") is None
    assert parse_date_range("..") is None


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ('"unclosed phrase', Phrase("unclosed phrase")),
        ("OR", None),
        ("OR Berlin", Word("Berlin")),
        ("Berlin OR", Word("Berlin")),
        ("NOT", None),
        ("Berlin NOT", Word("Berlin")),
        ("AND Berlin", Word("Berlin")),
        ("title:", None),
        ('title:""', None),
        ("date:someday", None),
        ("((Berlin", Word("Berlin")),
        ("Berlin))", Word("Berlin")),
        ("\x00Berlin\x07", Word("Berlin")),
    ],
)
def test_malformed_queries_are_repaired_with_a_warning(text: str, root: object) -> None:
    query = parse_query(text)
    assert query.root == root
    assert query.warnings


def test_very_long_query_is_cut() -> None:
    query = parse_query("Berlin " * 2000)
    assert any("first" in w for w in query.warnings)
    assert isinstance(query.root, And)
    assert len(query.root.children) == 64


def test_deep_nesting_is_flattened() -> None:
    query = parse_query("(" * 500 + "Berlin" + ")" * 500)
    assert query.warnings


def test_canonical_text_round_trips() -> None:
    text = '"access routes" (Laos OR Taiwan) -wall title:Mao negot* date:1961..1962'
    query = parse_query(text)
    assert parse_query(str(query)).root == query.root


def forms(name: str) -> list[str]:
    table = {"Khrushchev": ["Хрущёв"], "Mao Zedong": ["Mao Tse-tung", "毛泽东"]}
    return table.get(name, [])


def test_names_expand_to_every_form() -> None:
    query = expand_names(parse_query("Khrushchev Berlin"), forms)
    assert query.root == And((Names("Khrushchev", ("Khrushchev", "Хрущёв")), Word("Berlin")))


def test_a_run_of_capitalised_words_is_tried_as_one_name_and_as_its_words() -> None:
    query = expand_names(parse_query("Mao Zedong communes"), forms)
    assert query.root == And(
        (
            Or(
                (
                    And((Word("Mao"), Word("Zedong"))),
                    Names("Mao Zedong", ("Mao Zedong", "Mao Tse-tung", "毛泽东")),
                )
            ),
            Word("communes"),
        )
    )
    assert [n.text for n in query.names()] == ["Mao Zedong"]


def test_a_run_taken_for_a_name_still_finds_its_words_apart() -> None:
    """'White House' is also the spacing of a surname (Whitehouse): the words stay required
    together or the name, so a title with 'President ... White House' is still found."""
    query = expand_names(parse_query("President White House Residence"), _whitehouse)
    assert query.root == And(
        (
            Or(
                (
                    And((Word("President"), Word("White"), Word("House"))),
                    Names("President White House", ("President White House", "Whitehouse")),
                )
            ),
            Word("Residence"),
        )
    )


def test_a_run_in_another_script_is_also_tried_word_by_word() -> None:
    table = {
        "Хрущев Берлин": ["Khrushchev Berlin"],
        "Хрущев": ["Khrushchev"],
        "Берлин": ["Berlin"],
    }
    query = expand_names(parse_query("Хрущев Берлин"), lambda n: table.get(n, []))
    assert query.root == Or(
        (
            And(
                (
                    Names("Хрущев", ("Хрущев", "Khrushchev")),
                    Names("Берлин", ("Берлин", "Berlin")),
                )
            ),
            Names("Хрущев Берлин", ("Хрущев Берлин", "Khrushchev Berlin")),
        )
    )


def _whitehouse(name: str) -> list[str]:
    return ["Whitehouse"] if name.replace(" ", "").endswith("WhiteHouse") else []


def test_person_field_expands_even_lowercase() -> None:
    query = expand_names(parse_query("person:Khrushchev"), lambda n: ["Хрущёв"])
    assert query.root == Names("Khrushchev", ("Khrushchev", "Хрущёв"), "person")


def test_lowercase_words_are_not_names() -> None:
    query = expand_names(parse_query("communes"), lambda n: ["Kommunen"])
    assert query.root == Word("communes")


def test_expansion_accepts_form_and_note_pairs() -> None:
    query = expand_names(parse_query("Khrushchev"), lambda n: [("Хрущёв", "ru")])
    assert query.root == Names("Khrushchev", ("Khrushchev", "Хрущёв"))


def test_a_failing_authority_leaves_the_word_and_says_so() -> None:
    def broken(name: str) -> list[str]:
        raise RuntimeError("authority offline")

    query = expand_names(parse_query("Khrushchev"), broken)
    assert query.root == Word("Khrushchev")
    assert "authority offline" in query.warnings[0]


@given(st.text(max_size=300))
def test_parse_query_never_raises(text: str) -> None:
    query = parse_query(text)
    assert isinstance(query.warnings, tuple)
    str(query)
