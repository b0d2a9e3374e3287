"""What only the PostgreSQL backend does; what it shares with Tantivy is in test_backends.py.

Runs against a real server: FONDS_TEST_POSTGRES_URL, or the throwaway cluster tests/conftest.py
starts for tests marked `postgres`. Kept here: the folding and bigram analysis done in Python,
stop words (PostgreSQL drops them, Tantivy indexes every word), pg_trgm name suggestions, the
volume's facet label beside a chapter-only record (Tantivy does not pass it yet), the version
comment on the table, the schema search path, and the RUM index.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from fonds.search._postgres import PostgresIndex, fold, open_postgres, search_text
from tests.search.records import RECORDS, driver, scratch_schema

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def index() -> Iterator[PostgresIndex]:
    """The dozen records in a schema of their own, with GIN (what every server has)."""
    with scratch_schema() as engine:
        index = open_postgres(engine, rum=False)
        index.clear()
        index.add(RECORDS)
        index.commit()
        yield index
        index.close()


@pytest.fixture
def fresh(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(driver(pg_url))
    yield engine
    engine.dispose()


# --- folding ----------------------------------------------------------------------------------


def test_folding_keeps_every_position() -> None:
    original = "Хрущёв, Gespräch, İstanbul, ÆTHER 毛泽东"
    assert fold(original) == "хрущев, gesprach, istanbul, æther 毛泽东"
    assert len(fold(original)) == len(original)


def test_cjk_runs_become_bigrams() -> None:
    assert search_text("中苏关系 Talks").split() == ["talks", "中苏", "苏关", "关系", "系"]


# --- queries, facets, names -----------------------------------------------------------------


def test_query_of_stop_words_only_says_so(index: PostgresIndex) -> None:
    result = index.search('"on the"')
    assert result.total == 12
    assert any("no words that can be searched" in w for w in result.warnings)


def test_misspelt_name_gets_a_suggestion(index: PostgresIndex) -> None:
    if not index.has_trgm:
        pytest.skip("pg_trgm is not installed on this server")
    assert index.suggest_names("Chevornenko") == ["S. V. Chervonenko"]
    result = index.search("Khrushchov")
    assert result.total == 0
    assert any('did you mean "Nikita Khrushchev"' in w for w in result.warnings)


# --- index lifecycle --------------------------------------------------------------------------


def test_index_of_another_version_is_rebuilt(fresh: Engine) -> None:
    index = open_postgres(fresh)
    index.add(RECORDS[:1])
    index.commit()
    with fresh.begin() as conn:
        conn.execute(text("COMMENT ON TABLE search_records IS 'fonds-search 0'"))
    reopened = open_postgres(fresh)
    assert reopened.was_reset
    assert reopened.count() == 0


def test_a_table_of_the_same_name_further_along_the_search_path_is_not_ours(
    fresh: Engine, pg_url: str
) -> None:
    public = open_postgres(fresh)
    public.add(RECORDS[:1])
    public.commit()
    with fresh.begin() as conn:
        conn.execute(text("CREATE SCHEMA second"))
    engine = create_engine(driver(pg_url), connect_args={"options": "-c search_path=second,public"})
    try:
        first = open_postgres(engine)
        first.add(RECORDS[:2])
        first.commit()
        again = open_postgres(engine)
        assert not again.was_reset
        assert again.count() == 2
        assert public.count() == 1
    finally:
        engine.dispose()


def test_rum_index_ranks_the_same_matches(fresh: Engine) -> None:
    index = open_postgres(fresh, rum=True)
    if not index.use_rum:
        pytest.skip("the rum extension is not installed on this server")
    index.add(RECORDS)
    index.commit()
    hits = index.search("Berlin", facets=None).hits
    assert {h.id for h in hits} == {"r2", "r3", "r4", "r6", "r12"}
    assert hits[0].id in {"r6", "r12"}  # Berlin in the title
    assert [h.score for h in hits] == sorted((h.score or 0.0 for h in hits), reverse=True)
    assert {h.id for h in index.search("Berlin NOT wall").hits} == {"r2", "r3", "r4", "r12"}
    assert "<mark>Berlin</mark>" in index.search("Berlin").hits[0].title_html
    # A field query ranks on the fields' vector, by its own RUM index.
    ranked = index.search("person:Rusk", facets=None).hits
    by_date = index.search("person:Rusk", facets=None, sort="date").hits
    assert ranked and {h.id for h in ranked} == {h.id for h in by_date}
    assert [h.score for h in ranked] == sorted((h.score or 0.0 for h in ranked), reverse=True)
    with fresh.connect() as conn:
        names = set(conn.execute(text("SELECT indexname FROM pg_indexes")).scalars())
    assert {"search_records_tsv_rum", "search_records_fields_rum"} <= names
    assert not names & {"search_records_tsv_gin", "search_records_fields_gin"}
