"""What only the Tantivy index does; the behaviour it shares with PostgreSQL is in test_backends.py.

Tantivy keeps its index in a folder of files, so it alone can find a marker file of another
schema version there, and must then rebuild without deleting files that are not its own.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fonds.search import open_index
from tests.search.records import RECORDS


def test_index_with_an_old_schema_is_reset(tmp_path: Path) -> None:
    index = open_index(tmp_path)
    index.add(RECORDS[:1])
    index.commit()
    (tmp_path / "fonds-search.json").write_text('{"schema": 0}')
    (tmp_path / "keep.txt").write_text("not ours")
    reopened = open_index(tmp_path)
    assert reopened.was_reset
    assert reopened.count() == 0
    assert (tmp_path / "keep.txt").exists()


def test_undated_count_is_what_including_undated_records_adds(tmp_path: Path) -> None:
    index = open_index(tmp_path)
    index.add(RECORDS)
    index.commit()
    for q in ["Berlin date:1961..1962", "date:1962", "wall date:..1961", "-Soviet date:1960..1963"]:
        dated = index.search(q, facets=(), histogram=False)
        everything = index.search(q, facets=(), histogram=False, include_undated=True)
        assert dated.undated_count == everything.total - dated.total, q
    assert index.search("Berlin date:1961..1962").undated_count >= 1  # r6, the undated note


def test_searches_from_many_threads_count_as_one_thread_does(tmp_path: Path) -> None:
    """Facets and undated counts are made on pool threads beside the ranking: concurrent
    searches (a web server's) must each get their own counts, not another search's."""
    index = open_index(tmp_path)
    index.add(RECORDS)
    index.commit()
    queries = ["Berlin", "Soviet", '"Berlin wall"', "Mao OR Khrushchev", "date:1961..1962", ""]
    alone = {q: index.search(q) for q in queries}
    assert all(alone[q].total and alone[q].facets["type"] for q in queries)
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(index.search, queries * 10))
    for q, result in zip(queries * 10, together, strict=True):
        expected = alone[q]
        assert [h.id for h in result.hits] == [h.id for h in expected.hits], q
        assert (result.total, result.undated_count) == (expected.total, expected.undated_count)
        assert (result.facets, result.histogram) == (expected.facets, expected.histogram), q


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_process_forked_after_searching_can_search(tmp_path: Path) -> None:
    """The counting threads of the parent do not exist in a forked child (a web server
    forking workers after a warm-up search): the child must not wait on them."""
    index = open_index(tmp_path)
    index.add(RECORDS)
    index.commit()
    expected = index.search("Berlin").total
    assert expected
    context = multiprocessing.get_context("fork")
    totals = context.Queue()
    child = context.Process(target=_total_in_child, args=(tmp_path, totals))
    child.start()
    child.join(timeout=30)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked process waited for ever on its parent's counting threads")
    assert totals.get(timeout=5) == expected


def _total_in_child(path: Path, totals: multiprocessing.Queue[int]) -> None:
    totals.put(open_index(path).search("Berlin").total)
