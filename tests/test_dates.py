"""Historical dates as archives write them: readings, ranges, flags and the reader's display."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fonds.dates import display, from_edtf, from_iso, iso_day, parse_date
from fonds.model import HistoricalDate, Precision


@pytest.mark.parametrize(
    ("text", "edtf", "precision", "start", "end"),
    [
        ("January 6, 1961", "1961-01-06", Precision.DAY, date(1961, 1, 6), date(1961, 1, 6)),
        ("6 January 1961", "1961-01-06", Precision.DAY, date(1961, 1, 6), date(1961, 1, 6)),
        ("1961-01-06", "1961-01-06", Precision.DAY, date(1961, 1, 6), date(1961, 1, 6)),
        ('"28" March, 1962', "1962-03-28", Precision.DAY, date(1962, 3, 28), date(1962, 3, 28)),
        ("March, 1962", "1962-03", Precision.MONTH, date(1962, 3, 1), date(1962, 3, 31)),
        ("February 1960", "1960-02", Precision.MONTH, date(1960, 2, 1), date(1960, 2, 29)),
        ("1962", "1962", Precision.YEAR, date(1962, 1, 1), date(1962, 12, 31)),
        ("spring 1962", "1962-21", Precision.SEASON, date(1962, 3, 1), date(1962, 5, 31)),
        ("summer 1961", "1961-22", Precision.SEASON, date(1961, 6, 1), date(1961, 8, 31)),
        ("1960s", "196X", Precision.DECADE, date(1960, 1, 1), date(1969, 12, 31)),
        ("19th century", "18XX", Precision.CENTURY, date(1800, 1, 1), date(1899, 12, 31)),
        ("19610106", "1961-01-06", Precision.DAY, date(1961, 1, 6), date(1961, 1, 6)),
        ("1961-01-06T10:00:00", "1961-01-06", Precision.DAY, date(1961, 1, 6), date(1961, 1, 6)),
    ],
)
def test_dates_read_with_their_precision_and_range(
    text: str, edtf: str, precision: Precision, start: date, end: date
) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert (parsed.edtf, parsed.precision, parsed.start, parsed.end) == (
        edtf,
        precision,
        start,
        end,
    )
    assert parsed.text == text
    assert parsed.flag is None


def test_question_mark_makes_a_date_uncertain_but_keeps_its_range() -> None:
    parsed = parse_date("1962?")
    assert parsed is not None
    assert (parsed.edtf, parsed.uncertain, parsed.approximate) == ("1962?", True, False)
    assert (parsed.start, parsed.end) == (date(1962, 1, 1), date(1962, 12, 31))
    assert display(parsed) == "1962?"


@pytest.mark.parametrize("text", ["circa 1960", "c. 1960", "ca. 1960"])
def test_circa_is_approximate(text: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert (parsed.edtf, parsed.approximate, parsed.precision) == ("1960~", True, Precision.YEAR)
    assert display(parsed) == "ca. 1960"


def test_early_1960s_is_read_as_the_whole_decade_and_keeps_its_words() -> None:
    """No date is invented: "early" widens to the decade rather than guessing 1960-1963."""
    parsed = parse_date("early 1960s")
    assert parsed is not None
    assert (parsed.edtf, parsed.precision) == ("196X", Precision.DECADE)
    assert (parsed.start, parsed.end) == (date(1960, 1, 1), date(1969, 12, 31))
    assert parsed.text == "early 1960s"


def test_early_1960s_is_shown_as_written() -> None:
    parsed = parse_date("early 1960s")
    assert parsed is not None
    assert display(parsed) == "early 1960s"


def test_month_first_slashed_dates_unless_day_first() -> None:
    american = parse_date("06/01/1961")
    european = parse_date("06/01/1961", dayfirst=True)
    assert american is not None and american.edtf == "1961-06-01"
    assert european is not None and european.edtf == "1961-01-06"


@pytest.mark.parametrize("text", ["00/00/0000", "01/01/0000"])
def test_nara_zero_dates_mean_unknown(text: str) -> None:
    assert parse_date(text) is None


def test_nara_zero_day_is_a_month() -> None:
    parsed = parse_date("02/00/1962")
    assert parsed is not None
    assert (parsed.edtf, parsed.precision) == ("1962-02", Precision.MONTH)


@pytest.mark.parametrize("text", ["", "   ", "undated", "n.d.", "hello world", "..", "10000"])
def test_text_without_a_date_is_no_date(text: str) -> None:
    assert parse_date(text) is None


def test_implausible_vendor_year_is_flagged_not_believed() -> None:
    """FRUS vendor files write 0201-06-05 for 1864-06-05."""
    flagged = from_iso("0201-06-05")
    assert flagged is not None
    assert flagged.flag == "implausible year 0201"
    assert (flagged.start, flagged.end, flagged.edtf) == (None, None, None)
    assert flagged.text == "0201-06-05"
    assert display(flagged) == "0201-06-05"
    assert not flagged.is_known


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("1962-02-30", "impossible day 1962-02-30"),
        ("2/30/1962", "impossible day 1962-02-30"),
        ("1962-13-01", "impossible month 13"),
        ("1499", "implausible year 1499"),
        ("2101", "implausible year 2101"),
    ],
)
def test_impossible_dates_are_flagged(text: str, flag: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None and parsed.flag == flag and parsed.start is None


def test_plausible_years_run_from_1500_to_2100() -> None:
    assert parse_date("1500") is not None and parse_date("1500").flag is None  # type: ignore[union-attr]
    last = parse_date("2100-12-31")
    assert last is not None and last.start == date(2100, 12, 31)


def test_from_iso_reads_datetimes_with_offsets() -> None:
    parsed = from_iso("1864-06-05T00:00:00-05:00")
    assert parsed is not None and parsed.edtf == "1864-06-05"


def test_from_iso_of_nothing_is_none() -> None:
    assert from_iso("") is None
    assert from_iso("  ") is None


def test_from_edtf_rebuilds_stored_dates() -> None:
    decade = from_edtf("196X", "early 1960s")
    assert decade is not None
    assert (decade.text, decade.precision, decade.end) == (
        "early 1960s",
        Precision.DECADE,
        date(1969, 12, 31),
    )
    season = from_edtf("1962-21")
    assert season is not None and season.precision is Precision.SEASON
    assert from_edtf("nonsense") is None


def test_parse_date_reads_edtf_seasons() -> None:
    parsed = parse_date("1962-21")
    assert parsed is not None and parsed.precision is Precision.SEASON


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1961-01-06", "January 6, 1961"),
        ("March, 1962", "March 1962"),
        ("1962", "1962"),
        ("spring 1962", "Spring 1962"),
        ("1960s", "1960s"),
        ("1962-03~", "ca. March 1962"),
        ("1962-03-28?", "March 28, 1962?"),
        ("19th century", "19th century"),
    ],
)
def test_display_for_readers(text: str, shown: str) -> None:
    assert display(parse_date(text)) == shown


def test_display_of_nothing_is_no_date() -> None:
    assert display(None) == "n.d."
    assert display(HistoricalDate()) == "n.d."
    assert display(HistoricalDate(text="before the war", flag="unreadable date")) == (
        "before the war"
    )


def test_interval_across_a_decade_is_not_shown_as_one_decade() -> None:
    assert display(parse_date("1969/1971")) != "1960s"


def test_twenty_first_century_has_its_ordinal() -> None:
    assert display(from_edtf("20XX")) == "21st century"


def test_iso_day_is_the_first_possible_day() -> None:
    assert iso_day(parse_date("March 1962")) == "1962-03-01"
    assert iso_day(None) is None
    assert iso_day(from_iso("0201-06-05")) is None


def test_reversed_range_never_has_its_start_after_its_end() -> None:
    parsed = parse_date("1962-1960")
    assert parsed is None or parsed.start is None or parsed.start <= parsed.end  # type: ignore[operator]


def test_two_digit_numbers_are_not_read_as_years_of_this_century() -> None:
    parsed = parse_date("41-40")
    assert parsed is None or parsed.start is None


@settings(deadline=None)
@given(st.text(max_size=60))
def test_parse_date_never_raises(text: str) -> None:
    parsed = parse_date(text)
    assert parsed is None or isinstance(parsed, HistoricalDate)
    display(parsed)


@settings(max_examples=60, deadline=None)
@given(st.from_regex(r"\A[0-9?~X/\-. ]{1,16}\Z"))
def test_parse_date_never_raises_on_date_like_text(text: str) -> None:
    parsed = parse_date(text)
    assert parsed is None or isinstance(parsed, HistoricalDate)
    display(parsed)
