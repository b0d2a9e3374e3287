"""The total, the undated matches, facet counts and the timeline of a search."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text

from fonds.search._postgres.compiler import Sql
from fonds.search._postgres.schema import LABELS, TABLE
from fonds.search.types import FACETS, FacetCount, SearchResult, histogram_buckets


def count(
    conn: Connection,
    sql: Sql,
    where: str,
    facets: Sequence[str] | None,
    size: int,
    histogram: bool,
    result: SearchResult,
) -> None:
    """The total, the undated matches, every facet and the timeline, in one statement."""
    size = max(1, min(int(size), 1000))
    counted = []
    for facet in facets or ():
        if facet not in FACETS:
            result.warnings.append(f'There is no facet "{facet}"; it was not counted.')
        elif facet not in counted:
            counted.append(facet)
    columns = ["date_start", "facet_ids"] if counted else ["date_start"]
    parts = [
        "SELECT '_total', NULL::text, count(*), "
        "(count(*) FILTER (WHERE date_start IS NULL))::text, 0 FROM m"
    ]
    if counted:
        # Every facet in one pass over the matches' value numbers (integers hash and compare
        # far faster than text), then each facet's top `size` by count, ties by value.
        wanted = ", ".join(f"'{facet}'" for facet in counted)
        parts.append(
            "SELECT x.facet, x.value, x.n, x.label, x.r FROM ("
            "SELECT l.facet, l.value, c.n, l.label, row_number() OVER "
            "(PARTITION BY l.facet ORDER BY c.n DESC, l.value) AS r FROM ("
            "SELECT v, count(*) AS n FROM (SELECT unnest(facet_ids) AS v FROM m) AS u GROUP BY v"
            f") AS c JOIN {LABELS} l ON l.id = c.v WHERE l.facet IN ({wanted})) AS x "
            f"WHERE x.r <= {size}"
        )
    if histogram:
        parts.append(
            "SELECT '_year', extract(year FROM date_start)::int::text, count(*), NULL, 0 "
            "FROM m WHERE date_start IS NOT NULL GROUP BY 2"
        )
    statement = (
        f"WITH m AS MATERIALIZED (SELECT {', '.join(columns)} FROM {TABLE} WHERE {where}) "
        + " UNION ALL ".join(f"({p})" for p in parts)
    )
    years: dict[int, int] = {}
    ranked: dict[str, list[tuple[int, FacetCount]]] = {}
    for kind, value, n, extra, rank in conn.execute(text(statement), sql.params):
        if kind == "_total":
            result.total = int(n)
            result.undated_count = int(extra or 0)
        elif kind == "_year":
            years[int(value)] = int(n)
        else:
            entry = FacetCount(value=value, label=extra or value, count=int(n))
            ranked.setdefault(kind, []).append((int(rank), entry))
    for facet in counted:
        result.facets[facet] = [entry for _, entry in sorted(ranked.get(facet, []), key=_first)]
    if histogram:
        result.histogram = histogram_buckets(years)


def _first(item: tuple[int, FacetCount]) -> int:
    return item[0]
