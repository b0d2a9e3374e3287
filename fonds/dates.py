"""Historical dates: the words on the page, their EDTF reading, and the days they can mean.

Archives date records as "January 6, 1961", "March, 1962", "1962?", "early 1960s" or not at
all. Every ingester calls `parse_date` or `from_iso`; search filters on the `start`/`end`
range, pages show `display`. A date is never invented: "1962" stays a year, and a vendor's
year 0201 is flagged rather than believed.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from edtf import parse_edtf, text_to_edtf

from fonds.model import HistoricalDate, Precision

# Earliest and latest years a declassified record can plausibly carry; outside them a date
# is a typing or conversion error (FRUS vendor files have 0201-06-05 for 1864-06-05).
PLAUSIBLE_YEARS = (1500, 2100)

_ISO = re.compile(r"^\s*(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][\d:.+\-Z]*)?\s*$")
_YYYYMMDD = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_SLASHED = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_SEASONS = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
# The common written forms, read without the general (and slow) EDTF text grammar.
_MONTH_DAY_YEAR = re.compile(rf"^{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$", re.I)
_DAY_MONTH_YEAR = re.compile(
    rf"^[\"']?(\d{{1,2}})[\"']?(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})$", re.I
)
_HAS_YEAR = re.compile(r"\d{4}|\d{3}[Xx]|\d{2}[Xx]{2}|\bcentury\b", re.I)
_QUALIFIER = re.compile(r"^\s*(early|mid|middle|late)[\s-]", re.I)
_MONTH_YEAR = re.compile(rf"^{_MONTH},?\s+(\d{{4}})$", re.I)


def from_iso(value: str) -> HistoricalDate | None:
    """Read an ISO 8601 date or datetime ("1961-01-06", "1962-03", "1864-06-05T00:00:00-05:00").

    Returns None for an empty value; flags (rather than trusts) an implausible year.
    """
    if not value or not value.strip():
        return None
    match = _ISO.match(value) or _YYYYMMDD.match(value)
    if not match:
        return parse_date(value)
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and 21 <= month <= 24 and day is None:  # an EDTF season
        return from_edtf(value.strip())
    return _exact(value.strip(), year, month, day)


def parse_date(text: str, *, dayfirst: bool = False) -> HistoricalDate | None:
    """Read a date as an archive writes it; None when the text holds no date at all.

    MM/DD/YYYY is read month first unless `dayfirst`; "00/00/0000" and a zero year mean
    unknown, as in NARA's spreadsheets.
    """
    text = " ".join(text.split()) if text else ""
    if not text:
        return None
    slashed = _SLASHED.match(text)
    if slashed:
        first, second, year = (int(g) for g in slashed.groups())
        month, day = (second, first) if dayfirst else (first, second)
        if year == 0:
            return None
        if month == 0:
            return _exact(text, year, None, None)
        return _exact(text, year, month, day or None)
    if _ISO.match(text) or _YYYYMMDD.match(text):
        return from_iso(text)
    written = _written(text)
    if written is not None:
        return written
    if not _HAS_YEAR.search(text):  # no four-digit year and no century: no date
        return None
    try:
        code = _edtf_code(text)
        if code is None:
            return None
        return _from_edtf(text, code)
    except Exception:  # edtf raises assorted parse errors; an unreadable date is no date
        return None


def from_edtf(code: str, text: str | None = None) -> HistoricalDate | None:
    """Rebuild a HistoricalDate from a stored EDTF string (the own record format uses it)."""
    try:
        return _from_edtf(text or code, code)
    except Exception:
        return None


def display(value: HistoricalDate | None) -> str:
    """The date for readers: "January 6, 1961", "March 1962", "1962", "ca. 1960", "n.d."."""
    if value is None or (value.start is None and not value.text):
        return "n.d."
    if value.start is None or value.flag:
        return value.text or "n.d."
    start = value.start
    prefix = "ca. " if value.approximate else ""
    suffix = "?" if value.uncertain else ""
    if value.precision is Precision.DAY:
        shown = f"{calendar.month_name[start.month]} {start.day}, {start.year}"
    elif value.precision is Precision.MONTH:
        shown = f"{calendar.month_name[start.month]} {start.year}"
    elif value.precision is Precision.SEASON:
        season = _SEASONS.get(int((value.edtf or "0000-00")[5:7] or 0), "")
        shown = f"{season} {start.year}".strip()
    elif value.precision is Precision.YEAR:
        shown = str(start.year)
    elif value.precision is Precision.DECADE:
        shown = f"{start.year // 10 * 10}s"
        qualifier = _QUALIFIER.match(value.text)
        if qualifier:
            shown = f"{qualifier.group(1).lower()} {shown}"
    elif value.precision is Precision.CENTURY:
        shown = f"{_ordinal(start.year // 100 + 1)} century"
    elif value.precision is Precision.RANGE and value.end is not None:
        shown = f"{_range_part(start, value)}–{_range_part(value.end, value)}"
    else:
        shown = value.text
    return f"{prefix}{shown}{suffix}"


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _range_part(day: date, value: HistoricalDate) -> str:
    """One end of a range, as precisely as the range was written."""
    code = value.edtf or ""
    if re.search(r"\d{4}-\d{2}-\d{2}", code):
        return f"{calendar.month_name[day.month]} {day.day}, {day.year}"
    if re.search(r"\d{4}-\d{2}", code):
        return f"{calendar.month_name[day.month]} {day.year}"
    return str(day.year)


def iso_day(value: HistoricalDate | None) -> str | None:
    """The first day the date can mean, as YYYY-MM-DD (the archive API's rounded-down date)."""
    return value.start.isoformat() if value is not None and value.start else None


def _written(text: str) -> HistoricalDate | None:
    if match := _MONTH_DAY_YEAR.match(text):
        month, day, year = match.groups()
        return _exact(text, int(year), _MONTHS[month.lower()], int(day))
    if match := _DAY_MONTH_YEAR.match(text):
        day, month, year = match.groups()
        return _exact(text, int(year), _MONTHS[month.lower()], int(day))
    if match := _MONTH_YEAR.match(text):
        month, year = match.groups()
        return _exact(text, int(year), _MONTHS[month.lower()], None)
    return None


def _exact(text: str, year: int, month: int | None, day: int | None) -> HistoricalDate:
    if not PLAUSIBLE_YEARS[0] <= year <= PLAUSIBLE_YEARS[1]:
        return HistoricalDate(text=text, flag=f"implausible year {year:04d}")
    if month is not None and not 1 <= month <= 12:
        return HistoricalDate(text=text, flag=f"impossible month {month}")
    if month is None:
        return HistoricalDate(
            text=text,
            edtf=f"{year:04d}",
            precision=Precision.YEAR,
            start=date(year, 1, 1),
            end=date(year, 12, 31),
        )
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return HistoricalDate(
            text=text,
            edtf=f"{year:04d}-{month:02d}",
            precision=Precision.MONTH,
            start=date(year, month, 1),
            end=date(year, month, last),
        )
    if not 1 <= day <= last:
        return HistoricalDate(text=text, flag=f"impossible day {year:04d}-{month:02d}-{day:02d}")
    day_date = date(year, month, day)
    return HistoricalDate(
        text=text,
        edtf=day_date.isoformat(),
        precision=Precision.DAY,
        start=day_date,
        end=day_date,
    )


def _edtf_code(text: str) -> str | None:
    try:
        parse_edtf(text)
        return text
    except Exception:
        pass
    code = text_to_edtf(text)
    return code or None


def _from_edtf(text: str, code: str) -> HistoricalDate | None:
    parsed = parse_edtf(code)
    lower, upper = parsed.lower_strict(), parsed.upper_strict()
    start = date(lower.tm_year, lower.tm_mon, lower.tm_mday)
    end = date(upper.tm_year, upper.tm_mon, upper.tm_mday)
    if start > end:
        return HistoricalDate(text=text, edtf=code, flag="range ends before it starts")
    if not PLAUSIBLE_YEARS[0] <= start.year <= PLAUSIBLE_YEARS[1]:
        return HistoricalDate(text=text, edtf=code, flag=f"implausible year {start.year:04d}")
    core = code.rstrip("?~%")
    if "X" in core or "x" in core:
        span = end.year - start.year
        precision = Precision.CENTURY if span >= 99 else Precision.DECADE
    elif re.fullmatch(r"-?\d{4}-2[1-4]", core):
        precision = Precision.SEASON
    elif re.fullmatch(r"-?\d{4}", core):
        precision = Precision.YEAR
    elif re.fullmatch(r"-?\d{4}-\d{2}", core):
        precision = Precision.MONTH
    elif re.fullmatch(r"-?\d{4}-\d{2}-\d{2}", core):
        precision = Precision.DAY
    else:
        precision = Precision.RANGE
    return HistoricalDate(
        text=text,
        edtf=code,
        precision=precision,
        start=start,
        end=end,
        approximate="~" in code or "%" in code,
        uncertain="?" in code or "%" in code,
    )
