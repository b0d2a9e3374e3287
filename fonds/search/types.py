"""What a search returns, and the interface every search backend implements.

The web pages, the JSON API and `fonds search` read these dataclasses and nothing of Tantivy or
PostgreSQL, so a backend can be swapped by configuration. `SearchBackend` is the contract the
Tantivy index (`_tantivy.py`) and the PostgreSQL full-text backend (`_postgres.py`) both meet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, Protocol

from fonds.model import Record
from fonds.search.query import Expand, Query

# The facets every search counts unless told otherwise, in the order pages show them.
FACETS: tuple[str, ...] = (
    "collection",
    "subject",
    "person",
    "place",
    "language",
    "repository",
    "classification",
    "donor",
    "type",
)
# The most bars a timeline gets; the finest of year, decade, century that fits is chosen.
MAX_BUCKETS = 90
# Keys a filter may use besides the facets (not counted, only filtered on).
FILTER_ONLY: tuple[str, ...] = ("status", "id")

Sort = Literal["relevance", "date", "-date"]


@dataclass(frozen=True)
class FacetCount:
    """One value of a facet: `value` is what a filter takes (an id), `label` what a page shows."""

    value: str
    label: str
    count: int
    # True when `count` was counted on a sample of the matches and scaled: "about 12,000".
    estimated: bool = False


class HistogramBucket(NamedTuple):
    """Matches per year, decade or century; `label` is "1961", "1960s" or "1900–1999"."""

    label: str
    start_year: int
    count: int  # type: ignore[assignment]  # shadows tuple.count; the name pages expect


@dataclass
class Hit:
    """One matching record, with what a results page needs to show it without the store."""

    id: str
    score: float | None
    title: str
    date: str = ""
    # HTML: escaped text with the matched words in <mark>; safe to insert into a page.
    snippet: str = ""
    title_html: str = ""
    # The forms of expanded names that this record contains (e.g. ["Хрущёв"]).
    matched_variants: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    """A page of hits, the facet counts and timeline over all matches, and what was repaired."""

    hits: list[Hit]
    total: int
    query: Query
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    histogram: list[HistogramBucket] = field(default_factory=list)
    # Matches that have no date; outside the results when a date filter is set and
    # include_undated is False, so pages can offer "also show 12 undated records".
    undated_count: int = 0
    warnings: list[str] = field(default_factory=list)
    offset: int = 0
    limit: int = 20

    def undated_left_out(
        self, date_from: str | None, date_to: str | None, include_undated: bool
    ) -> int:
        """The undated matches a search with these options left out of its hits: only a
        date range (the options' or the query's own `date:`) leaves them out."""
        dated = bool(date_from or date_to or self.query.dated)
        return self.undated_count if dated and not include_undated else 0

    @property
    def estimated(self) -> bool:
        """Whether the facet counts and the timeline are estimates from a sample of the matches.

        Read from the counts themselves, so a result whose counts are reused (turning pages)
        stays marked. `total` and `undated_count` are always exact.
        """
        return any(count.estimated for counts in self.facets.values() for count in counts)


class SearchBackend(Protocol):
    """A full-text index derived from the store; the store calls add/delete, pages call search."""

    # True when opening found an index of another fonds version and emptied it.
    was_reset: bool

    def add(self, records: Iterable[Record]) -> int:
        """Index (or re-index) records; visible to searches after `commit()`."""
        ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def commit(self) -> None: ...

    def clear(self) -> None: ...

    def count(self) -> int: ...

    def search(
        self,
        q: str = "",
        *,
        filters: dict[str, list[str]] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        include_undated: bool = False,
        sort: Sort = "relevance",
        offset: int = 0,
        limit: int = 20,
        facets: Sequence[str] | None = FACETS,
        facet_size: int = 20,
        histogram: bool = True,
        snippets: bool = True,
        expand: Expand | None = None,
        expand_names: bool = True,
    ) -> SearchResult: ...

    def more_like_this(self, record_id: str, limit: int = 5) -> list[Hit]: ...

    def close(self) -> None: ...


def scaled_count(count: int, scale: float | None) -> int:
    """A count from a sample, scaled to all matches and rounded to two significant digits,
    which is about what a sample of thousands can tell; unchanged without a scale. Both
    engines estimate large counts this way (see docs/search.md)."""
    if scale is None or count == 0:
        return count
    value = count * scale
    if value < 100:
        return max(1, round(value))
    step = 10 ** (len(str(int(value))) - 2)
    return int(round(value / step) * step)


def histogram_buckets(year_counts: dict[int, int]) -> list[HistogramBucket]:
    """Bars for a timeline from matches per year: years, decades or centuries, gaps as zeros.

    Shared by every backend so the same archive draws the same timeline on any engine.
    """
    counts = {year: n for year, n in year_counts.items() if n}
    if not counts:
        return []
    low, high = min(counts), max(counts)
    step = next((s for s in (1, 10, 100) if high // s - low // s < MAX_BUCKETS), 1000)
    sums: dict[int, int] = {}
    for year, n in counts.items():
        sums[year // step * step] = sums.get(year // step * step, 0) + n
    out = []
    for start in range(low // step * step, high // step * step + 1, step):
        if step == 1:
            label = str(start)
        elif step == 10:
            label = f"{start}s"
        else:
            label = f"{start}–{start + step - 1}"
        out.append(HistogramBucket(label, start, sums.get(start, 0)))
    return out
