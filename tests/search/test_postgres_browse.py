"""The browse page's counts on PostgreSQL: counted once, kept, and never stale.

Browsing (no words, no filters) counts every record, ~100 ms at 50,000; the first search
keeps the counts under the set of transactions that changed the records (a trigger notes
each one), and the searches after it read them while that set is what their snapshot sees.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from fonds.search._postgres import PostgresIndex
from fonds.search.types import SearchResult
from tests.search.records import memos, schema_with_memos

pytestmark = pytest.mark.postgres

N = 300
FACETS = ("language", "type")


@pytest.fixture
def engine() -> Iterator[Engine]:
    with schema_with_memos(N, seed=5) as engine:
        yield engine


@pytest.fixture
def index(engine: Engine) -> Iterator[PostgresIndex]:
    index = PostgresIndex(engine, rum=False)
    yield index
    index.close()


def counted(index: PostgresIndex) -> SearchResult:
    """The same counts taken live: a filter every record passes is not browsing."""
    return index.search("", filters={"status": ["published"]}, facets=FACETS)


def same_counts(a: SearchResult, b: SearchResult) -> bool:
    return (a.total, a.undated_count, a.facets, a.histogram) == (
        b.total,
        b.undated_count,
        b.facets,
        b.histogram,
    )


def kept(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM search_browse")).scalar() or 0)


def test_browse_counts_are_kept_and_exact(engine: Engine, index: PostgresIndex) -> None:
    assert kept(engine) == 0
    first = index.search("", facets=FACETS)
    assert kept(engine) == 1
    again = index.search("", facets=FACETS, facet_size=1)
    assert same_counts(first, counted(index)) and not first.estimated
    assert first.total == again.total == N
    assert again.facets["type"] == first.facets["type"][:1]
    assert index.search("", facets=("nonsense",)).warnings


def test_commits_make_kept_counts_stale(engine: Engine, index: PostgresIndex) -> None:
    index.search("", facets=FACETS)
    writer = PostgresIndex(engine, rum=False)
    try:
        writer.add(memos(3, seed=6, start=N))
        assert index.search("", facets=FACETS).total == N  # not committed: not seen
        writer.commit()
        grown = index.search("", facets=FACETS)
        assert grown.total == N + 3 and same_counts(grown, counted(index))
        writer.delete([f"memo-{N}"])
        writer.commit()
        assert index.search("", facets=FACETS).total == N + 2
    finally:
        writer.close()
    # Whoever changes the rows, by whatever means: the trigger notes it.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM search_records WHERE record_id = 'memo-0'"))
    shrunk = index.search("", facets=FACETS)
    assert shrunk.total == N + 1 and same_counts(shrunk, counted(index))
    index.clear()
    assert index.search("", facets=FACETS).total == 0


def test_only_the_last_counts_are_kept(engine: Engine, index: PostgresIndex) -> None:
    for start in (N, N + 1, N + 2):
        index.add(memos(1, seed=7, start=start))
        index.commit()
        index.search("")
    assert kept(engine) == 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM search_changes")).scalar() == 1


def test_counts_are_kept_when_counted_on_the_search_connection(engine: Engine) -> None:
    """A pool too small to count apart: the search's own transaction keeps them."""
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    small = create_engine(
        engine.url,
        connect_args={"options": f"-c search_path={schema},public"},
        pool_size=1,
        max_overflow=0,
    )
    index = PostgresIndex(small, rum=False)
    try:
        assert not index._apart
        first = index.search("", facets=FACETS)
        assert kept(engine) == 1
        assert same_counts(index.search("", facets=FACETS), first)
    finally:
        index.close()
        small.dispose()
