"""The total, the undated matches, facet counts and the timeline of a search.

Counting costs about 3 µs per match (unnesting and grouping its facet-value numbers), so as
in the Tantivy index, above `Sample.above` matches the facets and the timeline are counted
over a fixed, deterministic slice of them: the records whose id hashes (`hashtext`, the
server's own hash) into the first of SHARDS shards, enough shards for about `Sample.size`
matches. The counts are scaled to all matches and marked `estimated`; the total and the
undated count stay exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from fonds.search._postgres.compiler import Sql
from fonds.search._postgres.schema import BROWSE, CHANGES, LABELS, TABLE
from fonds.search.types import (
    FACETS,
    FacetCount,
    HistogramBucket,
    SearchResult,
    histogram_buckets,
    scaled_count,
)

SAMPLE_ABOVE = 30_000  # the same thresholds as the Tantivy index
SAMPLE_SIZE = 15_000
SHARDS = 1024
SHARD = "(hashtext(record_id) & 1023)"


@dataclass(frozen=True)
class Sample:
    """Count facets on a sample of the matches when there are more than `above`."""

    above: int = SAMPLE_ABOVE
    size: int = SAMPLE_SIZE


@dataclass(frozen=True)
class Page:
    """A page of matches ranked by `score` (SQL), to select with the counts."""

    score: str
    limit: int
    offset: int


def count(
    conn: Connection,
    sql: Sql,
    where: str,
    facets: Sequence[str] | None,
    size: int,
    histogram: bool,
    result: SearchResult,
    page: Page | None = None,
    sample: Sample | None = None,
) -> list[tuple[str, str, str, float]]:
    """The total, the undated matches, every facet and the timeline, in one statement.

    With a `page`, also its rows (record_id, title, date_text, score), best first: when the
    page must score every match anyway (GIN, no ordered index), one pass over the matches'
    rows serves both, instead of a second bitmap heap scan over the same pages.
    With a `sample`, facets and timeline of many matches are estimated (see the module).
    Only for matches read from the table anyway: the sample needs each one's id.
    """
    size = max(1, min(int(size), 1000))
    counted = []
    for facet in facets or ():
        if facet not in FACETS:
            result.warnings.append(f'There is no facet "{facet}"; it was not counted.')
        elif facet not in counted:
            counted.append(facet)
    columns = ["date_start", "facet_ids"] if counted else ["date_start"]
    params: dict[str, Any] = dict(sql.params)
    # The rows that facets and timeline are counted on: all, or those of the first shards.
    counted_rows = "m"
    if sample is not None and counted:
        counted_rows = (
            "(SELECT * FROM m WHERE (SELECT n FROM t) <= :sample_above "
            f"OR {SHARD} < least({SHARDS}, ceil({SHARDS}.0 * :sample_size / "
            "(SELECT n FROM t)))) AS m"
        )
        params.update(sample_above=sample.above, sample_size=sample.size)
        if page is None:
            columns.append("record_id")
    # Every part gives (kind, value, count, label or title, rank, score, date text).
    parts = [
        "SELECT '_total', NULL::text, count(*), "
        "(count(*) FILTER (WHERE date_start IS NULL))::text, 0, NULL::float8, NULL FROM m"
    ]
    if page is not None:
        columns += ["record_id", "title", "date_text", f"{page.score} AS s"]
        parts.append(
            "SELECT '_hit', p.record_id, 0, p.title, "
            "row_number() OVER (ORDER BY p.s DESC, p.record_id), p.s, p.date_text FROM ("
            "SELECT record_id, title, date_text, s FROM m ORDER BY s DESC, record_id "
            "LIMIT :page_limit OFFSET :page_offset) AS p"
        )
        params.update(page_limit=page.limit, page_offset=page.offset)
    if counted_rows != "m":
        parts.append(
            f"SELECT '_sample', NULL, count(*), NULL, 0, NULL::float8, NULL FROM {counted_rows}"
        )
    if counted:
        # Every facet in one pass over the matches' value numbers (integers hash and compare
        # far faster than text), then each facet's top `size` by count, ties by value.
        wanted = ", ".join(f"'{facet}'" for facet in counted)
        parts.append(
            "SELECT x.facet, x.value, x.n, x.label, x.r, NULL::float8, NULL FROM ("
            "SELECT l.facet, l.value, c.n, l.label, row_number() OVER "
            "(PARTITION BY l.facet ORDER BY c.n DESC, l.value) AS r FROM ("
            "SELECT v, count(*) AS n FROM ("
            f"SELECT unnest(facet_ids) AS v FROM {counted_rows}) AS u GROUP BY v"
            f") AS c JOIN {LABELS} l ON l.id = c.v WHERE l.facet IN ({wanted})) AS x "
            f"WHERE x.r <= {size}"
        )
    if histogram:
        parts.append(
            "SELECT '_year', extract(year FROM date_start)::int::text, count(*), NULL, 0, "
            "NULL::float8, NULL "
            f"FROM {counted_rows} WHERE date_start IS NOT NULL GROUP BY 2"
        )
    # The matches are read once into `m` for every part; the total alone reads them directly
    # (materialising 50,000 rows to count them doubled the time of the empty query's count).
    materialized = "MATERIALIZED " if len(parts) > 1 else ""
    total = ", t AS (SELECT count(*) AS n FROM m)" if counted_rows != "m" else ""
    statement = (
        f"WITH m AS {materialized}(SELECT {', '.join(columns)} FROM {TABLE} WHERE {where}){total} "
        + " UNION ALL ".join(f"({p})" for p in parts)
    )
    years: dict[int, int] = {}
    ranked: dict[str, list[tuple[int, FacetCount]]] = {}
    hits: list[tuple[int, tuple[str, str, str, float]]] = []
    in_sample = 0
    for kind, value, n, extra, rank, score, date in conn.execute(text(statement), params):
        if kind == "_sample":
            in_sample = int(n)
        elif kind == "_hit":
            hits.append((int(rank), (value, extra, date, score)))
        elif kind == "_total":
            result.total = int(n)
            result.undated_count = int(extra or 0)
        elif kind == "_year":
            years[int(value)] = int(n)
        else:
            entry = FacetCount(value=value, label=extra or value, count=int(n))
            ranked.setdefault(kind, []).append((int(rank), entry))
    scale: float | None = None
    if sample is not None and result.total > sample.above and in_sample:
        if not ranked:
            # The estimate is flagged through the facet counts (see SearchResult.estimated):
            # with no value in the sample to carry it, everything is counted exactly instead.
            count(conn, sql, where, counted, size, histogram, result)
            return [hit for _, hit in sorted(hits, key=_first)]
        scale = result.total / in_sample
    for facet in counted:
        entries = [entry for _, entry in sorted(ranked.get(facet, []), key=_first)]
        if scale is not None:
            entries = sorted(
                (FacetCount(e.value, e.label, scaled_count(e.count, scale), True) for e in entries),
                key=lambda e: (-e.count, e.value),
            )
        result.facets[facet] = entries
    if histogram:
        result.histogram = histogram_buckets(
            {year: scaled_count(n, scale) for year, n in years.items()}
        )
    return [hit for _, hit in sorted(hits, key=_first)]


BROWSE_SIZE = 1000  # values kept per facet: the most a search may ask for


def browse(
    conn: Connection,
    facets: Sequence[str] | None,
    size: int,
    histogram: bool,
    result: SearchResult,
) -> None:
    """The browse page's counts (all records): the kept ones when they describe this snapshot,
    else counted here, exactly, and kept for the next searches (see schema.BROWSE).

    Keeping them is best effort: a concurrent search keeping the same, or a role that may
    not write, only means the next search counts again.
    """
    generation = conn.execute(
        text(f"SELECT coalesce(string_agg(txid::text, ',' ORDER BY txid), '') FROM {CHANGES}")
    ).scalar()
    kept = conn.execute(
        text(f"SELECT counts FROM {BROWSE} WHERE generation = :g"), {"g": generation}
    ).scalar()
    if kept is None:
        every = SearchResult(hits=[], total=0, query=result.query)
        count(conn, Sql(), "TRUE", FACETS, BROWSE_SIZE, True, every)
        kept = {
            "total": every.total,
            "undated": every.undated_count,
            "histogram": [list(bucket) for bucket in every.histogram],
            "facets": {
                facet: [[c.value, c.label, c.count] for c in values]
                for facet, values in every.facets.items()
            },
        }
        try:
            with conn.begin_nested():
                conn.execute(
                    text(
                        f"INSERT INTO {BROWSE} (generation, counts) "
                        "VALUES (:g, CAST(:counts AS jsonb)) ON CONFLICT DO NOTHING"
                    ),
                    {"g": generation, "counts": orjson.dumps(kept).decode()},
                )
                conn.execute(
                    text(
                        f"DELETE FROM {BROWSE} WHERE generation IN (SELECT generation "
                        f"FROM {BROWSE} WHERE generation <> :g FOR UPDATE SKIP LOCKED)"
                    ),
                    {"g": generation},
                )
        except DBAPIError:
            pass
    size = max(1, min(int(size), BROWSE_SIZE))
    result.total = int(kept["total"])
    result.undated_count = int(kept["undated"])
    for facet in facets or ():
        if facet not in FACETS:
            result.warnings.append(f'There is no facet "{facet}"; it was not counted.')
        elif facet not in result.facets:
            values = kept["facets"].get(facet, [])[:size]
            result.facets[facet] = [FacetCount(str(v), str(lb), int(n)) for v, lb, n in values]
    if histogram:
        result.histogram = [
            HistogramBucket(str(label), int(year), int(n)) for label, year, n in kept["histogram"]
        ]


def _first(item: tuple[int, Any]) -> int:
    return item[0]
