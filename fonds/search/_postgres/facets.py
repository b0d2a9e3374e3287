"""The total, the undated matches, facet counts and the timeline of a search."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text

from fonds.search._postgres.compiler import Sql
from fonds.search._postgres.schema import LABELLED, LABELS, TABLE
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
    columns = ["date_start", *(f"f_{f}" for f in counted)]
    parts = [
        "SELECT '_total', NULL::text, count(*), "
        "(count(*) FILTER (WHERE date_start IS NULL))::text FROM m"
    ]
    for facet in counted:
        label = (
            f"(SELECT label FROM {LABELS} l WHERE l.facet = '{facet}' AND l.value = x.v)"
            if facet in LABELLED
            else "x.v"
        )
        parts.append(
            f"SELECT '{facet}', x.v, x.n, {label} FROM ("
            f"SELECT v, count(*) AS n FROM m, unnest(m.f_{facet}) AS v "
            f"GROUP BY v ORDER BY n DESC, v LIMIT {size}) AS x"
        )
    if histogram:
        parts.append(
            "SELECT '_year', extract(year FROM date_start)::int::text, count(*), NULL "
            "FROM m WHERE date_start IS NOT NULL GROUP BY 2"
        )
    # Each facet is its own small GROUP BY over the matches, read once into `m`: quicker
    # than one pass that pairs every value with its facet.
    statement = (
        f"WITH m AS MATERIALIZED (SELECT {', '.join(columns)} FROM {TABLE} WHERE {where}) "
        + " UNION ALL ".join(f"({p})" for p in parts)
    )
    years: dict[int, int] = {}
    for kind, value, n, extra in conn.execute(text(statement), sql.params):
        if kind == "_total":
            result.total = int(n)
            result.undated_count = int(extra or 0)
        elif kind == "_year":
            years[int(value)] = int(n)
        else:
            result.facets.setdefault(kind, []).append(
                FacetCount(value=value, label=extra or value, count=int(n))
            )
    for facet in counted:
        result.facets.setdefault(facet, [])
    if histogram:
        result.histogram = histogram_buckets(years)
