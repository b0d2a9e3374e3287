""" "Did you mean": the PostgreSQL backend's name suggestions, from `search_names`.

The table holds each distinct person name form with the number of records that hold it; a
zero-hit query ranks every form like its words, so the suggestion is the same on every run,
and adding, replacing and deleting records keep the table to what the records hold.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from fonds.model import Person, Record
from fonds.search._postgres import PostgresIndex, open_postgres
from tests.search.records import RECORDS, driver, record

pytestmark = pytest.mark.postgres

# Three forms the query "Petrov" is equally like (a whole word of each), written so that
# the record that comes first holds the form that sorts last.
PETROVS = [
    record("p1", "Talks on Laos", persons_mentioned=[Person(name="Petrov, Ivan")]),
    record("p2", "Talks on Berlin", persons_mentioned=[Person(name="Boris Petrov")]),
    record("p3", "Talks on Cuba", persons_mentioned=[Person(name="Anna Petrov")]),
]


@pytest.fixture
def fresh(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(driver(pg_url))
    yield engine
    engine.dispose()


@pytest.fixture
def index(fresh: Engine) -> Iterator[PostgresIndex]:
    index = open_postgres(fresh, rum=False)
    if not index.has_trgm:
        pytest.skip("pg_trgm is not installed on this server")
    index.add([*PETROVS, *RECORDS])
    index.commit()
    yield index
    index.close()


def _names(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {form: n for form, n in conn.execute(text("SELECT form, records FROM search_names"))}


def _held(records: list[Record]) -> dict[str, int]:
    """What search_names must hold for `records`: each form once per record naming it."""
    counts: dict[str, int] = {}
    for r in records:
        forms = {f for p in r.people for f in (p.name, p.as_written, *p.variants) if f}
        for form in forms:
            counts[form] = counts.get(form, 0) + 1
    return counts


def test_ties_go_by_the_form_on_every_run(index: PostgresIndex, fresh: Engine) -> None:
    expected = ["Anna Petrov", "Boris Petrov", "Petrov, Ivan"]
    assert index.suggest_names("Petrov") == expected
    assert index.suggest_names("Petrov", 1) == ["Anna Petrov"]
    warnings = [index.search("subject:Petrov").warnings for _ in range(5)]
    assert warnings[0] == ['Nothing matched "Petrov"; did you mean "Anna Petrov"?']
    assert all(w == warnings[0] for w in warnings)
    # Written again in the other order, and through another opening: the same answer.
    index.clear()
    index.add([*reversed(RECORDS), *reversed(PETROVS)])
    index.commit()
    assert open_postgres(fresh, rum=False).suggest_names("Petrov") == expected


def test_the_closest_form_comes_first(index: PostgresIndex, fresh: Engine) -> None:
    assert index.suggest_names("Chevornenko") == ["S. V. Chervonenko"]
    result = index.search("Khrushchov")
    assert result.total == 0
    assert 'Nothing matched "Khrushchov"; did you mean "Nikita Khrushchev"?' in result.warnings
    found = index.suggest_names("Mao Tse", 10)
    with fresh.connect() as conn:
        likeness = [
            conn.execute(text("SELECT word_similarity('Mao Tse', :f)"), {"f": f}).scalar()
            for f in found
        ]
    assert found[0] == "Mao Tse-tung"
    assert [(-s, f) for s, f in zip(likeness, found, strict=True)] == sorted(
        (-s, f) for s, f in zip(likeness, found, strict=True)
    )


def test_the_closest_form_wins_among_a_thousand_lesser_ones(fresh: Engine) -> None:
    """Version 2 ranked only the first 200 forms the trigram scan gave, in hash order: here
    it offered "Nikolai Petrovich 10" and never saw Anna Petrov."""
    index = open_postgres(fresh, rum=False)
    if not index.has_trgm:
        pytest.skip("pg_trgm is not installed on this server")
    index.add(
        record(f"m{i}", "Talks", persons_mentioned=[Person(name=f"Nikolai Petrovich {i}")])
        for i in range(1000)
    )
    index.add([PETROVS[2]])
    index.commit()
    assert len(_names(fresh)) == 1001
    assert index.suggest_names("Petrov", 3) == [
        "Anna Petrov",
        "Nikolai Petrovich 0",
        "Nikolai Petrovich 1",
    ]
    assert index.search("subject:Petrov").warnings == [
        'Nothing matched "Petrov"; did you mean "Anna Petrov"?'
    ]


def test_nothing_like_it_suggests_nothing(index: PostgresIndex) -> None:
    assert index.suggest_names("Zzyzx") == []
    assert index.suggest_names("   ") == []
    assert not any("did you mean" in w for w in index.search("Zzyzx").warnings)


def test_the_table_holds_what_the_records_hold(index: PostgresIndex, fresh: Engine) -> None:
    assert _names(fresh) == _held([*PETROVS, *RECORDS])
    # A replaced record gives its old forms back; one added twice in a batch counts once.
    renamed = record("p2", "Talks on Berlin", persons_mentioned=[Person(name="Boris Petrovsky")])
    index.add([renamed, renamed, PETROVS[0]])
    index.delete(["p3", "no-such-record"])
    index.commit()
    now = [PETROVS[0], renamed, *RECORDS]
    assert _names(fresh) == _held(now)
    assert index.suggest_names("Petrov") == ["Petrov, Ivan", "Boris Petrovsky"]
    # Not yet committed: other connections still see the committed table.
    index.delete(["p1"])
    assert index.suggest_names("Petrov") == ["Petrov, Ivan", "Boris Petrovsky"]
    index.close()
    assert _names(fresh) == _held(now)


def test_clear_empties_it(index: PostgresIndex, fresh: Engine) -> None:
    index.clear()
    assert _names(fresh) == {}
    assert index.suggest_names("Petrov") == []
