"""The PostgreSQL search tables across versions: migrations 0002, 0003 and `clear()` (reindex).

Version 1 counted each facet over its text array; version 2 numbers every facet value in
search_labels and keeps each record's numbers in `facet_ids`; version 3 keeps the person name
forms that suggestions look in in search_names. An archive indexed by an earlier version must
search the same after `fonds.store.db.migrate` as after a rebuild, without one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from fonds.search import FACETS, SearchResult
from fonds.search._postgres import PostgresIndex, open_postgres
from fonds.search._postgres.schema import LABELLED
from fonds.store.db import migrate
from tests.search.records import RECORDS, driver

pytestmark = pytest.mark.postgres

QUERIES = ("", "Berlin", "Khrushchev OR Mao", "date:1961..1962", "-Berlin")


@pytest.fixture
def fresh(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(driver(pg_url))
    yield engine
    engine.dispose()


def _searches(index: PostgresIndex) -> list[SearchResult]:
    return [index.search(q, facets=FACETS, facet_size=2) for q in QUERIES]


def _as_version_2(engine: Engine) -> None:
    """Turn version 3 tables back into what version 2 wrote (names found through `people`)."""
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE search_names"))
        conn.execute(
            text(
                "CREATE INDEX search_records_people_trgm ON search_records "
                "USING gin (people gin_trgm_ops)"
            )
        )
        conn.execute(text("COMMENT ON TABLE search_records IS 'fonds-search 2'"))


def _as_version_1(engine: Engine) -> None:
    """Turn version 3 tables back into what version 1 wrote (labels of three facets only)."""
    _as_version_2(engine)
    labelled = ", ".join(f"'{facet}'" for facet in LABELLED)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE search_records DROP COLUMN facet_ids"))
        conn.execute(text("ALTER TABLE search_labels DROP COLUMN id"))
        conn.execute(text(f"DELETE FROM search_labels WHERE facet NOT IN ({labelled})"))
        conn.execute(text("COMMENT ON TABLE search_records IS 'fonds-search 1'"))


def test_migration_upgrades_version_1_tables_in_place(fresh: Engine) -> None:
    index = open_postgres(fresh, rum=False)
    index.add(RECORDS)
    index.commit()
    before = _searches(index)
    assert any(result.facets["person"] for result in before)
    _as_version_1(fresh)

    migrate(fresh)

    upgraded = open_postgres(fresh, rum=False)
    assert not upgraded.was_reset
    assert upgraded.count() == len(RECORDS)
    assert _searches(upgraded) == before
    upgraded.add(RECORDS[:2])  # and it goes on indexing
    upgraded.commit()
    assert _searches(upgraded) == before


def _names(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text("SELECT * FROM search_names ORDER BY 1"))]


def test_migration_upgrades_version_2_tables_in_place(fresh: Engine) -> None:
    index = open_postgres(fresh, rum=False)
    if not index.has_trgm:
        pytest.skip("pg_trgm is not installed on this server")
    index.add(RECORDS)
    index.commit()
    names = _names(fresh)
    assert names
    suggested = [index.suggest_names(q) for q in ("Chevornenko", "Khrushchov", "Mao")]
    _as_version_2(fresh)

    migrate(fresh)

    upgraded = open_postgres(fresh, rum=False)
    assert not upgraded.was_reset
    assert _names(fresh) == names
    assert [upgraded.suggest_names(q) for q in ("Chevornenko", "Khrushchov", "Mao")] == suggested
    with fresh.connect() as conn:
        indexes = set(
            conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'search_%'"))
            .scalars()
            .all()
        )
    assert "search_names_form_trgm" in indexes
    assert "search_records_people_trgm" not in indexes
    upgraded.delete(["r1"])  # and it goes on counting
    upgraded.commit()
    assert upgraded.suggest_names("Chevornenko") == []


def test_migration_leaves_databases_without_search_tables_alone(fresh: Engine) -> None:
    migrate(fresh)
    with fresh.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('search_records')")).scalar() is None


def test_clear_and_add_again_numbers_the_values_afresh(fresh: Engine) -> None:
    """What `fonds reindex` does: the same counts, value numbers starting again from 1."""
    index = open_postgres(fresh, rum=False)
    index.add(RECORDS)
    index.commit()
    before = _searches(index)
    index.clear()
    index.add(reversed(RECORDS))
    index.commit()
    assert _searches(index) == before
    with fresh.connect() as conn:
        low, high, values = conn.execute(
            text("SELECT min(id), max(id), count(*) FROM search_labels")
        ).one()
    assert (low, high) == (1, values)


def test_a_deleted_record_leaves_the_counts(fresh: Engine) -> None:
    index = open_postgres(fresh, rum=False)
    index.add(RECORDS)
    index.commit()
    everything = index.search("", facets=["person"])
    top = everything.facets["person"][0]
    holders = index.search("", filters={"person": [top.value]}, facets=None)
    index.delete([hit.id for hit in holders.hits])
    index.commit()
    after = index.search("", facets=["person"])
    assert after.total == everything.total - holders.total
    assert top.value not in {count.value for count in after.facets["person"]}


def test_a_large_commit_vacuums_so_facets_can_come_from_the_date_index(
    fresh: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fonds.search._postgres import backend

    monkeypatch.setattr(backend, "ANALYZE_AFTER", 1)
    index = open_postgres(fresh, rum=False)
    index.add(RECORDS)
    index.commit()
    with fresh.connect() as conn:
        vacuumed = conn.execute(
            text(
                "SELECT coalesce(last_vacuum, last_autovacuum) IS NOT NULL "
                "FROM pg_stat_user_tables WHERE relname = 'search_records'"
            )
        ).scalar()
        covering = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_records_date_facets'")
        ).scalar()
    assert vacuumed
    assert covering is not None and "INCLUDE (facet_ids)" in covering
    assert index.search("").total == len(RECORDS)
