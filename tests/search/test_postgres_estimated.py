"""Facet counts estimated from a sample on PostgreSQL, as the Tantivy index does.

Above `sample_above` matches found by words, facets and timeline are counted on the matches
whose id hashes into the first shards, scaled and marked `estimated`. These tests lower the
thresholds so a few hundred records are "many", and check that the estimate is close, stable
and marked, that the total and undated count stay exact, that browsing stays exact, and that
the page and the counts (taken on two connections at once) describe the same records.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, create_engine, text

from fonds.search._postgres import PostgresIndex
from fonds.search.output import result_to_json
from tests.search.records import memos, schema_with_memos

pytestmark = pytest.mark.postgres

N = 600
FACETS = ("language", "type")


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    with schema_with_memos(N, seed=3) as engine:
        yield engine


@pytest.fixture(params=[False, True], ids=["gin", "rum"])
def sampled(engine: Engine, request: pytest.FixtureRequest) -> Iterator[PostgresIndex]:
    index = PostgresIndex(engine, rum=request.param, sample_above=100, sample_size=150)
    if request.param and not index.use_rum:
        pytest.skip("the rum extension is not installed")
    yield index
    index.close()


@pytest.fixture
def exact(engine: Engine, sampled: PostgresIndex) -> Iterator[PostgresIndex]:
    """Counting everything, with the same index (GIN or RUM) as `sampled`."""
    index = PostgresIndex(engine, rum=sampled.use_rum)
    yield index
    index.close()


def test_many_matches_give_estimates_close_to_the_exact_counts(
    sampled: PostgresIndex, exact: PostgresIndex
) -> None:
    rough = sampled.search("berlin", facets=FACETS)
    true = exact.search("berlin", facets=FACETS)
    assert rough.estimated and not true.estimated
    assert rough.total == true.total == N
    assert rough.undated_count == true.undated_count == N // 10
    assert [h.id for h in rough.hits] == [h.id for h in true.hits]
    for facet in FACETS:
        counts = {c.value: c.count for c in true.facets[facet]}
        for estimate in rough.facets[facet]:
            assert estimate.estimated
            assert abs(estimate.count - counts[estimate.value]) <= 0.35 * counts[estimate.value]
    assert sum(b.count for b in rough.histogram) == pytest.approx(N - N // 10, rel=0.2)
    assert result_to_json(rough)["estimated"] is True


def test_estimates_are_the_same_every_time(sampled: PostgresIndex) -> None:
    first = sampled.search("berlin question", facets=FACETS, sort="date")
    again = sampled.search("berlin question", facets=FACETS, sort="date")
    assert first.estimated
    assert first.facets == again.facets and first.histogram == again.histogram


def test_few_matches_and_browsing_are_counted_exactly(sampled: PostgresIndex) -> None:
    few = sampled.search("number 7", facets=FACETS)
    assert 0 < few.total <= 100
    assert not few.estimated
    assert sum(c.count for c in few.facets["type"]) == few.total
    everything = sampled.search("", facets=FACETS)
    assert everything.total == N and not everything.estimated
    assert sum(c.count for c in everything.facets["type"]) == N


def test_date_ranges_keep_exact_totals_and_undated_counts(
    sampled: PostgresIndex, exact: PostgresIndex
) -> None:
    rough = sampled.search("berlin", date_from="1950", date_to="1964", facets=FACETS)
    true = exact.search("berlin", date_from="1950", date_to="1964", facets=FACETS)
    assert rough.total == true.total > 100
    assert rough.undated_count == true.undated_count == N // 10
    assert rough.estimated


def test_page_and_counts_agree_between_commits(engine: Engine) -> None:
    """The counts run on a connection of their own, in the snapshot of the page."""
    reader = PostgresIndex(engine, rum=False)
    writer = PostgresIndex(engine, rum=False)
    extra = memos(50, seed=4, start=N)
    try:
        for round_ in range(3):
            writer.add(extra if round_ % 2 == 0 else [])
            if round_ % 2:
                writer.delete(r.id for r in extra)
            result = reader.search("berlin", facets=("type",), limit=1000)
            assert result.total == len(result.hits)
            assert sum(c.count for c in result.facets["type"]) == result.total
            writer.commit()
    finally:
        writer.delete(r.id for r in extra)
        writer.commit()
        writer.close()
        reader.close()


@pytest.mark.parametrize(("size", "apart"), [(1, False), (5, True)])
def test_many_searches_at_once_never_wait_for_each_other(
    engine: Engine, size: int, apart: bool
) -> None:
    """Counting apart takes a second connection; with the pool too small for that, or more
    searches than counting threads, the counts are taken on the search's own connection."""
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    small = create_engine(
        engine.url,
        connect_args={"options": f"-c search_path={schema},public"},
        pool_size=size,
        max_overflow=0,
        pool_timeout=10,
    )
    index = PostgresIndex(small, rum=False)
    try:
        assert index._apart is apart
        expected = index.search("berlin", facets=FACETS, sort="date")
        with ThreadPoolExecutor(12) as pool:
            results = list(
                pool.map(lambda _: index.search("berlin", facets=FACETS, sort="date"), range(48))
            )
        assert all(r.facets == expected.facets and not r.warnings for r in results)
    finally:
        index.close()
        small.dispose()


def test_a_forked_process_counts_with_threads_of_its_own(engine: Engine) -> None:
    index = PostgresIndex(engine, rum=False)
    try:
        expected = index.search("berlin", facets=FACETS, sort="date")
        pid = os.fork()
        if pid == 0:  # the child: its pooled connections and threads are the parent's
            code = 1
            try:
                engine.dispose(close=False)
                found = index.search("berlin", facets=FACETS, sort="date")
                code = (
                    0
                    if found.facets == expected.facets and index._counters._pid == os.getpid()
                    else 1
                )
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        index.close()
